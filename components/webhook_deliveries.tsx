/**
 * The delivery log of a webhook, as GitHub's "Recent deliveries": a filter form (plain GET, so a
 * filtered view is a bookmark), the attempts one page at a time, and each attempt's whole exchange.
 */
import { LocalTime } from "./local_time.tsx";
import {
  ATTEMPT_RESULTS,
  type AttemptResult,
  type HeaderPair,
  RESPONSE_BODY_LIMIT_BYTES,
  type WebhookLog,
} from "../core/webhooks/mod.ts";
import { formatCount } from "./format.ts";
import { CsrfField, IfCanChange } from "./session.tsx";
import { ActionsHeading, DataTable } from "./table.tsx";
import { AttemptOutcome } from "./webhooks.tsx";

/** The log's filters and cursor as the URL carries them (blank: any). */
export interface LogView {
  eventType?: string;
  result?: AttemptResult;
  before?: number;
  after?: number;
}

const RESULT_LABELS: Record<AttemptResult, string> = {
  succeeded: "Succeeded (2xx)",
  failed: "Failed (any)",
  pending: "Failed, will be retried",
  gave_up: "Failed, no retries left",
};

/** The query string of a view of the log (empty parts left out), `?` included when not empty. */
export function logQueryString(view: LogView): string {
  const params = new URLSearchParams();
  if (view.eventType) params.set("event_type", view.eventType);
  if (view.result) params.set("result", view.result);
  if (view.before !== undefined) params.set("before", String(view.before));
  if (view.after !== undefined) params.set("after", String(view.after));
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** The URL of one attempt's page, carrying the log's view so "Back" returns to the same page of it. */
export function attemptUrl(webhookId: number, attemptId: number, view: LogView): string {
  return `/webhooks/${webhookId}/attempts/${attemptId}${logQueryString(view)}`;
}

/** The filter form above the log: event type and result; a bad value is named next to its field. */
export function DeliveryFilters(
  props: { webhookId: number; view: LogView; eventTypes: readonly string[]; errors: Record<string, string> },
) {
  const { view, errors } = props;
  const field = (name: string, label: string, options: [string, string][], value: string | undefined) => (
    <label class={errors[name] ? "field field--invalid" : "field"}>
      <span class="field-label">{label}</span>
      <select name={name} aria-describedby={errors[name] ? `${name}-error` : undefined}>
        {options.map(([option, text]) => (
          <option key={option} value={option} selected={(value ?? "") === option}>{text}</option>
        ))}
      </select>
      {errors[name] ? <span class="field-error" id={`${name}-error`}>{errors[name]}</span> : null}
    </label>
  );
  return (
    <form class="filters card delivery-filters" method="get" action={`/webhooks/${props.webhookId}`}>
      {field("event_type", "Event", [
        ["", "All events"],
        ...props.eventTypes.map((type): [string, string] => [type, type]),
      ], view.eventType)}
      {field("result", "Result", [
        ["", "All results"],
        ...ATTEMPT_RESULTS.map((result): [string, string] => [result, RESULT_LABELS[result]]),
      ], view.result)}
      <div class="filters-actions">
        <button class="btn" type="submit">Filter</button>
        <a class="btn btn--secondary" href={`/webhooks/${props.webhookId}`}>Clear</a>
      </div>
    </form>
  );
}

/** "Newer" and "Older" links of the log, keeping its filters. */
export function DeliveryPager(
  props: { webhookId: number; view: LogView; newer: number | null; older: number | null },
) {
  const { view } = props;
  const filters = { eventType: view.eventType, result: view.result };
  const link = (cursor: LogView | null, label: string, rel?: string) =>
    cursor === null
      ? <span class="btn btn--secondary btn--small is-disabled" aria-disabled="true">{label}</span>
      : (
        <a
          class="btn btn--secondary btn--small"
          rel={rel}
          href={`/webhooks/${props.webhookId}${logQueryString(cursor)}`}
        >
          {label}
        </a>
      );
  const paged = view.before !== undefined || view.after !== undefined;
  return (
    <nav class="pager" aria-label="Delivery pages">
      {link(paged ? filters : null, "« Newest")}
      {link(props.newer === null ? null : { ...filters, after: props.newer }, "‹ Newer", "prev")}
      {link(props.older === null ? null : { ...filters, before: props.older }, "Older ›", "next")}
    </nav>
  );
}

/** The delivery log: one row per attempt, newest first; each opens to its page and is redeliverable. */
export function DeliveryLog(
  props: { webhookId: number; logs: WebhookLog[]; view: LogView; filtered: boolean },
) {
  if (props.logs.length === 0) {
    return props.filtered
      ? (
        <p class="empty">
          No attempts match these filters. <a href={`/webhooks/${props.webhookId}`}>Show every attempt</a>
        </p>
      )
      : (
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
          <th class="num">Took</th>
          <th>Next retry</th>
          <ActionsHeading />
        </>
      }
    >
      {props.logs.map((log) => (
        <tr key={log.id}>
          <td class="nowrap">
            <a href={attemptUrl(props.webhookId, log.id, props.view)} title="The request and the response">
              <LocalTime at={log.created_at} seconds />
            </a>
          </td>
          <td>
            <code>{log.event_type}</code>
          </td>
          <td class="num" data-label="Attempt">{log.attempt}</td>
          <td class="log-result">
            <AttemptOutcome log={log} />
          </td>
          <td class="num" data-label="Took">{formatCount(log.response_time_ms)} ms</td>
          {log.next_retry_at && log.delivery_status === "pending"
            ? (
              <td class="nowrap" data-label="Next retry">
                <LocalTime at={log.next_retry_at} seconds />
              </td>
            )
            : <td class="log-no-retry">—</td>}
          <td class="log-actions">
            <div class="row-actions">
              <a class="btn btn--small btn--secondary" href={attemptUrl(props.webhookId, log.id, props.view)}>
                Details
              </a>
              <IfCanChange>
                <RedeliverButton webhookId={props.webhookId} deliveryId={log.delivery_id} />
              </IfCanChange>
            </div>
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

/** "Redeliver": sends the delivery again now, with the same webhook-id. */
export function RedeliverButton(props: { webhookId: number; deliveryId: string; size?: "small" | "normal" }) {
  return (
    <form method="post" action={`/webhooks/${props.webhookId}/deliveries/${props.deliveryId}/redeliver`}>
      <CsrfField />
      <button
        class={props.size === "normal" ? "btn btn--secondary" : "btn btn--small btn--secondary"}
        type="submit"
      >
        Redeliver
      </button>
    </form>
  );
}

function Headers(props: { headers: HeaderPair[]; label: string }) {
  return (
    // Long header values scroll sideways on a phone: the box takes focus to scroll by keyboard.
    <div class="table-wrap" tabindex={0} role="region" aria-label={props.label}>
      <table class="table headers-table" aria-label={props.label}>
        <tbody>
          {props.headers.map(([name, value], index) => (
            <tr key={index}>
              <th scope="row">
                <code>{name}</code>
              </th>
              <td>
                <code>{value}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A body as text; JSON indented for reading (the exact bytes are one click away). */
function Body(props: { text: string; id: string }) {
  let pretty: string | null = null;
  try {
    const indented = JSON.stringify(JSON.parse(props.text), null, 2);
    if (indented !== props.text) pretty = indented;
  } catch {
    // Not JSON: shown as it is.
  }
  if (props.text === "") return <p class="muted">Empty body.</p>;
  return (
    <>
      <pre class="body-text" id={props.id} tabIndex={0}>{pretty ?? props.text}</pre>
      {pretty !== null
        ? (
          <details class="raw-body">
            <summary>Exact bytes ({formatCount(new TextEncoder().encode(props.text).length)} bytes)</summary>
            <pre class="body-text" tabIndex={0}>{props.text}</pre>
          </details>
        )
        : null}
    </>
  );
}

const KEPT_KB = RESPONSE_BODY_LIMIT_BYTES / 1024;

/** One attempt's whole exchange: what was sent and what came back. */
export function AttemptExchange(props: { log: WebhookLog }) {
  const { log } = props;
  return (
    <>
      <section class="card exchange" aria-labelledby="request-heading">
        <h2 id="request-heading">Request</h2>
        <p class="request-line">
          <code>POST {log.request_url ?? "(the URL was not recorded for attempts this old)"}</code>
        </p>
        <h3>Headers</h3>
        {log.request_headers
          ? <Headers headers={log.request_headers} label="Request headers" />
          : (
            <p class="muted">
              {log.error_kind === "blocked" || log.error_kind === "dns"
                ? "Nothing was sent: the address was refused before connecting."
                : "Not recorded for attempts this old."}
            </p>
          )}
        <h3>Body</h3>
        <Body text={log.body} id="request-body" />
      </section>

      <section class="card exchange" aria-labelledby="response-heading">
        <h2 id="response-heading">Response</h2>
        {log.response_status === null
          ? <p>No response came back{log.error_message ? `: ${log.error_message}` : "."}</p>
          : (
            <>
              <p class="request-line">
                <AttemptOutcome log={log} /> in {formatCount(log.response_time_ms)} ms
              </p>
              <h3>Headers</h3>
              {log.response_headers
                ? <Headers headers={log.response_headers} label="Response headers" />
                : <p class="muted">Not recorded for attempts this old.</p>}
              <h3>Body</h3>
              <Body text={log.response_body ?? ""} id="response-body" />
              <p class="field-hint" id="body-limit">
                {log.response_body_truncated
                  ? `This body was longer than ${KEPT_KB} KB: only its first ${KEPT_KB} KB were kept.`
                  : `Response bodies are kept up to their first ${KEPT_KB} KB.`}
              </p>
            </>
          )}
      </section>
    </>
  );
}
