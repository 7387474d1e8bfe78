import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import { Webhook } from "standardwebhooks";
import { productsFixture } from "../helpers/csv_fixture.ts";
import { apiJson, appTest, importCsv, type TestApp, waitUntil } from "../helpers/test_app.ts";
import { startReceiver, type WebhookReceiver } from "../helpers/webhook_receiver.ts";

/** Local receivers need private addresses; retries are shortened to keep tests quick. */
const FAST = {
  WEBHOOK_ALLOW_PRIVATE: "true",
  WEBHOOK_RETRY_SCHEDULE: "0.5,1",
  WEBHOOK_TIMEOUT_SECONDS: "1",
};

async function addWebhook(app: TestApp, url: string, eventTypes: string[] = ["*"]) {
  const created = await apiJson(app, "POST", "/api/webhooks", { url, event_types: eventTypes });
  equal(created.status, 201, JSON.stringify(created.body));
  return created.body as { id: number; secret: string; enabled: boolean };
}

/** Waits until the app has turned the webhook off; returns it. */
async function turnedOff(app: TestApp, id: number) {
  return await waitUntil("the webhook to be turned off", async () => {
    const { body } = await apiJson(app, "GET", `/api/webhooks/${id}`);
    return body.enabled === false ? body : null;
  });
}

async function logs(app: TestApp, id: number) {
  return (await apiJson(app, "GET", `/api/webhooks/${id}/logs?limit=200`)).body as Record<string, unknown>[];
}

