/**
 * Two app processes on one database, each with its own dispatcher (and its own KV doorbell): every
 * webhook event is delivered once, whichever instance recorded it and whichever one sends it. The
 * receiver tells the senders apart by the process holding each connection (/proc, so Linux only).
 */
import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { migrate, type Sql } from "../../core/platform/mod.ts";
import { freePort, type ServerProcess, startServerProcess } from "../helpers/server_process.ts";
import {
  apiJson,
  type ApiTarget,
  createTestDatabase,
  createTestToken,
  withCleanup,
} from "../helpers/test_app.ts";
import { type ReceivedRequest, startReceiver, type WebhookReceiver } from "../helpers/webhook_receiver.ts";

/** Products created (half through each instance), then each updated through the other instance. */
const PRODUCTS = 150;
const EVENTS = 2 * PRODUCTS;
/** API calls in flight at once per instance, so both record and dispatch at the same time. */
const PARALLEL = 8;
const DELIVERY_DEADLINE_MS = 90_000;
/** How long to keep listening after the last expected delivery, for a late duplicate to show. */
const QUIET_MS = 2_500;

const ENV = {
  WEBHOOK_ALLOW_PRIVATE: "true",
  WEBHOOK_RETRY_SCHEDULE: "0.5,1",
  WEBHOOK_TIMEOUT_SECONDS: "5",
  // Hundreds of calls and deliveries in seconds; the limits are tested elsewhere.
  RATE_LIMIT_PER_MINUTE: "1000000",
  WEBHOOK_RATE_LIMIT_PER_HOUR: "1000000",
};

interface TwoInstances {
  sql: Sql;
  a: ApiTarget;
  b: ApiTarget;
  /** Process ids of `a` and `b`. */
  pids: { a: number; b: number };
}

/** One migrated database, two app processes on it (own port and data folder each), released once. */
async function withTwoInstances(fn: (ctx: TwoInstances) => Promise<void>): Promise<void> {
  const db = await createTestDatabase();
  const dirs: string[] = [];
  const servers: ServerProcess[] = [];
  await withCleanup(
    async () => {
      await migrate(db.sql);
      const token = await createTestToken(db.sql);
      const targets: ApiTarget[] = [];
      for (const name of ["a", "b"]) {
        const dataDir = await Deno.makeTempDir({ prefix: `two-dispatchers-${name}-` });
        dirs.push(dataDir);
        const port = freePort();
        servers.push(
          await startServerProcess({ ...ENV, PORT: String(port), DATABASE_URL: db.url, DATA_DIR: dataDir }),
        );
        targets.push({ url: `http://127.0.0.1:${port}`, token });
      }
      await fn({ sql: db.sql, a: targets[0], b: targets[1], pids: { a: servers[0].pid, b: servers[1].pid } });
    },
    () => [
      ...servers.map((server, i): [string, () => Promise<void>] => [`stop instance #${i + 1}`, server.stop]),
      ["drop the database", () => db.drop()],
      ...dirs.map((dir): [string, () => Promise<void>] => [
        `remove ${dir}`,
        () => Deno.remove(dir, { recursive: true }),
      ]),
    ],
  );
}

/** Runs `task(i)` for i in [0, count), `PARALLEL` at a time. */
async function inParallel(count: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: PARALLEL }, lane));
}

/** Creates products 0‥PRODUCTS−1 alternately through `a` and `b`, then updates each through the other one. */
async function changeThroughBoth({ a, b }: TwoInstances): Promise<void> {
  const ids: number[] = [];
  await inParallel(PRODUCTS, async (i) => {
    const created = await apiJson(i % 2 ? b : a, "POST", "/api/products", { sku: sku(i), name: `Two ${i}` });
    equal(created.status, 201, JSON.stringify(created.body));
    ids[i] = created.body.id;
  });
  await inParallel(PRODUCTS, async (i) => {
    const updated = await apiJson(i % 2 ? a : b, "PUT", `/api/products/${ids[i]}`, { name: `Two ${i} v2` });
    equal(updated.status, 200, JSON.stringify(updated.body));
  });
}

function sku(i: number): string {
  return `TWO-${String(i).padStart(3, "0")}`;
}

/**
 * Which of `pids` holds the client end of the connection a request came on (read from /proc while
 * the connection is open), or "unknown".
 */
