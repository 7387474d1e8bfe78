/** Server-only pieces of the webhook pages: the form, the event list and the delivery log. */
import { WEBHOOK_EVENT_TYPES, type WebhookAttempt, type WebhookLog } from "../core/webhooks/mod.ts";
import { formatCount } from "./format.ts";
import { ActionsHeading, DataTable } from "./table.tsx";
import { CsrfField, IfCanChange } from "./session.tsx";
import { LocalTime } from "./local_time.tsx";

/** What the form shows (as typed). */
export interface WebhookFormValues {
  url: string;
  eventTypes: string[];
  enabled: boolean;
}

const EVENT_HINTS: Record<string, string> = {
  "product.created": "A product was created in the admin or through the API",
  "product.updated": "A product was changed in the admin or through the API",
  "product.deleted": "A product was deleted",
  "products.bulk_deleted": "All products were deleted (one event with the count)",
  "import.completed": "A CSV import finished (one event with its counts)",
  "import.failed": "A CSV import failed",
};

/** The add / edit form: a plain POST form. */
export function WebhookForm(
  props: { action: string; values: WebhookFormValues; errors: Record<string, string>; submitLabel: string },
) {
  const { values, errors } = props;
  const all = values.eventTypes.includes("*");
  return (
    <form class="card product-form" method="post" action={props.action} novalidate>
      <CsrfField />
      <div class={errors.url ? "field field--invalid" : "field"}>
        <label class="field-label" for="webhook-url">Endpoint URL</label>
        <input
          id="webhook-url"
          name="url"
          type="url"
          required
          maxLength={1000}
          placeholder="https://example.com/webhooks/acme"
          value={values.url}
          aria-describedby="webhook-url-note"
        />
        {errors.url
          ? <span class="field-error" id="webhook-url-note" role="alert">{errors.url}</span>
          : (
            <span class="field-hint" id="webhook-url-note">
              A public http(s) address. Each event is POSTed there as JSON, signed with this webhook's secret.
            </span>
          )}
      </div>
      <fieldset class={errors.event_types ? "field field--invalid fieldset" : "field fieldset"}>
        <legend class="field-label">Events to send</legend>
        <label class="checkbox">
          <input type="checkbox" name="event_types" value="*" checked={all} />
          <span>
            All events <span class="muted">(including ones added later)</span>
          </span>
        </label>
        <div class="event-grid">
          {WEBHOOK_EVENT_TYPES.map((type) => (
            <label class="checkbox checkbox--top" key={type}>
              <input
                type="checkbox"
                name="event_types"
                value={type}
                checked={values.eventTypes.includes(type)}
              />
              <span>
                <code>{type}</code>
                <span class="field-hint event-hint">{EVENT_HINTS[type]}</span>
              </span>
            </label>
          ))}
        </div>
        {errors.event_types ? <span class="field-error" role="alert">{errors.event_types}</span> : null}
      </fieldset>
      <label class="checkbox">
        <input type="checkbox" name="enabled" checked={values.enabled} />
        <span>Enabled — send events to this URL</span>
      </label>
      {errors.body ? <p class="alert alert--error" role="alert">{errors.body}</p> : null}
      <div class="actions">
        <button class="btn" type="submit">{props.submitLabel}</button>
        <a class="btn btn--secondary" href="/webhooks">Cancel</a>
      </div>
    </form>
  );
}

/** The subscribed event types as small labels. */
export function EventTypes(props: { types: string[] }) {
  if (props.types.includes("*")) return <span class="badge">All events</span>;
  return (
    <span class="event-list">
      {props.types.map((type) => <code key={type} class="event-tag">{type}</code>)}
    </span>
  );
}

/** "Enabled" or "Off", as a badge. */
export function EnabledBadge(props: { enabled: boolean }) {
  return props.enabled
    ? <span class="badge badge--complete">Enabled</span>
    : <span class="badge badge--error">Off</span>;
}

/** A UTC time to the second. */
export function utc(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

const ERROR_LABELS: Record<string, string> = {
  timeout: "Timed out",
  refused: "Refused",
  dns: "DNS failed",
  tls: "TLS failed",
  redirect: "Redirect",
  http: "HTTP error",
  blocked: "Blocked address",
  network: "Network error",
};

/** The outcome of an attempt in a word or two: the status code, or what went wrong. */
export function AttemptOutcome(props: { log: Pick<WebhookAttempt, "response_status" | "error_kind"> }) {
  const { response_status: status, error_kind: kind } = props.log;
  const ok = status !== null && status >= 200 && status < 300;
  const label = status !== null ? String(status) : ERROR_LABELS[kind ?? ""] ?? "Failed";
  return (
    <span
      class={`badge ${ok ? "badge--complete" : "badge--error"}`}
      title={kind ? ERROR_LABELS[kind] : undefined}
    >
      {label}
    </span>
  );
}

/** The delivery log: one row per attempt, newest first, each redeliverable. */
export function DeliveryLog(props: { webhookId: number; logs: WebhookLog[] }) {
  if (props.logs.length === 0) {
    return (
      <p class="empty">
        No deliveries yet. Events appear here as they are sent — press <strong>Send test event</strong>{" "}
        to try it.
      </p>
    );
  }
  return (
    <DataTable
      class="log-table"
      head={
        <>
          <th>Time</th>
          <th>Event</th>
          <th class="num">Attempt</th>
          <th>Result</th>
          <th class="num">Time taken</th>
          <th>Details</th>
          <th>Next retry</th>
          <ActionsHeading />
        </>
      }
    >
      {props.logs.map((log) => (
        <tr key={log.id}>
          <td class="nowrap">
            <LocalTime at={log.created_at} seconds />
          </td>
          <td>
            <code>{log.event_type}</code>
          </td>
          <td class="num">{log.attempt}</td>
          <td>
            <AttemptOutcome log={log} />
          </td>
          <td class="num nowrap">{formatCount(log.response_time_ms)} ms</td>
          <td class="log-details">
            {log.error_message ? <div>{log.error_message}</div> : null}
            {log.response_excerpt
              ? <code class="excerpt response-excerpt">{log.response_excerpt}</code>
              : null}
          </td>
          <td class="nowrap">
            {log.next_retry_at && log.delivery_status === "pending"
              ? <LocalTime at={log.next_retry_at} seconds />
              : "—"}
          </td>
          <td class="actions-cell">
            <IfCanChange>
              <form
                method="post"
                action={`/webhooks/${props.webhookId}/deliveries/${log.delivery_id}/redeliver`}
              >
                <CsrfField />
                <button class="btn btn--small btn--secondary" type="submit">Redeliver</button>
              </form>
            </IfCanChange>
          </td>
        </tr>
      ))}
    </DataTable>
  );
}
