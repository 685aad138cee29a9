import { and, asc, eq, isNull } from "drizzle-orm";
import { recordAudit } from "../../platform/audit/audit.js";
import type { OrgContext } from "../../platform/auth/context.js";
import type { Db, DbOrTx } from "../../platform/db/client.js";
import { ConflictError, NotFoundError, ValidationError } from "../../platform/errors.js";
import { assertDepartmentsBelong } from "../organizations/members.js";
import { insightsHandled } from "./insightsHook.js";
import { kpiValues, loadKpiCounts } from "./kpiCalculator.js";
import { type KpiKey, lowerIsBetter } from "./kpiCatalog.js";
import { addInterval, startOf } from "./periods.js";
import { type GoalPeriod, kpiGoal } from "./schema.js";

export interface GoalInput {
  /** null: a goal of the whole organization. */
  departmentId: string | null;
  kpi: KpiKey;
  target: number;
  period: GoalPeriod;
}

function checkTarget(input: Pick<GoalInput, "kpi" | "target">) {
  if (!Number.isFinite(input.target) || (input.target < 0 && input.kpi !== "net_sentiment"))
    throw new ValidationError("The target must be a number of at least 0 (net sentiment: −1 to 1).");
}

export async function listGoals(db: DbOrTx, ctx: OrgContext) {
  return db
    .select()
    .from(kpiGoal)
    .where(eq(kpiGoal.organizationId, ctx.organizationId))
    .orderBy(asc(kpiGoal.createdAt));
}

/** Sets a target for a KPI over a period; one goal per department, KPI and period. */
export async function createGoal(db: Db, ctx: OrgContext, input: GoalInput) {
  checkTarget(input);
  return db.transaction(async (tx) => {
    if (input.departmentId) await assertDepartmentsBelong(tx, ctx.organizationId, [input.departmentId]);
    const [existing] = await tx
      .select({ id: kpiGoal.id })
      .from(kpiGoal)
      .where(
        and(
          eq(kpiGoal.organizationId, ctx.organizationId),
          input.departmentId ? eq(kpiGoal.departmentId, input.departmentId) : isNull(kpiGoal.departmentId),
          eq(kpiGoal.kpi, input.kpi),
          eq(kpiGoal.period, input.period),
        ),
      );
    if (existing)
      throw new ConflictError("This KPI has a goal for this scope and period already; change that one.");
    const [created] = await tx
      .insert(kpiGoal)
      .values({ organizationId: ctx.organizationId, ...input, createdByMemberId: ctx.memberId })
      .returning();
    await recordAudit(tx, ctx, {
      action: "kpi_goal.created",
      entityType: "kpi_goal",
      entityId: created!.id,
      details: { ...input },
    });
    return created!;
  });
}

export async function updateGoal(db: Db, ctx: OrgContext, goalId: string, patch: { target: number }) {
  return db.transaction(async (tx) => {
    const [current] = await tx
      .select()
      .from(kpiGoal)
      .where(and(eq(kpiGoal.organizationId, ctx.organizationId), eq(kpiGoal.id, goalId)));
    if (!current) throw new NotFoundError("The goal");
    checkTarget({ kpi: current.kpi as KpiKey, target: patch.target });
    const [updated] = await tx
      .update(kpiGoal)
      .set({ target: patch.target, updatedAt: new Date() })
      .where(eq(kpiGoal.id, goalId))
      .returning();
    await recordAudit(tx, ctx, {
      action: "kpi_goal.updated",
      entityType: "kpi_goal",
      entityId: goalId,
      details: { from: current.target, to: patch.target },
    });
    return updated!;
  });
}

export async function removeGoal(db: Db, ctx: OrgContext, goalId: string) {
  await db.transaction(async (tx) => {
    const [removed] = await tx
      .delete(kpiGoal)
      .where(and(eq(kpiGoal.organizationId, ctx.organizationId), eq(kpiGoal.id, goalId)))
      .returning();
    if (!removed) throw new NotFoundError("The goal");
    await recordAudit(tx, ctx, {
      action: "kpi_goal.removed",
      entityType: "kpi_goal",
      entityId: goalId,
      details: { kpi: removed.kpi, departmentId: removed.departmentId },
    });
  });
}

/** Whether an actual value meets a target, in the KPI's direction. */
export function meetsGoal(kpi: KpiKey, actual: number | null, target: number): boolean | null {
  if (actual === null) return null;
  return lowerIsBetter.has(kpi) ? actual <= target : actual >= target;
}

export interface GoalProgress {
  goal: typeof kpiGoal.$inferSelect;
  /** The current period so far. */
  actual: number | null;
  met: boolean | null;
  periodStart: Date;
  /** The last periods, oldest first, the current one last. */
  trend: Array<{ periodStart: Date; actual: number | null; met: boolean | null }>;
}

/**
 * Target vs actual of every goal: the current period up to `now` and the `periods − 1` before it.
 * One rollup read per goal period, all departments at once.
 */
export async function goalProgress(
  db: DbOrTx,
  ctx: Pick<OrgContext, "organizationId">,
  props: { now: Date; periods?: number; channel?: string; departmentId?: string },
): Promise<GoalProgress[]> {
  const goals = (
    await db.select().from(kpiGoal).where(eq(kpiGoal.organizationId, ctx.organizationId))
  ).filter((g) => !props.departmentId || g.departmentId === props.departmentId);
  const periods = props.periods ?? 8;
  const result: GoalProgress[] = [];
  for (const period of ["week", "month", "quarter"] as const) {
    const ofPeriod = goals.filter((g) => g.period === period);
    if (ofPeriod.length === 0) continue;
    const current = startOf(period, props.now);
    const points = Array.from({ length: periods }, (_, i) => {
      const from = addInterval(period, current, i - periods + 1);
      const end = addInterval(period, from);
      return { from, to: new Date(Math.min(end.getTime(), props.now.getTime())) };
    });
    // One read per scope (a department, or the organization's summary rows).
    const byScope = new Map<string, Awaited<ReturnType<typeof loadKpiCounts>>>();
    for (const goal of ofPeriod) {
      const key = goal.departmentId ?? "";
      if (byScope.has(key)) continue;
      byScope.set(
        key,
        await loadKpiCounts(db, {
          organizationId: ctx.organizationId,
          points,
          channel: props.channel,
          departmentId: goal.departmentId ?? undefined,
        }),
      );
    }
    for (const goal of ofPeriod) {
      const counts = byScope.get(goal.departmentId ?? "")!;
      const trend = await Promise.all(
        counts.map(async (c, i) => {
          const handled = await insightsHandled(db, {
            organizationId: ctx.organizationId,
            departmentId: goal.departmentId,
            from: points[i]!.from,
            to: points[i]!.to,
          });
          const values = kpiValues(c.total, {
            department: goal.departmentId !== null,
            insightsHandled: handled,
          });
          const actual = values[goal.kpi as KpiKey];
          return {
            periodStart: points[i]!.from,
            actual,
            met: meetsGoal(goal.kpi as KpiKey, actual, goal.target),
          };
        }),
      );
      const last = trend.at(-1)!;
      result.push({ goal, actual: last.actual, met: last.met, periodStart: last.periodStart, trend });
    }
  }
  return result;
}
