import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { recordAudit } from "../../platform/audit/audit.js";
import type { OrgContext } from "../../platform/auth/context.js";
import type { DbOrTx } from "../../platform/db/client.js";
import { ValidationError } from "../../platform/errors.js";
import { channelAccount } from "../channels/schema.js";
import { clocksAfterAnswer } from "../sla/slaClock.js";
import { memberName } from "./noteWriter.js";
import { inspectMessage } from "./personalData.js";
import { conversation, message } from "./schema.js";
import { announce, type ConversationRow, type InboxDeps, lockConversation } from "./workflow.js";

export interface SendReplyProps {
  conversationId: string;
  /** What the customer reads. */
  body: string;
  /**
   * A public reply that contains personal data is refused unless the agent confirms it (the
   * customer's own data belongs in a private conversation: see continuePrivately).
   */
  confirmPersonalData?: boolean;
}

/**
 * The organization's answer to the customer: stored as an outgoing message (a connector's
 * outbound worker sends it) and it stops the response clocks.
 */
export async function sendReply(deps: InboxDeps, ctx: OrgContext, props: SendReplyProps) {
  const body = props.body.trim();
  if (!body) throw new ValidationError("A reply needs some text.");
  const result = await deps.db.transaction(async (tx) => {
    const current = await lockConversation(tx, ctx, props.conversationId);
    const inspected = inspectMessage(body);
    if (current.isPublic && inspected.containsPersonalData && !props.confirmPersonalData) {
      throw new ValidationError(
        "This public reply contains personal data; remove it, continue privately, or confirm it.",
        { types: [...new Set(inspected.spans.map((s) => s.type))] },
      );
    }
    const created = await storeReply(tx, ctx, current, { body, at: deps.clock.now() });
    await recordAudit(tx, ctx, {
      action: "conversation.replied",
      entityType: "conversation",
      entityId: current.id,
      details: { messageId: created.id, personalData: inspected.containsPersonalData },
    });
    return { id: created.id, conversationId: current.id };
  });
  announce(deps, {
    organizationId: ctx.organizationId,
    conversationIds: [result.conversationId],
    action: "conversation.replied",
  });
  return { id: result.id };
}

/** Writes an outgoing message on a locked conversation and stops its response clocks. */
export async function storeReply(
  tx: DbOrTx,
  ctx: OrgContext,
  current: ConversationRow,
  reply: { body: string; at: Date },
) {
  // A channel without a connected account only logs replies (integrations read them via the API):
  // that counts as sent. With an account, the outbound worker sends it.
  const [connected] = await tx
    .select({ id: channelAccount.id })
    .from(channelAccount)
    .where(eq(channelAccount.channelId, current.channelId));
  const [created] = await tx
    .insert(message)
    .values({
      organizationId: ctx.organizationId,
      conversationId: current.id,
      direction: "outgoing",
      authorName: await memberName(tx, ctx.memberId),
      authorMemberId: ctx.memberId,
      body: reply.body,
      sentAt: reply.at,
      deliveryState: connected ? "queued" : "sent",
      nextAttemptAt: connected ? reply.at : null,
      deliveredAt: connected ? null : reply.at,
      // The same on every attempt, so the network posts the reply once.
      idempotencyKey: randomUUID(),
    })
    .returning({ id: message.id });
  await tx
    .update(conversation)
    .set({
      ...clocksAfterAnswer(current, reply.at),
      lastMessageAt: reply.at,
      // Whoever answers an unassigned conversation takes it.
      assigneeMemberId: current.assigneeMemberId ?? ctx.memberId,
    })
    .where(eq(conversation.id, current.id));
  return created!;
}
