import { wakeSnoozedConversations } from "../modules/conversations/conversationWaker.js";
import type { InboxDeps } from "../modules/conversations/workflow.js";
import { detectSlaBreaches } from "../modules/sla/slaBreachDetector.js";
import { startRepeatingJob } from "../platform/scheduler/repeatingJob.js";

export interface InboxTimersProps extends InboxDeps {
  /** How often to look (default 30 s): a breach or a wake-up is at most this late. */
  everyMs?: number;
  log?: { error(obj: object, msg: string): void };
}

/**
 * The inbox's clock work: wake snoozed conversations whose time has come and record service-level
 * breaches. Runs in the server process (`konversa start` and every `konversa serve` replica); both
 * jobs lock rows and are idempotent, so replicas running it at once do no harm.
 */
export function startInboxTimers(props: InboxTimersProps) {
  return startRepeatingJob({
    everyMs: props.everyMs ?? 30_000,
    run: async () => {
      await wakeSnoozedConversations(props);
      await detectSlaBreaches(props);
    },
    onError: (error) => props.log?.error({ err: error }, "inbox timers failed"),
  });
}
