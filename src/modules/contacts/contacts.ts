import { and, asc, eq, ilike, or, type SQL } from "drizzle-orm";
import type { OrgContext } from "../../platform/auth/context.js";
import type { DbOrTx } from "../../platform/db/client.js";
import { NotFoundError } from "../../platform/errors.js";
import { contact } from "./schema.js";

export interface ListContactsQuery {
  /** Part of the name or e-mail address. */
  q?: string;
  limit: number;
}

export async function listContacts(db: DbOrTx, ctx: OrgContext, query: ListContactsQuery) {
  const conditions: SQL[] = [eq(contact.organizationId, ctx.organizationId)];
  if (query.q) {
    const pattern = `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(or(ilike(contact.displayName, pattern), ilike(contact.email, pattern))!);
  }
  const rows = await db
    .select()
    .from(contact)
    .where(and(...conditions))
    .orderBy(asc(contact.displayName), asc(contact.id))
    .limit(query.limit);
  return { contacts: rows };
}

export async function getContact(db: DbOrTx, ctx: OrgContext, id: string) {
  const rows = await db
    .select()
    .from(contact)
    .where(and(eq(contact.organizationId, ctx.organizationId), eq(contact.id, id)))
    .limit(1);
  if (!rows[0]) throw new NotFoundError("The contact");
  return rows[0];
}
