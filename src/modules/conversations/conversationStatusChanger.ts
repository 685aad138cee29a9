import { eq } from "drizzle-orm";
import { recordAudit } from "../../platform/audit/audit.js";
import type { OrgContext } from "../../platform/auth/context.js";
import { ValidationError } from "../../platform/errors.js";
import { addBusinessMinutes } from "../sla/businessTime.js";
import { clocksStopped, policyFor } from "../sla/slaClock.js";
import { requestCsatIfEnabled } from "./csat.js";
import { type ConversationStatus, conversation } from "./schema.js";
import { announce, type InboxDeps, lockConversation } from "./workflow.js";

export interface ChangeConversationStatusProps {
  conversationId: string;
  /** open (work it), pending (waiting for the customer), snoozed (until a time), resolved (done). */
  status: ConversationStatus;
  /** Required with `snoozed`: when it opens again by itself. */
  snoozedUntil?: Date;
}

const longestSnoozeMs = 366 * 86_400_000;

/**
 * Resolves, reopens, parks or snoozes a conversation. Resolving stops the service-level clocks;
 * reopening a resolved one restarts the resolution clock where the policy has one. A snoozed
 * conversation is opened again by `wakeSnoozedConversations` or by the customer's next message.
 * Resolving on a channel with `csatEnabled` queues the satisfaction question (see csat.ts).
 */
export async function changeConversationStatus(
  deps: InboxDeps,
  ctx: OrgContext,
  props: ChangeConversationStatusProps,
) {
  const now = deps.clock.now();
  if (props.status === "snoozed") {
    if (!props.snoozedUntil) throw new ValidationError("Say until when to snooze: snoozedUntil.");
    if (props.snoozedUntil <= now) throw new ValidationError("snoozedUntil must lie in the future.");
    if (props.snoozedUntil.getTime() - now.getTime() > longestSnoozeMs) {
      throw new ValidationError("A conversation can be snoozed for a year at most.");
    }
  } else if (props.snoozedUntil) {
    throw new ValidationError("snoozedUntil goes only with status snoozed.");
  }
  const action = actionFor(props.status);
  const changed = await deps.db.transaction(async (tx) => {
    const current = await lockConversation(tx, ctx, props.conversationId);
    const sameSnooze = current.snoozedUntil?.getTime() === props.snoozedUntil?.getTime();
    if (current.status === props.status && sameSnooze) return { id: current.id, changed: false };
    const reopening = current.status === "resolved" && props.status !== "resolved";
    const patch: Partial<typeof conversation.$inferInsert> = {
      status: props.status,
      snoozedUntil: props.snoozedUntil ?? null,
    };
    if (props.status === "resolved") Object.assign(patch, clocksStopped, { resolvedAt: now });
    if (reopening) {
      patch.resolvedAt = null;
      const policy = await policyFor(tx, ctx.organizationId, current.channelId);
      if (policy.resolutionMinutes !== null) {
        patch.resolutionDueAt = addBusinessMinutes(now, policy.resolutionMinutes, policy.schedule);
      }
    }
    await tx.update(conversation).set(patch).where(eq(conversation.id, current.id));
    // Channels that ask for it get the satisfaction question once, on the first resolve.
    const csatRequested = props.status === "resolved" && (await requestCsatIfEnabled(tx, current, now));
    await recordAudit(tx, ctx, {
      action: reopening ? "conversation.reopened" : action,
      entityType: "conversation",
      entityId: current.id,
      details: {
        from: current.status,
        to: props.status,
        snoozedUntil: props.snoozedUntil ?? null,
        ...(csatRequested ? { csatRequested } : {}),
      },
    });
    return { id: current.id, changed: true };
  });
  if (changed.changed) {
    announce(deps, { organizationId: ctx.organizationId, conversationIds: [changed.id], action });
  }
  return { id: changed.id, status: props.status, changed: changed.changed };
}

function actionFor(status: ConversationStatus) {
  switch (status) {
    case "resolved":
      return "conversation.resolved";
    case "snoozed":
      return "conversation.snoozed";
    case "pending":
      return "conversation.pending";
    case "open":
      return "conversation.reopened";
  }
}
