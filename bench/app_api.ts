/** How the bench calls the app: as a script does, with a token minted by `deno task token`. */

const ROOT = new URL("..", import.meta.url).pathname;

/** A running app and the token its API is called with. */
export interface AppApi {
  base: string;
  token: string;
}

/** Runs `deno task token bench` against `databaseUrl` and returns the token it prints. */
export async function mintToken(databaseUrl: string): Promise<string> {
  const run = await new Deno.Command(Deno.execPath(), {
    args: ["task", "token", "bench"],
    cwd: ROOT,
    env: { DATABASE_URL: databaseUrl, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (run.code !== 0) throw new Error(`deno task token failed: ${new TextDecoder().decode(run.stderr)}`);
  return new TextDecoder().decode(run.stdout).trim().split("\n").at(-1)!;
}

/** `fetch` of a path on the app, with the bench's token. */
export function apiFetch(api: AppApi, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${api.token}`);
  return fetch(`${api.base}${path}`, { ...init, headers });
}

/**
 * Calls the API with a JSON body and returns the parsed answer; any status but `expected` throws
 * with the answer's text, so a bench never measures a failure.
 */
export async function apiCall(
  api: AppApi,
  method: string,
  path: string,
  body: unknown,
  expected: number,
): Promise<Record<string, unknown>> {
  const response = await apiFetch(api, path, {
    method,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== expected) {
    throw new Error(`${method} ${path} answered ${response.status}, expected ${expected}: ${text}`);
  }
  return text ? JSON.parse(text) : {};
}

/**
 * The arguments of `deno task serve` after `deno` ("run <flags> main.ts"): the server run without
 * the task runner, so the child a bench samples is the server itself.
 */
export function serveArgs(): string[] {
  const tasks = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`)).tasks as Record<string, string>;
  return tasks.serve.split(/\s+/).slice(1);
}

/** A port nothing listens on right now. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}