function senderOf(request: ReceivedRequest, receiverPort: number, pids: Record<string, number>): string {
  const hexPort = (port: number) => port.toString(16).toUpperCase().padStart(4, "0");
  const local = `0100007F:${hexPort(request.remotePort)}`;
  const remote = `0100007F:${hexPort(receiverPort)}`;
  const socket = Deno.readTextFileSync("/proc/net/tcp").split("\n").map((line) => line.trim().split(/\s+/))
    .find((fields) => fields[1] === local && fields[2] === remote);
  if (!socket) return "unknown";
  const link = `socket:[${socket[9]}]`;
  for (const [name, pid] of Object.entries(pids)) {
    for (const fd of Deno.readDirSync(`/proc/${pid}/fd`)) {
      try {
        if (Deno.readLinkSync(`/proc/${pid}/fd/${fd.name}`) === link) return name;
      } catch {
        // closed meanwhile
      }
    }
  }
  return "unknown";
}

/** Per `webhook-id`: every request that carried it, and the most that were in flight at once. */
class DeliveryTally {
  readonly requests = new Map<string, ReceivedRequest[]>();
  readonly #inFlight = new Map<string, number>();
  maxInFlight = 0;
  /** Requests per sending instance, once {@linkcode watch} has named them. */
  readonly senders = new Map<string, number>();
  #watch: { receiverPort: number; pids: Record<string, number> } | null = null;

  /** From now on, counts which of `pids` sent each request. */
  watch(receiver: WebhookReceiver, pids: Record<string, number>): void {
    this.#watch = { receiverPort: Number(new URL(receiver.url).port), pids };
  }

