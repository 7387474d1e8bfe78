/** The webhook pages: list, add, detail (secret, test, log, redeliver), edit, delete. */
import { Hono } from "hono";
import type { z } from "zod";
import { ConfirmDeletePage } from "../components/confirm_delete_page.tsx";
import { Island } from "../components/island.tsx";
import { Layout } from "../components/layout.tsx";
import { htmlResponse } from "../components/render.ts";
import {
  AttemptOutcome,
  EventTypes,
  WebhookForm,
  type WebhookFormValues,
  WebhookStateBadge,
} from "../components/webhooks.tsx";
import {
  AttemptExchange,
  attemptUrl,
  DeliveryFilters,
  DeliveryLog,
  DeliveryPager,
  logQueryString,
  type LogView,
  RedeliverButton,
} from "../components/webhook_deliveries.tsx";
import {
  countWebhookLogs,
  createWebhook,
  deleteWebhook,
  deliveryPolicy,
  findWebhookLog,
  getWebhook,
  latestAttempts,
  listWebhookLogs,
  listWebhooks,
  type LogPage,
  pageOfWebhookLogs,
  parseWebhookCreate,
  parseWebhookUpdate,
  pendingDeliveries,
  previousSecretSigns,
  recordWebhookSend,
  redeliver,
  rotateWebhookSecret,
  sendTestEvent,
  updateWebhook,
  urlGuard,
  type Webhook,
  type WebhookAttempt,
  type WebhookLog,
} from "../core/webhooks/mod.ts";
import { NotFoundError, ValidationError } from "../core/platform/mod.ts";
import { formatCount } from "../components/format.ts";
import type { SendButtonProps } from "../islands/SendButton.tsx";
import type { AppContext, AppEnv } from "./context.ts";
import { saveForm } from "./forms.ts";
import {
  attemptId,
  auditContext,
  deliveryIdFromPath,
  formBody,
  LogFilterQuery,
  LOGGED_EVENT_TYPES,
  webhookId,
  WebhookPageQuery,
} from "./http.ts";
import { DataTable } from "../components/table.tsx";
import { LocalTime } from "../components/local_time.tsx";
import { CsrfField, IfCanChange, IfViewer } from "../components/session.tsx";

/** Attempts per page of the delivery log. */
const LOG_PAGE_SIZE = 50;

const NOTICES: Record<string, string> = {
  created: "Webhook added. Send a test event to check that your endpoint answers.",
  updated: "Webhook saved.",
  deleted: "Webhook deleted.",
  rotated:
    "New signing secret created. Deliveries are signed with it from now on (and with the old one for 24 hours).",
  enabled: "Webhook turned on.",
  disabled: "Webhook turned off. Events that happen meanwhile are not sent to it.",
};

