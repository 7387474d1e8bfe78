/** The app as a separate process, for tests that stop it the way a crash or a deploy does. */
import { migrate, type Sql } from "../../core/platform/mod.ts";
import { type ApiTarget, createTestDatabase, createTestToken, withCleanup } from "./test_app.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** How long a server process may take to answer `/healthz` after it was spawned. */
const START_TIMEOUT_MS = 30_000;

export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** The app running as a child process (so it can be killed like a real server). */
export interface ServerProcess {
  /** The process id, to look at it in /proc. */
  pid: number;
  /** Sends `signal` unless the process has already ended; resolves with its exit status. */
  kill(signal: Deno.Signal): Promise<Deno.CommandStatus>;
  /** Ends the process with SIGKILL if it still runs; safe to call any number of times. */
  stop(): Promise<void>;
}

/** Keeps the last few kilobytes a child wrote to stderr (and passes it on), for failure messages. */
function teeStderr(stream: ReadableStream<Uint8Array>): { tail(): string; done: Promise<void> } {
  let tail = "";
  const decoder = new TextDecoder();
  const done = (async () => {
    for await (const chunk of stream) {
      await Deno.stderr.write(chunk);
      tail = (tail + decoder.decode(chunk, { stream: true })).slice(-4000);
    }
  })().catch(() => {});
  return { tail: () => tail, done };
}

