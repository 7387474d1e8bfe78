/** The settings pages: API tokens, accounts (admins), one's own password. */
import type { ComponentChildren } from "preact";
import type { ApiToken, Person } from "../core/accounts/mod.ts";
import { MIN_PASSWORD_CHARS } from "../core/accounts/mod.ts";
import { Island } from "./island.tsx";
import { Layout } from "./layout.tsx";
import { CsrfField, usePageSession } from "./session.tsx";
import { ActionsHeading, DataTable } from "./table.tsx";
import { LocalTime } from "./local_time.tsx";

/** Which settings page is open, for the sub-navigation. */
export type SettingsPage = "tokens" | "users" | "password";

type Errors = Record<string, string>;

function SettingsLayout(
  props: {
    title: string;
    page: SettingsPage;
    notice?: string;
    breadcrumb?: ComponentChildren;
    children: ComponentChildren;
  },
) {
  const { canChange } = usePageSession();
  const link = (href: string, page: SettingsPage, label: string) => (
    <a
      href={href}
      class={props.page === page ? "subnav-link subnav-link--current" : "subnav-link"}
      aria-current={props.page === page ? "page" : undefined}
    >
      {label}
    </a>
  );
  return (
    <Layout title={props.title} current="settings">
      <nav class="subnav" aria-label="Settings">
        {canChange ? link("/settings/tokens", "tokens", "API tokens") : null}
        {canChange ? link("/settings/users", "users", "People") : null}
        {link("/settings/password", "password", "Your password")}
      </nav>
      {props.breadcrumb ? <p class="breadcrumb">{props.breadcrumb} /</p> : null}
      <h1>{props.title}</h1>
      {props.notice ? <p class="alert alert--success" role="status">{props.notice}</p> : null}
      {props.children}
    </Layout>
  );
}

function FieldError(props: { errors: Errors; name: string }) {
  const message = props.errors[props.name];
  return message ? <span class="field-error" role="alert">{message}</span> : null;
}

function fieldClass(errors: Errors, name: string): string {
  return errors[name] ? "field field--invalid" : "field";
}

function FormProblem(props: { errors: Errors }) {
  return Object.keys(props.errors).length > 0
    ? <p class="alert alert--error" role="alert">Please correct the fields marked below.</p>
    : null;
}

/** `/settings/tokens`: the live tokens, a form to create one, and a new token's value once. */
export function TokensPage(
  props: {
    tokens: ApiToken[];
    values: { name: string; scope: string };
    errors: Errors;
    created?: ApiToken & { token: string };
    notice?: string;
  },
) {
  const { created, errors } = props;
  return (
    <SettingsLayout title="API tokens" page="tokens" notice={props.notice}>
      {created
        ? (
          <div class="alert alert--success new-token" role="status">
            <strong>Token “{created.name}” created. Copy it now: it is shown only this once.</strong>
            <code class="secret" id="new-token">{created.token}</code>
            <span>
              Send it as <code>Authorization: Bearer …</code>{" "}
              {created.scope === "write" ? "to read and change data." : "to read data (GET only)."}
            </span>
          </div>
        )
        : null}
      <p class="muted">
        Scripts call the API with a token. A read token may only GET; a write token may change anything an
        admin can.
      </p>
      {props.tokens.length === 0 ? <p class="empty">No API tokens yet.</p> : (
        <DataTable
          head={
            <>
              <th>Name</th>
              <th>Scope</th>
              <th>Created</th>
              <th>Last used</th>
              <ActionsHeading />
            </>
          }
        >
          {props.tokens.map((token) => (
            <tr key={token.id}>
              <td>{token.name}</td>
              <td>
                <span class={token.scope === "write" ? "badge badge--processing" : "badge badge--queued"}>
                  {token.scope}
                </span>
              </td>
              <td class="nowrap">
                <LocalTime at={token.created_at} seconds />
              </td>
              <td class="nowrap">
                {token.last_used_at
                  ? <LocalTime at={token.last_used_at} seconds />
                  : <span class="muted">Never</span>}
              </td>
              <td class="actions-cell">
                <Island
                  name="ConfirmSubmit"
                  props={{
                    action: `/settings/tokens/${token.id}/revoke`,
                    label: "Revoke",
                    what: `token “${token.name}”`,
                  }}
                />
              </td>
            </tr>
          ))}
        </DataTable>
      )}

      <h2>Create a token</h2>
      <FormProblem errors={errors} />
      <form class="card product-form" method="post" action="/settings/tokens">
        <CsrfField />
        <div class={fieldClass(errors, "name")}>
          <label class="field-label" for="token-name">Name</label>
          <input id="token-name" name="name" required maxLength={200} value={props.values.name} />
          <FieldError errors={errors} name="name" />
          {errors.name ? null : <span class="field-hint">What uses it, e.g. “nightly ERP sync”.</span>}
        </div>
        <div class={fieldClass(errors, "scope")}>
          <label class="field-label" for="token-scope">Scope</label>
          <select id="token-scope" name="scope">
            <option value="read" selected={props.values.scope === "read"}>read — GET only</option>
            <option value="write" selected={props.values.scope === "write"}>write — read and change</option>
          </select>
          <FieldError errors={errors} name="scope" />
        </div>
        <div class="actions">
          <button class="btn" type="submit">Create token</button>
        </div>
      </form>
    </SettingsLayout>
  );
}

/** What the add-account form holds. */
export interface NewUserValues {
  email: string;
  role: string;
}

function RoleSelect(props: { id: string; role: string }) {
  return (
    <select id={props.id} name="role">
      <option value="viewer" selected={props.role === "viewer"}>
        viewer — sees everything, changes nothing
      </option>
      <option value="admin" selected={props.role === "admin"}>admin — may change anything</option>
    </select>
  );
}

