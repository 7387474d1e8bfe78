/** The settings pages: API tokens, people (admins only), one's own password. Plain forms. */
import { Hono } from "hono";
import { ConfirmDeletePage } from "../components/confirm_delete_page.tsx";
import { htmlResponse } from "../components/render.ts";
import { PasswordPage, TokensPage, UserPage, UsersPage } from "../components/settings.tsx";
import {
  type Actor,
  canChange,
  changeOwnPassword,
  changeRole,
  createApiToken,
  createUser,
  listApiTokens,
  listUsers,
  parseNewUser,
  parsePasswordChange,
  parsePasswordReset,
  parseRole,
  parseTokenCreate,
  removeUser,
  revokeApiToken,
  setPassword,
  startSession,
  type UserActor,
} from "../core/accounts/mod.ts";
import { ForbiddenError, NotFoundError } from "../core/platform/mod.ts";
import { setSessionCookie } from "./auth.ts";
import type { AppContext, AppEnv } from "./context.ts";
import { saveForm } from "./forms.ts";
import { auditContext, formBody, requireAdmin, requireWriteAccess, tokenId, userId } from "./http.ts";

const NOTICES: Record<string, string> = {
  revoked: "Token revoked. The next request that uses it is refused.",
  added: "Person added. Tell them their email and first password.",
  role: "Role changed.",
  reset: "Password reset. Their sessions have ended; they sign in with the new password.",
  removed: "Person removed, with their sessions. Tokens they created keep working until revoked.",
  changed: "Password changed. Your other sessions are signed out; this one stays signed in.",
};

