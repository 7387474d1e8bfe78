import { deepStrictEqual, equal, throws } from "node:assert/strict";
import { loadConfig } from "../../../core/platform/config.ts";

Deno.test("WEBHOOK_ALLOWED_HOSTS is read as lower-case hosts, IPv6 without brackets; empty means any", () => {
  equal(loadConfig({}).webhookAllowedHosts, null);
  equal(loadConfig({ WEBHOOK_ALLOWED_HOSTS: " , " }).webhookAllowedHosts, null);
  deepStrictEqual(
    loadConfig({ WEBHOOK_ALLOWED_HOSTS: "Hooks.Example.test, 127.0.0.1,[::1]" }).webhookAllowedHosts,
    ["hooks.example.test", "127.0.0.1", "::1"],
  );
});

Deno.test("a bad setting stops the start with the variable named", () => {
  throws(() => loadConfig({ RATE_LIMIT_PER_MINUTE: "0" }), /Invalid configuration: RATE_LIMIT_PER_MINUTE/);
});
