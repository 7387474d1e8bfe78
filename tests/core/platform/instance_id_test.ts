import { equal, match, notEqual } from "node:assert/strict";
import { INSTANCE_ID_FILE, loadInstanceId } from "../../../core/platform/mod.ts";

Deno.test("an instance id is created on the first start and kept by every later start on the same folder", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "instance-id-" });
  const otherDir = await Deno.makeTempDir({ prefix: "instance-id-" });
  try {
    const first = await loadInstanceId(`${dataDir}/fresh`);
    match(first, /^[0-9a-f-]{36}$/);
    equal(await loadInstanceId(`${dataDir}/fresh`), first, "a restart keeps the id");
    equal((await Deno.readTextFile(`${dataDir}/fresh/${INSTANCE_ID_FILE}`)).trim(), first);
    notEqual(await loadInstanceId(otherDir), first, "another volume gets its own id");
  } finally {
    await Deno.remove(dataDir, { recursive: true });
    await Deno.remove(otherDir, { recursive: true });
  }
});

Deno.test("two starts racing on one new folder agree on one id", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "instance-id-" });
  try {
    const ids = await Promise.all(Array.from({ length: 8 }, () => loadInstanceId(dataDir)));
    equal(new Set(ids).size, 1);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