/** An event as a receiver parses it. */
interface ReceivedEvent {
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

function events(receiver: WebhookReceiver, path: string): ReceivedEvent[] {
  return receiver.on(path).map((request) => JSON.parse(request.body));
}

appTest("each product and import change arrives once, signed as Standard Webhooks", async (app) => {
  const receiver = startReceiver();
  try {
    const hook = await addWebhook(app, `${receiver.url}/all`);
    match(hook.secret, /^whsec_[A-Za-z0-9+/]+=*$/);

    const created = await apiJson(app, "POST", "/api/products", { sku: "HOOK-1", name: "Hook", price: 5 });
    equal(created.status, 201);
    await apiJson(app, "PUT", `/api/products/${created.body.id}`, { name: "Hook v2" });
    await apiJson(app, "DELETE", `/api/products/${created.body.id}`);
    // An import of 3 rows sends one import.completed, not an event per row.
    await importCsv(app, productsFixture(3).csv);
    const bulk = await app.fetch(`/api/products/bulk`, { method: "DELETE" });
    equal(bulk.status, 202);

    const got = await receiver.waitFor("/all", 5);
    await new Promise((resolve) => setTimeout(resolve, 500)); // nothing more should come
    const verifier = new Webhook(hook.secret);
    for (const request of receiver.on("/all")) {
      verifier.verify(request.body, Object.fromEntries(request.headers)); // throws if not valid
      equal(request.headers.get("content-type"), "application/json");
    }
    const seen = events(receiver, "/all");
    deepStrictEqual(seen.map((event) => event.type).sort(), [
      "import.completed",
      "product.created",
      "product.deleted",
      "product.updated",
      "products.bulk_deleted",
    ]);
    equal(got.length, 5);
    const byType = Object.fromEntries(seen.map((event) => [event.type, event]));
    equal(byType["product.created"].data.sku, "HOOK-1");
    equal(byType["product.updated"].data.name, "Hook v2");
    equal(byType["product.deleted"].data.id, created.body.id);
    equal(byType["import.completed"].data.inserted, 3);
    equal(byType["import.completed"].data.rows, 3);
    equal(byType["products.bulk_deleted"].data.count, 3);
    for (const event of seen) {
      ok(!Number.isNaN(Date.parse((event as unknown as { timestamp: string }).timestamp)));
    }

    // Every attempt is in the log, succeeded on the first try.
    const entries = await logs(app, hook.id);
    equal(entries.length, 5);
    ok(entries.every((entry) => entry.response_status === 200 && entry.attempt === 1));
  } finally {
    await receiver.close();
  }
}, FAST);

appTest("a webhook gets only the event types it subscribed to", async (app) => {
  const receiver = startReceiver();
  try {
    await addWebhook(app, `${receiver.url}/deleted`, ["product.deleted"]);
    await addWebhook(app, `${receiver.url}/imports`, ["import.completed", "import.failed"]);
    const created = await apiJson(app, "POST", "/api/products", { sku: "ONLY-1", name: "Only" });
    await apiJson(app, "DELETE", `/api/products/${created.body.id}`);
    await importCsv(app, "name,description\nno sku column,x\n"); // fails: no sku column
    await receiver.waitFor("/deleted", 1);
    await receiver.waitFor("/imports", 1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    deepStrictEqual(events(receiver, "/deleted").map((event) => event.type), ["product.deleted"]);
    const failed = events(receiver, "/imports");
    deepStrictEqual(failed.map((event) => event.type), ["import.failed"]);
    match(String(failed[0].data.error), /sku/i);
  } finally {
    await receiver.close();
  }
}, FAST);

appTest("a receiver that fails twice is retried on schedule with the same webhook-id", async (app) => {
  const receiver = startReceiver((_request, nth) =>
    nth <= 2 ? new Response("not yet", { status: 500 }) : new Response("ok")
  );
  try {
    const hook = await addWebhook(app, `${receiver.url}/flaky`);
    await apiJson(app, "POST", "/api/products", { sku: "RETRY-1", name: "Retry" });
    const attempts = await receiver.waitFor("/flaky", 3);
    const ids = new Set(attempts.map((request) => request.headers.get("webhook-id")));
    equal(ids.size, 1, "the same webhook-id on every attempt");

    const entries = await waitUntil("three log rows", async () => {
      const rows = await logs(app, hook.id);
      return rows.length === 3 ? rows : null;
    });
    // Schedule 0.5 s then 1 s, each with ±20% jitter: a retry never comes before its due time, and
    // the due time is set from the schedule (at least 0.4 s / 0.8 s after the failed attempt arrived).
    // Load can only delay a retry, so the upper bounds are loose: well under the default schedule's
    // first step (5 s −20%), which is what a retry would wait if the configured schedule were ignored.
    const dueTimes = [
      Date.parse(entries[2].next_retry_at as string),
      Date.parse(entries[1].next_retry_at as string),
    ];
    const clockSlackMs = 50;
    for (const [i, minimumMs] of [[0, 400], [1, 800]]) {
      const planned = dueTimes[i] - attempts[i].at;
      ok(planned >= minimumMs - clockSlackMs, `retry ${i + 1} was planned ${planned} ms after the failure`);
      const gap = attempts[i + 1].at - attempts[i].at;
      ok(attempts[i + 1].at >= dueTimes[i] - clockSlackMs, `retry ${i + 1} came before its due time`);
      ok(gap < 4_000, `retry ${i + 1} came ${gap} ms after the failure: the 5 s default, not the schedule?`);
    }
    deepStrictEqual(entries.map((entry) => entry.attempt), [3, 2, 1]);
    deepStrictEqual(entries.map((entry) => entry.response_status), [200, 500, 500]);
    ok(entries[1].next_retry_at && entries[2].next_retry_at, "failed attempts show when the retry is due");
    equal(entries[0].next_retry_at, null);
    equal(entries[2].response_excerpt, "not yet");
    equal(entries[0].delivery_status, "succeeded");
  } finally {
    await receiver.close();
  }
}, FAST);

appTest("a receiver that hangs times out and the attempt says so", async (app) => {
  // The receiver holds every request until the test ends (or 30 s): it never answers in time.
  let release = () => {};
  const released = new Promise<void>((resolve) => release = resolve);
  const receiver = startReceiver(async () => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([released, new Promise((resolve) => timer = setTimeout(resolve, 30_000))]);
    clearTimeout(timer);
    return new Response("too late");
  });
  try {
    const hook = await addWebhook(app, `${receiver.url}/slow`);
    const started = Date.now();
    const created = await apiJson(app, "POST", "/api/products", { sku: "SLOW-1", name: "Slow" });
    const answeredMs = Date.now() - started;
    equal(created.status, 201);
    // Had the request waited for the delivery, the timed-out attempt (3 s deadline) would already be
    // in the log when it answered; asserting that order, not a wall-clock bound, keeps it robust.
    deepStrictEqual(
      await logs(app, hook.id),
      [],
      `the attempt was still in flight when the request answered (after ${answeredMs} ms)`,
    );
    const [entry] = await waitUntil("a timed-out attempt", async () => {
      const rows = await logs(app, hook.id);
      return rows.length > 0 ? rows.slice(-1) : null;
    });
    equal(entry.error_kind, "timeout");
    equal(entry.response_status, null);
    const waitedMs = entry.response_time_ms as number;
    ok(waitedMs >= 2_900, `gave up after ${waitedMs} ms, before the 3 s deadline`);
    ok(waitedMs < 30_000, `gave up after ${waitedMs} ms: the deadline cut the hang short`);
  } finally {
    release();
    await receiver.close();
  }
}, { ...FAST, WEBHOOK_TIMEOUT_SECONDS: "3" });

appTest("410 Gone turns the webhook off at once, with the reason", async (app) => {
  const receiver = startReceiver(() => new Response("gone", { status: 410 }));
  try {
    const hook = await addWebhook(app, `${receiver.url}/gone`);
    await apiJson(app, "POST", "/api/products", { sku: "GONE-1", name: "Gone" });
    await receiver.waitFor("/gone", 1);
    const webhook = await turnedOff(app, hook.id);
    match(webhook.disabled_reason, /410 Gone/);
    await apiJson(app, "POST", "/api/products", { sku: "GONE-2", name: "Gone too" });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    equal(receiver.on("/gone").length, 1, "no retry and nothing more to a turned-off webhook");
  } finally {
    await receiver.close();
  }
}, FAST);

appTest("a redirect is not followed", async (app) => {
  const receiver = startReceiver((request) =>
    request.path === "/moved"
      ? new Response(null, { status: 301, headers: { location: "/target" } })
      : new Response("ok")
  );
  try {
    const hook = await addWebhook(app, `${receiver.url}/moved`);
    await apiJson(app, "POST", "/api/products", { sku: "MOVE-1", name: "Move" });
    await receiver.waitFor("/moved", 1);
    const [entry] = await waitUntil("the attempt", async () => {
      const rows = await logs(app, hook.id);
      return rows.length > 0 ? rows.slice(-1) : null;
    });
    equal(entry.response_status, 301);
    equal(entry.error_kind, "redirect");
    await new Promise((resolve) => setTimeout(resolve, 300));
    equal(receiver.on("/target").length, 0);
  } finally {
    await receiver.close();
  }
}, FAST);

appTest("deliveries that fail every retry turn the webhook off after N in a row", async (app) => {
  const receiver = startReceiver(() => new Response("down", { status: 503 }));
  try {
    const hook = await addWebhook(app, `${receiver.url}/down`);
    await apiJson(app, "POST", "/api/products", { sku: "DOWN-1", name: "Down" });
    await apiJson(app, "POST", "/api/products", { sku: "DOWN-2", name: "Down" });
    const webhook = await turnedOff(app, hook.id);
    match(webhook.disabled_reason, /2 deliveries in a row failed every retry/);
    equal(receiver.on("/down").length, 2 * 2, "two deliveries, each tried twice (one retry)");

    // Turning it on again clears the reason.
    const enabled = await apiJson(app, "PUT", `/api/webhooks/${hook.id}`, { enabled: true });
    equal(enabled.body.enabled, true);
    equal(enabled.body.disabled_reason, null);
  } finally {
    await receiver.close();
  }
}, { ...FAST, WEBHOOK_RETRY_SCHEDULE: "0.2", WEBHOOK_DISABLE_AFTER_FAILURES: "2" });

appTest("Retry-After is honoured", async (app) => {
  const receiver = startReceiver((_request, nth) =>
    nth === 1 ? new Response("busy", { status: 429, headers: { "retry-after": "2" } }) : new Response("ok")
  );
  try {
    const hook = await addWebhook(app, `${receiver.url}/busy`);
    await apiJson(app, "POST", "/api/products", { sku: "BUSY-1", name: "Busy" });
    const [first, second] = await receiver.waitFor("/busy", 2);
    const gap = second.at - first.at;
    // The schedule says 0.2 s; the receiver asked for 2 s. Load can only make the retry later, so
    // the upper bound just says "the 2 s asked for", not a longer wait from elsewhere.
    ok(gap >= 1_900, `retried after ${gap} ms, asked for 2 s (schedule says 0.2 s)`);
    ok(gap < 10_000, `retried after ${gap} ms, asked for 2 s`);
    const failed = (await logs(app, hook.id)).find((entry) => entry.attempt === 1)!;
    const planned = Date.parse(failed.next_retry_at as string) - first.at;
    ok(planned >= 1_950, `the retry was planned ${planned} ms after the 429, asked for 2 s`);
  } finally {
    await receiver.close();
  }
}, { ...FAST, WEBHOOK_RETRY_SCHEDULE: "0.2" });

appTest("past the hourly rate limit deliveries wait instead of being dropped", async (app) => {
  const receiver = startReceiver();
  try {
    const hook = await addWebhook(app, `${receiver.url}/limited`);
    for (const sku of ["RATE-1", "RATE-2", "RATE-3"]) {
      equal((await apiJson(app, "POST", "/api/products", { sku, name: sku })).status, 201);
    }
    await receiver.waitFor("/limited", 2);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    equal(receiver.on("/limited").length, 2, "the third waits for the next hour");
    const [{ pending }] = await app.db.sql<{ pending: number }[]>`
      SELECT count(*)::int AS pending FROM webhook_deliveries WHERE webhook_id = ${hook.id} AND status = 'pending'`;
    equal(pending, 1, "and is still queued");
  } finally {
    await receiver.close();
  }
}, { ...FAST, WEBHOOK_RATE_LIMIT_PER_HOUR: "2" });

appTest("Test sends webhook.test at once and answers {status, time_ms}; errors are named", async (app) => {
  const receiver = startReceiver((request) =>
    request.path === "/teapot" ? new Response("short and stout", { status: 418 }) : new Response("ok")
  );
  try {
    const hook = await addWebhook(app, `${receiver.url}/test`, ["product.created"]);
    const tested = await apiJson(app, "POST", `/api/webhooks/${hook.id}/test`);
    equal(tested.status, 200);
    equal(tested.body.status, 200);
    equal(typeof tested.body.time_ms, "number");
    const [request] = receiver.on("/test");
    const event = new Webhook(hook.secret).verify(request.body, Object.fromEntries(request.headers)) as {
      type: string;
    };
    equal(event.type, "webhook.test");

    const custom = await app.fetch(`/api/webhooks/${hook.id}/test`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ payload: { hello: "world" } }),
    });
    equal((await custom.json()).status, 200);
    deepStrictEqual(JSON.parse(receiver.on("/test")[1].body).data, { hello: "world" });

