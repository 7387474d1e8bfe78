import { useSignal } from "@preact/signals";

/** Props of {@linkcode EventTypesField}. */
export interface EventTypesFieldProps {
  /** Each event type a webhook can subscribe to, with a line saying when it happens. */
  types: { type: string; hint: string }[];
  /** What is ticked: `*` for all events, or single types. */
  selected: string[];
  error: string | null;
}

/**
 * The "Events to send" checkboxes: "All events" and single events exclude each other. Ticking one
 * unticks the other kind here; without JavaScript the server refuses the form if both are ticked.
 */
export default function EventTypesField({ types, selected, error }: EventTypesFieldProps) {
  const ticked = useSignal(new Set(selected));
  const toggle = (value: string, on: boolean) => {
    const next = new Set(ticked.value);
    if (!on) next.delete(value);
    else if (value === "*") {
      next.clear();
      next.add("*");
    } else {
      next.delete("*");
      next.add(value);
    }
    ticked.value = next;
  };
  const box = (value: string) => (
    <input
      type="checkbox"
      name="event_types"
      value={value}
      checked={ticked.value.has(value)}
      onChange={(event) => toggle(value, event.currentTarget.checked)}
      aria-describedby={error ? "event-types-error" : undefined}
    />
  );
  return (
    <fieldset class={error ? "field field--invalid fieldset" : "field fieldset"}>
      <legend class="field-label">Events to send</legend>
      <label class="checkbox">
        {box("*")}
        <span>
          All events <span class="muted">(including ones added later)</span>
        </span>
      </label>
      <p class="field-hint event-or">or only these:</p>
      <div class="event-grid">
        {types.map(({ type, hint }) => (
          <label class="checkbox checkbox--top" key={type}>
            {box(type)}
            <span>
              <code>{type}</code>
              <span class="field-hint event-hint">{hint}</span>
            </span>
          </label>
        ))}
      </div>
      {error ? <span class="field-error" id="event-types-error" role="alert">{error}</span> : null}
    </fieldset>
  );
}
