import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { formatCount } from "../components/format.ts";

/** Props of {@linkcode BulkBar}. */
export interface BulkBarProps {
  /** The form's id: the table's row checkboxes name it in their `form` attribute. */
  formId: string;
  /** Hidden fields the confirmation needs: the list's filters and where to return to. */
  fields: Record<string, string>;
  /** How many products match the list's filters (every product when unfiltered). */
  matching: number;
  /** False when `matching` is a capped count ("5,000+"). */
  matchingExact: boolean;
  filtered: boolean;
}

const ACTIONS = [
  { value: "activate", label: "Activate…", class: "btn btn--small btn--secondary" },
  { value: "deactivate", label: "Deactivate…", class: "btn btn--small btn--secondary" },
  { value: "export", label: "Export…", class: "btn btn--small btn--secondary" },
  { value: "delete", label: "Delete…", class: "btn btn--small btn--danger-outline" },
];

function rowBoxes(formId: string): HTMLInputElement[] {
  return [...document.querySelectorAll<HTMLInputElement>(`input[type=checkbox][name=id][form="${formId}"]`)];
}

/**
 * The bulk-action bar above the products table: apply an action to the ticked products or to all
 * that match the filters. It is a plain GET form to the confirmation page, so it works without
 * JavaScript; with it, the bar counts the ticked rows, ticks a whole page at once, and switches to
 * "selected" as soon as a row is ticked.
 */
export default function BulkBar({ formId, fields, matching, matchingExact, filtered }: BulkBarProps) {
  const hydrated = useSignal(false);
  const ticked = useSignal(0);
  const onPage = useSignal(0);
  const scope = useSignal<"selected" | "matching">("selected");

  useEffect(() => {
    hydrated.value = true;
    const recount = () => {
      const boxes = rowBoxes(formId);
      onPage.value = boxes.length;
      ticked.value = boxes.filter((box) => box.checked).length;
    };
    const changed = (event: Event) => {
      const box = event.target as HTMLInputElement;
      if (box.name !== "id" || box.getAttribute("form") !== formId) return;
      if (box.checked) scope.value = "selected";
      recount();
    };
    recount();
    document.addEventListener("change", changed);
    return () => document.removeEventListener("change", changed);
  }, []);

  const tickPage = (checked: boolean) => {
    for (const box of rowBoxes(formId)) box.checked = checked;
    ticked.value = checked ? onPage.value : 0;
    if (checked) scope.value = "selected";
  };
  const all = `${formatCount(matching)}${matchingExact ? "" : "+"}`;
  const nothingTicked = hydrated.value && scope.value === "selected" && ticked.value === 0;
  return (
    <form id={formId} class="bulk-bar" method="get" action="/products/bulk">
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <fieldset class="bulk-scope">
        <legend class="bulk-legend">Apply to</legend>
        {hydrated.value
          ? (
            <label class="checkbox">
              <input
                type="checkbox"
                checked={onPage.value > 0 && ticked.value === onPage.value}
                onChange={(event) => tickPage((event.target as HTMLInputElement).checked)}
              />
              Tick all on this page
            </label>
          )
          : null}
        <label class="checkbox">
          <input
            type="radio"
            name="scope"
            value="selected"
            checked={scope.value === "selected"}
            onChange={() => (scope.value = "selected")}
          />
          {hydrated.value ? `Ticked products (${formatCount(ticked.value)})` : "Ticked products"}
        </label>
        <label class="checkbox">
          <input
            type="radio"
            name="scope"
            value="matching"
            checked={scope.value === "matching"}
            onChange={() => (scope.value = "matching")}
          />
          {`All ${all} ${filtered ? "matching" : ""} ${matching === 1 ? "product" : "products"}`.replace(
            "  ",
            " ",
          )}
        </label>
      </fieldset>
      <div class="bulk-actions">
        {ACTIONS.map((action) => (
          <button
            key={action.value}
            type="submit"
            name="action"
            value={action.value}
            class={action.class}
            disabled={nothingTicked}
          >
            {action.label}
          </button>
        ))}
      </div>
    </form>
  );
}
