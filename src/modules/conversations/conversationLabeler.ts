import { eq } from "drizzle-orm";
import { recordAudit } from "../../platform/audit/audit.js";
import type { OrgContext } from "../../platform/auth/context.js";
import { ValidationError } from "../../platform/errors.js";
import { conversation } from "./schema.js";
import { announce, type InboxDeps, lockConversation } from "./workflow.js";

export const maxLabels = 20;

export interface LabelConversationProps {
  conversationId: string;
  /** Replace all labels with these. */
  set?: string[];
  /** Labels to add (bulk actions use add/remove so they keep each conversation's others). */
  add?: string[];
  remove?: string[];
}

/** Labels are trimmed and lower-cased, so "Refund" and "refund " are one label. */
export function normalizeLabel(label: string) {
  return label.trim().toLowerCase().replace(/\s+/g, "-");
}

/** Sets, adds or removes a conversation's labels. */
export async function labelConversation(deps: InboxDeps, ctx: OrgContext, props: LabelConversationProps) {
  if (!props.set && !props.add && !props.remove) {
    throw new ValidationError("Give labels to set, add or remove.");
  }
  const result = await deps.db.transaction(async (tx) => {
    const current = await lockConversation(tx, ctx, props.conversationId);
    const removed = new Set((props.remove ?? []).map(normalizeLabel));
    const labels = [
      ...new Set([...(props.set ?? current.labels), ...(props.add ?? [])].map(normalizeLabel)),
    ].filter((l) => l.length > 0 && !removed.has(l));
    if (labels.length > maxLabels) {
      throw new ValidationError(`A conversation can carry ${maxLabels} labels at most.`);
    }
    await tx.update(conversation).set({ labels }).where(eq(conversation.id, current.id));
    await recordAudit(tx, ctx, {
      action: "conversation.labeled",
      entityType: "conversation",
      entityId: current.id,
      details: { from: current.labels, to: labels },
    });
    return { id: current.id, labels };
  });
  announce(deps, {
    organizationId: ctx.organizationId,
    conversationIds: [result.id],
    action: "conversation.labeled",
  });
  return result;
}
