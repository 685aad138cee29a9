import { and, desc, eq } from "drizzle-orm";
import { recordAudit } from "../../platform/audit/audit.js";
import type { OrgContext } from "../../platform/auth/context.js";
import type { Db, DbOrTx } from "../../platform/db/client.js";
import { ConflictError, NotFoundError } from "../../platform/errors.js";
import { requireContact } from "./consents.js";
import { type PrivacyRequestProof, type PrivacyRequestType, privacyRequest } from "./schema.js";

/** GDPR Art. 12(3): answer within one month; we count 30 days. */
export const requestDeadlineDays = 30;

export interface OpenPrivacyRequestProps {
  type: PrivacyRequestType;
  /** The contact the request is about. */
  contactId: string;
  /** When the request arrived; defaults to now. The deadline counts from here. */
  receivedAt?: Date;
}

/** Opens a tracked data-subject request, due 30 days after it arrived. */
export async function openPrivacyRequest(db: Db, ctx: OrgContext, props: OpenPrivacyRequestProps) {
  const receivedAt = props.receivedAt ?? new Date();
  return db.transaction(async (tx) => {
    await requireContact(tx, ctx, props.contactId);
    const [created] = await tx
      .insert(privacyRequest)
      .values({
        organizationId: ctx.organizationId,
        type: props.type,
        subjectContactId: props.contactId,
        receivedAt,
        dueAt: new Date(receivedAt.getTime() + requestDeadlineDays * 86_400_000),
        createdByUserId: ctx.userId,
      })
      .returning();
    // Never the contact id in the details: the request outlives an erasure of its subject.
    await recordAudit(tx, ctx, {
      action: "privacy_request.opened",
      entityType: "privacy_request",
      entityId: created!.id,
      details: { type: props.type },
    });
    return created!;
  });
}

export async function listPrivacyRequests(db: DbOrTx, ctx: OrgContext) {
  return db
    .select()
    .from(privacyRequest)
    .where(eq(privacyRequest.organizationId, ctx.organizationId))
    .orderBy(desc(privacyRequest.receivedAt));
}

export async function getPrivacyRequest(db: DbOrTx, ctx: Pick<OrgContext, "organizationId">, id: string) {
  const [found] = await db
    .select()
    .from(privacyRequest)
    .where(and(eq(privacyRequest.organizationId, ctx.organizationId), eq(privacyRequest.id, id)))
    .limit(1);
  if (!found) throw new NotFoundError("The privacy request");
  return found;
}

/** The open request with its subject, or a conflict that says why it cannot be worked on. */
export async function requireOpenRequest(db: DbOrTx, ctx: OrgContext, id: string, type: PrivacyRequestType) {
  const request = await getPrivacyRequest(db, ctx, id);
  if (request.status === "completed") throw new ConflictError("This request is completed already.");
  if (request.type !== type)
    throw new ConflictError(`This is an ${request.type} request, not an ${type} request.`);
  if (!request.subjectContactId) throw new ConflictError("The request's subject no longer exists.");
  return { ...request, subjectContactId: request.subjectContactId };
}

export async function completePrivacyRequest(
  tx: DbOrTx,
  ctx: OrgContext,
  props: { requestId: string; proof: PrivacyRequestProof; at: Date },
) {
  const [done] = await tx
    .update(privacyRequest)
    .set({ status: "completed", completedAt: props.at, completedByUserId: ctx.userId, proof: props.proof })
    .where(and(eq(privacyRequest.organizationId, ctx.organizationId), eq(privacyRequest.id, props.requestId)))
    .returning();
  return done!;
}
