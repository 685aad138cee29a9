import { and, eq } from "drizzle-orm";
import { recordAudit } from "../../platform/audit/audit.js";
import type { OrgContext } from "../../platform/auth/context.js";
import { ConflictError, NotFoundError } from "../../platform/errors.js";
import { message } from "./schema.js";
import { announce, type InboxDeps, lockConversation } from "./workflow.js";

export interface ResendReplyProps {
  conversationId: string;
  /** The failed outgoing message. */
  messageId: string;
}

/**
 * Puts a reply that failed back in the outbound queue, due now, with a fresh count of attempts and
 * the same idempotency key (a network that did take it the first time does not post it twice).
 * Only failed replies; whoever may work the conversation may resend. Audited.
 */
export async function resendReply(deps: InboxDeps, ctx: OrgContext, props: ResendReplyProps) {
  const result = await deps.db.transaction(async (tx) => {
    const current = await lockConversation(tx, ctx, props.conversationId);
    const [reply] = await tx
      .select({ id: message.id, direction: message.direction, deliveryState: message.deliveryState })
      .from(message)
      .where(
        and(
          eq(message.organizationId, ctx.organizationId),
          eq(message.conversationId, current.id),
          eq(message.id, props.messageId),
        ),
      );
    if (reply?.direction !== "outgoing") throw new NotFoundError("The reply");
    if (reply.deliveryState !== "failed") {
      throw new ConflictError("Only a reply that failed can be sent again; this one is not failed.");
    }
    await tx
      .update(message)
      .set({ deliveryState: "queued", deliveryAttempts: 0, nextAttemptAt: deps.clock.now() })
      .where(eq(message.id, reply.id));
    await recordAudit(tx, ctx, {
      action: "conversation.reply_resent",
      entityType: "conversation",
      entityId: current.id,
      details: { messageId: reply.id },
    });
    return { id: reply.id, conversationId: current.id };
  });
  announce(deps, {
    organizationId: ctx.organizationId,
    conversationIds: [result.conversationId],
    action: "conversation.reply_resent",
  });
  return { id: result.id, deliveryState: "queued" as const };
}