/** The webhook pages: list, add, detail (secret, test, log, redeliver), edit, delete. Plain forms. */
export function webhookPages(ctx: AppContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const guard = () => urlGuard(ctx.config);

  app.get("/", async (c) => {
    const [webhooks, latest] = await Promise.all([listWebhooks(ctx.db), latestAttempts(ctx.sql)]);
    return htmlResponse(
      <WebhooksPage webhooks={webhooks} latest={latest} notice={NOTICES[c.req.query("notice") ?? ""]} />,
    );
  });

  app.get(
    "/new",
    () =>
      htmlResponse(<WebhookEditPage values={{ url: "", eventTypes: ["*"], enabled: true }} errors={{}} />),
  );

  app.post("/", async (c) => {
    const values = formValues(await formBody(c));
    return await saveForm(async () => {
      const input = parseWebhookCreate(formInput(values));
      const webhook = await createWebhook(ctx.db, input, { ...guard(), audit: auditContext(c) });
      return c.redirect(`/webhooks/${webhook.id}?notice=created`, 303);
    }, (errors) => <WebhookEditPage values={values} errors={errors} />);
  });

  app.get("/:id", async (c) => {
    const id = webhookId(c.req.param("id"));
    const webhook = await getWebhook(ctx.db, id);
    const sentId = WebhookPageQuery.parse(c.req.query()).sent;
    const { view, errors } = logView(c.req.query());
    const filter = { eventType: view.eventType, result: view.result };
    const [page, matching, pending, sent] = await Promise.all([
      pageOfWebhookLogs(ctx.sql, id, { ...view, limit: LOG_PAGE_SIZE }),
      countWebhookLogs(ctx.sql, id, filter),
      pendingDeliveries(ctx.sql, id),
      sentId ? listWebhookLogs(ctx.sql, id, 1, sentId).then(([latest]) => latest ?? null) : null,
    ]);
    return htmlResponse(
      <WebhookPage
        webhook={webhook}
        page={page}
        matching={matching}
        view={view}
        viewErrors={errors}
        pending={pending}
        sent={sent}
        notice={NOTICES[c.req.query("notice") ?? ""]}
        rateLimit={ctx.config.webhookRateLimitPerHour}
      />,
      Object.keys(errors).length > 0 ? 400 : 200,
    );
  });

  app.get("/:id/attempts/:attemptId", async (c) => {
    const id = webhookId(c.req.param("id"));
    const webhook = await getWebhook(ctx.db, id);
    const attempt = attemptId(c.req.param("attemptId"), id);
    const log = await findWebhookLog(ctx.sql, id, attempt);
    if (!log) throw new NotFoundError(`Webhook ${id} has no delivery attempt with id ${attempt}.`);
    const others = await listWebhookLogs(ctx.sql, id, 100, log.delivery_id);
    return htmlResponse(
      <AttemptPage webhook={webhook} log={log} others={others} view={logView(c.req.query()).view} />,
    );
  });

  app.get("/:id/edit", async (c) => {
    const webhook = await getWebhook(ctx.db, webhookId(c.req.param("id")));
    return htmlResponse(<WebhookEditPage webhook={webhook} values={valuesOf(webhook)} errors={{}} />);
  });

  app.post("/:id", async (c) => {
    const id = webhookId(c.req.param("id"));
    const webhook = await getWebhook(ctx.db, id);
    const values = formValues(await formBody(c));
    return await saveForm(async () => {
      const input = parseWebhookUpdate(formInput(values));
      await updateWebhook(ctx.db, id, input, { ...guard(), audit: auditContext(c) });
      return c.redirect(`/webhooks/${id}?notice=updated`, 303);
    }, (errors) => <WebhookEditPage webhook={webhook} values={values} errors={errors} />);
  });

  app.post("/:id/enabled", async (c) => {
    const id = webhookId(c.req.param("id"));
    const enabled = (await formBody(c)).get("enabled") === "true";
    await updateWebhook(ctx.db, id, { enabled }, { ...guard(), audit: auditContext(c) });
    return c.redirect(`/webhooks/${id}?notice=${enabled ? "enabled" : "disabled"}`, 303);
  });

  // "Rotate secret" leads here to confirm, with or without JavaScript: rotating is not undone.
  app.get("/:id/rotate-secret", async (c) => {
    const webhook = await getWebhook(ctx.db, webhookId(c.req.param("id")));
    return htmlResponse(
      <ConfirmDeletePage
        title="Rotate the signing secret?"
        section="webhooks"
        action={`/webhooks/${webhook.id}/rotate-secret`}
        buttonLabel="Rotate secret"
        cancelHref={`/webhooks/${webhook.id}`}
      >
        A new secret signs every delivery to <code>{webhook.url}</code>{" "}
        from now on. For 24 hours deliveries also carry a signature made with the current secret, so your
        endpoint keeps accepting them until you give it the new one; after that, only the new secret verifies.
      </ConfirmDeletePage>,
    );
  });

  app.post("/:id/rotate-secret", async (c) => {
    const id = webhookId(c.req.param("id"));
    const webhook = await rotateWebhookSecret(ctx.db, id, { audit: auditContext(c) });
    return c.redirect(`/webhooks/${webhook.id}?notice=rotated`, 303);
  });

  app.post("/:id/test", async (c) => {
    const id = webhookId(c.req.param("id"));
    const result = await sendTestEvent(ctx.sql, id, deliveryPolicy(ctx.config));
    await recordWebhookSend(ctx.db, id, { audit: auditContext(c), result });
    return c.redirect(`/webhooks/${id}?sent=${result.deliveryId}`, 303);
  });

  app.post("/:id/deliveries/:deliveryId/redeliver", async (c) => {
    const id = webhookId(c.req.param("id"));
    const deliveryId = deliveryIdFromPath(c.req.param("deliveryId"), id);
    const result = await redeliver(ctx.sql, id, deliveryId, deliveryPolicy(ctx.config));
    await recordWebhookSend(ctx.db, id, { audit: auditContext(c), deliveryId, result });
    return c.redirect(`/webhooks/${id}?sent=${encodeURIComponent(deliveryId)}`, 303);
  });

  // Without JavaScript, "Delete" leads here to confirm; the island posts directly.
  app.get("/:id/delete", async (c) => {
    const webhook = await getWebhook(ctx.db, webhookId(c.req.param("id")));
    return htmlResponse(
      <ConfirmDeletePage
        title="Delete this webhook?"
        section="webhooks"
        action={`/webhooks/${webhook.id}/delete`}
        buttonLabel="Delete webhook"
        cancelHref={`/webhooks/${webhook.id}`}
      >
        Events will no longer be sent to <code>{webhook.url}</code>, and its delivery log is deleted with it.
      </ConfirmDeletePage>,
    );
  });

  app.post("/:id/delete", async (c) => {
    await deleteWebhook(ctx.db, webhookId(c.req.param("id")), { audit: auditContext(c) });
    return c.redirect("/webhooks?notice=deleted", 303);
  });

  return app;
}

