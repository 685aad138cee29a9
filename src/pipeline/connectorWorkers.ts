import { type PollDeps, pollDueAccounts } from "../modules/channels/channelPoller.js";
import { deliverDueReplies } from "../modules/channels/replyDeliverer.js";

export interface ConnectorWorkersProps extends PollDeps {
  /** How often to look for due replies and polls (default 2 s). */
  everyMs?: number;
  log?: { error(obj: object, msg: string): void };
}

/**
 * The connectors' loop: send the replies that are due and poll the accounts whose interval has
 * passed. Runs in the server process and in `konversa worker`; rows are claimed with locks that
 * skip what another process holds, so any number of processes may run it.
 */
export function startConnectorWorkers(props: ConnectorWorkersProps) {
  let running: Promise<unknown> = Promise.resolve();
  let busy = false;
  const tick = () => {
    if (busy) return running;
    busy = true;
    running = running
      .then(async () => {
        await deliverDueReplies(props);
        await pollDueAccounts(props);
      })
      .catch((error) => props.log?.error({ err: error }, "connector workers failed"))
      .finally(() => {
        busy = false;
      });
    return running;
  };
  const timer = setInterval(tick, props.everyMs ?? 2_000);
  timer.unref();
  return {
    tick,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
