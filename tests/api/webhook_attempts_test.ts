import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import { Webhook } from "standardwebhooks";
import { apiJson, appTest, type TestApp } from "../helpers/test_app.ts";
import { startReceiver } from "../helpers/webhook_receiver.ts";

const LOCAL = { WEBHOOK_ALLOW_PRIVATE: "true", RATE_LIMIT_PER_MINUTE: "100000" };

/** A logged attempt as the API returns it. */
interface AttemptJson {
  id: number;
  delivery_id: string;
  event_type: string;
  response_status: number | null;
  response_excerpt: string | null;
  delivery_status: string;
  request: { url: string | null; headers: [string, string][] | null; body: string };
  response:
    | { status: number; headers: [string, string][]; body: string | null; body_truncated: boolean }
    | null;
}

async function addWebhook(app: TestApp, url: string) {
  const created = await apiJson(app, "POST", "/api/webhooks", { url, event_types: ["*"] });
  equal(created.status, 201, JSON.stringify(created.body));
  return created.body as { id: number; secret: string };
}

async function sendTest(app: TestApp, id: number, payload: unknown = undefined) {
  const answer = await apiJson(
    app,
    "POST",
    `/api/webhooks/${id}/test`,
    payload === undefined ? undefined : { payload },
  );
  equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body as { status: number | null };
}

async function latestAttempt(app: TestApp, id: number): Promise<AttemptJson> {
  const { status, body } = await apiJson(app, "GET", `/api/webhooks/${id}/logs?limit=1`);
  equal(status, 200);
  return body[0];
}

const LONG_ANSWER = JSON.stringify({ received: true, note: "x".repeat(3_000) });

appTest("each attempt in the API carries the request as sent and the whole response", async (app) => {
  const receiver = startReceiver(() =>
    new Response(LONG_ANSWER, {
      headers: { "content-type": "application/json", "x-receiver-trace": "trace-42" },
    })
  );
  try {
    const hook = await addWebhook(app, `${receiver.url}/hook`);
    const text = "long payload ".repeat(200);
    equal((await sendTest(app, hook.id, { text })).status, 200);
    const [received] = receiver.on("/hook");
    const attempt = await latestAttempt(app, hook.id);

    // The request: the URL, the exact body, and every header with the value the receiver got.
    equal(attempt.request.url, `${receiver.url}/hook`);
    equal(attempt.request.body, received.body);
    equal(JSON.parse(attempt.request.body).data.text, text);
    const sent = new Map(attempt.request.headers!);
    for (
      const name of ["webhook-id", "webhook-timestamp", "webhook-signature", "content-type", "user-agent"]
    ) {
      equal(sent.get(name), received.headers.get(name), `${name} as received`);
    }
    equal(sent.get("webhook-id"), attempt.delivery_id);
    equal(sent.get("content-length"), String(new TextEncoder().encode(received.body).length));
    // What the log shows verifies as a receiver would verify it.
    new Webhook(hook.secret).verify(attempt.request.body, Object.fromEntries(attempt.request.headers!));

    // The response: status, headers as sent by the receiver, the whole body (3 KB, not an excerpt).
    equal(attempt.response!.status, 200);
    equal(
      new Map(attempt.response!.headers.map(([k, v]) => [k.toLowerCase(), v])).get("x-receiver-trace"),
      "trace-42",
    );
    equal(attempt.response!.body, LONG_ANSWER);
    equal(attempt.response!.body_truncated, false);
    equal(attempt.response_excerpt, LONG_ANSWER.slice(0, 1024), "the brief's excerpt is still there");

    // One attempt by id: the same, and only under its own webhook.
    const one = await apiJson(app, "GET", `/api/webhooks/${hook.id}/logs/${attempt.id}`);
    equal(one.status, 200);
    deepStrictEqual(one.body, attempt);
    const other = await addWebhook(app, `${receiver.url}/other`);
    const elsewhere = await apiJson(app, "GET", `/api/webhooks/${other.id}/logs/${attempt.id}`);
    equal(elsewhere.status, 404);
    match(elsewhere.body.error.message, new RegExp(`Webhook ${other.id} has no delivery attempt with id`));
    equal((await apiJson(app, "GET", `/api/webhooks/${hook.id}/logs/abc`)).status, 404);
  } finally {
    await receiver.close();
  }
}, LOCAL);

appTest(
  "a response body is kept up to 16 KB, cut on a character boundary, and a NUL does not break the log",
  async (app) => {
    // 1 + 2 × 10,000 bytes: byte 16,384 falls inside an "é".
    const big = "a" + "é".repeat(10_000);
    const receiver = startReceiver((request) =>
      request.path === "/big" ? new Response(big) : new Response("before\0after", { status: 500 })
    );
    try {
      const hook = await addWebhook(app, `${receiver.url}/big`);
      await sendTest(app, hook.id);
      const attempt = await latestAttempt(app, hook.id);
      equal(attempt.response!.body_truncated, true);
      equal(attempt.response!.body, "a" + "é".repeat(8_191), "the split character is left out, not garbled");
      ok(new TextEncoder().encode(attempt.response!.body!).length <= 16 * 1024);

      const nul = await addWebhook(app, `${receiver.url}/nul`);
      equal((await sendTest(app, nul.id)).status, 500);
      const logged = await latestAttempt(app, nul.id);
      equal(logged.response!.body, "before\uFFFDafter");
      equal(logged.response_status, 500);
    } finally {
      await receiver.close();
    }
  },
  LOCAL,
);

