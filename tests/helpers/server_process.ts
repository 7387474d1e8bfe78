/** The app as a separate process, for tests that kill it the way a crash or a deploy does. */

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** A free TCP port on 127.0.0.1. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** A running server process and how to end it. */
export interface ServerProcess {
  url: string;
  child: Deno.ChildProcess;
  /** Kills it with `signal` and waits for it to exit; does nothing if it has already exited. */
  kill(signal?: Deno.Signal): Promise<Deno.CommandStatus>;
}

/** Starts `main.ts` with `env` (which must set PORT) and waits up to 30 s for `/healthz` to answer. */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", MAIN],
    env,
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  let exited: Deno.CommandStatus | null = null;
  child.status.then((status) => (exited = status));
  const server: ServerProcess = {
    url: `http://127.0.0.1:${env.PORT}`,
    child,
    async kill(signal: Deno.Signal = "SIGKILL") {
      if (exited === null) {
        try {
          child.kill(signal);
        } catch {
          // It exited between the check and the kill.
        }
      }
      return await child.status;
    },
  };
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && exited === null) {
    try {
      const response = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      if (response.ok) return server;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await server.kill();
  throw new Error(`the server did not start within 30 s${exited ? " (it exited)" : ""}`);
}
