import { deliverContactWebhooks } from "../modules/crm/contactWebhookDeliverer.js";
import type { RetentionDeps } from "../modules/retention/retentionRunner.js";
import { startRetentionSchedule } from "../modules/retention/retentionSchedule.js";
import { startRepeatingJob } from "../platform/scheduler/repeatingJob.js";

export interface HousekeepingProps extends RetentionDeps {
  log?: { error(obj: object, msg: string): void };
}

/**
 * Work that keeps the data lawful and the connected CRMs informed: the daily retention run (looked
 * for every 15 minutes, claimed once per organization and day) and the delivery of contact webhooks
 * (every 2 s, rows claimed with SKIP LOCKED). Runs in the server process and in `konversa worker`;
 * any number of processes may run it.
 */
export function startHousekeeping(props: HousekeepingProps) {
  const retention = startRetentionSchedule(props);
  const webhooks = startRepeatingJob({
    everyMs: 2_000,
    run: () => deliverContactWebhooks(props),
    onError: (error) => props.log?.error({ err: error }, "contact webhook delivery failed"),
  });
  // The first look right after start, so a process that runs briefly still does its day's work.
  void retention.tick();
  return {
    async stop() {
      await webhooks.stop();
      await retention.stop();
    },
  };
}
