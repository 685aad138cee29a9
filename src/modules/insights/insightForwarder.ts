import { and, eq } from "drizzle-orm";
import { type AuditActor, recordAudit } from "../../platform/audit/audit.js";
import type { DbOrTx } from "../../platform/db/client.js";
import { NotFoundError, ValidationError } from "../../platform/errors.js";
import { conversation } from "../conversations/schema.js";
import { mention } from "../listening/schema.js";
import { notifyMembers } from "../notifications/notifications.js";
import { department, memberDepartment } from "../organizations/schema.js";
import { type InsightKind, insight, insightStateChange } from "./schema.js";

export interface ForwardInsightProps {
  departmentId: string;
  /** The core team's note: what the department should look at and why. */
  note: string;
  kind?: InsightKind;
  /** Exactly one of the two: what is forwarded. */
  mentionId?: string;
  conversationId?: string;
  /** The routing rule that forwarded it (when no person did). */
  ruleId?: string;
  at: Date;
}

/** Who forwards: a colleague, or a routing rule (`memberId: null`). */
export type Forwarder = AuditActor & { memberId: string | null };

/**
 * Forwards a mention or conversation to a department as an insight card (a lead when it is for
 * Sales), inside the caller's transaction: the card, its first state, the audit entry, and a
 * notification to every member of the department and its lead. Returns the card and whom to tell.
 */
export async function forwardInsight(tx: DbOrTx, actor: Forwarder, props: ForwardInsightProps) {
  if (Boolean(props.mentionId) === Boolean(props.conversationId)) {
    throw new ValidationError("Forward either a mention (mentionId) or a conversation (conversationId).");
  }
  const note = props.note.trim();
  const [target] = await tx
    .select({ id: department.id, name: department.name, leadMemberId: department.leadMemberId })
    .from(department)
    .where(and(eq(department.organizationId, actor.organizationId), eq(department.id, props.departmentId)));
  if (!target) throw new ValidationError("The department does not exist in this organization.");
  if (props.mentionId) {
    const [found] = await tx
      .select({ id: mention.id })
      .from(mention)
      .where(and(eq(mention.organizationId, actor.organizationId), eq(mention.id, props.mentionId)));
    if (!found) throw new NotFoundError("The mention");
  }
  if (props.conversationId) {
    const [found] = await tx
      .select({ id: conversation.id })
      .from(conversation)
      .where(
        and(eq(conversation.organizationId, actor.organizationId), eq(conversation.id, props.conversationId)),
      );
    if (!found) throw new NotFoundError("The conversation");
  }
  const kind = props.kind ?? "insight";
  const [created] = await tx
    .insert(insight)
    .values({
      organizationId: actor.organizationId,
      departmentId: target.id,
      kind,
      mentionId: props.mentionId ?? null,
      conversationId: props.conversationId ?? null,
      note,
      createdByMemberId: actor.memberId,
      ruleId: props.ruleId ?? null,
      createdAt: props.at,
      updatedAt: props.at,
    })
    .returning();
  await tx.insert(insightStateChange).values({
    organizationId: actor.organizationId,
    insightId: created!.id,
    fromState: null,
    toState: "new",
    memberId: actor.memberId,
    at: props.at,
  });
  await recordAudit(tx, actor, {
    action: kind === "lead" ? "lead.created" : "insight.forwarded",
    entityType: "insight",
    entityId: created!.id,
    details: {
      departmentId: target.id,
      mentionId: props.mentionId ?? null,
      conversationId: props.conversationId ?? null,
      ruleId: props.ruleId ?? null,
    },
  });
  const members = await tx
    .select({ memberId: memberDepartment.memberId })
    .from(memberDepartment)
    .where(
      and(
        eq(memberDepartment.organizationId, actor.organizationId),
        eq(memberDepartment.departmentId, target.id),
      ),
    );
  const notified = await notifyMembers(tx, {
    organizationId: actor.organizationId,
    memberIds: [...members.map((m) => m.memberId), ...(target.leadMemberId ? [target.leadMemberId] : [])],
    actorMemberId: actor.memberId,
    kind: kind === "lead" ? "insight.lead" : "insight.forwarded",
    title:
      kind === "lead"
        ? `A new lead for ${target.name}`
        : `The core team forwarded an insight to ${target.name}`,
    link: `/insights/${created!.id}`,
    details: { insightId: created!.id, departmentId: target.id },
    at: props.at,
  });
  return { insight: created!, notified };
}
