/** Server-only pieces of the webhook pages: the form, the event list, the state and outcome badges. */
import { type Webhook, WEBHOOK_EVENT_TYPES, type WebhookAttempt } from "../core/webhooks/mod.ts";
import { Island } from "./island.tsx";
import { CsrfField } from "./session.tsx";

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
  "import.cancelled": "A CSV import was cancelled (with what it committed before)",
};

/** The add / edit form: a plain POST form. */
export function WebhookForm(
  props: { action: string; values: WebhookFormValues; errors: Record<string, string>; submitLabel: string },
) {
  const { values, errors } = props;
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
      <Island
        name="EventTypesField"
        props={{
          types: WEBHOOK_EVENT_TYPES.map((type) => ({ type, hint: EVENT_HINTS[type] })),
          selected: values.eventTypes,
          error: errors.event_types ?? null,
        }}
      />
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

/**
 * A webhook's state as a badge: "Enabled" (green), "Off" (grey: turned off by a person) or
 * "Turned off by the app" (red: its receiver answered 410 Gone or kept failing; the reason is
 * shown beside it).
 */
export function WebhookStateBadge(props: { webhook: Pick<Webhook, "enabled" | "disabled_reason"> }) {
  const { enabled, disabled_reason: reason } = props.webhook;
  if (enabled) return <span class="badge badge--state badge--complete">Enabled</span>;
  return reason
    ? <span class="badge badge--state badge--error">Turned off by the app</span>
    : <span class="badge badge--state badge--off">Off</span>;
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
