/** Account input from the forms and the API, validated by zod. */
import { z } from "zod";
import { parseInput, storedText } from "../platform/validation.ts";

/** The shortest password accepted (NIST SP 800-63B asks for at least 8; a passphrase is better). */
export const MIN_PASSWORD_CHARS = 12;

const Password = z.string().min(MIN_PASSWORD_CHARS, `Use at least ${MIN_PASSWORD_CHARS} characters`)
  .max(200, "Use at most 200 characters");

const NewAccountSchema = z.object({
  email: z.string().trim().max(320, "Use at most 320 characters").email(
    "Enter an email address like ann@example.com",
  ),
  password: Password,
}).strict();

/** A new account's email and password. */
export type NewAccount = z.output<typeof NewAccountSchema>;

/** Validates a new account's email and password, or throws a ValidationError per field. */
export function parseNewAccount(input: unknown): NewAccount {
  return parseInput(NewAccountSchema, input, "account");
}

const RoleSchema = z.enum(["admin", "viewer"], "Choose admin or viewer");

/** The body of `POST /api/tokens` and the token form: a name to recognise it by and its scope. */
export const TokenCreateSchema = z.object({
  name: storedText({ maxChars: 200, blankMessage: "Give the token a name" }),
  scope: z.enum(["read", "write"], "Choose read or write"),
}).strict();

/** A new token's name and scope. */
export type TokenCreate = z.output<typeof TokenCreateSchema>;

/** Validates a new token's name and scope, or throws a ValidationError per field. */
export function parseTokenCreate(input: unknown): TokenCreate {
  return parseInput(TokenCreateSchema, input, "token");
}

const NewUserSchema = NewAccountSchema.extend({ role: RoleSchema }).strict();

/** An account an admin adds: email, first password and role. */
export type NewUser = z.output<typeof NewUserSchema>;

/** Validates an account an admin adds, or throws a ValidationError per field. */
export function parseNewUser(input: unknown): NewUser {
  return parseInput(NewUserSchema, input, "account");
}

/** Validates a role (`admin` or `viewer`), or throws a ValidationError on `role`. */
export function parseRole(input: unknown): "admin" | "viewer" {
  return parseInput(z.object({ role: RoleSchema }), input, "role").role;
}

/** Validates a password an admin sets for someone, or throws a ValidationError on `password`. */
export function parsePasswordReset(input: unknown): string {
  return parseInput(z.object({ password: Password }).strict(), input, "password").password;
}

const PasswordChangeSchema = z.object({
  current_password: z.string().min(1, "Enter your current password").max(200, "Use at most 200 characters"),
  new_password: Password,
  new_password_again: z.string(),
}).strict().refine((input) => input.new_password === input.new_password_again, {
  path: ["new_password_again"],
  message: "The two new passwords differ; type the same one twice",
});

/** One's own password change: the current password and the new one, typed twice. */
export type PasswordChange = z.output<typeof PasswordChangeSchema>;

/** Validates a password change, or throws a ValidationError per field. */
export function parsePasswordChange(input: unknown): PasswordChange {
  return parseInput(PasswordChangeSchema, input, "password change");
}
