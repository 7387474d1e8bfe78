import { useSignal } from "@preact/signals";
import { CsrfField } from "../components/session.tsx";

/** Props of {@linkcode SendButton}. */
export interface SendButtonProps {
  /** Where the form posts. */
  action: string;
  label: string;
  /** Shown while the request runs (a send can take up to the webhook timeout). */
  pendingLabel: string;
}

/**
 * A one-button POST form. Without JavaScript it simply posts; with it, the button says what is
 * happening and cannot be pressed twice while the receiver is being called.
 */
export default function SendButton({ action, label, pendingLabel }: SendButtonProps) {
  const pending = useSignal(false);
  return (
    <form method="post" action={action} onSubmit={() => (pending.value = true)}>
      <CsrfField />
      <button class="btn" type="submit" disabled={pending.value} aria-busy={pending.value}>
        {pending.value ? pendingLabel : label}
      </button>
    </form>
  );
}
