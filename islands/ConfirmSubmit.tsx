import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
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
 * inline ("Delete ABC-1? Yes / No") and posts the form only after "Yes".
 */
export default function ConfirmSubmit({ action, label, what, returnTo }: ConfirmSubmitProps) {
  const { canChange } = usePageSession();
  const asking = useSignal(false);
  // The server renders the no-JavaScript link; once hydrated, the button takes its place.
  const hydrated = useSignal(false);
  useEffect(() => {
    hydrated.value = true;
  }, []);

  if (!canChange) return null;
  if (!hydrated.value) {
    const href = returnTo ? `${action}?return=${encodeURIComponent(returnTo)}` : action;
    return <a class="btn btn--small btn--danger-outline" href={href}>{label}</a>;
  }
  if (!asking.value) {
    return (
      <button type="button" class="btn btn--small btn--danger-outline" onClick={() => (asking.value = true)}>
        {label}
      </button>
    );
  }
  return (
    <form method="post" action={action} class="confirm-inline">
      <CsrfField />
      {returnTo ? <input type="hidden" name="return" value={returnTo} /> : null}
      <span>Delete {what}?</span>
      <button type="submit" class="btn btn--small btn--danger">Yes, delete</button>
      <button type="button" class="btn btn--small btn--secondary" onClick={() => (asking.value = false)}>
        No
      </button>
    </form>
  );
}
