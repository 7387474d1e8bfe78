/** The embedded default database: PGlite behind a PostgreSQL socket, when DATABASE_URL is unset. */
import postgres from "postgres";
import type { Config } from "./config.ts";

/** A running embedded database and the URL that postgres.js connects to. */
export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts PGlite on `dataDir` behind a local PostgreSQL wire-protocol socket, so the app talks to
 * it exactly as it talks to a real server. For trying the app out: PGlite is one session shared
 * by all connections, and one process may open its folder. While it runs, `<dataDir>.url` holds
 * its address, so command-line tasks (`deno task token`) use the running database.
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  await Deno.mkdir(dataDir, { recursive: true });
  // Loaded only here: every process would otherwise parse PGlite's ~9 MB of code and hold it in memory.
  const [{ PGlite }, { pg_trgm }, { PGLiteSocketServer }] = await Promise.all([
    import("@electric-sql/pglite"),
    import("@electric-sql/pglite/contrib/pg_trgm"),
    import("@electric-sql/pglite-socket"),
  ]);
  const db = await PGlite.create(dataDir, { extensions: { pg_trgm } });
  const port = freePort();
  const server = new PGLiteSocketServer({ db, port, host: "127.0.0.1", maxConnections: 16 });
  await server.start();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  await Deno.writeTextFile(addressFile(dataDir), url);
  return {
    url,
    async stop() {
      await Deno.remove(addressFile(dataDir)).catch(() => {});
      await server.stop();
      await db.close();
    },
  };
}

/** A database for a command-line task, and how to let it go. */
export interface TaskDatabase {
  url: string;
  close(): Promise<void>;
}

/**
 * The database a command-line task uses: DATABASE_URL; else the embedded database of the app
 * running on this data folder; else the embedded database, started just for the task.
 */
export async function openTaskDatabase(config: Config): Promise<TaskDatabase> {
  if (config.databaseUrl) return { url: config.databaseUrl, close: async () => {} };
  const dataDir = `${config.dataDir}/pglite`;
  const running = await Deno.readTextFile(addressFile(dataDir)).catch(() => null);
  if (running && await answers(running)) return { url: running, close: async () => {} };
  const embedded = await startEmbeddedPostgres(dataDir);
  return { url: embedded.url, close: () => embedded.stop() };
}

function addressFile(dataDir: string): string {
  return `${dataDir}.url`;
}

/** Whether a database answers at `url` (a file left by an app that was killed points nowhere). */
async function answers(url: string): Promise<boolean> {
  const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => {} });
  try {
    await sql`SELECT 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}
