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
export {
  MIN_PASSWORD_CHARS,
  type NewAccount,
  type NewUser,
  parseNewAccount,
  parseNewUser,
  parsePasswordChange,
  parsePasswordReset,
  parseRole,
  parseTokenCreate,
  type PasswordChange,
  type TokenCreate,
  TokenCreateSchema,
} from "./input.ts";
export { offerSetupLink, redeemSetupLink, SETUP_LINK_MINUTES, setupLinkOpens } from "./setup.ts";
export {
  type AccountChangeOptions,
  type ApiToken,
  createApiToken,
  findApiToken,
  listApiTokens,
  revokeApiToken,
} from "./tokens.ts";
export { endSession, findSession, type Session, type SessionLimits, startSession } from "./sessions.ts";
export {
  changeOwnPassword,
  changeRole,
  checkLogin,
  countAdmins,
  createUser,
  ensureOwner,
  hasUsers,
  listUsers,
  type Person,
  removeUser,
  setPassword,
  type User,
} from "./users.ts";