    const teapot = await addWebhook(app, `${receiver.url}/teapot`);
    const answer = (await apiJson(app, "POST", `/api/webhooks/${teapot.id}/test`)).body;
    equal(answer.status, 418);
    equal(answer.ok, false);
    equal(answer.response_excerpt, "short and stout");

    const closedPort = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (closedPort.addr as Deno.NetAddr).port;
    closedPort.close();
    const refused = await addWebhook(app, `http://127.0.0.1:${port}/nobody`);
    const refusedAnswer = (await apiJson(app, "POST", `/api/webhooks/${refused.id}/test`)).body;
    equal(refusedAnswer.status, null);
    equal(refusedAnswer.error, "refused");

    const missing = await apiJson(app, "POST", "/api/webhooks/999999/test");
    equal(missing.status, 404);
  } finally {
    await receiver.close();
  }
}, FAST);

appTest("a delivery can be sent again by hand with the same webhook-id", async (app) => {
  let failing = true;
  const receiver = startReceiver(() => failing ? new Response("no", { status: 500 }) : new Response("ok"));
  try {
    const hook = await addWebhook(app, `${receiver.url}/again`);
    await apiJson(app, "POST", "/api/products", { sku: "AGAIN-1", name: "Again" });
    // Schedule "0.2": one retry, then the delivery has failed.
    const failed = await waitUntil("the delivery to fail", async () => {
      const rows = await logs(app, hook.id);
      return rows.length === 2 && rows[0].delivery_status === "failed" ? rows : null;
    });
    const redeliver = async () =>
      (await apiJson(app, "POST", `/api/webhooks/${hook.id}/deliveries/${failed[0].delivery_id}/redeliver`))
        .body;
    failing = false;
    equal((await redeliver()).status, 200);
    const requests = receiver.on("/again");
    equal(requests.length, 3);
    equal(requests[2].headers.get("webhook-id"), requests[0].headers.get("webhook-id"));
    const [latest] = await logs(app, hook.id);
    equal(latest.attempt, 3);
    equal(latest.delivery_status, "succeeded");

    // A failed redelivery of a delivered event changes nothing: no retries start.
    failing = true;
    equal((await redeliver()).status, 500);
    await new Promise((resolve) => setTimeout(resolve, 800));
    equal(receiver.on("/again").length, 4);
    equal((await logs(app, hook.id))[0].delivery_status, "succeeded");

    const unknown = await apiJson(app, "POST", `/api/webhooks/${hook.id}/deliveries/msg_nope/redeliver`);
    equal(unknown.status, 404);
  } finally {
    await receiver.close();
  }
}, { ...FAST, WEBHOOK_RETRY_SCHEDULE: "0.2" });

