import { and, asc, eq } from "drizzle-orm";
import { recordAudit } from "../../platform/audit/audit.js";
import type { OrgContext } from "../../platform/auth/context.js";
import type { Db, DbOrTx } from "../../platform/db/client.js";
import { ConflictError, NotFoundError, ValidationError } from "../../platform/errors.js";
import { slugify } from "./organizationCreator.js";
import { department, member } from "./schema.js";

export async function listDepartments(db: DbOrTx, ctx: OrgContext) {
  return db
    .select()
    .from(department)
    .where(eq(department.organizationId, ctx.organizationId))
    .orderBy(asc(department.name));
}

export interface DepartmentInput {
  name: string;
  description?: string;
  /** The team lead: a member of the organization, or null for none. */
  leadMemberId?: string | null;
}

async function assertMember(tx: DbOrTx, organizationId: string, memberId: string | null | undefined) {
  if (!memberId) return;
  const [found] = await tx
    .select({ id: member.id })
    .from(member)
    .where(and(eq(member.organizationId, organizationId), eq(member.id, memberId)));
  if (!found) throw new ValidationError("The team lead is not a member of this organization.");
}

export async function createDepartment(db: Db, ctx: OrgContext, input: DepartmentInput) {
  return db.transaction(async (tx) => {
    await assertMember(tx, ctx.organizationId, input.leadMemberId);
    const key = slugify(input.name);
    const taken = await tx
      .select({ id: department.id })
      .from(department)
      .where(and(eq(department.organizationId, ctx.organizationId), eq(department.key, key)));
    if (taken.length > 0) throw new ConflictError(`A department called "${input.name}" exists already.`);
    const [created] = await tx
      .insert(department)
      .values({
        organizationId: ctx.organizationId,
        key,
        name: input.name.trim(),
        description: input.description ?? "",
        leadMemberId: input.leadMemberId ?? null,
      })
      .returning();
    await recordAudit(tx, ctx, {
      action: "department.created",
      entityType: "department",
      entityId: created!.id,
      details: { name: created!.name },
    });
    return created!;
  });
}

export async function updateDepartment(db: Db, ctx: OrgContext, id: string, input: Partial<DepartmentInput>) {
  return db.transaction(async (tx) => {
    await assertMember(tx, ctx.organizationId, input.leadMemberId);
    const [updated] = await tx
      .update(department)
      .set({
        ...(input.name ? { name: input.name.trim() } : {}),
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.leadMemberId !== undefined ? { leadMemberId: input.leadMemberId } : {}),
      })
      .where(and(eq(department.organizationId, ctx.organizationId), eq(department.id, id)))
      .returning();
    if (!updated) throw new NotFoundError("The department");
    await recordAudit(tx, ctx, {
      action: "department.updated",
      entityType: "department",
      entityId: id,
      details: { ...input },
    });
    return updated;
  });
}

export async function removeDepartment(db: Db, ctx: OrgContext, id: string) {
  await db.transaction(async (tx) => {
    const [removed] = await tx
      .delete(department)
      .where(and(eq(department.organizationId, ctx.organizationId), eq(department.id, id)))
      .returning();
    if (!removed) throw new NotFoundError("The department");
    await recordAudit(tx, ctx, {
      action: "department.removed",
      entityType: "department",
      entityId: id,
      details: { name: removed.name },
    });
  });
}
