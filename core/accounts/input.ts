/** Account input from the forms and the API, validated by zod. */
import { z } from "zod";
import { parseInput } from "../platform/validation.ts";

/** The shortest password accepted (NIST SP 800-63B asks for at least 8; a passphrase is better). */
export const MIN_PASSWORD_CHARS = 12;

const NewAccountSchema = z.object({
  email: z.string().trim().max(320, "Use at most 320 characters").email(
    "Enter an email address like ann@example.com",
  ),
  password: z.string().min(MIN_PASSWORD_CHARS, `Use at least ${MIN_PASSWORD_CHARS} characters`)
    .max(200, "Use at most 200 characters"),
}).strict();

/** A new account's email and password. */
export type NewAccount = z.output<typeof NewAccountSchema>;

/** Validates a new account's email and password, or throws a ValidationError per field. */
export function parseNewAccount(input: unknown): NewAccount {
  return parseInput(NewAccountSchema, input, "account");
}
