import type { DbOrTx } from "../../platform/db/client.js";

/**
 * HOOK for the insights module (routing of mentions to departments as insight cards), which is not
 * on this branch: the number of insights a department (or everyone) marked done in [from, to), and
 * the notable ones for the weekly briefing. Until that module exists both report nothing: the KPI
 * `insights_handled` is null ("not measured") and the briefing says so.
 */
export interface InsightScope {
  organizationId: string;
  /** null: the whole organization. */
  departmentId: string | null;
  from: Date;
  to: Date;
}

export async function insightsHandled(_db: DbOrTx, _scope: InsightScope): Promise<number | null> {
  return null;
}

export async function notableInsights(
  _db: DbOrTx,
  _scope: InsightScope,
): Promise<Array<{ title: string; state: string; note: string }> | null> {
  return null;
}
