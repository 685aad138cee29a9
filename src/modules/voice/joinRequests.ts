import { and, desc, eq, inArray, or, type SQL } from "drizzle-orm";
import { recordAudit } from "../../platform/audit/audit.js";
import type { OrgContext } from "../../platform/auth/context.js";
import { user } from "../../platform/auth/schema.js";
import type { Db, DbOrTx } from "../../platform/db/client.js";
import { ConflictError, ForbiddenError, NotFoundError } from "../../platform/errors.js";
import { conversation, message } from "../conversations/schema.js";
import { mention } from "../listening/schema.js";
import { notifyMembers } from "../notifications/notifications.js";
import { member } from "../organizations/schema.js";
import { dialogJoinRequest, vocItem } from "./schema.js";

/** Roles that decide every join request; an agent decides those of the dialogs assigned to them. */
const deciderRoles = ["owner", "admin", "core_team"] as const;

/** The inbox conversation of a shared mention (the public dialog), if the team has taken it up. */
async function dialogOf(tx: DbOrTx, organizationId: string, vocItemId: string) {
  const [item] = await tx
    .select({
      id: vocItem.id,
      mentionId: vocItem.mentionId,
      externalId: mention.externalId,
      url: mention.url,
    })
    .from(vocItem)
    .innerJoin(mention, eq(mention.id, vocItem.mentionId))
    .where(and(eq(vocItem.organizationId, organizationId), eq(vocItem.id, vocItemId)));
  if (!item) throw new NotFoundError("The shared item");
  const [found] = await tx
    .select({ id: conversation.id, assigneeMemberId: conversation.assigneeMemberId })
    .from(message)
    .innerJoin(conversation, eq(conversation.id, message.conversationId))
    .where(
      and(
        eq(message.organizationId, organizationId),
        eq(message.externalId, item.externalId),
        eq(conversation.isPublic, true),
      ),
    )
    .limit(1);
  return { item, conversation: found ?? null };
}

/**
 * An employee asks to take part in the public dialog behind a shared item; the agent responsible
 * for it (or, with nobody assigned, the core team) hears about it and decides.
 */
export async function requestToJoin(
  db: Db,
  ctx: OrgContext,
  props: { vocItemId: string; reason: string; at: Date },
) {
  return db.transaction(async (tx) => {
    const { item, conversation: dialog } = await dialogOf(tx, ctx.organizationId, props.vocItemId);
    const [open] = await tx
      .select({ id: dialogJoinRequest.id })
      .from(dialogJoinRequest)
      .where(
        and(
          eq(dialogJoinRequest.organizationId, ctx.organizationId),
          eq(dialogJoinRequest.vocItemId, item.id),
          eq(dialogJoinRequest.requesterMemberId, ctx.memberId),
          eq(dialogJoinRequest.state, "pending"),
        ),
      );
    if (open)
      throw new ConflictError("You asked to join this dialog already; the responsible agent decides.");
    const [created] = await tx
      .insert(dialogJoinRequest)
      .values({
        organizationId: ctx.organizationId,
        vocItemId: item.id,
        requesterMemberId: ctx.memberId,
        reason: props.reason.trim(),
        createdAt: props.at,
      })
      .returning();
    await recordAudit(tx, ctx, {
      action: "voc.join_requested",
      entityType: "dialog_join_request",
      entityId: created!.id,
      details: { vocItemId: item.id },
    });
    const deciders = dialog?.assigneeMemberId
      ? [dialog.assigneeMemberId]
      : (
          await tx
            .select({ id: member.id })
            .from(member)
            .where(and(eq(member.organizationId, ctx.organizationId), eq(member.role, "core_team")))
        ).map((m) => m.id);
    const notified = await notifyMembers(tx, {
      organizationId: ctx.organizationId,
      memberIds: deciders,
      actorMemberId: ctx.memberId,
      kind: "voc.join_requested",
      title: "A colleague asks to join a public dialog",
      link: "/voice/requests",
      details: { joinRequestId: created!.id },
      at: props.at,
    });
    return { request: created!, notified };
  });
}

/**
 * Join requests the caller has to do with: every one for the core team and admins, those of
 * their dialogs for agents, and everybody's own.
 */