/** `/settings/users`: every account, and a form to add one. */
export function UsersPage(
  props: { users: Person[]; values: NewUserValues; errors: Errors; notice?: string; selfId: number },
) {
  const { errors } = props;
  return (
    <SettingsLayout title="People" page="users" notice={props.notice}>
      <DataTable
        head={
          <>
            <th>Email</th>
            <th>Role</th>
            <th>Added</th>
          </>
        }
      >
        {props.users.map((user) => (
          <tr key={user.id}>
            <td>
              <a href={`/settings/users/${user.id}`}>{user.email}</a>
              {user.id === props.selfId ? <span class="muted">&nbsp;(you)</span> : null}
            </td>
            <td>
              <span class={user.role === "admin" ? "badge badge--processing" : "badge badge--queued"}>
                {user.role}
              </span>
            </td>
            <td class="nowrap">
              <LocalTime at={user.created_at} seconds />
            </td>
          </tr>
        ))}
      </DataTable>

      <h2>Add a person</h2>
      <FormProblem errors={errors} />
      <form class="card product-form" method="post" action="/settings/users">
        <CsrfField />
        <div class={fieldClass(errors, "email")}>
          <label class="field-label" for="user-email">Email</label>
          <input id="user-email" name="email" type="email" required value={props.values.email} />
          <FieldError errors={errors} name="email" />
        </div>
        <div class={fieldClass(errors, "password")}>
          <label class="field-label" for="user-password">First password</label>
          <input
            id="user-password"
            name="password"
            type="password"
            autocomplete="new-password"
            minLength={MIN_PASSWORD_CHARS}
            required
          />
          <FieldError errors={errors} name="password" />
          {errors.password ? null : (
            <span class="field-hint">
              At least {MIN_PASSWORD_CHARS}{" "}
              characters. Tell it to them; they can change it under Your password.
            </span>
          )}
        </div>
        <div class={fieldClass(errors, "role")}>
          <label class="field-label" for="user-role">Role</label>
          <RoleSelect id="user-role" role={props.values.role} />
          <FieldError errors={errors} name="role" />
        </div>
        <div class="actions">
          <button class="btn" type="submit">Add person</button>
        </div>
      </form>
    </SettingsLayout>
  );
}

/** `/settings/users/{id}`: change the role, reset the password, remove. */
export function UserPage(props: { user: Person; errors: Errors; notice?: string; selfId: number }) {
  const { user, errors } = props;
  const base = `/settings/users/${user.id}`;
  return (
    <SettingsLayout
      title={user.email}
      page="users"
      notice={props.notice}
      breadcrumb={<a href="/settings/users">People</a>}
    >
      {errors.remove ? <p class="alert alert--error" role="alert">{errors.remove}</p> : null}
      <div class="card">
        <dl class="details">
          <dt>Role</dt>
          <dd>
            <form method="post" action={`${base}/role`} class={errors.role ? "field--invalid" : undefined}>
              <CsrfField />
              <label class="visually-hidden" for="role">Role</label>
              <RoleSelect id="role" role={user.role} />{" "}
              <button class="btn btn--small btn--secondary" type="submit">Change role</button>
              <FieldError errors={errors} name="role" />
            </form>
          </dd>
          <dt>Password</dt>
          <dd>
            {user.id === props.selfId
              ? (
                <p class="muted">
                  Change your own under <a href="/settings/password">Your password</a>, with your current one.
                </p>
              )
              : (
                <form
                  method="post"
                  action={`${base}/password`}
                  class={errors.password ? "field--invalid" : undefined}
                >
                  <CsrfField />
                  <label class="visually-hidden" for="reset-password">New password</label>
                  <input
                    id="reset-password"
                    name="password"
                    type="password"
                    autocomplete="new-password"
                    minLength={MIN_PASSWORD_CHARS}
                    required
                    placeholder="New password"
                  />{" "}
                  <button class="btn btn--small btn--secondary" type="submit">Reset password</button>
                  <FieldError errors={errors} name="password" />
                  <p class="field-hint">Their sessions end; they sign in again with the new password.</p>
                </form>
              )}
          </dd>
          <dt>Added</dt>
          <dd>
            <LocalTime at={user.created_at} seconds />
          </dd>
        </dl>
      </div>
      {user.id === props.selfId ? null : (
        <div class="card danger-zone">
          <Island
            name="ConfirmSubmit"
            props={{ action: `${base}/remove`, label: "Remove person", what: user.email }}
          />
        </div>
      )}
    </SettingsLayout>
  );
}

/** `/settings/password`: one's own password, the current one first. */
export function PasswordPage(props: { errors: Errors; notice?: string }) {
  const { errors } = props;
  const input = (name: string, label: string, autocomplete: string) => (
    <div class={fieldClass(errors, name)}>
      <label class="field-label" for={name}>{label}</label>
      <input
        id={name}
        name={name}
        type="password"
        autocomplete={autocomplete}
        minLength={name === "current_password" ? undefined : MIN_PASSWORD_CHARS}
        required
      />
      <FieldError errors={errors} name={name} />
    </div>
  );
  return (
    <SettingsLayout title="Your password" page="password" notice={props.notice}>
      <FormProblem errors={errors} />
      <form class="card product-form" method="post" action="/settings/password">
        <CsrfField />
        {input("current_password", "Current password", "current-password")}
        {input("new_password", "New password", "new-password")}
        {input("new_password_again", "New password again", "new-password")}
        <p class="field-hint">
          At least {MIN_PASSWORD_CHARS}{" "}
          characters. Your other sessions are signed out; this one stays signed in.
        </p>
        <div class="actions">
          <button class="btn" type="submit">Change password</button>
        </div>
      </form>
    </SettingsLayout>
  );
}
