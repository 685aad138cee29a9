import { and, asc, count, eq } from "drizzle-orm";
import { recordAudit } from "../../platform/audit/audit.js";
import type { OrgContext } from "../../platform/auth/context.js";
import type { Db, DbOrTx } from "../../platform/db/client.js";
import { ConflictError, NotFoundError, ValidationError } from "../../platform/errors.js";
import { contactFilterConditions, listContacts } from "./contacts.js";
import { contact, type SegmentFilter, segment } from "./schema.js";

/** Segments by name, each with its current number of members. */
export async function listSegments(db: DbOrTx, ctx: OrgContext) {
  const rows = await db
    .select()
    .from(segment)
    .where(eq(segment.organizationId, ctx.organizationId))
    .orderBy(asc(segment.name));
  const out = [];
  for (const row of rows) out.push({ ...row, members: await countMembers(db, ctx, row.filter) });
  return out;
}

async function countMembers(db: DbOrTx, ctx: OrgContext, filter: SegmentFilter) {
  const [row] = await db
    .select({ n: count() })
    .from(contact)
    .where(and(...contactFilterConditions(ctx.organizationId, filter)));
  return row?.n ?? 0;
}

export async function getSegment(db: DbOrTx, ctx: OrgContext, id: string) {
  const [found] = await db
    .select()
    .from(segment)
    .where(and(eq(segment.organizationId, ctx.organizationId), eq(segment.id, id)));
  if (!found) throw new NotFoundError("The segment");
  return found;
}

/** The contacts a segment holds now (its filter is evaluated on every call). */
export async function segmentMembers(
  db: DbOrTx,
  ctx: OrgContext,
  props: { segmentId: string; limit: number; offset: number },
) {
  const found = await getSegment(db, ctx, props.segmentId);
  const { contacts } = await listContacts(db, ctx, {
    ...found.filter,
    limit: props.limit,
    offset: props.offset,
  });
  return { segment: found, total: await countMembers(db, ctx, found.filter), contacts };
}

async function assertNameFree(db: DbOrTx, ctx: OrgContext, name: string, except?: string) {
  const [taken] = await db
    .select({ id: segment.id })
    .from(segment)
    .where(and(eq(segment.organizationId, ctx.organizationId), eq(segment.name, name)));
  if (taken && taken.id !== except) throw new ConflictError(`A segment named "${name}" exists already.`);
}

export async function createSegment(db: Db, ctx: OrgContext, props: { name: string; filter: SegmentFilter }) {
  const name = props.name.trim();
  if (!name) throw new ValidationError("A segment needs a name.");
  return db.transaction(async (tx) => {
    await assertNameFree(tx, ctx, name);
    const [row] = await tx
      .insert(segment)
      .values({ organizationId: ctx.organizationId, name, filter: props.filter, createdByUserId: ctx.userId })
      .returning();
    await recordAudit(tx, ctx, { action: "segment.created", entityType: "segment", entityId: row!.id });
    return row!;
  });
}

export async function updateSegment(
  db: Db,
  ctx: OrgContext,
  id: string,
  props: { name?: string; filter?: SegmentFilter },
) {
  const name = props.name?.trim();
  if (name === "") throw new ValidationError("A segment needs a name.");
  return db.transaction(async (tx) => {
    await getSegment(tx, ctx, id);
    if (name) await assertNameFree(tx, ctx, name, id);
    const [row] = await tx
      .update(segment)
      .set({
        ...(name ? { name } : {}),
        ...(props.filter ? { filter: props.filter } : {}),
        updatedAt: new Date(),
      })
      .where(and(eq(segment.organizationId, ctx.organizationId), eq(segment.id, id)))
      .returning();
    await recordAudit(tx, ctx, { action: "segment.updated", entityType: "segment", entityId: id });
    return row!;
  });
}

export async function deleteSegment(db: Db, ctx: OrgContext, id: string) {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .delete(segment)
      .where(and(eq(segment.organizationId, ctx.organizationId), eq(segment.id, id)))
      .returning({ id: segment.id });
    if (!row) throw new NotFoundError("The segment");
    await recordAudit(tx, ctx, { action: "segment.deleted", entityType: "segment", entityId: id });
  });
}