function formValues(form: FormData): WebhookFormValues {
  return {
    url: String(form.get("url") ?? ""),
    eventTypes: form.getAll("event_types").map(String),
    enabled: form.get("enabled") !== null,
  };
}

function formInput(values: WebhookFormValues) {
  // The form's checkboxes offer "All events" or single events; ticking both (possible without
  // JavaScript) is a choice to make again, not one to guess. The API keeps reading `*` as all.
  if (values.eventTypes.includes("*") && values.eventTypes.some((type) => type !== "*")) {
    throw new ValidationError("Choose either All events or single events, not both.", [{
      field: "event_types",
      message: "Choose either All events or single events, not both: untick one or the other.",
    }]);
  }
  return { url: values.url, event_types: values.eventTypes, enabled: values.enabled };
}

/** The log's filters and cursor from the page's query string; a bad value is dropped and named. */
function logView(query: Record<string, string>): { view: LogView; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const shape = LogFilterQuery.shape;
  function pick<T>(key: keyof typeof shape, schema: z.ZodType<T>, what?: string): T | undefined {
    const parsed = schema.safeParse(query[key]);
    if (parsed.success) return parsed.data;
    errors[key] = what
      ? `There is no ${what} ${JSON.stringify(String(query[key]).slice(0, 60))}; choose one from the list.`
      : parsed.error.issues[0].message;
    return undefined;
  }
  const view: LogView = {
    eventType: pick("event_type", shape.event_type, "event type"),
    result: pick("result", shape.result, "result"),
    before: pick("before", shape.before),
    after: pick("after", shape.after),
  };
  return { view, errors };
}

function valuesOf(webhook: Webhook): WebhookFormValues {
  return { url: webhook.url, eventTypes: webhook.event_types, enabled: webhook.enabled };
}

function testButton(id: number): SendButtonProps {
  return { action: `/webhooks/${id}/test`, label: "Send test event", pendingLabel: "Sending…" };
}

function Notice(props: { text?: string }) {
  return props.text ? <p class="alert alert--success" role="status">{props.text}</p> : null;
}

