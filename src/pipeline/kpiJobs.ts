import { rollUpKpis } from "../modules/kpis/kpiRollupBuilder.js";
import { organization } from "../modules/organizations/schema.js";
import { type BriefingDeps, sendDueBriefings } from "../modules/reports/briefingGenerator.js";
import type { Clock } from "../platform/clock.js";
import { startRepeatingJob } from "../platform/scheduler/repeatingJob.js";

export interface KpiJobsProps extends BriefingDeps {
  clock: Clock;
  /** How often the rollups catch up (default 5 minutes): the dashboard is at most this far behind. */
  everyMs?: number;
  log?: { error(obj: object, msg: string): void };
}

/**
 * The KPI clock work in the server process: bring every organization's rollups up to date, then
 * send the weekly briefings of the week that just ended (once a week per department, idempotent).
 */
export function startKpiJobs(props: KpiJobsProps) {
  return startRepeatingJob({
    everyMs: props.everyMs ?? 5 * 60_000,
    run: async () => {
      const now = props.clock.now();
      const organizations = await props.db.select({ id: organization.id }).from(organization);
      for (const org of organizations) await rollUpKpis(props.db, { organizationId: org.id, now });
      await sendDueBriefings(props, now);
    },
    onError: (error) => props.log?.error({ err: error }, "KPI rollups or briefings failed"),
  });
}