appTest(
  "nothing sent, nothing recorded: a refused connection logs the request but no response",
  async (app) => {
    const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (closed.addr as Deno.NetAddr).port;
    closed.close();
    const hook = await addWebhook(app, `http://127.0.0.1:${port}/nobody`);
    await sendTest(app, hook.id);
    const attempt = await latestAttempt(app, hook.id);
    equal(attempt.response, null);
    equal(attempt.response_status, null);
    ok(attempt.request.headers!.some(([name]) => name === "webhook-signature"), "the request was attempted");
  },
  LOCAL,
);

appTest("the log filters by event type and result and pages by attempt, with Link headers", async (app) => {
  const receiver = startReceiver((request) =>
    JSON.parse(request.body).data?.fail ? new Response("no", { status: 503 }) : new Response("ok")
  );
  try {
    const hook = await addWebhook(app, `${receiver.url}/mixed`);
    for (let i = 0; i < 7; i++) await sendTest(app, hook.id, { n: i, fail: i % 3 === 0 }); // fails: 0, 3, 6
    await apiJson(app, "POST", "/api/products", { sku: "LOG-1", name: "Logged" });
    await receiver.waitFor("/mixed", 8);
    const all = await waitForAttempts(app, hook.id, 8);

    const ids = async (query: string) =>
      ((await apiJson(app, "GET", `/api/webhooks/${hook.id}/logs?${query}`)).body as AttemptJson[]).map((a) =>
        a.id
      );
    deepStrictEqual(
      await ids("event_type=product.created"),
      all.filter((a) => a.event_type === "product.created").map((a) => a.id),
    );
    const failed = all.filter((a) => a.response_status !== 200).map((a) => a.id);
    equal(failed.length, 3);
    deepStrictEqual(await ids("result=failed"), failed);
    // A failed test event is never retried: its delivery failed for good.
    deepStrictEqual(await ids("result=gave_up"), failed);
    deepStrictEqual(await ids("result=pending"), []);
    deepStrictEqual(
      await ids("result=succeeded&event_type=webhook.test"),
      all.filter((a) => a.event_type === "webhook.test" && a.response_status === 200).map((a) => a.id),
    );

    // Paging through the failed ones two at a time, following the Link header.
    const first = await app.fetch(`/api/webhooks/${hook.id}/logs?result=failed&limit=2`);
    const firstPage = (await first.json() as AttemptJson[]).map((a) => a.id);
    const next = first.headers.get("link")!.match(/<([^>]+)>; rel="next"/)![1];
    match(next, /result=failed/);
    match(next, /limit=2/);
    const second = await app.fetch(next);
    const secondPage = (await second.json() as AttemptJson[]).map((a) => a.id);
    deepStrictEqual([...firstPage, ...secondPage], failed);
    ok(!/rel="next"/.test(second.headers.get("link") ?? ""), "the last page has no next");
    const prev = second.headers.get("link")!.match(/<([^>]+)>; rel="prev"/)![1];
    deepStrictEqual((await (await app.fetch(prev)).json() as AttemptJson[]).map((a) => a.id), firstPage);

    // Bad filters are a 400 that says what is allowed.
    const bad = await apiJson(app, "GET", `/api/webhooks/${hook.id}/logs?result=maybe`);
    equal(bad.status, 400);
    match(JSON.stringify(bad.body), /succeeded/);
    equal((await apiJson(app, "GET", `/api/webhooks/${hook.id}/logs?event_type=order.placed`)).status, 400);
    equal((await apiJson(app, "GET", `/api/webhooks/${hook.id}/logs?before=0`)).status, 400);
  } finally {
    await receiver.close();
  }
}, LOCAL);

async function waitForAttempts(app: TestApp, id: number, count: number): Promise<AttemptJson[]> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const { body } = await apiJson(app, "GET", `/api/webhooks/${id}/logs?limit=200`);
    if ((body as AttemptJson[]).length >= count) return body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`webhook ${id} did not log ${count} attempts within 15 s`);
}

appTest(
  "result=pending lists the failed attempts whose delivery will be retried; gave_up those that will not",
  async (app) => {
    const receiver = startReceiver(() => new Response("down for maintenance", { status: 503 }));
    try {
      const hook = await addWebhook(app, `${receiver.url}/down`);
      await apiJson(app, "POST", "/api/products", { sku: "PENDING-1", name: "Pending" }); // retried in an hour
      await receiver.waitFor("/down", 1);
      await sendTest(app, hook.id); // a test is never retried: failed for good
      const [test, scheduled] = await waitForAttempts(app, hook.id, 2);
      equal(scheduled.event_type, "product.created");
      equal(scheduled.delivery_status, "pending");
      const ids = async (result: string) =>
        ((await apiJson(app, "GET", `/api/webhooks/${hook.id}/logs?result=${result}`)).body as AttemptJson[])
          .map((
            a,
          ) => a.id);
      deepStrictEqual(await ids("pending"), [scheduled.id]);
      deepStrictEqual(await ids("gave_up"), [test.id]);
      deepStrictEqual(await ids("failed"), [test.id, scheduled.id]);
      deepStrictEqual(await ids("succeeded"), []);
    } finally {
      await receiver.close();
    }
  },
  { ...LOCAL, WEBHOOK_RETRY_SCHEDULE: "3600" },
);