function WebhooksPage(props: { webhooks: Webhook[]; latest: Map<number, WebhookAttempt>; notice?: string }) {
  return (
    <Layout title="Webhooks" current="webhooks">
      <div class="page-head">
        <h1>Webhooks</h1>
        <IfCanChange>
          <a class="btn" href="/webhooks/new">Add webhook</a>
        </IfCanChange>
      </div>
      <Notice text={props.notice} />
      {props.webhooks.length === 0
        ? (
          <p class="empty">
            No webhooks yet. <a href="/webhooks/new">Add one</a>{" "}
            to tell your systems when products change or an import finishes.
          </p>
        )
        : (
          <DataTable
            head={
              <>
                <th>Endpoint</th>
                <th>Events</th>
                <th>Status</th>
                <th>Last delivery</th>
              </>
            }
          >
            {props.webhooks.map((webhook) => {
              const last = props.latest.get(webhook.id);
              return (
                <tr key={webhook.id}>
                  <td class="url-cell">
                    <a href={`/webhooks/${webhook.id}`}>{webhook.url}</a>
                  </td>
                  <td>
                    <EventTypes types={webhook.event_types} />
                  </td>
                  <td>
                    <WebhookStateBadge webhook={webhook} />
                    {!webhook.enabled && webhook.disabled_reason
                      ? <div class="muted small">{webhook.disabled_reason}</div>
                      : null}
                  </td>
                  <td class="nowrap">
                    {last
                      ? (
                        <>
                          <AttemptOutcome log={last} />{" "}
                          <span class="muted">
                            <LocalTime at={last.created_at} seconds />
                          </span>
                        </>
                      )
                      : <span class="muted">None yet</span>}
                  </td>
                </tr>
              );
            })}
          </DataTable>
        )}
    </Layout>
  );
}

function SentResult(props: { log: WebhookLog; webhookId: number }) {
  const { log } = props;
  const ok = log.response_status !== null && log.response_status >= 200 && log.response_status < 300;
  const what = log.event_type === "webhook.test" ? "Test event" : `Redelivery of ${log.event_type}`;
  return (
    <div class={`alert ${ok ? "alert--success" : "alert--error"} sent-result`} role="status">
      <strong>
        {what}: {log.response_status !== null ? `HTTP ${log.response_status}` : "no answer"} in{" "}
        {formatCount(log.response_time_ms)} ms
      </strong>
      {log.error_message ? <div>{log.error_message}</div> : null}
      {log.response_body ? <code class="response-excerpt">{log.response_body.slice(0, 200)}</code> : null}
      <a href={attemptUrl(props.webhookId, log.id, {})}>See the request and the whole response</a>
    </div>
  );
}

/** The signing secret behind "Reveal" (a plain <details>), with Copy and a link to rotate it. */
function SigningSecret(props: { webhook: Webhook }) {
  const { webhook } = props;
  return (
    <>
      <IfCanChange>
        <div class="secret-row">
          <details class="secret-reveal">
            <summary>
              <span class="secret-mask" aria-hidden="true">••••••••••••••••</span>
              <span class="btn btn--small btn--secondary secret-toggle">
                <span class="when-closed">Reveal</span>
                <span class="when-open">Hide</span>
                <span class="visually-hidden">the signing secret</span>
              </span>
            </summary>
            <code class="secret" id="webhook-secret">{webhook.secret}</code>
          </details>
          <Island name="CopyButton" props={{ target: "webhook-secret", label: "Copy" }} />
        </div>
      </IfCanChange>
      <IfViewer>
        <p class="muted" id="webhook-secret-hidden">Only admins can see the signing secret.</p>
      </IfViewer>
      {previousSecretSigns(webhook)
        ? (
          <p class="field-hint" id="previous-secret-note">
            Until <LocalTime at={webhook.previous_secret_expires_at!} seconds />{" "}
            deliveries are also signed with the previous secret, so your endpoint can switch without rejecting
            any.
          </p>
        )
        : null}
      <p class="field-hint">
        Verify the <code>webhook-signature</code>{" "}
        header of each delivery with this secret (Standard Webhooks: HMAC-SHA256 of{" "}
        <code>id.timestamp.body</code>).
      </p>
      <IfCanChange>
        <a class="btn btn--small btn--secondary" href={`/webhooks/${webhook.id}/rotate-secret`}>
          Rotate secret…
        </a>
      </IfCanChange>
    </>
  );
}

