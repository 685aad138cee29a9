/**
 * The KPIs Konversa measures, each defined exactly in docs/kpis.md. Response times are in
 * (business) minutes, shares between 0 and 1, net sentiment between −1 and 1.
 */
export const kpiKeys = [
  "first_response_median",
  "first_response_p90",
  "response_median",
  "response_p90",
  "response_rate",
  "response_rate_within_sla",
  "sla_attainment",
  "csat_average",
  "csat_satisfied_share",
  "conversations",
  "questions",
  "mentions",
  "positive_share",
  "negative_share",
  "net_sentiment",
  "share_of_voice",
  "own_posts",
  "comments_per_own_post",
  "shares_per_own_post",
  "insights_handled",
] as const;
export type KpiKey = (typeof kpiKeys)[number];
export type KpiValues = Record<KpiKey, number | null>;

export type KpiUnit = "minutes" | "share" | "score" | "count" | "ratio" | "net";

export const kpiUnits: Record<KpiKey, KpiUnit> = {
  first_response_median: "minutes",
  first_response_p90: "minutes",
  response_median: "minutes",
  response_p90: "minutes",
  response_rate: "share",
  response_rate_within_sla: "share",
  sla_attainment: "share",
  csat_average: "score",
  csat_satisfied_share: "share",
  conversations: "count",
  questions: "count",
  mentions: "count",
  positive_share: "share",
  negative_share: "share",
  net_sentiment: "net",
  share_of_voice: "share",
  own_posts: "count",
  comments_per_own_post: "ratio",
  shares_per_own_post: "ratio",
  insights_handled: "count",
};

/** KPIs where less is better: a goal on them is met when the actual value is at or below the target. */
export const lowerIsBetter: ReadonlySet<KpiKey> = new Set([
  "first_response_median",
  "first_response_p90",
  "response_median",
  "response_p90",
  "negative_share",
]);

/** The "socially devoted" bar: at least this share of customer questions answered within the SLA. */
export const sociallyDevotedShare = 0.65;

/** English labels, for the PDF, CSV and XLSX exports (the web app has its own, in German and English). */
export const kpiLabels: Record<"en" | "de", Record<KpiKey, string>> = {
  en: {
    first_response_median: "First response time, median (min)",
    first_response_p90: "First response time, p90 (min)",
    response_median: "Response time, median (min)",
    response_p90: "Response time, p90 (min)",
    response_rate: "Response rate",
    response_rate_within_sla: "Answered within SLA",
    sla_attainment: "SLA attainment",
    csat_average: "CSAT (1–5)",
    csat_satisfied_share: "Satisfied customers (CSAT 4–5)",
    conversations: "Conversations",
    questions: "Customer questions",
    mentions: "Mentions",
    positive_share: "Positive share",
    negative_share: "Negative share",
    net_sentiment: "Net sentiment",
    share_of_voice: "Share of voice",
    own_posts: "Own posts",
    comments_per_own_post: "Comments per own post",
    shares_per_own_post: "Shares per own post",
    insights_handled: "Insights handled",
  },
  de: {
    first_response_median: "Erste Antwortzeit, Median (Min.)",
    first_response_p90: "Erste Antwortzeit, p90 (Min.)",
    response_median: "Antwortzeit, Median (Min.)",
    response_p90: "Antwortzeit, p90 (Min.)",
    response_rate: "Antwortquote",
    response_rate_within_sla: "Innerhalb des SLA beantwortet",
    sla_attainment: "SLA-Erfüllung",
    csat_average: "CSAT (1–5)",
    csat_satisfied_share: "Zufriedene Kunden (CSAT 4–5)",
    conversations: "Konversationen",
    questions: "Kundenfragen",
    mentions: "Erwähnungen",
    positive_share: "Anteil positiv",
    negative_share: "Anteil negativ",
    net_sentiment: "Netto-Stimmung",
    share_of_voice: "Share of Voice",
    own_posts: "Eigene Beiträge",
    comments_per_own_post: "Kommentare je eigenem Beitrag",
    shares_per_own_post: "Shares je eigenem Beitrag",
    insights_handled: "Bearbeitete Insights",
  },
};

/** A value as people read it: minutes with one decimal, shares as percent. */
export function formatKpi(key: KpiKey, value: number | null, locale: "en" | "de" = "en"): string {
  if (value === null) return "–";
  const number = (n: number, digits: number) =>
    n.toLocaleString(locale === "de" ? "de-DE" : "en-GB", {
      maximumFractionDigits: digits,
      minimumFractionDigits: 0,
    });
  switch (kpiUnits[key]) {
    case "minutes":
      return `${number(value, 1)} min`;
    case "share":
      return `${number(value * 100, 1)} %`;
    case "net":
      return `${value > 0 ? "+" : ""}${number(value * 100, 1)}`;
    case "score":
    case "ratio":
      return number(value, 2);
    default:
      return number(value, 0);
  }
}
