import { eq } from "drizzle-orm";
import { recordAudit } from "../../platform/audit/audit.js";
import type { OrgContext } from "../../platform/auth/context.js";
import { ValidationError } from "../../platform/errors.js";
import { conversation, maxPriority } from "./schema.js";
import { announce, type InboxDeps, lockConversation } from "./workflow.js";

export interface PrioritizeConversationProps {
  conversationId: string;
  /** 0 none, 1 low, 2 high, 3 urgent. */
  priority: number;
}

/** Sets how urgent the team considers a conversation (independent of the text's urgency score). */
export async function prioritizeConversation(
  deps: InboxDeps,
  ctx: OrgContext,
  props: PrioritizeConversationProps,
) {
  if (!Number.isInteger(props.priority) || props.priority < 0 || props.priority > maxPriority) {
    throw new ValidationError(`Priority is a whole number from 0 to ${maxPriority}.`);
  }
  const result = await deps.db.transaction(async (tx) => {
    const current = await lockConversation(tx, ctx, props.conversationId);
    await tx.update(conversation).set({ priority: props.priority }).where(eq(conversation.id, current.id));
    await recordAudit(tx, ctx, {
      action: "conversation.prioritized",
      entityType: "conversation",
      entityId: current.id,
      details: { from: current.priority, to: props.priority },
    });
    return { id: current.id, priority: props.priority };
  });
  announce(deps, {
    organizationId: ctx.organizationId,
    conversationIds: [result.id],
    action: "conversation.prioritized",
  });
  return result;
}
