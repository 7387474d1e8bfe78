/** A real HTTP receiver on 127.0.0.1 for webhook tests: records every request, answers as told. */

/** One request the receiver got. */
export interface ReceivedRequest {
  path: string;
  headers: Headers;
  body: string;
  at: number;
  /** The sender's TCP port; its connection is still open while the responder runs. */
  remotePort: number;
}

/** Decides the answer to the `nth` request (1-based) on a path. */
export type Responder = (request: ReceivedRequest, nth: number) => Response | Promise<Response>;

/** A running receiver. */
export interface WebhookReceiver {
  url: string;
  received: ReceivedRequest[];
  /** Requests to one path. */
  on(path: string): ReceivedRequest[];
  /** Waits until `count` requests reached `path` (or throws after `timeoutMs`). */
  waitFor(path: string, count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

/** Starts a receiver; `respond` defaults to 200 "ok" for everything. */
export function startReceiver(respond: Responder = () => new Response("ok")): WebhookReceiver {
  const received: ReceivedRequest[] = [];
  const aborter = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: aborter.signal, onListen: () => {} },
    async (request, info) => {
      const entry = {
        path: new URL(request.url).pathname,
        headers: request.headers,
        body: await request.text(),
        at: Date.now(),
        remotePort: (info.remoteAddr as Deno.NetAddr).port,
      };
      received.push(entry);
      return await respond(entry, received.filter((r) => r.path === entry.path).length);
    },
  );
  const on = (path: string) => received.filter((request) => request.path === path);
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    received,
    on,
    async waitFor(path, count, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (on(path).length < count) {
        if (Date.now() > deadline) {
          throw new Error(`${path} got ${on(path).length} of ${count} requests within ${timeoutMs} ms`);
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      return on(path);
    },
    async close() {
      aborter.abort();
      await server.finished;
    },
  };
}
