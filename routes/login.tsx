/** Signing in and out, and the first-admin setup link of a fresh install. */
import { Hono } from "hono";
import { getCookie } from "hono/cookie";
import { Layout } from "../components/layout.tsx";
import { htmlResponse } from "../components/render.ts";
import {
  checkLogin,
  endSession,
  MIN_PASSWORD_CHARS,
  parseNewAccount,
  redeemSetupLink,
  setupLinkOpens,
  startSession,
} from "../core/accounts/mod.ts";
import { NotFoundError, RateLimitedError } from "../core/platform/mod.ts";
import { SESSION_COOKIE, setSessionCookie } from "./auth.ts";
import { clientAddress } from "./client_address.ts";
import type { AppContext, AppEnv } from "./context.ts";
import { saveForm } from "./forms.ts";
import { formBody } from "./http.ts";

/** Where to go after signing in: a path on this site only (never `//evil.example`). */
function safeNext(next: unknown): string {
  return typeof next === "string" && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\")
    ? next
    : "/";
}

/** `/login`, `/logout` and `/setup/{secret}`. */
export function loginPages(ctx: AppContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get("/login", (c) => {
    const next = safeNext(c.req.query("next"));
    if (c.get("actor")) return c.redirect(next, 303);
    return htmlResponse(<LoginPage next={next} email="" />);
  });

  app.post("/login", async (c) => {
    const form = await formBody(c);
    const email = String(form.get("email") ?? "");
    const next = safeNext(form.get("next"));
    const address = clientAddress(c, ctx.config.trustProxy);
    try {
      // Before the password is checked: a locked account is locked for the right password too.
      await ctx.limits.checkLogin(email, address);
    } catch (error) {
      if (!(error instanceof RateLimitedError)) throw error;
      const page = htmlResponse(<LoginPage next={next} email={email} error={error.message} />, 429);
      page.headers.set("Retry-After", String(error.retryAfterSeconds));
      return page;
    }
    const person = await checkLogin(ctx.db, { email, password: String(form.get("password") ?? "") });
    if (!person) {
      await ctx.limits.loginFailed(email, address);
      return htmlResponse(
        <LoginPage next={next} email={email} error="The email or the password is wrong." />,
        401,
      );
    }
    await ctx.limits.loginSucceeded(email);
    setSessionCookie(c, await startSession(ctx.db, person.id), ctx.config.session.maxHours);
    return c.redirect(next, 303);
  });

  app.post("/logout", async (c) => {
    const cookie = getCookie(c, SESSION_COOKIE);
    if (cookie) await endSession(ctx.db, cookie);
    setSessionCookie(c, "", 0);
    return c.redirect("/login", 303);
  });

  app.get("/setup/:secret", async (c) => {
    if (!await setupLinkOpens(ctx.db, c.req.param("secret"))) {
      // Guessing the secret through this page counts against the address like a setup attempt.
      await ctx.limits.setupAttempt(clientAddress(c, ctx.config.trustProxy));
      throw setupClosed();
    }
    return htmlResponse(<SetupPage values={{ email: "" }} errors={{}} />);
  });

  app.post("/setup/:secret", async (c) => {
    await ctx.limits.setupAttempt(clientAddress(c, ctx.config.trustProxy));
    const form = await formBody(c);
    const values = { email: String(form.get("email") ?? ""), password: String(form.get("password") ?? "") };
    return await saveForm(async () => {
      const account = parseNewAccount(values);
      const admin = await redeemSetupLink(ctx.db, { secret: c.req.param("secret"), ...account });
      if (!admin) throw setupClosed();
      setSessionCookie(c, await startSession(ctx.db, admin.id), ctx.config.session.maxHours);
      return c.redirect("/", 303);
    }, (errors) => <SetupPage values={values} errors={errors} />);
  });

  return app;
}

function setupClosed(): NotFoundError {
  return new NotFoundError(
    "This setup link is used, expired or unknown. Sign in, or restart the app to get a new link while no account exists.",
  );
}

function LoginPage(props: { next: string; email: string; error?: string }) {
  return (
    <Layout title="Sign in">
      <h1>Sign in</h1>
      {props.error ? <p class="alert alert--error" role="alert">{props.error}</p> : null}
      <form class="card product-form" method="post" action="/login">
        <input type="hidden" name="next" value={props.next} />
        <div class="field">
          <label class="field-label" for="login-email">Email</label>
          <input
            id="login-email"
            name="email"
            type="email"
            autocomplete="username"
            required
            value={props.email}
          />
        </div>
        <div class="field">
          <label class="field-label" for="login-password">Password</label>
          <input
            id="login-password"
            name="password"
            type="password"
            autocomplete="current-password"
            required
          />
        </div>
        <div class="actions">
          <button class="btn" type="submit">Sign in</button>
        </div>
      </form>
    </Layout>
  );
}

function SetupPage(props: { values: { email: string }; errors: Record<string, string> }) {
  const field = (name: "email" | "password") =>
    props.errors[name] ? <span class="field-error" role="alert">{props.errors[name]}</span> : null;
  return (
    <Layout title="Create the first admin">
      <h1>Create the first admin</h1>
      <p class="muted">This install has no account yet. The account you create here can add others.</p>
      <form class="card product-form" method="post">
        <div class={props.errors.email ? "field field--invalid" : "field"}>
          <label class="field-label" for="setup-email">Email</label>
          <input
            id="setup-email"
            name="email"
            type="email"
            autocomplete="username"
            required
            value={props.values.email}
          />
          {field("email")}
        </div>
        <div class={props.errors.password ? "field field--invalid" : "field"}>
          <label class="field-label" for="setup-password">Password</label>
          <input
            id="setup-password"
            name="password"
            type="password"
            autocomplete="new-password"
            minLength={MIN_PASSWORD_CHARS}
            required
          />
          {field("password") ?? <span class="field-hint">At least {MIN_PASSWORD_CHARS} characters.</span>}
        </div>
        <div class="actions">
          <button class="btn" type="submit">Create admin and sign in</button>
        </div>
      </form>
    </Layout>
  );
}