function WebhookPage(
  props: {
    webhook: Webhook;
    page: LogPage;
    matching: { count: number; exact: boolean };
    view: LogView;
    viewErrors: Record<string, string>;
    pending: { pending: number; due: number };
    sent: WebhookLog | null;
    notice?: string;
    rateLimit: number;
  },
) {
  const { webhook, pending, view, page } = props;
  const filtered = view.eventType !== undefined || view.result !== undefined;
  const cursorErrors = Object.entries(props.viewErrors).filter(([key]) =>
    key === "before" || key === "after"
  );
  return (
    <Layout title="Webhook" current="webhooks">
      <p class="breadcrumb">
        <a href="/webhooks">Webhooks</a> /
      </p>
      <div class="page-head page-head--wrap">
        <h1 class="url-title">{webhook.url}</h1>
        <div class="actions actions--tight">
          <IfCanChange>
            <a class="btn btn--secondary" href={`/webhooks/${webhook.id}/edit`}>Edit</a>
            <Island name="SendButton" props={testButton(webhook.id)} />
          </IfCanChange>
        </div>
      </div>
      <Notice text={props.notice} />
      {props.sent ? <SentResult log={props.sent} webhookId={webhook.id} /> : null}
      {!webhook.enabled && webhook.disabled_reason
        ? (
          <p class="alert alert--error" role="alert">
            {webhook.disabled_reason} Fix the endpoint, then turn the webhook on again.
          </p>
        )
        : null}

      <div class="card">
        <dl class="details webhook-details">
          <dt>Status</dt>
          <dd class="status-line">
            <WebhookStateBadge webhook={webhook} />
            <IfCanChange>
              <form method="post" action={`/webhooks/${webhook.id}/enabled`}>
                <CsrfField />
                <input type="hidden" name="enabled" value={webhook.enabled ? "false" : "true"} />
                <button class="btn btn--small btn--secondary" type="submit">
                  {webhook.enabled ? "Turn off" : "Turn on"}
                </button>
              </form>
            </IfCanChange>
          </dd>
          <dt>Events</dt>
          <dd>
            <EventTypes types={webhook.event_types} />
          </dd>
          <dt>Waiting</dt>
          <dd>
            {pending.pending === 0 ? "Nothing waiting to be sent" : (
              <>
                {formatCount(pending.pending)} {pending.pending === 1 ? "delivery" : "deliveries"} waiting
                {pending.due > 0 && webhook.enabled
                  ? ` (${formatCount(pending.due)} due now; at most ${
                    formatCount(props.rateLimit)
                  } are sent per hour)`
                  : webhook.enabled
                  ? " for a retry"
                  : " — sent once the webhook is on again"}
              </>
            )}
          </dd>
          <dt>Signing secret</dt>
          <dd>
            <SigningSecret webhook={webhook} />
          </dd>
        </dl>
      </div>

      <h2 id="deliveries">Deliveries</h2>
      {props.matching.count > 0 || filtered || Object.keys(props.viewErrors).length > 0
        ? (
          <DeliveryFilters
            webhookId={webhook.id}
            view={view}
            eventTypes={LOGGED_EVENT_TYPES}
            errors={props.viewErrors}
          />
        )
        : null}
      {cursorErrors.map(([key, message]) => (
        <p class="alert alert--error" role="alert" key={key}>
          {message}; showing the newest attempts instead.
        </p>
      ))}
      {page.items.length > 0
        ? (
          <p class="muted" id="deliveries-count">
            {formatCount(props.matching.count)}
            {props.matching.exact ? "" : "+"} {props.matching.count === 1 ? "attempt" : "attempts"}
            {filtered ? " match" : " in all"} · {LOG_PAGE_SIZE} per page, newest first
          </p>
        )
        : null}
      <DeliveryLog webhookId={webhook.id} logs={page.items} view={view} filtered={filtered} />
      {page.newer !== null || page.older !== null
        ? <DeliveryPager webhookId={webhook.id} view={view} newer={page.newer} older={page.older} />
        : null}

      <div class="card danger-zone">
        <p class="muted">
          Added <LocalTime at={webhook.created_at} seconds /> · changed{" "}
          <LocalTime at={webhook.updated_at} seconds />
        </p>
        <IfCanChange>
          <Island
            name="ConfirmSubmit"
            props={{
              action: `/webhooks/${webhook.id}/delete`,
              label: "Delete webhook",
              what: "this webhook",
            }}
          />
        </IfCanChange>
      </div>
    </Layout>
  );
}

