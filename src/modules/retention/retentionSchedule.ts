import { and, eq, isNull } from "drizzle-orm";
import { startRepeatingJob } from "../../platform/scheduler/repeatingJob.js";
import { organization } from "../organizations/schema.js";
import { type RetentionDeps, runRetention } from "./retentionRunner.js";
import { retentionRun } from "./schema.js";

/**
 * The daily retention run of every organization that has none for today (UTC) yet. Each day is
 * claimed through a unique index, so any number of server and worker processes may call this:
 * one of them runs an organization's day, the others skip it.
 */
export async function runDueRetention(deps: RetentionDeps) {
  const day = deps.clock.now().toISOString().slice(0, 10);
  const due = await deps.db
    .select({ id: organization.id })
    .from(organization)
    .leftJoin(retentionRun, and(eq(retentionRun.organizationId, organization.id), eq(retentionRun.day, day)))
    .where(isNull(retentionRun.id));
  const runs = [];
  for (const org of due) {
    const run = await runRetention(deps, { organizationId: org.id, trigger: "daily", day });
    if (run) runs.push(run);
  }
  return runs;
}

/** Looks every 15 minutes whether a new day has begun; the run itself happens once a day. */
export function startRetentionSchedule(
  deps: RetentionDeps & { everyMs?: number; log?: { error(obj: object, msg: string): void } },
) {
  return startRepeatingJob({
    everyMs: deps.everyMs ?? 15 * 60_000,
    run: () => runDueRetention(deps),
    onError: (error) => deps.log?.error({ err: error }, "retention run failed"),
  });
}
