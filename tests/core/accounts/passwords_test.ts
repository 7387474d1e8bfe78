import { equal, match, notEqual } from "node:assert/strict";
import { hashPassword, verifyPassword } from "../../../core/accounts/passwords.ts";

Deno.test("a password verifies against its hash, and nothing else does", async () => {
  const hash = await hashPassword("correct horse battery");
  match(hash, /^scrypt\$131072\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
  equal(await verifyPassword("correct horse battery", hash), true);
  equal(await verifyPassword("correct horse batterY", hash), false);
  equal(await verifyPassword("", hash), false);
  equal(await verifyPassword("correct horse battery", "not a hash"), false);
});

Deno.test("each hash has its own salt, and Unicode is compared after NFC normalization", async () => {
  notEqual(await hashPassword("same password"), await hashPassword("same password"));
  const hash = await hashPassword("caf\u00e9 au lait");
  equal(await verifyPassword("cafe\u0301 au lait", hash), true, "é typed as e + combining accent");
});