export async function listJoinRequests(db: DbOrTx, ctx: OrgContext, props: { limit: number }) {
  const tenant = eq(dialogJoinRequest.organizationId, ctx.organizationId);
  const own = eq(dialogJoinRequest.requesterMemberId, ctx.memberId);
  let scope: SQL = and(tenant, own)!;
  if ((deciderRoles as readonly string[]).includes(ctx.role)) scope = tenant;
  const rows = await db
    .select({
      id: dialogJoinRequest.id,
      vocItemId: dialogJoinRequest.vocItemId,
      text: vocItem.maskedText,
      requesterMemberId: dialogJoinRequest.requesterMemberId,
      requesterName: user.name,
      reason: dialogJoinRequest.reason,
      state: dialogJoinRequest.state,
      decisionNote: dialogJoinRequest.decisionNote,
      createdAt: dialogJoinRequest.createdAt,
      decidedAt: dialogJoinRequest.decidedAt,
      postUrl: mention.url,
      externalId: mention.externalId,
    })
    .from(dialogJoinRequest)
    .innerJoin(vocItem, eq(vocItem.id, dialogJoinRequest.vocItemId))
    .innerJoin(mention, eq(mention.id, vocItem.mentionId))
    .innerJoin(member, eq(member.id, dialogJoinRequest.requesterMemberId))
    .innerJoin(user, eq(user.id, member.userId))
    .where(ctx.role === "agent" ? and(tenant, or(own, await assignedToMe(db, ctx)))! : scope)
    .orderBy(desc(dialogJoinRequest.createdAt))
    .limit(props.limit);
  // The public post's address is for the deciders and, once approved, for the requester.
  return rows.map(({ externalId: _e, ...row }) => ({
    ...row,
    postUrl: row.requesterMemberId !== ctx.memberId || row.state === "approved" ? row.postUrl : null,
  }));
}

/** Join requests of dialogs (by the mention's external id) assigned to the calling agent. */
async function assignedToMe(db: DbOrTx, ctx: OrgContext): Promise<SQL> {
  const mine = await db
    .select({ externalId: message.externalId })
    .from(conversation)
    .innerJoin(message, eq(message.conversationId, conversation.id))
    .where(
      and(
        eq(conversation.organizationId, ctx.organizationId),
        eq(conversation.assigneeMemberId, ctx.memberId),
      ),
    );
  const ids = [...new Set(mine.flatMap((m) => (m.externalId ? [m.externalId] : [])))];
  return ids.length > 0
    ? inArray(mention.externalId, ids)
    : eq(dialogJoinRequest.id, "00000000-0000-0000-0000-000000000000");
}

/**
 * The responsible agent (the dialog's assignee) or the core team approves or declines. Approving
 * leaves a note in the dialog's conversation, so every agent knows the colleague takes part.
 */
export async function decideJoinRequest(
  db: Db,
  ctx: OrgContext,
  props: { joinRequestId: string; decision: "approved" | "declined"; note?: string; at: Date },
) {
  return db.transaction(async (tx) => {
    const [request] = await tx
      .select()
      .from(dialogJoinRequest)
      .where(
        and(
          eq(dialogJoinRequest.organizationId, ctx.organizationId),
          eq(dialogJoinRequest.id, props.joinRequestId),
        ),
      )
      .for("update");
    if (!request) throw new NotFoundError("The join request");
    const { conversation: dialog } = await dialogOf(tx, ctx.organizationId, request.vocItemId);
    const responsible = dialog?.assigneeMemberId === ctx.memberId;
    if (!responsible && !(deciderRoles as readonly string[]).includes(ctx.role)) {
      throw new ForbiddenError(
        "Only the agent responsible for this dialog or the core team decides on joining it.",
      );
    }
    if (request.state !== "pending") throw new ConflictError(`This request is ${request.state} already.`);
    await tx
      .update(dialogJoinRequest)
      .set({
        state: props.decision,
        decidedByMemberId: ctx.memberId,
        decisionNote: props.note?.trim() ?? "",
        decidedAt: props.at,
      })
      .where(eq(dialogJoinRequest.id, request.id));
    if (props.decision === "approved" && dialog) {
      const [requester] = await tx
        .select({ name: user.name })
        .from(member)
        .innerJoin(user, eq(user.id, member.userId))
        .where(eq(member.id, request.requesterMemberId));
      await tx.insert(message).values({
        organizationId: ctx.organizationId,
        conversationId: dialog.id,
        direction: "note",
        authorName: "Konversa",
        authorMemberId: ctx.memberId,
        body: `${requester?.name ?? "A colleague"} joins this public dialog (voice of the customer).`,
        sentAt: props.at,
      });
    }
    await recordAudit(tx, ctx, {
      action: `voc.join_${props.decision}`,
      entityType: "dialog_join_request",
      entityId: request.id,
      details: { vocItemId: request.vocItemId },
    });
    await notifyMembers(tx, {
      organizationId: ctx.organizationId,
      memberIds: [request.requesterMemberId],
      actorMemberId: ctx.memberId,
      kind: `voc.join_${props.decision}`,
      title:
        props.decision === "approved"
          ? "You may join the public dialog you asked about"
          : "Your request to join a public dialog was declined",
      link: "/voice/requests",
      details: { joinRequestId: request.id },
      at: props.at,
    });
    return { id: request.id, state: props.decision };
  });
}
