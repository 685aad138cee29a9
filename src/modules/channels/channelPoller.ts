import { and, eq, inArray, isNull, lt, lte, or } from "drizzle-orm";
import { ConnectorError, describeError } from "../../connectors/connector.js";
import type { NormalizedPost } from "../../platform/posts/normalizedPost.js";
import type { InboxDeps } from "../conversations/workflow.js";
import { type ChannelDeps, openAccount, recordHealth } from "./channelAccounts.js";
import { receiveInbound } from "./inboundReceiver.js";
import { channelAccount } from "./schema.js";

/** How long one poll may hold an account before another worker may take it. */
const leaseMs = 5 * 60_000;
/** The longest wait after failed polls (unless the account's own interval is longer). */
const backoffCapMs = 6 * 60 * 60_000;

/**
 * The wait after the n-th failed poll in a row (1, 2, …): the interval, doubled with each further
 * failure, capped — a broken credential costs a handful of requests a day, not a crash loop. The
 * network's Retry-After wins when it asks for longer.
 */
export function pollBackoffMs(props: { intervalMs: number; failures: number; retryAfterMs?: number }) {
  const cap = Math.max(backoffCapMs, props.intervalMs);
  const doubled = Math.min(cap, props.intervalMs * 2 ** Math.max(0, Math.min(props.failures - 1, 20)));
  return Math.max(doubled, props.retryAfterMs ?? 0, 1_000);
}

export type PollDeps = ChannelDeps &
  Pick<InboxDeps, "bus"> & {
    submitPosts(organizationId: string, posts: NormalizedPost[]): Promise<void>;
  };

/**
 * Polls the accounts whose time has come, each at its connector's interval. What a poll returns is
 * stored first and the cursor after it: a crash in between repeats the batch, and the repeat is
 * absorbed by the ids (mentions dedupe on network and id, messages once per channel).
 */
export async function pollDueAccounts(deps: PollDeps, props: { limit?: number; channelId?: string } = {}) {
  const now = deps.clock.now();
  const pollable = Object.values(deps.connectors)
    .filter((c) => c.inbound)
    .map((c) => c.network);
  if (pollable.length === 0) return [];
  const claimed = await deps.db.transaction(async (tx) => {
    const due = await tx
      .select()
      .from(channelAccount)
      .where(
        and(
          inArray(channelAccount.network, pollable),
          lte(channelAccount.nextPollAt, now),
          isNull(channelAccount.pausedAt),
          props.channelId ? eq(channelAccount.channelId, props.channelId) : undefined,
        ),
      )
      .orderBy(channelAccount.nextPollAt)
      .limit(props.limit ?? 10)
      .for("update", { skipLocked: true });
    if (due.length === 0) return [];
    await tx
      .update(channelAccount)
      .set({ nextPollAt: new Date(now.getTime() + leaseMs), pollingUntil: new Date(now.getTime() + leaseMs) })
      .where(
        inArray(
          channelAccount.id,
          due.map((d) => d.id),
        ),
      );
    return due;
  });
  const results: Array<{ channelId: string; received: number; posts: number; error?: string }> = [];
  for (const row of claimed) {
    const connector = deps.connectors[row.network]!;
    const inbound = connector.inbound!;
    const account = await openAccount(deps, row);
    const interval = inbound.intervalMs(account.settings);
    const resetAt = row.rateLimit?.resetAt ? new Date(row.rateLimit.resetAt) : undefined;
    if (row.rateLimit?.remaining === 0 && resetAt && resetAt > now) {
      // The network said no more until then: wait for it instead of being refused.
      await deps.db
        .update(channelAccount)
        .set({ nextPollAt: resetAt, pollingUntil: null })
        .where(eq(channelAccount.id, row.id));
      continue;
    }
    try {
      const batch = await inbound.poll(account, row.cursor ?? null);
      const outcome = await receiveInbound(deps, {
        organizationId: row.organizationId,
        channelId: row.channelId,
        messages: batch.messages,
        posts: batch.posts,
        submitPosts: deps.submitPosts,
      });
      await deps.db
        .update(channelAccount)
        .set({
          cursor: batch.cursor,
          rateLimit: batch.rateLimit ?? row.rateLimit,
          health: "healthy",
          lastError: null,
          lastCheckedAt: deps.clock.now(),
          lastPolledAt: deps.clock.now(),
          failureCount: 0,
          nextPollAt: batch.pollAgainSoon ? now : new Date(now.getTime() + interval),
          pollingUntil: null,
        })
        .where(eq(channelAccount.id, row.id));
      results.push({ channelId: row.channelId, ...outcome });
    } catch (error) {
      const reason = describeError(error);
      await recordHealth(deps, row.id, reason);
      const failures = row.failureCount + 1;
      const wait = pollBackoffMs({
        intervalMs: interval,
        failures,
        retryAfterMs: error instanceof ConnectorError ? error.retryAfterMs : undefined,
      });
      await deps.db
        .update(channelAccount)
        .set({
          failureCount: failures,
          lastPolledAt: deps.clock.now(),
          nextPollAt: new Date(now.getTime() + Math.max(wait, 1_000)),
          pollingUntil: null,
        })
        .where(eq(channelAccount.id, row.id));
      results.push({ channelId: row.channelId, received: 0, posts: 0, error: reason });
    }
  }
  return results;
}

/**
 * A push from the network (IMAP IDLE) says something arrived: the account's next poll is moved to
 * now. Returns false while a poll holds the account (its lease); the caller tries again shortly, so
 * two polls of one account never run at once.
 */
export async function wakeAccount(deps: Pick<PollDeps, "db" | "clock">, channelId: string): Promise<boolean> {
  const now = deps.clock.now();
  const woken = await deps.db
    .update(channelAccount)
    .set({ nextPollAt: now })
    .where(
      and(
        eq(channelAccount.channelId, channelId),
        or(isNull(channelAccount.pollingUntil), lt(channelAccount.pollingUntil, now)),
      ),
    )
    .returning({ id: channelAccount.id });
  return woken.length > 0;
}
