import { inArray } from "drizzle-orm";
import { describeError } from "../../connectors/connector.js";
import { openAccount } from "./channelAccounts.js";
import { type PollDeps, pollDueAccounts, wakeAccount } from "./channelPoller.js";
import { channelAccount } from "./schema.js";

const firstRetryMs = 5_000;
const maxRetryMs = 5 * 60_000;

interface Watch {
  /** Which stored account it watches: a changed account (new credentials) is watched anew. */
  version: string;
  stop?: () => Promise<void>;
  /** After a failure: not before this time (doubling up to 5 minutes, so a broken server is no crash loop). */
  retryAt: number;
  failures: number;
  starting: boolean;
}

export interface AccountWatchers {
  /** Starts watches for accounts whose connector can push (IMAP IDLE), stops those of removed accounts. */
  sync(): Promise<void>;
  stop(): Promise<void>;
  /** The channels watched right now (tests, metrics). */
  watching(): string[];
}

/**
 * Push on top of polling: for every account whose connector has `inbound.watch`, a connection waits
 * for the network to say that something arrived, and the account is polled at once. The polls still
 * happen at their interval, so a watch that breaks (retried with backoff) only costs latency.
 */
export function startAccountWatchers(
  deps: PollDeps & { log?: { warn(obj: object, msg: string): void } },
): AccountWatchers {
  const watches = new Map<string, Watch>();
  let stopped = false;
  const watchable = Object.values(deps.connectors)
    .filter((c) => c.inbound?.watch)
    .map((c) => c.network);

  const pollNow = async (channelId: string) => {
    // A running poll holds the account; try again until it is done (it may have missed the news).
    for (let attempt = 0; attempt < 60 && !stopped; attempt += 1) {
      if (await wakeAccount(deps, channelId)) {
        await pollDueAccounts(deps, { channelId });
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  };

  const fail = (channelId: string, watch: Watch, error: unknown) => {
    watch.failures += 1;
    watch.retryAt = Date.now() + Math.min(maxRetryMs, firstRetryMs * 2 ** (watch.failures - 1));
    const stop = watch.stop;
    watch.stop = undefined;
    void stop?.().catch(() => undefined);
    deps.log?.warn({ channelId, reason: describeError(error) }, "account watch failed; polling goes on");
  };

  return {
    async sync() {
      if (stopped || watchable.length === 0) return;
      const rows = await deps.db
        .select()
        .from(channelAccount)
        .where(inArray(channelAccount.network, watchable));
      const present = new Set(rows.map((r) => r.channelId));
      for (const [channelId, watch] of watches) {
        if (!present.has(channelId)) {
          watches.delete(channelId);
          await watch.stop?.().catch(() => undefined);
        }
      }
      for (const row of rows) {
        const version = `${row.id}:${row.credentials}:${JSON.stringify(row.settings)}`;
        let watch = watches.get(row.channelId);
        if (watch && watch.version !== version) {
          await watch.stop?.().catch(() => undefined);
          watch = undefined;
        }
        if (!watch) {
          watch = { version, retryAt: 0, failures: 0, starting: false };
          watches.set(row.channelId, watch);
        }
        if (watch.stop || watch.starting || Date.now() < watch.retryAt) continue;
        const current = watch;
        current.starting = true;
        const channelId = row.channelId;
        try {
          const handle = await deps.connectors[row.network]!.inbound!.watch!(await openAccount(deps, row), {
            onActivity: () => {
              void pollNow(channelId).catch((error) => fail(channelId, current, error));
            },
            onError: (error) => fail(channelId, current, error),
          });
          if (stopped || watches.get(channelId) !== current) {
            await handle.stop();
            continue;
          }
          current.stop = handle.stop;
          current.failures = 0;
          // Whatever came while nobody watched.
          void pollNow(channelId).catch((error) => fail(channelId, current, error));
        } catch (error) {
          fail(channelId, current, error);
        } finally {
          current.starting = false;
        }
      }
    },
    async stop() {
      stopped = true;
      await Promise.all([...watches.values()].map((w) => w.stop?.().catch(() => undefined)));
      watches.clear();
    },
    watching: () => [...watches.entries()].filter(([, w]) => w.stop).map(([id]) => id),
  };
}