/** Spawns `main.ts` and waits until `/healthz` answers; fails with the exit code and stderr if it cannot. */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", MAIN],
    env,
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = teeStderr(child.stderr);
  let exited: Deno.CommandStatus | null = null;
  const status = child.status.then((status) => (exited = status));
  const server: ServerProcess = {
    pid: child.pid,
    async kill(signal) {
      if (exited) return exited;
      try {
        child.kill(signal);
      } catch (error) {
        // It ended between the check and the signal; anything else is a real problem.
        if (!(error instanceof TypeError)) throw error;
      }
      const result = await status;
      await stderr.done;
      return result;
    },
    async stop() {
      await server.kill("SIGKILL");
    },
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  let lastProblem = "no answer yet";
  while (Date.now() < deadline) {
    if (exited) {
      await stderr.done;
      throw new Error(
        `the server process exited with code ${(exited as Deno.CommandStatus).code} before it answered ` +
          `/healthz; its stderr ended with:\n${stderr.tail()}`,
      );
    }
    try {
      const response = await fetch(`http://127.0.0.1:${env.PORT}/healthz`, {
        signal: AbortSignal.timeout(2_000),
      });
      await response.body?.cancel();
      if (response.ok) return server;
      lastProblem = `/healthz answered ${response.status}`;
    } catch (error) {
      lastProblem = (error as Error).message; // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await server.stop();
  throw new Error(
    `the server did not answer /healthz within ${START_TIMEOUT_MS / 1000} s (last: ${lastProblem}); ` +
      `its stderr ended with:\n${stderr.tail()}`,
  );
}

/**
 * Starts a database (migrated, with a write token as `deno task token` makes one), a data folder
 * and a free port; `fn` gets them and everything is released once.
 */
export async function withCrashableServer(
  prefix: string,
  extraEnv: Record<string, string>,
  fn: (ctx: {
    sql: Sql;
    env: Record<string, string>;
    /** The app's address and the token to call its API with. */
    api: ApiTarget;
    start(): Promise<ServerProcess>;
  }) => Promise<void>,
): Promise<void> {
  const db = await createTestDatabase();
  const dataDir = await Deno.makeTempDir({ prefix });
  const port = freePort();
  const env = { PORT: String(port), DATABASE_URL: db.url, DATA_DIR: dataDir, ...extraEnv };
  const started: ServerProcess[] = [];
  await withCleanup(
    async () => {
      await migrate(db.sql);
      const api = { url: `http://127.0.0.1:${port}`, token: await createTestToken(db.sql) };
      await fn({
        sql: db.sql,
        env,
        api,
        async start() {
          const server = await startServerProcess(env);
          started.push(server);
          return server;
        },
      });
    },
    () => [
      ...started.map((server, i): [string, () => Promise<void>] => [`stop server #${i + 1}`, server.stop]),
      ["drop the database", () => db.drop()],
      ["remove the data folder", () => Deno.remove(dataDir, { recursive: true })],
    ],
  );
}

/** One of the instances of {@linkcode withTwoServers}: its own data folder and port. */
export interface ServerInstance {
  /** The instance's address and the (shared) token to call its API with. */
  api: ApiTarget;
  env: Record<string, string>;
  dataDir: string;
  /** Starts the app on this instance's data folder and port (again, after a kill: same volume, same id). */
  start(): Promise<ServerProcess>;
  /** The id the instance keeps in its data folder (exists once it has started). */
  instanceId(): Promise<string>;
}

/**
 * Two app instances as Fly runs them: one shared database (migrated, with a write token), each
 * instance with its own data folder (KV file, uploads, instance id) and port. Every process
 * started is killed and everything is released once, whatever happens.
 */
export async function withTwoServers(
  prefix: string,
  extraEnv: Record<string, string>,
  fn: (ctx: { sql: Sql; a: ServerInstance; b: ServerInstance }) => Promise<void>,
): Promise<void> {
  const db = await createTestDatabase();
  const dataDirs: string[] = [];
  const started: ServerProcess[] = [];
  await withCleanup(
    async () => {
      await migrate(db.sql);
      const token = await createTestToken(db.sql);
      const instance = async (name: string): Promise<ServerInstance> => {
        const dataDir = await Deno.makeTempDir({ prefix: `${prefix}${name}-` });
        dataDirs.push(dataDir);
        const port = freePort();
        const env = { PORT: String(port), DATABASE_URL: db.url, DATA_DIR: dataDir, ...extraEnv };
        return {
          api: { url: `http://127.0.0.1:${port}`, token },
          env,
          dataDir,
          async start() {
            const server = await startServerProcess(env);
            started.push(server);
            return server;
          },
          async instanceId() {
            return (await Deno.readTextFile(`${dataDir}/instance-id`)).trim();
          },
        };
      };
      await fn({ sql: db.sql, a: await instance("a"), b: await instance("b") });
    },
    () => [
      ...started.map((server, i): [string, () => Promise<void>] => [`stop server #${i + 1}`, server.stop]),
      ["drop the database", () => db.drop()],
      ...dataDirs.map((dir): [string, () => Promise<void>] => [
        `remove ${dir}`,
        () => Deno.remove(dir, { recursive: true }),
      ]),
    ],
  );
}

/** How long the first batches of an import in a stop-and-resume test may take to commit. */
const FIRST_BATCHES_TIMEOUT_MS = 60_000;

/**
 * Polls the job until it has committed at least `rows` and returns how many it has; fails if the
 * import ends first (the test wants to stop a server mid-import) or takes too long.
 */
export async function committedAtLeast(sql: Sql, taskId: string, rows: number): Promise<number> {
  const deadline = Date.now() + FIRST_BATCHES_TIMEOUT_MS;
  let seen = { rows_done: 0, status: "not found" };
  while (Date.now() < deadline) {
    const [job] = await sql<{ rows_done: number; status: string }[]>`
      SELECT rows_done, status FROM import_jobs WHERE id = ${taskId}`;
    if (job) seen = job;
    if (seen.status === "complete") {
      throw new Error("the import finished before the stop; make the file larger");
    }
    if (seen.status === "error") {
      throw new Error(`the import failed before the stop (${JSON.stringify(seen)})`);
    }
    if (seen.rows_done >= rows) return seen.rows_done;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(
    `import ${taskId} committed ${seen.rows_done} rows (status ${seen.status}) within ` +
      `${FIRST_BATCHES_TIMEOUT_MS / 1000} s; the test needs ${rows} before it stops the server`,
  );
}

/** How long a server may take to exit after a signal. */
const EXIT_TIMEOUT_MS = 15_000;

/** Signals the server and waits for it to exit; fails if it is still running after `EXIT_TIMEOUT_MS`. */
export async function exitAfter(server: ServerProcess, signal: Deno.Signal): Promise<Deno.CommandStatus> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return await Promise.race([
    server.kill(signal),
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the server was still running ${EXIT_TIMEOUT_MS / 1000} s after ${signal}`)),
        EXIT_TIMEOUT_MS,
      );
    }),
  ]).finally(() => clearTimeout(timer));
}
