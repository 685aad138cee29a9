import type { KpiKey } from "../../api/kpis.js";

/** How a KPI reads on screen; the same units as the server's formatKpi (docs/kpis.md). */
const percentKpis = new Set<KpiKey>([
  "response_rate",
  "response_rate_within_sla",
  "sla_attainment",
  "csat_satisfied_share",
  "positive_share",
  "negative_share",
  "share_of_voice",
]);
const minuteKpis = new Set<KpiKey>([
  "first_response_median",
  "first_response_p90",
  "response_median",
  "response_p90",
]);

export function isPercent(kpi: KpiKey) {
  return percentKpis.has(kpi) || kpi === "net_sentiment";
}

export function formatKpi(kpi: KpiKey, value: number | null | undefined, locale: string): string {
  if (value === null || value === undefined) return "–";
  const number = (n: number, digits: number) => n.toLocaleString(locale, { maximumFractionDigits: digits });
  if (percentKpis.has(kpi)) return `${number(value * 100, 1)} %`;
  if (kpi === "net_sentiment") return `${value > 0 ? "+" : ""}${number(value * 100, 1)}`;
  if (minuteKpis.has(kpi)) return value >= 120 ? `${number(value / 60, 1)} h` : `${number(value, 0)} min`;
  if (kpi === "csat_average" || kpi.endsWith("_per_own_post")) return number(value, 2);
  return number(value, 0);
}

/** Goal targets are typed as people think of them: 65 for 65 %, minutes for times. */
export function targetFromInput(kpi: KpiKey, input: number) {
  return isPercent(kpi) ? input / 100 : input;
}

/** The cards at the top of the dashboard. */
export const headlineKpis: KpiKey[] = [
  "response_rate",
  "response_rate_within_sla",
  "first_response_median",
  "first_response_p90",
  "response_median",
  "response_p90",
  "sla_attainment",
  "csat_average",
  "conversations",
  "mentions",
  "net_sentiment",
  "share_of_voice",
  "positive_share",
  "negative_share",
  "comments_per_own_post",
  "shares_per_own_post",
  "insights_handled",
];

/** The columns of the per-department table. */
export const departmentKpis: KpiKey[] = [
  "questions",
  "response_rate",
  "response_rate_within_sla",
  "first_response_median",
  "response_p90",
  "sla_attainment",
  "csat_average",
  "net_sentiment",
];
