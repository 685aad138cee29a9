import { and, asc, eq, inArray, ne } from "drizzle-orm";
import { recordAudit } from "../../platform/audit/audit.js";
import type { OrgContext } from "../../platform/auth/context.js";
import type { Role } from "../../platform/auth/roles.js";
import { user } from "../../platform/auth/schema.js";
import type { Db, DbOrTx } from "../../platform/db/client.js";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../../platform/errors.js";
import { department, member, memberDepartment, organization } from "./schema.js";

export async function listMembers(db: DbOrTx, ctx: OrgContext) {
  const rows = await db
    .select({
      id: member.id,
      userId: member.userId,
      role: member.role,
      email: user.email,
      name: user.name,
      createdAt: member.createdAt,
    })
    .from(member)
    .innerJoin(user, eq(user.id, member.userId))
    .where(eq(member.organizationId, ctx.organizationId))
    .orderBy(asc(user.name));
  const links = await db
    .select({ memberId: memberDepartment.memberId, departmentId: memberDepartment.departmentId })
    .from(memberDepartment)
    .where(eq(memberDepartment.organizationId, ctx.organizationId));
  return rows.map((row) => ({
    ...row,
    departmentIds: links.filter((l) => l.memberId === row.id).map((l) => l.departmentId),
  }));
}

/** The organizations a person belongs to, for the switcher. */
export async function listOrganizationsOfUser(db: DbOrTx, userId: string) {
  return db
    .select({ id: organization.id, name: organization.name, slug: organization.slug, role: member.role })
    .from(member)
    .innerJoin(organization, eq(organization.id, member.organizationId))
    .where(eq(member.userId, userId))
    .orderBy(asc(organization.name));
}

export interface AddMemberProps {
  userId: string;
  role: Role;
  departmentIds: string[];
}

/** Adds a person to the organization (used by invitations and `konversa user create`). */
export async function addMember(
  tx: DbOrTx,
  ctx: Pick<OrgContext, "organizationId" | "userId" | "ip" | "tokenId">,
  props: AddMemberProps,
) {
  const existing = await tx
    .select({ id: member.id })
    .from(member)
    .where(and(eq(member.organizationId, ctx.organizationId), eq(member.userId, props.userId)));
  if (existing.length > 0) throw new ConflictError("This person is already a member of the organization.");
  await assertDepartmentsBelong(tx, ctx.organizationId, props.departmentIds);
  const [created] = await tx
    .insert(member)
    .values({ organizationId: ctx.organizationId, userId: props.userId, role: props.role })
    .returning();
  if (props.departmentIds.length > 0) {
    await tx.insert(memberDepartment).values(
      props.departmentIds.map((departmentId) => ({
        organizationId: ctx.organizationId,
        memberId: created!.id,
        departmentId,
      })),
    );
  }
  await recordAudit(tx, ctx, {
    action: "member.added",
    entityType: "member",
    entityId: created!.id,
    details: { role: props.role, departmentIds: props.departmentIds },
  });
  return created!;
}

export interface UpdateMemberProps {
  memberId: string;
  role?: Role;
  departmentIds?: string[];
}

export async function updateMember(db: Db, ctx: OrgContext, props: UpdateMemberProps) {
  return db.transaction(async (tx) => {
    const target = await findMember(tx, ctx, props.memberId);
    if (props.role && props.role !== target.role) {
      if ((props.role === "owner" || target.role === "owner") && ctx.role !== "owner") {
        throw new ForbiddenError("Only an owner can make someone an owner or change an owner's role.");
      }
      if (target.role === "owner") await assertAnotherOwner(tx, ctx.organizationId, target.id);
      await tx.update(member).set({ role: props.role }).where(eq(member.id, target.id));
      await recordAudit(tx, ctx, {
        action: "member.role_changed",
        entityType: "member",
        entityId: target.id,
        details: { from: target.role, to: props.role },
      });
    }
    if (props.departmentIds) {
      await assertDepartmentsBelong(tx, ctx.organizationId, props.departmentIds);
      await tx.delete(memberDepartment).where(eq(memberDepartment.memberId, target.id));
      if (props.departmentIds.length > 0) {
        await tx.insert(memberDepartment).values(
          props.departmentIds.map((departmentId) => ({
            organizationId: ctx.organizationId,
            memberId: target.id,
            departmentId,
          })),
        );
      }
      await recordAudit(tx, ctx, {
        action: "member.departments_changed",
        entityType: "member",
        entityId: target.id,
        details: { departmentIds: props.departmentIds },
      });
    }
    return { id: target.id };
  });
}

export async function removeMember(db: Db, ctx: OrgContext, memberId: string) {
  await db.transaction(async (tx) => {
    const target = await findMember(tx, ctx, memberId);
    if (target.role === "owner") {
      if (ctx.role !== "owner") throw new ForbiddenError("Only an owner can remove an owner.");
      await assertAnotherOwner(tx, ctx.organizationId, target.id);
    }
    await tx.delete(member).where(eq(member.id, target.id));
    await recordAudit(tx, ctx, {
      action: "member.removed",
      entityType: "member",
      entityId: target.id,
      details: { role: target.role },
    });
  });
}

async function findMember(tx: DbOrTx, ctx: OrgContext, memberId: string) {
  const rows = await tx
    .select()
    .from(member)
    .where(and(eq(member.organizationId, ctx.organizationId), eq(member.id, memberId)))
    .limit(1);
  if (!rows[0]) throw new NotFoundError("The member");
  return rows[0];
}

async function assertAnotherOwner(tx: DbOrTx, organizationId: string, exceptMemberId: string) {
  const others = await tx
    .select({ id: member.id })
    .from(member)
    .where(
      and(eq(member.organizationId, organizationId), eq(member.role, "owner"), ne(member.id, exceptMemberId)),
    )
    .limit(1);
  if (others.length === 0)
    throw new ConflictError("The organization needs at least one owner; make someone else owner first.");
}

export async function assertDepartmentsBelong(tx: DbOrTx, organizationId: string, departmentIds: string[]) {
  if (departmentIds.length === 0) return;
  const found = await tx
    .select({ id: department.id })
    .from(department)
    .where(and(eq(department.organizationId, organizationId), inArray(department.id, departmentIds)));
  if (found.length !== new Set(departmentIds).size) {
    throw new ValidationError("One of the departments does not exist in this organization.", {
      departmentIds,
    });
  }
}

/** The role and departments of one person in one organization, if they belong to it. */
export async function findMembership(db: DbOrTx, organizationId: string, userId: string) {
  const rows = await db
    .select({ id: member.id, role: member.role })
    .from(member)
    .where(and(eq(member.organizationId, organizationId), eq(member.userId, userId)))
    .limit(1);
  if (!rows[0]) return undefined;
  const links = await db
    .select({ departmentId: memberDepartment.departmentId })
    .from(memberDepartment)
    .where(eq(memberDepartment.memberId, rows[0].id));
  return { ...rows[0], departmentIds: links.map((l) => l.departmentId) };
}
