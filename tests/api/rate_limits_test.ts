import { equal, match, ok } from "node:assert/strict";
import { createUser } from "../../core/accounts/mod.ts";
import { queryBuilder } from "../../core/platform/mod.ts";
import { startServer } from "../../main.ts";
import {
  appTest,
  cleanUp,
  createTestToken,
  fetchWithDeadline,
  readBody,
  signIn,
  TEST_ADMIN,
  type TestApp,
} from "../helpers/test_app.ts";

async function call(url: string, token: string) {
  const response = await fetchWithDeadline(`${url}/api/products`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: response.status, headers: response.headers, body: await readBody(response) };
}

function budget(headers: Headers) {
  return {
    limit: headers.get("ratelimit-limit"),
    remaining: headers.get("ratelimit-remaining"),
    reset: Number(headers.get("ratelimit-reset")),
  };
}

appTest(
  "a token gets RATE_LIMIT_PER_MINUTE calls a minute, counted down in RateLimit headers, then 429",
  async (app) => {
    for (let i = 1; i <= 5; i++) {
      const answer = await call(app.url, app.token);
      equal(answer.status, 200);
      const left = budget(answer.headers);
      equal(left.limit, "5");
      equal(left.remaining, String(5 - i));
      ok(left.reset >= 1 && left.reset <= 60, `RateLimit-Reset is within the minute (${left.reset})`);
    }
    const refused = await call(app.url, app.token);
    equal(refused.status, 429);
    const error = JSON.parse(refused.body).error;
    equal(error.code, "rate_limited");
    match(error.message, /5 calls for this minute/);
    const retryAfter = Number(refused.headers.get("retry-after"));
    ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After is the rest of the minute (${retryAfter})`);
    equal(budget(refused.headers).remaining, "0");

    const second = await call(app.url, await createTestToken(app.db.sql));
    equal(second.status, 200, "another token has its own budget");
    equal(budget(second.headers).remaining, "4");

    const session = await signIn(app);
    const page = await session.fetch("/api/products");
    await page.body?.cancel();
    equal(page.status, 200, "a signed-in browser is not limited");
    equal(page.headers.get("ratelimit-limit"), null);
  },
  { RATE_LIMIT_PER_MINUTE: "5" },
);

appTest(
  "two app processes on one database share a token's budget",
  async (app) => {
    const other = await startServer(
      { ...app.config, port: 0, kvPath: `${app.dataDir}/second.sqlite3` },
      { logSink: () => {} },
    );
    try {
      const answers = [];
      for (let i = 0; i < 4; i++) {
        answers.push(await call(app.url, app.token), await call(other.url, app.token));
      }
      equal(answers.filter((a) => a.status === 200).length, 6);
      equal(
        answers[5].headers.get("ratelimit-remaining"),
        "0",
        "the 6th call, on the second process, is the last",
      );
      equal(answers[6].status, 429, "the 7th, on the first process, counts the second's calls too");
      equal(answers[7].status, 429);
    } finally {
      await cleanUp([["stop the second process", () => other.shutdown()]]);
    }
  },
  { RATE_LIMIT_PER_MINUTE: "6" },
);

async function login(app: TestApp, credentials: { email: string; password: string }, headers = {}) {
  const response = await fetchWithDeadline(`${app.url}/login`, {
    method: "POST",
    headers,
    body: new URLSearchParams({ ...credentials, next: "/" }),
    redirect: "manual",
  });
  return { status: response.status, headers: response.headers, body: await readBody(response) };
}

appTest(
  "failed sign-ins lock the account, even for the right password; other accounts are not affected",
  async (app) => {
    await createUser(queryBuilder(app.db.sql), {
      email: "other@example.com",
      password: "other password 1",
      role: "viewer",
    });
    const wrong = { email: "Admin@Example.com", password: "not the password" };
    for (let i = 0; i < 3; i++) equal((await login(app, wrong)).status, 401);
    const locked = await login(app, TEST_ADMIN);
    equal(locked.status, 429, "the right password is refused while locked");
    match(locked.body, /Too many failed sign-ins for this account/);
    equal(locked.headers.get("set-cookie"), null);
    const retryAfter = Number(locked.headers.get("retry-after"));
    ok(
      retryAfter > 14 * 60 && retryAfter <= 15 * 60,
      `Retry-After is the rest of 15 minutes (${retryAfter})`,
    );

    equal((await login(app, { email: "other@example.com", password: "other password 1" })).status, 303);

    await app.db.sql`UPDATE rate_limit_counters SET window_end = now() WHERE bucket LIKE 'login-account:%'`;
    equal((await login(app, TEST_ADMIN)).status, 303, "once the window ends, the right password works");
  },
  { LOGIN_FAILURES_PER_ACCOUNT: "3" },
);

appTest(
  "a successful sign-in clears the account's failures",
  async (app) => {
    const wrong = { email: TEST_ADMIN.email, password: "not the password" };
    for (let i = 0; i < 2; i++) equal((await login(app, wrong)).status, 401);
    equal((await login(app, TEST_ADMIN)).status, 303);
    for (let i = 0; i < 2; i++) equal((await login(app, wrong)).status, 401);
    equal((await login(app, TEST_ADMIN)).status, 303, "two failures after a success do not lock");
  },
  { LOGIN_FAILURES_PER_ACCOUNT: "3" },
);

appTest(
  "failed sign-ins from one address lock that address for every account; proxy headers count only when trusted",
  async (app) => {
    for (const email of ["a@example.com", "b@example.com", "c@example.com"]) {
      equal((await login(app, { email, password: "guess guess guess" })).status, 401);
    }
    const spoofed = await login(app, TEST_ADMIN, { "x-forwarded-for": "203.0.113.9" });
    equal(spoofed.status, 429, "X-Forwarded-For is ignored without TRUST_PROXY");
    match(spoofed.body, /from your network address/);
    ok(Number(spoofed.headers.get("retry-after")) > 0);
  },
  { LOGIN_FAILURES_PER_ADDRESS: "3" },
);

appTest(
  "behind a trusted proxy, the client's address is Fly-Client-IP or the first X-Forwarded-For hop",
  async (app) => {
    const from = (address: string) => ({ "x-forwarded-for": `${address}, 10.0.0.1` });
    for (let i = 0; i < 2; i++) {
      equal(
        (await login(app, { email: `x${i}@example.com`, password: "guess" }, from("203.0.113.1"))).status,
        401,
      );
    }
    equal((await login(app, TEST_ADMIN, from("203.0.113.1"))).status, 429);
    equal((await login(app, TEST_ADMIN, { "fly-client-ip": "203.0.113.1" })).status, 429);
    equal((await login(app, TEST_ADMIN, from("203.0.113.2"))).status, 303, "another client is not affected");
  },
  { LOGIN_FAILURES_PER_ADDRESS: "2", TRUST_PROXY: "true" },
);

appTest(
  "the first-admin setup link refuses an address that keeps trying",
  async (app) => {
    const path = new URL(app.setupUrl!).pathname;
    const attempt = (target: string) =>
      fetchWithDeadline(`${app.url}${target}`, {
        method: "POST",
        body: new URLSearchParams({ email: "first@example.com", password: "short" }),
      });
    for (const target of ["/setup/guess-1", "/setup/guess-2", path]) {
      const answer = await attempt(target);
      await answer.body?.cancel();
      ok(answer.status === 404 || answer.status === 422, `attempt answered ${answer.status}`);
    }
    const refused = await attempt(path);
    equal(refused.status, 429);
    match(await refused.text(), /Too many setup attempts/);
    ok(Number(refused.headers.get("retry-after")) > 0);
  },
  { ADMIN_EMAIL: "", ADMIN_PASSWORD: "", LOGIN_FAILURES_PER_ADDRESS: "3" },
);
