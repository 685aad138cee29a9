import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { passwordHasher } from "../../platform/auth/auth.js";
import { account, user } from "../../platform/auth/schema.js";
import type { DbOrTx } from "../../platform/db/client.js";
import { ConflictError, ValidationError } from "../../platform/errors.js";

export interface CreateUserProps {
  email: string;
  name: string;
  /** At least 10 characters; stored only as an Argon2id hash. */
  password: string;
  locale?: string;
}

/** Creates a person who can sign in with e-mail and password (the account better-auth reads). */
export async function createUser(tx: DbOrTx, props: CreateUserProps): Promise<{ id: string; email: string }> {
  const email = props.email.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
    throw new ValidationError(`"${props.email}" is not an e-mail address.`);
  if (props.password.length < 10) throw new ValidationError("The password needs at least 10 characters.");
  const existing = await tx.select({ id: user.id }).from(user).where(eq(user.email, email)).limit(1);
  if (existing.length > 0) throw new ConflictError(`There is already an account for ${email}.`);
  const id = randomUUID();
  await tx.insert(user).values({
    id,
    email,
    name: props.name.trim() || email,
    emailVerified: true,
    locale: props.locale ?? null,
  });
  await tx.insert(account).values({
    id: randomUUID(),
    accountId: id,
    providerId: "credential",
    userId: id,
    password: await passwordHasher.hash(props.password),
  });
  return { id, email };
}

export async function findUserByEmail(tx: DbOrTx, email: string) {
  const rows = await tx.select().from(user).where(eq(user.email, email.trim().toLowerCase())).limit(1);
  return rows[0];
}
