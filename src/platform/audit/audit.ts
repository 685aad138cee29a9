import { and, desc, eq, gte, lt, lte, type SQL } from "drizzle-orm";
import type { OrgContext } from "../auth/context.js";
import type { DbOrTx } from "../db/client.js";
import { auditLog } from "./schema.js";

export interface AuditEntry {
  /** Verb in the past tense, dotted by entity: `member.role_changed`, `department.created`. */
  action: string;
  entityType: string;
  entityId?: string;
  /** What changed; never personal data beyond ids (the audit log outlives erasure). */
  details?: Record<string, unknown>;
}

/** Who acted: a person (or their token), or the system itself (`userId: null`, e.g. a timer job). */
export type AuditActor = Pick<OrgContext, "organizationId" | "tokenId" | "ip"> & { userId: string | null };

/** Writes one audit entry; pass the transaction of the change so both land or neither does. */
export async function recordAudit(tx: DbOrTx, ctx: AuditActor, entry: AuditEntry) {
  await tx.insert(auditLog).values({
    organizationId: ctx.organizationId,
    actorUserId: ctx.userId,
    actorTokenId: ctx.tokenId ?? null,
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId ?? null,
    ip: ctx.ip ?? null,
    details: entry.details ?? {},
  });
}

export interface AuditQuery {
  action?: string;
  entityType?: string;
  actorUserId?: string;
  from?: Date;
  to?: Date;
  /** Id of the last entry of the previous page. */
  before?: number;
  limit: number;
}

export async function listAudit(db: DbOrTx, ctx: OrgContext, query: AuditQuery) {
  const conditions: SQL[] = [eq(auditLog.organizationId, ctx.organizationId)];
  if (query.action) conditions.push(eq(auditLog.action, query.action));
  if (query.entityType) conditions.push(eq(auditLog.entityType, query.entityType));
  if (query.actorUserId) conditions.push(eq(auditLog.actorUserId, query.actorUserId));
  if (query.from) conditions.push(gte(auditLog.at, query.from));
  if (query.to) conditions.push(lte(auditLog.at, query.to));
  if (query.before) conditions.push(lt(auditLog.id, query.before));
  const rows = await db
    .select()
    .from(auditLog)
    .where(and(...conditions))
    .orderBy(desc(auditLog.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  return { entries: page, nextBefore: rows.length > query.limit ? page.at(-1)?.id : undefined };
}
