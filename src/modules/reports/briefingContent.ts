import type { KpiKey } from "../kpis/kpiCatalog.js";

/**
 * What a weekly briefing says, stored as generated so the web page, the PDF and the e-mail show
 * the same numbers however the data changes later. Dates are ISO strings.
 */
export interface BriefingContent {
  locale: "de" | "en";
  organizationName: string;
  /** null: the whole organization. */
  departmentName: string | null;
  weekStart: string;
  /** Exclusive: the next Monday. */
  weekEnd: string;
  /** This week's KPIs next to last week's. */
  kpis: Array<{ kpi: KpiKey; value: number | null; previous: number | null }>;
  /** Goals of the scope: the week's period-to-date actual against the target. */
  goals: Array<{ kpi: KpiKey; period: string; target: number; actual: number | null; met: boolean | null }>;
  sentiment: { net: number | null; previousNet: number | null; change: number | null };
  /** Aspects customers were most negative about this week (listening, whole organization). */
  topIssues: Array<{ aspect: string; negative: number; mentions: number; previousNegative: number }>;
  /** Storm and volume-spike alerts that fired this week. */
  storms: Array<{ title: string; type: string; firedAt: string; mentions: number }>;
  /** What VIP authors wrote this week. */
  vips: Array<{ handle: string; network: string; mentions: number; negative: number }>;
  /** The week's notable insights (kpis/insightsHook.ts); null only when they cannot be read. */
  insights: Array<{ title: string; state: string; note: string }> | null;
}
