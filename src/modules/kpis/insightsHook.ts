import { and, countDistinct, desc, eq, gte, lt, or } from "drizzle-orm";
import type { DbOrTx } from "../../platform/db/client.js";
import { insight, insightStateChange } from "../insights/schema.js";

/**
 * The insights a department (or everyone) handled — marked done — in [from, to), and the notable
 * ones for the weekly briefing: read from the insights module's state history, not from rollups
 * (an organization has hundreds of insights a week, not millions).
 */
export interface InsightScope {
  organizationId: string;
  /** null: the whole organization. */
  departmentId: string | null;
  from: Date;
  to: Date;
}

function inScope(scope: InsightScope) {
  return and(
    eq(insight.organizationId, scope.organizationId),
    scope.departmentId ? eq(insight.departmentId, scope.departmentId) : undefined,
  );
}

export async function insightsHandled(db: DbOrTx, scope: InsightScope): Promise<number | null> {
  const [row] = await db
    .select({ n: countDistinct(insightStateChange.insightId) })
    .from(insightStateChange)
    .innerJoin(insight, eq(insight.id, insightStateChange.insightId))
    .where(
      and(
        inScope(scope),
        eq(insightStateChange.toState, "done"),
        gte(insightStateChange.at, scope.from),
        lt(insightStateChange.at, scope.to),
      ),
    );
  return Number(row?.n ?? 0);
}

/** Up to five insights created or moved on in the week, newest first, with the core team's note. */
export async function notableInsights(
  db: DbOrTx,
  scope: InsightScope,
): Promise<Array<{ title: string; state: string; note: string }> | null> {
  const rows = await db
    .select({ kind: insight.kind, state: insight.state, note: insight.note, updatedAt: insight.updatedAt })
    .from(insight)
    .where(
      and(
        inScope(scope),
        or(
          and(gte(insight.createdAt, scope.from), lt(insight.createdAt, scope.to)),
          and(gte(insight.updatedAt, scope.from), lt(insight.updatedAt, scope.to)),
        ),
      ),
    )
    .orderBy(desc(insight.updatedAt))
    .limit(5);
  return rows.map((r) => ({
    title: r.kind === "lead" ? "Lead" : "Insight",
    state: r.state,
    note: r.note.length > 200 ? `${r.note.slice(0, 199)}…` : r.note,
  }));
}
