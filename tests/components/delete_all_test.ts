import { equal } from "node:assert/strict";
import { confirmsDeleteAll } from "../../components/delete_all.ts";

Deno.test("deleting all is confirmed by DELETE or by the count, with or without separators", () => {
  equal(confirmsDeleteAll("DELETE", 1234), true);
  equal(confirmsDeleteAll(" 1,234 ", 1234), true);
  equal(confirmsDeleteAll("1234", 1234), true);
});

Deno.test("anything else does not confirm deleting all", () => {
  equal(confirmsDeleteAll("", 0), false);
  equal(confirmsDeleteAll("delete", 1234), false);
  equal(confirmsDeleteAll("1233", 1234), false);
  equal(confirmsDeleteAll("yes", 1234), false);
});
