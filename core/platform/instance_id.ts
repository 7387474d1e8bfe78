/**
 * This instance's stable id, kept in its data folder: a machine restarted on the same volume keeps
 * its id, and with it the right to run the imports whose files that volume holds.
 */

/** The file in the data folder that holds the id. */
export const INSTANCE_ID_FILE = "instance-id";

/** Reads the instance id from `dataDir`, creating it (a random UUID) on the first start. */
export async function loadInstanceId(dataDir: string): Promise<string> {
  const path = `${dataDir}/${INSTANCE_ID_FILE}`;
  const existing = await readId(path);
  if (existing) return existing;
  await Deno.mkdir(dataDir, { recursive: true });
  // Written whole under a temporary name, then linked into place: of two processes starting on one
  // folder exactly one id wins, and neither ever reads a half-written file.
  const draft = `${path}.${crypto.randomUUID()}.tmp`;
  await Deno.writeTextFile(draft, `${crypto.randomUUID()}\n`);
  try {
    await Deno.link(draft, path);
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
  } finally {
    await Deno.remove(draft);
  }
  const created = await readId(path);
  if (!created) {
    throw new Error(`${path} exists but holds no instance id; delete it and start again to get a new one.`);
  }
  return created;
}

async function readId(path: string): Promise<string | null> {
  try {
    return (await Deno.readTextFile(path)).trim() || null;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}
