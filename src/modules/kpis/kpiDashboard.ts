import { and, asc, eq, sql } from "drizzle-orm";
import type { OrgContext } from "../../platform/auth/context.js";
import { TtlCache } from "../../platform/cache.js";
import type { DbOrTx } from "../../platform/db/client.js";
import { ValidationError } from "../../platform/errors.js";
import { department } from "../organizations/schema.js";
import { goalProgress } from "./goals.js";
import { insightsHandled } from "./insightsHook.js";
import { emptyCounts, kpiValues, loadKpiCounts } from "./kpiCalculator.js";
import { dayMs, type Interval, startOfDay, trendPoints } from "./periods.js";
import { kpiGoal, kpiRollupState, noDepartment } from "./schema.js";

export interface KpiDashboardQuery {
  from: Date;
  to: Date;
  departmentId?: string;
  channel?: string;
  /** The trend's step; default: days up to two months, weeks up to a year, else months. */
  interval?: Interval;
  now: Date;
}

export function defaultInterval(from: Date, to: Date): Interval {
  const days = (to.getTime() - from.getTime()) / dayMs;
  if (days <= 62) return "day";
  if (days <= 370) return "week";
  return "month";
}

/**
 * The KPI dashboard: the range's KPIs for the scope (a department or everyone), every department
 * side by side, the trend, and target vs actual of the goals. Read from the rollups only.
 */
export async function kpiDashboard(
  db: DbOrTx,
  ctx: Pick<OrgContext, "organizationId">,
  q: KpiDashboardQuery,
): ReturnType<typeof computeDashboard> {
  // The answer changes only when the rollup job has run or a goal changed: cached until then.
  const [version] = await db
    .select({
      rolledUp: sql<string>`(select last_run_at::text from ${kpiRollupState} where organization_id = ${ctx.organizationId})`,
      goals: sql<string>`(select count(*) || '/' || coalesce(max(updated_at)::text, '') from ${kpiGoal} where organization_id = ${ctx.organizationId})`,
    })
    .from(sql`(select 1) as one`);
  const key = JSON.stringify([
    ctx.organizationId,
    q.from,
    q.to,
    q.departmentId,
    q.channel,
    q.interval,
    startOfDay(q.now),
    version?.rolledUp,
    version?.goals,
  ]);
  const hit = answers.get(key);
  if (hit) return hit.value;
  const answer = computeDashboard(db, ctx, q);
  answers.set(key, answer);
  answer.catch(() => answers.delete(key));
  return answer;
}

const answers = new TtlCache<string, ReturnType<typeof computeDashboard>>(10 * 60_000, 500);

async function computeDashboard(db: DbOrTx, ctx: Pick<OrgContext, "organizationId">, q: KpiDashboardQuery) {
  if (q.to <= q.from) throw new ValidationError("The range ends before it starts; pick a later `to`.");
  if (q.to.getTime() - q.from.getTime() > 3 * 366 * dayMs)
    throw new ValidationError("The range is longer than three years; pick a shorter one.");
  const interval = q.interval ?? defaultInterval(q.from, q.to);
  const points = trendPoints(interval, q.from, q.to).map((p) => ({
    from: new Date(Math.max(p.start.getTime(), q.from.getTime())),
    to: new Date(Math.min(p.end.getTime(), q.to.getTime())),
  }));
  if (points.length > 400)
    throw new ValidationError("That is too many trend points; choose a longer interval.");
  const departments = await db
    .select({ id: department.id, name: department.name })
    .from(department)
    .where(and(eq(department.organizationId, ctx.organizationId)))
    .orderBy(asc(department.name));
  const scope = { organizationId: ctx.organizationId, departmentId: q.departmentId, channel: q.channel };
  // Independent reads, side by side on the pool's connections.
  const [[totals], trend, goals] = await Promise.all([
    loadKpiCounts(db, { ...scope, points: [{ from: q.from, to: q.to }], byDepartment: !q.departmentId }),
    loadKpiCounts(db, { ...scope, points }),
    goalProgress(db, ctx, { now: q.now, channel: q.channel, departmentId: q.departmentId }),
  ]);
  const handled = (departmentId: string | null, from: Date, to: Date) =>
    insightsHandled(db, { organizationId: ctx.organizationId, departmentId, from, to });
  const isDepartment = Boolean(q.departmentId);
  return {
    from: q.from,
    to: q.to,
    interval,
    overall: kpiValues(totals!.total, {
      department: isDepartment,
      insightsHandled: await handled(q.departmentId ?? null, q.from, q.to),
    }),
    departments: q.departmentId
      ? []
      : await Promise.all(
          [...departments, { id: noDepartment, name: "" }].map(async (d) => ({
            departmentId: d.id === noDepartment ? null : d.id,
            name: d.name,
            values: kpiValues(totals!.departments.get(d.id) ?? emptyCounts(), {
              department: true,
              insightsHandled: d.id === noDepartment ? null : await handled(d.id, q.from, q.to),
            }),
          })),
        ),
    trend: await Promise.all(
      trend.map(async (c, i) => ({
        from: points[i]!.from,
        to: points[i]!.to,
        values: kpiValues(c.total, {
          department: isDepartment,
          insightsHandled: await handled(q.departmentId ?? null, points[i]!.from, points[i]!.to),
        }),
      })),
    ),
    goals,
  };
}
