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
