import { and, eq } from "drizzle-orm";
import { recordAudit } from "../../platform/audit/audit.js";
import type { OrgContext } from "../../platform/auth/context.js";
import { writerRoles } from "../../platform/auth/roles.js";
import type { DbOrTx } from "../../platform/db/client.js";
import { ValidationError } from "../../platform/errors.js";
import { notifyMembers } from "../notifications/notifications.js";
import { assertDepartmentsBelong } from "../organizations/members.js";
import { member, memberDepartment } from "../organizations/schema.js";
import { conversation } from "./schema.js";
import { announce, type InboxDeps, lockConversation } from "./workflow.js";

export interface AssignConversationProps {
  conversationId: string;
  /** The colleague who works it; null: nobody (unassign); omitted: unchanged. */
  assigneeMemberId?: string | null;
  /** The team (department) it belongs to; null: none; omitted: unchanged. */
  departmentId?: string | null;
}

/**
 * Hands a conversation to a colleague and/or a team, or takes it back. The assignee must be able
 * to work it: a writer, and an agent only within their departments. The new assignee is notified.
 */
export async function assignConversation(deps: InboxDeps, ctx: OrgContext, props: AssignConversationProps) {
  if (props.assigneeMemberId === undefined && props.departmentId === undefined) {
    throw new ValidationError(
      "Say whom to assign: assigneeMemberId, departmentId, or both (null unassigns).",
    );
  }
  const now = deps.clock.now();
  const result = await deps.db.transaction(async (tx) => {
    const current = await lockConversation(tx, ctx, props.conversationId);
    const departmentId = props.departmentId === undefined ? current.departmentId : props.departmentId;
    const assigneeMemberId =
      props.assigneeMemberId === undefined ? current.assigneeMemberId : props.assigneeMemberId;
    if (props.departmentId) await assertDepartmentsBelong(tx, ctx.organizationId, [props.departmentId]);
    if (assigneeMemberId) await assertCanWork(tx, ctx.organizationId, assigneeMemberId, departmentId);
    await tx
      .update(conversation)
      .set({ departmentId, assigneeMemberId })
      .where(eq(conversation.id, current.id));
    await recordAudit(tx, ctx, {
      action: assigneeMemberId || departmentId ? "conversation.assigned" : "conversation.unassigned",
      entityType: "conversation",
      entityId: current.id,
      details: {
        from: { assigneeMemberId: current.assigneeMemberId, departmentId: current.departmentId },
        to: { assigneeMemberId, departmentId },
      },
    });
    const notified =
      assigneeMemberId && assigneeMemberId !== current.assigneeMemberId
        ? await notifyMembers(tx, {
            organizationId: ctx.organizationId,
            memberIds: [assigneeMemberId],
            actorMemberId: ctx.memberId,
            kind: "conversation.assigned",
            title: "A conversation was assigned to you",
            conversationId: current.id,
            at: now,
          })
        : [];
    return { id: current.id, assigneeMemberId, departmentId, notified };
  });
  announce(
    deps,
    { organizationId: ctx.organizationId, conversationIds: [result.id], action: "conversation.assigned" },
    { organizationId: ctx.organizationId, memberIds: result.notified },
  );
  return { id: result.id, assigneeMemberId: result.assigneeMemberId, departmentId: result.departmentId };
}

/** A writer of the organization; an agent also needs to belong to the conversation's department. */
async function assertCanWork(
  tx: DbOrTx,
  organizationId: string,
  memberId: string,
  departmentId: string | null,
) {
  const [found] = await tx
    .select({ id: member.id, role: member.role })
    .from(member)
    .where(and(eq(member.organizationId, organizationId), eq(member.id, memberId)));
  if (!found) throw new ValidationError("The assignee is not a member of this organization.");
  if (!writerRoles.includes(found.role)) {
    throw new ValidationError(
      `A member with role "${found.role}" cannot work conversations; pick someone else.`,
    );
  }
  if (found.role !== "agent" || !departmentId) return;
  const [inDepartment] = await tx
    .select({ memberId: memberDepartment.memberId })
    .from(memberDepartment)
    .where(and(eq(memberDepartment.memberId, memberId), eq(memberDepartment.departmentId, departmentId)));
  if (!inDepartment) {
    throw new ValidationError(
      "This agent does not belong to the conversation's department; add them to it or choose its team.",
    );
  }
}
