/**
 * Accounts: people who sign in (`users.ts`, passwords hashed by `passwords.ts`), their browser
 * sessions (`sessions.ts`) and API tokens for automation (`tokens.ts`). Secrets handed out are
 * random and stored only as digests (`secrets.ts`).
 */
export {
  type Actor,
  actorLabel,
  type ActorVariables,
  canChange,
  type TokenActor,
  type UserActor,
} from "./actor.ts";
export { MIN_PASSWORD_CHARS, type NewAccount, parseNewAccount } from "./input.ts";
export { FirstAdminSetup } from "./setup.ts";
export { type ApiToken, createApiToken, findApiToken, listApiTokens, revokeApiToken } from "./tokens.ts";
export { endSession, findSession, type Session, type SessionLimits, startSession } from "./sessions.ts";
export {
  checkLogin,
  createUser,
  ensureOwner,
  hasUsers,
  listUsers,
  type Person,
  setPassword,
  type User,
} from "./users.ts";
