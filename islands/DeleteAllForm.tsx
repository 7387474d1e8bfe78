import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { confirmsDeleteAll } from "../components/delete_all.ts";
import { formatCount } from "../components/format.ts";
import { CsrfField } from "../components/session.tsx";

/** Props of {@linkcode DeleteAllForm}. */
export interface DeleteAllFormProps {
  count: number;
  error?: string;
}

/** The delete-all confirmation: the button unlocks only once the user typed the count or DELETE. */
export default function DeleteAllForm({ count, error }: DeleteAllFormProps) {
  const typed = useSignal("");
  // Server HTML leaves the button enabled (no JavaScript, the server checks); hydrated, it waits for the text.
  const hydrated = useSignal(false);
  useEffect(() => {
    hydrated.value = true;
  }, []);
  const ready = confirmsDeleteAll(typed.value, count);
  return (
    <form class="card danger-zone" method="post" action="/products/delete-all">
      <CsrfField />
      <p>
        This deletes <strong>all {formatCount(count)} products</strong>. It cannot be undone.
      </p>
      <div class={error ? "field field--invalid" : "field"}>
        <label class="field-label" for="confirm-delete-all">
          Type <code>{formatCount(count)}</code> or <code>DELETE</code> to confirm
        </label>
        <input
          id="confirm-delete-all"
          name="confirm"
          autocomplete="off"
          value={typed.value}
          onInput={(event) => (typed.value = (event.target as HTMLInputElement).value)}
        />
        {error ? <span class="field-error" role="alert">{error}</span> : null}
      </div>
      <div class="actions">
        <button class="btn btn--danger" type="submit" disabled={hydrated.value && !ready}>
          Delete all products
        </button>
        <a class="btn btn--secondary" href="/">Cancel</a>
      </div>
    </form>
  );
}
