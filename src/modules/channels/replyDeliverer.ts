import { and, desc, eq, inArray, lte, sql } from "drizzle-orm";
import { ConnectorError, describeError } from "../../connectors/connector.js";
import { conversation, message } from "../conversations/schema.js";
import { announce, type InboxDeps } from "../conversations/workflow.js";
import { emailFollowUpFor } from "../webchat/emailFollowUp.js";
import { type ChannelDeps, openAccount } from "./channelAccounts.js";
import { channelAccount } from "./schema.js";

/** After this many attempts a reply is failed for good; the agent sees the last reason. */
export const maxDeliveryAttempts = 8;
/** How long one attempt may hold a reply before another worker may take it over. */
const leaseMs = 2 * 60_000;
const backoffBaseMs = 2_000;
const backoffCapMs = 30 * 60_000;

export type DeliveryDeps = ChannelDeps & Pick<InboxDeps, "bus"> & { random?: () => number };

/**
 * Exponential backoff with jitter for attempt n (1, 2, …): base · 2^(n-1), capped, then a random
 * point in its upper half so that many failed replies do not come back at the same moment.
 */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(backoffCapMs, backoffBaseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * Sends the replies that are due, each through its channel's connector: claimed with a lease
 * (rows locked, skipped by other workers), sent with the message's idempotency key, then marked
 * sent — or queued again with backoff (a 429's Retry-After wins), or failed with the network's
 * reason. A worker that dies mid-send leaves the lease to run out; the retry carries the same key.
 */
export async function deliverDueReplies(deps: DeliveryDeps, props: { limit?: number } = {}) {
  const now = deps.clock.now();
  const claimed = await deps.db.transaction(async (tx) => {
    const due = await tx
      .select({ id: message.id })
      .from(message)
      .where(and(inArray(message.deliveryState, ["queued", "sending"]), lte(message.nextAttemptAt, now)))
      .orderBy(message.nextAttemptAt)
      .limit(props.limit ?? 20)
      .for("update", { skipLocked: true });
    if (due.length === 0) return [];
    return tx
      .update(message)
      .set({
        deliveryState: "sending",
        deliveryAttempts: sql`${message.deliveryAttempts} + 1`,
        nextAttemptAt: new Date(now.getTime() + leaseMs),
      })
      .where(
        inArray(
          message.id,
          due.map((d) => d.id),
        ),
      )
      .returning();
  });
  const outcomes: Array<{ messageId: string; state: "sent" | "queued" | "failed"; error?: string }> = [];
  for (const reply of claimed) {
    const outcome = await deliverOne(deps, reply, now);
    outcomes.push({ messageId: reply.id, ...outcome });
    if (outcome.state !== "queued") {
      announce(deps, {
        organizationId: reply.organizationId,
        conversationIds: [reply.conversationId],
        action: outcome.state === "sent" ? "message.delivered" : "message.delivery_failed",
      });
    }
  }
  return outcomes;
}

type MessageRow = typeof message.$inferSelect;

async function deliverOne(
  deps: DeliveryDeps,
  reply: MessageRow,
  now: Date,
): Promise<{ state: "sent" | "queued" | "failed"; error?: string }> {
  const [context] = await deps.db
    .select({ conversation, account: channelAccount })
    .from(conversation)
    .leftJoin(channelAccount, eq(channelAccount.channelId, conversation.channelId))
    .where(eq(conversation.id, reply.conversationId));
  const account = context?.account;
  const connector = account ? deps.connectors[account.network] : undefined;
  if (!context || !account || !connector?.outbound) {
    const error = account
      ? `The ${account.network} connector cannot send replies.`
      : "The channel has no connected account; connect one under Settings → Channels.";
    await finish(deps, reply.id, { deliveryState: "failed", deliveryError: error, nextAttemptAt: null });
    return { state: "failed", error };
  }
  // The conversation's messages with a network id, newest first: the newest incoming one is what
  // the reply answers; all of them (oldest first) are the thread (e-mail References).
  const threaded = await deps.db
    .select({ externalId: message.externalId, authorName: message.authorName, direction: message.direction })
    .from(message)
    .where(
      and(
        eq(message.conversationId, reply.conversationId),
        inArray(message.direction, ["incoming", "outgoing"]),
        sql`${message.externalId} is not null`,
      ),
    )
    .orderBy(desc(message.sentAt))
    .limit(50);
  const parent = threaded.find((m) => m.direction === "incoming");
  // A web chat that went on by e-mail (nobody was online) is answered at the visitor's address.
  const emailFollowUp = await emailFollowUpFor(deps, reply.conversationId);
  try {
    const sent = await connector.outbound.send(await openAccount(deps, account), {
      idempotencyKey: reply.idempotencyKey ?? reply.id,
      createdAt: reply.sentAt,
      conversationId: reply.conversationId,
      text: reply.body,
      isPublic: context.conversation.isPublic,
      inReplyTo: parent?.externalId
        ? { externalId: parent.externalId, authorName: parent.authorName }
        : undefined,
      ...(emailFollowUp ? { emailFollowUp } : {}),
      subject: context.conversation.subject,
      threadExternalIds: threaded
        .filter((m) => m.externalId !== reply.externalId)
        .map((m) => m.externalId!)
        .reverse(),
    });
    await finish(deps, reply.id, {
      deliveryState: "sent",
      deliveryError: null,
      nextAttemptAt: null,
      deliveredAt: deps.clock.now(),
      ...(sent.externalId ? { externalId: sent.externalId } : {}),
    });
    return { state: "sent" };
  } catch (error) {
    const reason = describeError(error);
    const retryable = !(error instanceof ConnectorError) || error.kind === "retry";
    if (!retryable || reply.deliveryAttempts >= maxDeliveryAttempts) {
      const final = retryable ? `Gave up after ${reply.deliveryAttempts} attempts: ${reason}` : reason;
      await finish(deps, reply.id, { deliveryState: "failed", deliveryError: final, nextAttemptAt: null });
      return { state: "failed", error: final };
    }
    const wait =
      error instanceof ConnectorError && error.retryAfterMs !== undefined
        ? error.retryAfterMs
        : backoffMs(reply.deliveryAttempts, deps.random);
    await finish(deps, reply.id, {
      deliveryState: "queued",
      deliveryError: reason,
      nextAttemptAt: new Date(now.getTime() + wait),
    });
    return { state: "queued", error: reason };
  }
}

async function finish(deps: DeliveryDeps, id: string, values: Partial<MessageRow>) {
  await deps.db.update(message).set(values).where(eq(message.id, id));
}