/** `/settings/tokens`, `/settings/users` and `/settings/password`. */
export function settingsPages(ctx: AppContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const notice = (key: string | undefined) => NOTICES[key ?? ""];
  const person = (actor: Actor | null): UserActor => {
    if (actor?.kind !== "user") {
      throw new ForbiddenError("Only a signed-in person has settings pages; API tokens use the API.");
    }
    return actor;
  };

  app.get("/", (c) => {
    const actor = c.get("actor");
    return c.redirect(actor && canChange(actor) ? "/settings/tokens" : "/settings/password", 303);
  });

  app.use("/tokens/*", async (c, next) => {
    requireWriteAccess(c.get("actor"), "see and manage API tokens");
    await next();
  });
  app.use("/tokens", async (c, next) => {
    requireWriteAccess(c.get("actor"), "see and manage API tokens");
    await next();
  });

  app.get("/tokens", async (c) => {
    const tokens = await listApiTokens(ctx.db);
    return htmlResponse(
      <TokensPage
        tokens={tokens}
        values={{ name: "", scope: "read" }}
        errors={{}}
        notice={notice(c.req.query("notice"))}
      />,
    );
  });

  app.post("/tokens", async (c) => {
    const form = await formBody(c);
    const values = { name: String(form.get("name") ?? ""), scope: String(form.get("scope") ?? "") };
    const actor = c.get("actor");
    const tokens = await listApiTokens(ctx.db);
    return await saveForm(async () => {
      const created = await createApiToken(ctx.db, {
        ...parseTokenCreate(values),
        createdBy: actor?.kind === "user" ? actor.userId : null,
      }, { audit: auditContext(c) });
      // The value is shown in this answer and never again, so no redirect that would lose it.
      return htmlResponse(
        <TokensPage
          tokens={[created, ...tokens]}
          values={{ name: "", scope: "read" }}
          errors={{}}
          created={created}
        />,
        201,
      );
    }, (errors) => <TokensPage tokens={tokens} values={values} errors={errors} />);
  });

  app.get("/tokens/:id/revoke", async (c) => {
    const id = tokenId(c.req.param("id"));
    const token = (await listApiTokens(ctx.db)).find((token) => token.id === id);
    if (!token) throw new NotFoundError(`There is no active API token with id ${id}.`);
    return htmlResponse(
      <ConfirmDeletePage
        title="Revoke this token?"
        section="settings"
        action={`/settings/tokens/${id}/revoke`}
        buttonLabel="Revoke token"
        cancelHref="/settings/tokens"
      >
        Scripts that use “{token.name}” ({token.scope}) are refused from their next request on.
      </ConfirmDeletePage>,
    );
  });

  app.post("/tokens/:id/revoke", async (c) => {
    await revokeApiToken(ctx.db, tokenId(c.req.param("id")), { audit: auditContext(c) });
    return c.redirect("/settings/tokens?notice=revoked", 303);
  });

  app.use("/users/*", async (c, next) => {
    requireAdmin(c.get("actor"));
    await next();
  });
  app.use("/users", async (c, next) => {
    requireAdmin(c.get("actor"));
    await next();
  });

  app.get("/users", async (c) => {
    return htmlResponse(
      <UsersPage
        users={await listUsers(ctx.db)}
        values={{ email: "", role: "viewer" }}
        errors={{}}
        notice={notice(c.req.query("notice"))}
        selfId={person(c.get("actor")).userId}
      />,
    );
  });

  app.post("/users", async (c) => {
    const form = await formBody(c);
    const values = { email: String(form.get("email") ?? ""), role: String(form.get("role") ?? "") };
    const selfId = person(c.get("actor")).userId;
    const users = await listUsers(ctx.db);
    return await saveForm(async () => {
      const input = parseNewUser({ ...values, password: String(form.get("password") ?? "") });
      await createUser(ctx.db, input, { audit: auditContext(c) });
      return c.redirect("/settings/users?notice=added", 303);
    }, (errors) => <UsersPage users={users} values={values} errors={errors} selfId={selfId} />);
  });

  const findUser = async (raw: string) => {
    const id = userId(raw);
    const user = (await listUsers(ctx.db)).find((user) => user.id === id);
    if (!user) throw new NotFoundError(`There is no account with id ${id}.`);
    return user;
  };

  app.get("/users/:id", async (c) => {
    const user = await findUser(c.req.param("id"));
    return htmlResponse(
      <UserPage
        user={user}
        errors={{}}
        notice={notice(c.req.query("notice"))}
        selfId={person(c.get("actor")).userId}
      />,
    );
  });

  app.post("/users/:id/role", async (c) => {
    const user = await findUser(c.req.param("id"));
    const role = (await formBody(c)).get("role");
    return await saveForm(async () => {
      await changeRole(ctx.db, { userId: user.id, role: parseRole({ role }) }, { audit: auditContext(c) });
      return c.redirect(`/settings/users/${user.id}?notice=role`, 303);
    }, (errors) => <UserPage user={user} errors={errors} selfId={person(c.get("actor")).userId} />);
  });

  app.post("/users/:id/password", async (c) => {
    const user = await findUser(c.req.param("id"));
    const password = (await formBody(c)).get("password");
    return await saveForm(async () => {
      await setPassword(ctx.db, user.id, parsePasswordReset({ password }), { audit: auditContext(c) });
      return c.redirect(`/settings/users/${user.id}?notice=reset`, 303);
    }, (errors) => <UserPage user={user} errors={errors} selfId={person(c.get("actor")).userId} />);
  });

  app.get("/users/:id/remove", async (c) => {
    const user = await findUser(c.req.param("id"));
    return htmlResponse(
      <ConfirmDeletePage
        title="Remove this person?"
        section="settings"
        action={`/settings/users/${user.id}/remove`}
        buttonLabel="Remove person"
        cancelHref={`/settings/users/${user.id}`}
      >
        <strong>{user.email}</strong>{" "}
        can no longer sign in, and their sessions end now. API tokens they created keep working until revoked.
      </ConfirmDeletePage>,
    );
  });

  app.post("/users/:id/remove", async (c) => {
    const user = await findUser(c.req.param("id"));
    return await saveForm(async () => {
      await removeUser(ctx.db, user.id, { audit: auditContext(c) });
      return c.redirect("/settings/users?notice=removed", 303);
    }, (errors) => <UserPage user={user} errors={errors} selfId={person(c.get("actor")).userId} />);
  });

  app.get("/password", (c) => {
    person(c.get("actor"));
    return htmlResponse(<PasswordPage errors={{}} notice={notice(c.req.query("notice"))} />);
  });

  app.post("/password", async (c) => {
    const actor = person(c.get("actor"));
    const form = await formBody(c);
    const input = {
      current_password: String(form.get("current_password") ?? ""),
      new_password: String(form.get("new_password") ?? ""),
      new_password_again: String(form.get("new_password_again") ?? ""),
    };
    return await saveForm(async () => {
      const change = parsePasswordChange(input);
      await changeOwnPassword(ctx.db, actor.userId, {
        current: change.current_password,
        next: change.new_password,
      }, { audit: auditContext(c) });
      // Changing the password ends every session of the account; this browser gets a fresh one.
      setSessionCookie(c, await startSession(ctx.db, actor.userId), ctx.config.session.maxHours);
      return c.redirect("/settings/password?notice=changed", 303);
    }, (errors) => <PasswordPage errors={errors} />);
  });

  return app;
}
