/** Who makes a request — a signed-in person or an API token — and what each may do. */
import type { Role, TokenScope } from "../platform/schema.ts";

/** A signed-in person, through their browser session. */
export interface UserActor {
  kind: "user";
  userId: number;
  email: string;
  role: Role;
  /** The session's CSRF token, which every form of the session carries. */
  csrfToken: string;
}

/** A script, through an API token. */
export interface TokenActor {
  kind: "token";
  tokenId: number;
  name: string;
  scope: TokenScope;
}

/** Whoever makes a request. */
export type Actor = UserActor | TokenActor;

/** Whether the actor may change things (anything but reading): admins and write tokens. */
export function canChange(actor: Actor): boolean {
  return actor.kind === "user" ? actor.role === "admin" : actor.scope === "write";
}

/** How an actor is named in messages and logs: the email, or the token's name and id. */
export function actorLabel(actor: Actor): string {
  return actor.kind === "user" ? actor.email : `token "${actor.name}" (#${actor.tokenId})`;
}

/** What the authentication middleware leaves on each request (Hono variables). */
export interface ActorVariables {
  /** Who makes the request; null on public paths when nobody is signed in. */
  actor: Actor | null;
}
