import { deepEqual } from "node:assert/strict";
import { auditActor } from "../../../core/audit/mod.ts";

Deno.test("a person is named by email and a token by its name, each with its id", () => {
  deepEqual(auditActor({ kind: "user", userId: 4, email: "ann@example.com" }), {
    kind: "user",
    id: 4,
    label: "ann@example.com",
  });
  deepEqual(auditActor({ kind: "token", tokenId: 9, name: "nightly sync" }), {
    kind: "token",
    id: 9,
    label: "nightly sync",
  });
});