appTest(
  "after a rotation deliveries verify with the new secret and, for a while, the old one",
  async (app) => {
    const receiver = startReceiver();
    try {
      const hook = await addWebhook(app, `${receiver.url}/rotating`);
      const rotated = (await apiJson(app, "POST", `/api/webhooks/${hook.id}/rotate-secret`)).body;
      ok(rotated.secret !== hook.secret);
      ok(Date.parse(rotated.previous_secret_expires_at) > Date.now() + 23 * 3600_000);
      await apiJson(app, "POST", "/api/products", { sku: "ROT-1", name: "Rotated" });
      const [request] = await receiver.waitFor("/rotating", 1);
      equal(request.headers.get("webhook-signature")!.split(" ").length, 2);
      for (const secret of [rotated.secret, hook.secret]) {
        new Webhook(secret).verify(request.body, Object.fromEntries(request.headers)); // throws if not valid
      }

      // Once the overlap ends, only the new secret signs.
      await app.db.sql`UPDATE webhooks SET previous_secret_expires_at = now() - interval '1 second'`;
      const tested = await apiJson(app, "POST", `/api/webhooks/${hook.id}/test`);
      equal(tested.body.status, 200);
      const latest = receiver.on("/rotating")[1];
      equal(latest.headers.get("webhook-signature")!.split(" ").length, 1);
      new Webhook(rotated.secret).verify(latest.body, Object.fromEntries(latest.headers));
      equal((await apiJson(app, "GET", `/api/webhooks/${hook.id}`)).body.previous_secret_expires_at, null);
    } finally {
      await receiver.close();
    }
  },
  FAST,
);
