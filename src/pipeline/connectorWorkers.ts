import { startAccountWatchers } from "../modules/channels/accountWatcher.js";
import { type PollDeps, pollDueAccounts } from "../modules/channels/channelPoller.js";
import { deliverDueReplies } from "../modules/channels/replyDeliverer.js";
import { startRepeatingJob } from "../platform/scheduler/repeatingJob.js";

export interface ConnectorWorkersProps extends PollDeps {
  /** How often to look for due replies and polls (default 2 s). */
  everyMs?: number;
  log?: { error(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

/**
 * The connectors' loop: send the replies that are due and poll the accounts whose interval has
 * passed. Runs in the server process and in `konversa worker`; rows are claimed with locks that
 * skip what another process holds, so any number of processes may run it. Accounts whose network
 * can push (IMAP IDLE) are also watched, and polled the moment something arrives.
 */
export function startConnectorWorkers(props: ConnectorWorkersProps) {
  const watchers = startAccountWatchers(props);
  const job = startRepeatingJob({
    everyMs: props.everyMs ?? 2_000,
    run: async () => {
      await deliverDueReplies(props);
      await pollDueAccounts(props);
      await watchers.sync();
    },
    onError: (error) => props.log?.error({ err: error }, "connector workers failed"),
  });
  return {
    tick: job.tick,
    async stop() {
      await job.stop();
      await watchers.stop();
    },
  };
}
