import { and, desc, eq, lt } from "drizzle-orm";
import { auditLog } from "../../platform/audit/schema.js";
import type { OrgContext } from "../../platform/auth/context.js";
import type { DbOrTx } from "../../platform/db/client.js";

export const contactAccessed = "contact.accessed";

/**
 * Records who opened which contact: one audit entry per contact read, so the DPO can answer
 * "who looked at my data" for every person.
 */
export async function recordContactAccess(
  db: DbOrTx,
  ctx: OrgContext,
  props: { contactIds: string[]; via: "detail" | "list" | "consents" | "export" },
) {
  if (props.contactIds.length === 0) return;
  await db.insert(auditLog).values(
    props.contactIds.map((id) => ({
      organizationId: ctx.organizationId,
      actorUserId: ctx.userId,
      actorTokenId: ctx.tokenId ?? null,
      action: contactAccessed,
      entityType: "contact",
      entityId: id,
      ip: ctx.ip ?? null,
      details: { via: props.via },
    })),
  );
}

export interface ContactAccessQuery {
  contactId?: string;
  /** Id of the last entry of the previous page. */
  before?: number;
  limit: number;
}

/** The access log of personal data, newest first (for the DPO and admins). */
export async function listContactAccess(db: DbOrTx, ctx: OrgContext, query: ContactAccessQuery) {
  const rows = await db
    .select({
      id: auditLog.id,
      contactId: auditLog.entityId,
      actorUserId: auditLog.actorUserId,
      via: auditLog.details,
      at: auditLog.at,
    })
    .from(auditLog)
    .where(
      and(
        eq(auditLog.organizationId, ctx.organizationId),
        eq(auditLog.action, contactAccessed),
        query.contactId ? eq(auditLog.entityId, query.contactId) : undefined,
        query.before ? lt(auditLog.id, query.before) : undefined,
      ),
    )
    .orderBy(desc(auditLog.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit).map((r) => ({ ...r, via: String(r.via.via ?? "unknown") }));
  return { entries: page, nextBefore: rows.length > query.limit ? page.at(-1)?.id : undefined };
}
