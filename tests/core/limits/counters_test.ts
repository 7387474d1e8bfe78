import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { HitCounter } from "../../../core/limits/mod.ts";
import { withMigratedDatabase } from "../../helpers/test_app.ts";

Deno.test("hits counted at once on one bucket are each counted exactly once", async () => {
  await withMigratedDatabase(async ({ sql }) => {
    const counter = new HitCounter(sql);
    const counts = await Promise.all(Array.from({ length: 20 }, () => counter.hit("burst", 60)));
    deepStrictEqual(
      counts.map((c) => c.count).sort((a, b) => a - b),
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    ok(counts.every((c) => c.resetSeconds > 0 && c.resetSeconds <= 60), "the window ends within 60 s");
    equal((await counter.hit("other", 60)).count, 1, "another bucket has its own count");
  });
});

Deno.test("a window that ended starts afresh; peek leaves ended windows out; reset forgets", async () => {
  await withMigratedDatabase(async ({ sql }) => {
    const counter = new HitCounter(sql);
    await counter.hit("old", 60);
    await counter.hit("old", 60);
    await sql`UPDATE rate_limit_counters SET window_end = now() - interval '2 hours' WHERE bucket = 'old'`;
    equal((await counter.peek(["old"])).size, 0, "an ended window is not live");
    equal((await counter.hit("old", 60)).count, 1, "the next hit opens a new window");
    await counter.hit("gone", 60);
    await counter.reset("gone");
    equal((await counter.peek(["gone", "old"])).get("old")?.count, 1);
    equal((await counter.peek(["gone"])).size, 0);

    await counter.hit("stale", 60);
    await sql`UPDATE rate_limit_counters SET window_end = now() - interval '2 hours' WHERE bucket = 'stale'`;
    equal(await counter.prune(), 1, "only the window that ended over an hour ago is pruned");
    const [{ count }] = await sql<
      { count: number }[]
    >`SELECT count(*)::int AS count FROM rate_limit_counters`;
    equal(count, 1);
  });
});
