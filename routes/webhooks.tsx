/** The webhook pages: list, add, detail (secret, test, log, redeliver), edit, delete. */
import { Hono } from "hono";
import { ConfirmDeletePage } from "../components/confirm_delete_page.tsx";
import { Island } from "../components/island.tsx";
import { Layout } from "../components/layout.tsx";
import { htmlResponse } from "../components/render.ts";
import {
  AttemptOutcome,
  DeliveryLog,
  EnabledBadge,
  EventTypes,
  WebhookForm,
  type WebhookFormValues,
} from "../components/webhooks.tsx";
import {
  createWebhook,
  deleteWebhook,
  deliveryPolicy,
  getWebhook,
  latestAttempts,
  listWebhookLogs,
  listWebhooks,
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
import { formatCount } from "../components/format.ts";
import type { SendButtonProps } from "../islands/SendButton.tsx";
import type { AppContext, AppEnv } from "./context.ts";
import { saveForm } from "./forms.ts";
import { auditContext, deliveryIdFromPath, formBody, webhookId, WebhookPageQuery } from "./http.ts";
import { DataTable } from "../components/table.tsx";
import { LocalTime } from "../components/local_time.tsx";
import { CsrfField, IfCanChange, IfViewer } from "../components/session.tsx";

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
    const [logs, pending, sent] = await Promise.all([
      listWebhookLogs(ctx.sql, id, 50),
      pendingDeliveries(ctx.sql, id),
      sentId ? listWebhookLogs(ctx.sql, id, 1, sentId).then(([latest]) => latest ?? null) : null,
    ]);
    return htmlResponse(
      <WebhookPage
        webhook={webhook}
        logs={logs}
        pending={pending}
        sent={sent}
        notice={NOTICES[c.req.query("notice") ?? ""]}
        rateLimit={ctx.config.webhookRateLimitPerHour}
      />,
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
  return { url: values.url, event_types: values.eventTypes, enabled: values.enabled };
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
                    <EnabledBadge enabled={webhook.enabled} />
                    {webhook.disabled_reason
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

function SentResult(props: { log: WebhookLog }) {
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
      {log.response_excerpt ? <code class="response-excerpt">{log.response_excerpt}</code> : null}
    </div>
  );
}

function WebhookPage(
  props: {
    webhook: Webhook;
    logs: WebhookLog[];
    pending: { pending: number; due: number };
    sent: WebhookLog | null;
    notice?: string;
    rateLimit: number;
  },
) {
  const { webhook, pending } = props;
  return (
    <Layout title="Webhook" current="webhooks">
      <p class="breadcrumb">
        <a href="/webhooks">Webhooks</a> /
      </p>
      <div class="page-head">
        <h1 class="url-title">{webhook.url}</h1>
        <div class="actions actions--tight">
          <IfCanChange>
            <a class="btn btn--secondary" href={`/webhooks/${webhook.id}/edit`}>Edit</a>
            <Island name="SendButton" props={testButton(webhook.id)} />
          </IfCanChange>
        </div>
      </div>
      <Notice text={props.notice} />
      {props.sent ? <SentResult log={props.sent} /> : null}
      {webhook.disabled_reason
        ? (
          <p class="alert alert--error" role="alert">
            {webhook.disabled_reason} Fix the endpoint, then turn the webhook on again.
          </p>
        )
        : null}

      <div class="card">
        <dl class="details">
          <dt>Status</dt>
          <dd class="status-line">
            <EnabledBadge enabled={webhook.enabled} />
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
            <IfCanChange>
              <code class="secret" id="webhook-secret">{webhook.secret}</code>
            </IfCanChange>
            <IfViewer>
              <p class="muted" id="webhook-secret-hidden">Only admins can see the signing secret.</p>
            </IfViewer>
            {previousSecretSigns(webhook)
              ? (
                <p class="field-hint" id="previous-secret-note">
                  Until <LocalTime at={webhook.previous_secret_expires_at!} seconds />{" "}
                  deliveries are also signed with the previous secret, so your endpoint can switch without
                  rejecting any.
                </p>
              )
              : null}
            <p class="field-hint">
              Verify the <code>webhook-signature</code>{" "}
              header of each delivery with this secret (Standard Webhooks: HMAC-SHA256 of{" "}
              <code>id.timestamp.body</code>).
            </p>
            <IfCanChange>
              <form method="post" action={`/webhooks/${webhook.id}/rotate-secret`}>
                <CsrfField />
                <button class="btn btn--small btn--secondary" type="submit">Rotate secret</button>
              </form>
            </IfCanChange>
          </dd>
        </dl>
      </div>

      <h2>Deliveries</h2>
      <DeliveryLog webhookId={webhook.id} logs={props.logs} />
      {props.logs.length === 50
        ? (
          <p class="muted">
            The 50 latest attempts. <a href={`/api/webhooks/${webhook.id}/logs?limit=200`}>More as JSON</a>
          </p>
        )
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
