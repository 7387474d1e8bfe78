import { deepStrictEqual, equal, rejects, throws } from "node:assert/strict";
import { connectDatabase, MAX_NOTIFY_PAYLOAD_BYTES, Notifications } from "../../../core/platform/mod.ts";
import { createTestDatabase, waitUntil, withCleanup } from "../../helpers/test_app.ts";

Deno.test({
  name: "a notification sent by one process's pool reaches every subscriber of every process, in order",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const db = await createTestDatabase();
    // Two pools stand for two processes: each has its own listening connection.
    const other = connectDatabase(db.url, { max: 2 });
    const [here, there] = await Promise.all([
      Notifications.open(db.sql, { channels: ["news"], crossProcess: true }),
      Notifications.open(other, { channels: ["news"], crossProcess: true }),
    ]);
    await withCleanup(async () => {
      const heard: Record<string, (string | null)[]> = { here: [], there: [], alsoThere: [] };
      here.subscribe("news", (payload) => heard.here.push(payload));
      there.subscribe("news", (payload) => heard.there.push(payload));
      const stop = there.subscribe("news", (payload) => heard.alsoThere.push(payload));
      for (const payload of ["one", "two", "three"]) await here.send("news", payload);
      await waitUntil(
        "every subscriber heard three",
        () => Promise.resolve(heard.there.length === 3 && heard.here.length === 3),
      );
      deepStrictEqual(heard.here, ["one", "two", "three"]);
      deepStrictEqual(heard.there, ["one", "two", "three"]);
      deepStrictEqual(heard.alsoThere, ["one", "two", "three"]);
      stop();
      await there.send("news", "four");
      await waitUntil(
        "the others heard four",
        () => Promise.resolve(heard.here.length === 4 && heard.there.length === 4),
      );
      equal(heard.alsoThere.length, 3, "an unsubscribed handler hears nothing more");
    }, () => [
      ["close the notifications", () => Promise.all([here.close(), there.close()])],
      ["end the second pool", () => other.end({ timeout: 5 })],
      ["drop the database", () => db.drop()],
    ]);
  },
});

Deno.test({
  name: "on the embedded database notifications stay in the process, and oversized payloads are refused",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const db = await createTestDatabase();
    const local = await Notifications.open(db.sql, { channels: ["news"], crossProcess: false });
    await withCleanup(async () => {
      const heard: (string | null)[] = [];
      local.subscribe("news", (payload) => heard.push(payload));
      await local.send("news", "hello");
      await waitUntil("the subscriber heard it", () => Promise.resolve(heard.length === 1));
      deepStrictEqual(heard, ["hello"]);
      await rejects(local.send("news", "x".repeat(MAX_NOTIFY_PAYLOAD_BYTES + 1)), /must stay under/);
      throws(() => local.subscribe("elsewhere", () => {}), /Not listening on "elsewhere"/);
    }, () => [["close", () => local.close()], ["drop the database", () => db.drop()]]);
  },
});
