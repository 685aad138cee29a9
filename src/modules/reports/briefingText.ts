import { formatKpi, kpiLabels } from "../kpis/kpiCatalog.js";
import type { BriefingContent } from "./briefingContent.js";

/** The words of a briefing in the organization's language (PDF and e-mail; the web app has its own). */
const words = {
  de: {
    title: "Wochenbriefing",
    organization: "Gesamte Organisation",
    week: "Woche",
    kpis: "Kennzahlen",
    previous: "Vorwoche",
    goals: "Ziele",
    target: "Ziel",
    met: "erreicht",
    missed: "verfehlt",
    open: "offen",
    sentiment: "Stimmung",
    net: "Netto-Stimmung",
    change: "Veränderung zur Vorwoche",
    topIssues: "Top-Themen (negativ)",
    negative: "negativ",
    storms: "Stürme und Ausschläge",
    vips: "VIP-Aktivität",
    mentions: "Erwähnungen",
    insights: "Bemerkenswerte Insights",
    insightsMissing: "Das Insights-Modul ist nicht installiert.",
    none: "keine",
    periods: { week: "Woche", month: "Monat", quarter: "Quartal" } as Record<string, string>,
  },
  en: {
    title: "Weekly briefing",
    organization: "Whole organization",
    week: "Week",
    kpis: "KPIs",
    previous: "previous week",
    goals: "Goals",
    target: "target",
    met: "met",
    missed: "missed",
    open: "open",
    sentiment: "Sentiment",
    net: "Net sentiment",
    change: "Change from the previous week",
    topIssues: "Top issues (negative)",
    negative: "negative",
    storms: "Storms and spikes",
    vips: "VIP activity",
    mentions: "mentions",
    insights: "Notable insights",
    insightsMissing: "The insights module is not installed.",
    none: "none",
    periods: { week: "week", month: "month", quarter: "quarter" } as Record<string, string>,
  },
};

export interface BriefingSection {
  heading: string;
  lines: string[];
}

/** A briefing as headed sections of plain lines: what the PDF prints and the e-mail says. */
export function briefingSections(content: BriefingContent): {
  title: string;
  subtitle: string;
  sections: BriefingSection[];
} {
  const w = words[content.locale];
  const labels = kpiLabels[content.locale];
  const fmt = (kpi: Parameters<typeof formatKpi>[0], v: number | null) => formatKpi(kpi, v, content.locale);
  const day = (iso: string) => new Date(iso).toISOString().slice(0, 10);
  const lastDay = new Date(new Date(content.weekEnd).getTime() - 86_400_000).toISOString();
  return {
    title: `${w.title}: ${content.departmentName ?? w.organization}`,
    subtitle: `${content.organizationName} · ${w.week} ${day(content.weekStart)} – ${day(lastDay)}`,
    sections: [
      {
        heading: w.kpis,
        lines: content.kpis.map(
          (k) => `${labels[k.kpi]}: ${fmt(k.kpi, k.value)} (${w.previous}: ${fmt(k.kpi, k.previous)})`,
        ),
      },
      {
        heading: w.goals,
        lines:
          content.goals.length === 0
            ? [w.none]
            : content.goals.map(
                (g) =>
                  `${labels[g.kpi]} (${w.periods[g.period] ?? g.period}): ${fmt(g.kpi, g.actual)} / ${w.target} ${fmt(g.kpi, g.target)} – ${g.met === null ? w.open : g.met ? w.met : w.missed}`,
              ),
      },
      {
        heading: w.sentiment,
        lines: [
          `${w.net}: ${fmt("net_sentiment", content.sentiment.net)} (${w.previous}: ${fmt("net_sentiment", content.sentiment.previousNet)})`,
          `${w.change}: ${fmt("net_sentiment", content.sentiment.change)}`,
        ],
      },
      {
        heading: w.topIssues,
        lines:
          content.topIssues.length === 0
            ? [w.none]
            : content.topIssues.map(
                (i, n) =>
                  `${n + 1}. ${i.aspect}: ${i.negative} ${w.negative} / ${i.mentions} ${w.mentions} (${w.previous}: ${i.previousNegative})`,
              ),
      },
      {
        heading: w.storms,
        lines:
          content.storms.length === 0
            ? [w.none]
            : content.storms.map((s) => `${s.firedAt.slice(0, 16).replace("T", " ")} UTC · ${s.title}`),
      },
      {
        heading: w.vips,
        lines:
          content.vips.length === 0
            ? [w.none]
            : content.vips.map(
                (v) => `${v.handle} (${v.network}): ${v.mentions} ${w.mentions}, ${v.negative} ${w.negative}`,
              ),
      },
      {
        heading: w.insights,
        lines:
          content.insights === null
            ? [w.insightsMissing]
            : content.insights.length === 0
              ? [w.none]
              : content.insights.map((i) => `${i.title} – ${i.state}${i.note ? `: ${i.note}` : ""}`),
      },
    ],
  };
}
