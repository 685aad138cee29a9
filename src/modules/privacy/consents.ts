import { and, asc, desc, eq } from "drizzle-orm";
import type { OrgContext } from "../../platform/auth/context.js";
import type { DbOrTx } from "../../platform/db/client.js";
import { NotFoundError } from "../../platform/errors.js";
import { contact } from "../contacts/schema.js";
import { type ConsentPurpose, consentPurposes, consentRecord } from "./schema.js";

/** The contact of this organization, or a 404 that does not say whether it exists elsewhere. */
export async function requireContact(db: DbOrTx, ctx: Pick<OrgContext, "organizationId">, id: string) {
  const [found] = await db
    .select()
    .from(contact)
    .where(and(eq(contact.organizationId, ctx.organizationId), eq(contact.id, id)))
    .limit(1);
  if (!found) throw new NotFoundError("The contact");
  return found;
}

/** The current state per purpose (the newest decision; `none` when nobody asked) and the whole history. */
export async function listConsents(db: DbOrTx, ctx: OrgContext, contactId: string) {
  await requireContact(db, ctx, contactId);
  const history = await db
    .select()
    .from(consentRecord)
    .where(and(eq(consentRecord.organizationId, ctx.organizationId), eq(consentRecord.contactId, contactId)))
    .orderBy(asc(consentRecord.recordedAt), asc(consentRecord.id));
  const current = consentPurposes.map((purpose) => {
    const latest = history.filter((r) => r.purpose === purpose).at(-1);
    return {
      purpose,
      state: latest?.state ?? ("none" as const),
      legalBasis: latest?.legalBasis ?? null,
      since: latest?.recordedAt ?? null,
    };
  });
  return { current, history };
}

/** Whether the newest decision of the contact for the purpose is "given". */
export async function hasConsent(
  db: DbOrTx,
  organizationId: string,
  contactId: string,
  purpose: ConsentPurpose,
): Promise<boolean> {
  const [latest] = await db
    .select({ state: consentRecord.state })
    .from(consentRecord)
    .where(
      and(
        eq(consentRecord.organizationId, organizationId),
        eq(consentRecord.contactId, contactId),
        eq(consentRecord.purpose, purpose),
      ),
    )
    .orderBy(desc(consentRecord.recordedAt), desc(consentRecord.id))
    .limit(1);
  return latest?.state === "given";
}