const DELIVERY_STATES: Record<WebhookLog["delivery_status"], string> = {
  pending: "Waiting for a retry",
  succeeded: "Delivered",
  failed: "Failed for good (no retries left)",
};

/** One attempt: its outcome, the delivery's other attempts, and the whole request and response. */
function AttemptPage(props: { webhook: Webhook; log: WebhookLog; others: WebhookLog[]; view: LogView }) {
  const { webhook, log, view } = props;
  const back = `/webhooks/${webhook.id}${logQueryString(view)}#deliveries`;
  return (
    <Layout title={`${log.event_type} · attempt ${log.attempt}`} current="webhooks">
      <p class="breadcrumb">
        <a href="/webhooks">Webhooks</a> /{" "}
        <a href={`/webhooks/${webhook.id}`} class="url-cell">{webhook.url}</a> /
      </p>
      <div class="page-head page-head--wrap">
        <h1>
          <code>{log.event_type}</code> · attempt {log.attempt}
        </h1>
        <div class="actions actions--tight">
          <a class="btn btn--secondary" href={back}>Back to deliveries</a>
          <IfCanChange>
            <RedeliverButton webhookId={webhook.id} deliveryId={log.delivery_id} size="normal" />
          </IfCanChange>
        </div>
      </div>
      <div class="card">
        <dl class="details webhook-details">
          <dt>Result</dt>
          <dd>
            <AttemptOutcome log={log} /> {log.error_message}
          </dd>
          <dt>Sent</dt>
          <dd>
            <LocalTime at={log.created_at} seconds /> · took {formatCount(log.response_time_ms)} ms
          </dd>
          <dt>Delivery</dt>
          <dd>
            <code class="delivery-id">{log.delivery_id}</code>{" "}
            <span class="muted">(the webhook-id header, the same on every attempt)</span>
            <div>
              {DELIVERY_STATES[log.delivery_status]}
              {log.delivery_status === "pending" && log.next_retry_at
                ? (
                  <>
                    , next at <LocalTime at={log.next_retry_at} seconds />
                  </>
                )
                : null}
            </div>
          </dd>
          {props.others.length > 1
            ? (
              <>
                <dt>Attempts</dt>
                <dd>
                  <ul class="attempt-list">
                    {props.others.map((other) => (
                      <li key={other.id}>
                        {other.id === log.id
                          ? (
                            <strong aria-current="page">
                              Attempt {other.attempt}, <LocalTime at={other.created_at} seconds />
                            </strong>
                          )
                          : (
                            <a href={attemptUrl(webhook.id, other.id, view)}>
                              Attempt {other.attempt}, <LocalTime at={other.created_at} seconds />
                            </a>
                          )} <AttemptOutcome log={other} />
                      </li>
                    ))}
                  </ul>
                </dd>
              </>
            )
            : null}
        </dl>
      </div>
      <AttemptExchange log={log} />
    </Layout>
  );
}

function WebhookEditPage(
  props: { webhook?: Webhook; values: WebhookFormValues; errors: Record<string, string> },
) {
  const { webhook } = props;
  return (
    <Layout title={webhook ? "Edit webhook" : "Add webhook"} current="webhooks">
      <p class="breadcrumb">
        <a href="/webhooks">Webhooks</a> /
      </p>
      <h1>{webhook ? "Edit webhook" : "Add webhook"}</h1>
      {Object.keys(props.errors).length > 0
        ? <p class="alert alert--error" role="alert">Please correct the fields marked below.</p>
        : null}
      <WebhookForm
        action={webhook ? `/webhooks/${webhook.id}` : "/webhooks"}
        values={props.values}
        errors={props.errors}
        submitLabel={webhook ? "Save changes" : "Add webhook"}
      />
    </Layout>
  );
}
