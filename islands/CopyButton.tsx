import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";

/** Props of {@linkcode CopyButton}. */
export interface CopyButtonProps {
  /** The id of the element whose text is copied (the text stays in the page, not in these props). */
  target: string;
  label: string;
}

/**
 * Copies an element's text to the clipboard. It needs JavaScript, so it appears only once
 * hydrated; without it the text is still there to select. Where the clipboard is refused, the
 * text is shown and selected for Ctrl+C instead.
 */
export default function CopyButton({ target, label }: CopyButtonProps) {
  const hydrated = useSignal(false);
  const status = useSignal("");
  useEffect(() => {
    hydrated.value = true;
  }, []);
  if (!hydrated.value) return null;

  const copy = async () => {
    const element = document.getElementById(target);
    if (!element) return;
    try {
      await navigator.clipboard.writeText(element.textContent ?? "");
      status.value = "Copied";
    } catch {
      // Reveal it (it may sit in a closed <details>) and select it for the keyboard.
      element.closest("details")?.setAttribute("open", "");
      getSelection()?.selectAllChildren(element);
      status.value = "Press Ctrl+C (⌘C) to copy";
    }
  };
  return (
    <span class="copy">
      <button type="button" class="btn btn--small btn--secondary" onClick={copy}>{label}</button>
      <span class="copy-status muted" role="status">{status.value}</span>
    </span>
  );
}
