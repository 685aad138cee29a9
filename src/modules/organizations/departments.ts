import { and, asc, eq } from "drizzle-orm";
import { recordAudit } from "../../platform/audit/audit.js";
import type { OrgContext } from "../../platform/auth/context.js";
import type { Db, DbOrTx } from "../../platform/db/client.js";
import { ConflictError, NotFoundError } from "../../platform/errors.js";
import { slugify } from "./organizationCreator.js";
import { department } from "./schema.js";

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
}

export async function createDepartment(db: Db, ctx: OrgContext, input: DepartmentInput) {
  return db.transaction(async (tx) => {
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
    const [updated] = await tx
      .update(department)
      .set({
        ...(input.name ? { name: input.name.trim() } : {}),
        ...(input.description !== undefined ? { description: input.description } : {}),
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