  /** Counts a request while `answer` runs, so overlapping attempts of one delivery show. */
  async track(request: ReceivedRequest, answer: () => Promise<Response>): Promise<Response> {
    const id = request.headers.get("webhook-id") ?? "(none)";
    this.requests.set(id, [...(this.requests.get(id) ?? []), request]);
    const now = (this.#inFlight.get(id) ?? 0) + 1;
    this.#inFlight.set(id, now);
    this.maxInFlight = Math.max(this.maxInFlight, now);
    if (this.#watch) {
      const sender = senderOf(request, this.#watch.receiverPort, this.#watch.pids);
      this.senders.set(sender, (this.senders.get(sender) ?? 0) + 1);
    }
    try {
      return await answer();
    } finally {
      this.#inFlight.set(id, this.#inFlight.get(id)! - 1);
    }
  }

  /** Waits until `ids` distinct deliveries and `total` requests arrived, then `QUIET_MS` more. */
  async settle(ids: number, total: number): Promise<void> {
    const deadline = Date.now() + DELIVERY_DEADLINE_MS;
    while (this.requests.size < ids || this.total() < total) {
      if (Date.now() > deadline) {
        throw new Error(
          `the receiver saw ${this.requests.size} of ${ids} deliveries (${this.total()} of ${total} ` +
            `requests) within ${DELIVERY_DEADLINE_MS / 1000} s`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
  }

  total(): number {
    return [...this.requests.values()].reduce((sum, list) => sum + list.length, 0);
  }
}

/** The stored delivery ids of a webhook and, per delivery, its logged attempts' statuses in order. */
async function storedDeliveries(sql: Sql, webhookId: number) {
  const rows = await sql<{ id: string; status: string; attempts: number; logged: (number | null)[] }[]>`
    SELECT d.id, d.status, d.attempts,
      coalesce(array_agg(l.response_status ORDER BY l.attempt) FILTER (WHERE l.id IS NOT NULL), '{}')
        AS logged
    FROM webhook_deliveries d LEFT JOIN webhook_logs l ON l.delivery_id = d.id
    WHERE d.webhook_id = ${webhookId}
    GROUP BY d.id`;
  return new Map(rows.map((row) => [row.id, row]));
}

async function addWebhook(target: ApiTarget, receiver: WebhookReceiver, path: string): Promise<number> {
  const created = await apiJson(target, "POST", "/api/webhooks", {
    url: `${receiver.url}${path}`,
    event_types: ["product.created", "product.updated"],
  });
  equal(created.status, 201, JSON.stringify(created.body));
  return created.body.id;
}

/** The SKU an event is about, from the body the receiver got. */
function eventSku(request: ReceivedRequest): string {
  return (JSON.parse(request.body) as { data: { sku: string } }).data.sku;
}

Deno.test({
  name: "with two instances dispatching, each change's event arrives exactly once",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const tally = new DeliveryTally();
    // A short pause in every answer, so two attempts of one delivery would overlap visibly.
    const receiver = startReceiver((request) =>
      tally.track(request, async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return new Response("ok");
      })
    );
    try {
      await withTwoInstances(async (ctx) => {
        const hookId = await addWebhook(ctx.a, receiver, "/once");
        tally.watch(receiver, ctx.pids);
        await changeThroughBoth(ctx);
        await tally.settle(EVENTS, EVENTS);

        const stored = await storedDeliveries(ctx.sql, hookId);
        equal(stored.size, EVENTS, "one delivery row per change");
        deepStrictEqual(
          [...tally.requests.keys()].sort(),
          [...stored.keys()].sort(),
          "every event, no other",
        );
        const repeated = [...tally.requests].filter(([, list]) => list.length > 1).map(([id]) => id);
        deepStrictEqual(repeated, [], "no event arrived twice");
        equal(tally.maxInFlight, 1);
        const senders = JSON.stringify(Object.fromEntries(tally.senders));
        ok((tally.senders.get("a") ?? 0) > 0 && (tally.senders.get("b") ?? 0) > 0, `both sent: ${senders}`);
        for (const [id, delivery] of stored) {
          deepStrictEqual(
            { status: delivery.status, attempts: delivery.attempts, logged: delivery.logged },
            { status: "succeeded", attempts: 1, logged: [200] },
            `delivery ${id}`,
          );
        }
        // Each product's created and updated events, whichever instance recorded them.
        const perSku = new Map<string, number>();
        for (const [request] of tally.requests.values()) {
          perSku.set(eventSku(request), (perSku.get(eventSku(request)) ?? 0) + 1);
        }
        equal(perSku.size, PRODUCTS);
        ok([...perSku.values()].every((count) => count === 2), "two events per product");
      });
    } finally {
      await receiver.close();
    }
  },
});

Deno.test({
  name: "with two instances dispatching, a failed first attempt is retried once, never concurrently",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const tally = new DeliveryTally();
    // Every fifth product's events fail their first attempt with a 500.
    const failsFirst = (request: ReceivedRequest) => Number(eventSku(request).slice(4)) % 5 === 0;
    const receiver = startReceiver((request) =>
      tally.track(request, async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        const id = request.headers.get("webhook-id")!;
        const first = tally.requests.get(id)!.length === 1;
        return first && failsFirst(request) ? new Response("not yet", { status: 500 }) : new Response("ok");
      })
    );
    try {
      await withTwoInstances(async (ctx) => {
        const hookId = await addWebhook(ctx.b, receiver, "/flaky");
        tally.watch(receiver, ctx.pids);
        await changeThroughBoth(ctx);
        const failing = 2 * Math.ceil(PRODUCTS / 5);
        await tally.settle(EVENTS, EVENTS + failing);

        const stored = await storedDeliveries(ctx.sql, hookId);
        equal(stored.size, EVENTS);
        deepStrictEqual(
          [...tally.requests.keys()].sort(),
          [...stored.keys()].sort(),
          "every event, no other",
        );
        equal(tally.total(), EVENTS + failing, "one retry per failed attempt, nothing more");
        equal(tally.maxInFlight, 1, "never two attempts of one delivery at once");
        const senders = JSON.stringify(Object.fromEntries(tally.senders));
        ok((tally.senders.get("a") ?? 0) > 0 && (tally.senders.get("b") ?? 0) > 0, `both sent: ${senders}`);
        for (const [id, requests] of tally.requests) {
          const expected = failsFirst(requests[0]) ? [500, 200] : [200];
          equal(requests.length, expected.length, `requests carrying ${id}`);
          const delivery = stored.get(id)!;
          deepStrictEqual(
            { status: delivery.status, attempts: delivery.attempts, logged: delivery.logged },
            { status: "succeeded", attempts: expected.length, logged: expected },
            `delivery ${id}`,
          );
        }
      });
    } finally {
      await receiver.close();
    }
  },
});
