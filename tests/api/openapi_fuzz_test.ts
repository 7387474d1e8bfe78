/**
 * Schemathesis against a running app: every operation of the OpenAPI document, every check, a
 * bounded number of examples (tests/fuzz/schemathesis.toml). Any failure of any kind fails the test.
 */
import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { OPENAPI_DOCUMENT } from "../../routes/api/openapi.ts";
import { withCrashableServer } from "../helpers/server_process.ts";
import { apiJson } from "../helpers/test_app.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const SCHEMATHESIS = `${ROOT}.venv/fuzz/bin/st`;
const CONFIG = `${ROOT}tests/fuzz/schemathesis.toml`;
/** A bound on the whole run; it takes about a minute on two cores. */
const FUZZ_DEADLINE_MS = 8 * 60_000;

const OPERATIONS =
  Object.values(OPENAPI_DOCUMENT.paths).flatMap((item) =>
    Object.keys(item).filter((key) => key !== "parameters")
  ).length;

Deno.test("schemathesis finds no failure of any kind in the API its OpenAPI document describes", async () => {
  // Installed by tests/prepare.sh, which the test task runs first; missing is a failure, not a skip.
  ok(
    (await Deno.stat(SCHEMATHESIS).catch(() => null))?.isFile,
    `${SCHEMATHESIS} is missing: run tests/prepare.sh`,
  );

  // Webhooks may call only this test's receiver: no fuzzed URL leaves the machine or looks up a name.
  const receiver = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => new Response("ok"));
  try {
    await withCrashableServer("fuzz-", {
      WEBHOOK_ALLOW_PRIVATE: "true",
      WEBHOOK_ALLOWED_HOSTS: "127.0.0.1",
      RATE_LIMIT_PER_MINUTE: "1000000",
    }, async ({ api, start }) => {
      await start();
      const webhook = await apiJson(api, "POST", "/api/webhooks", {
        url: `http://127.0.0.1:${receiver.addr.port}/hook`,
        event_types: ["*"],
      });
      equal(webhook.status, 201, JSON.stringify(webhook.body));

      // The document as the app serves it, read from a file: loaded from its URL, schemathesis leaves
      // out the operation that serves it.
      const workDir = await Deno.makeTempDir({ prefix: "fuzz-run-" });
      try {
        const served = await fetch(`${api.url}/api/openapi.json`, { signal: AbortSignal.timeout(10_000) });
        equal(served.status, 200);
        await Deno.writeTextFile(`${workDir}/openapi.json`, await served.text());

        const run = await new Deno.Command(SCHEMATHESIS, {
          args: [
            "--config-file",
            CONFIG,
            "run",
            `${workDir}/openapi.json`,
            "--url",
            api.url,
            "--header",
            `Authorization: Bearer ${api.token}`,
            "--checks",
            "all",
            "--workers",
            "2",
            "--no-color",
          ],
          env: { FUZZ_WEBHOOK_ID: String(webhook.body.id) },
          // A fresh folder: no examples remembered from an earlier run (Hypothesis keeps them in the cwd).
          cwd: workDir,
          stdout: "piped",
          stderr: "piped",
          signal: AbortSignal.timeout(FUZZ_DEADLINE_MS),
        }).output();
        const report = new TextDecoder().decode(run.stdout) + new TextDecoder().decode(run.stderr);
        const summary = report.slice(report.lastIndexOf("SUMMARY"));
        equal(run.code, 0, `schemathesis failed:\n${report.slice(-12_000)}`);
        const tested = Number(summary.match(/Tested: (\d+)/)?.[1]);
        deepStrictEqual({ tested }, { tested: OPERATIONS }, summary);
        // The counts, for the CI log: how many cases ran, and the seed to replay them.
        console.log(summary.match(/Test cases:\s*(.+)/)?.[1], summary.match(/Seed: \d+/)?.[0]);
      } finally {
        await Deno.remove(workDir, { recursive: true });
      }
    });
  } finally {
    await receiver.shutdown();
  }
});
