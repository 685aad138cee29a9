import { and, desc, eq, isNull } from "drizzle-orm";
import { recordAudit } from "../../platform/audit/audit.js";
import type { OrgContext } from "../../platform/auth/context.js";
import type { Role } from "../../platform/auth/roles.js";
import { hashToken, randomToken } from "../../platform/crypto/secrets.js";
import type { Db, DbOrTx } from "../../platform/db/client.js";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../../platform/errors.js";
import { addMember, assertDepartmentsBelong } from "./members.js";
import { invitation, organization } from "./schema.js";
import { createUser, findUserByEmail } from "./userCreator.js";

const INVITATION_DAYS = 7;

export interface CreateInvitationProps {
  email: string;
  role: Role;
  departmentIds: string[];
  /** Public URL of the installation, to build the link. */
  baseUrl: string;
}

/** Creates an invitation link; the secret in it is returned once and stored only as a hash. */
export async function createInvitation(db: Db, ctx: OrgContext, props: CreateInvitationProps) {
  if (props.role === "owner" && ctx.role !== "owner")
    throw new ForbiddenError("Only an owner can invite another owner.");
  return db.transaction(async (tx) => {
    await assertDepartmentsBelong(tx, ctx.organizationId, props.departmentIds);
    const token = randomToken("kvi", 24);
    const [created] = await tx
      .insert(invitation)
      .values({
        organizationId: ctx.organizationId,
        email: props.email.trim().toLowerCase(),
        role: props.role,
        departmentIds: props.departmentIds,
        tokenHash: hashToken(token),
        invitedByUserId: ctx.userId,
        expiresAt: new Date(Date.now() + INVITATION_DAYS * 86_400_000),
      })
      .returning();
    await recordAudit(tx, ctx, {
      action: "invitation.created",
      entityType: "invitation",
      entityId: created!.id,
      details: { role: props.role },
    });
    return { ...publicInvitation(created!), url: `${props.baseUrl}/invite/${token}`, token };
  });
}

export async function listInvitations(db: DbOrTx, ctx: OrgContext) {
  const rows = await db
    .select()
    .from(invitation)
    .where(eq(invitation.organizationId, ctx.organizationId))
    .orderBy(desc(invitation.createdAt));
  return rows.map(publicInvitation);
}

export async function revokeInvitation(db: Db, ctx: OrgContext, id: string) {
  await db.transaction(async (tx) => {
    const [revoked] = await tx
      .update(invitation)
      .set({ revokedAt: new Date() })
      .where(
        and(
          eq(invitation.organizationId, ctx.organizationId),
          eq(invitation.id, id),
          isNull(invitation.acceptedAt),
          isNull(invitation.revokedAt),
        ),
      )
      .returning();
    if (!revoked) throw new NotFoundError("The open invitation");
    await recordAudit(tx, ctx, { action: "invitation.revoked", entityType: "invitation", entityId: id });
  });
}

/** What the invitation page shows before the person accepts. */
export async function describeInvitation(db: DbOrTx, token: string) {
  const found = await openInvitation(db, token);
  const [org] = await db
    .select({ name: organization.name })
    .from(organization)
    .where(eq(organization.id, found.organizationId));
  const existing = await findUserByEmail(db, found.email);
  return {
    organizationName: org!.name,
    email: found.email,
    role: found.role,
    hasAccount: Boolean(existing),
    expiresAt: found.expiresAt,
  };
}

export interface AcceptInvitationProps {
  token: string;
  /** Needed when the invited e-mail has no account yet. */
  name?: string;
  password?: string;
  /** The signed-in person, when they already have an account. */
  signedInUserId?: string;
  signedInEmail?: string;
}

/** Accepting is single-use: the person joins with the invited role and departments. */
export async function acceptInvitation(db: Db, props: AcceptInvitationProps) {
  return db.transaction(async (tx) => {
    const found = await openInvitation(tx, props.token);
    let userId: string;
    const existing = await findUserByEmail(tx, found.email);
    if (existing) {
      if (props.signedInUserId !== existing.id) {
        throw new ForbiddenError(`Sign in as ${found.email} first; this invitation is for that account.`);
      }
      userId = existing.id;
    } else {
      if (!props.password)
        throw new ValidationError("Choose a password (at least 10 characters) to create your account.");
      userId = (
        await createUser(tx, {
          email: found.email,
          name: props.name ?? found.email,
          password: props.password,
        })
      ).id;
    }
    const ctx = { organizationId: found.organizationId, userId };
    const joined = await addMember(tx, ctx, { userId, role: found.role, departmentIds: found.departmentIds });
    await tx.update(invitation).set({ acceptedAt: new Date() }).where(eq(invitation.id, found.id));
    await recordAudit(tx, ctx, {
      action: "invitation.accepted",
      entityType: "invitation",
      entityId: found.id,
    });
    return { organizationId: found.organizationId, memberId: joined.id, email: found.email };
  });
}

async function openInvitation(db: DbOrTx, token: string) {
  const rows = await db
    .select()
    .from(invitation)
    .where(eq(invitation.tokenHash, hashToken(token)))
    .limit(1);
  const found = rows[0];
  if (!found || found.revokedAt) throw new NotFoundError("This invitation");
  if (found.acceptedAt) throw new ConflictError("This invitation was used already; ask for a new one.");
  if (found.expiresAt <= new Date())
    throw new ConflictError("This invitation has expired; ask for a new one.");
  return found;
}

function publicInvitation(row: typeof invitation.$inferSelect) {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    departmentIds: row.departmentIds,
    expiresAt: row.expiresAt,
    acceptedAt: row.acceptedAt,
    revokedAt: row.revokedAt,
    createdAt: row.createdAt,
  };
}
