import { useSignal } from "@preact/signals";
import { useEffect, useId, useLayoutEffect, useRef } from "preact/hooks";
import { CsrfField, usePageSession } from "../components/session.tsx";

/** Props of {@linkcode ConfirmSubmit}. */
export interface ConfirmSubmitProps {
  /** Where the confirmed form posts. */
  action: string;
  label: string;
  /** What is being deleted, for the question. */
  what: string;
  /** Where to go back to afterwards (the list with its filters), if not the default. */
  returnTo?: string;
}

/**
 * A delete button. Without JavaScript it is a link to a confirmation page; with it, it asks
 * inline ("Delete ABC-1? Yes / No") and posts the form only after "Yes". Keyboard focus follows:
 * to "Yes, delete" when asked, back to the button on "No" or Escape.
 */
export default function ConfirmSubmit({ action, label, what, returnTo }: ConfirmSubmitProps) {
  const { canChange } = usePageSession();
  const asking = useSignal(false);
  // The server renders the no-JavaScript link; once hydrated, the button takes its place.
  const hydrated = useSignal(false);
  // Where focus goes after the question opens or closes; null before the user did anything.
  const focusNext = useSignal<"confirm" | "button" | null>(null);
  const confirm = useRef<HTMLButtonElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const questionId = useId();
  useEffect(() => {
    hydrated.value = true;
  }, []);
  // In the same commit as the question opening or closing: with useEffect, focus sat on the page's
  // body until after the next paint (the keyboard test caught it there about one run in four).
  useLayoutEffect(() => {
    if (focusNext.value === "confirm") confirm.current?.focus();
    if (focusNext.value === "button") button.current?.focus();
  }, [asking.value]);

  if (!canChange) return null;
  if (!hydrated.value) {
    const href = returnTo ? `${action}?return=${encodeURIComponent(returnTo)}` : action;
    return <a class="btn btn--small btn--danger-outline" href={href}>{label}</a>;
  }
  const ask = (open: boolean) => {
    focusNext.value = open ? "confirm" : "button";
    asking.value = open;
  };
  if (!asking.value) {
    return (
      <button
        ref={button}
        type="button"
        class="btn btn--small btn--danger-outline"
        onClick={() => ask(true)}
      >
        {label}
      </button>
    );
  }
  return (
    <form
      method="post"
      action={action}
      class="confirm-inline"
      onKeyDown={(event) => {
        if (event.key === "Escape") {
          event.preventDefault();
          ask(false);
        }
      }}
    >
      <CsrfField />
      {returnTo ? <input type="hidden" name="return" value={returnTo} /> : null}
      <span id={questionId}>Delete {what}?</span>
      <button ref={confirm} type="submit" class="btn btn--small btn--danger" aria-describedby={questionId}>
        Yes, delete
      </button>
      <button type="button" class="btn btn--small btn--secondary" onClick={() => ask(false)}>
        No
      </button>
    </form>
  );
}
