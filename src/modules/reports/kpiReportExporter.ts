import ExcelJS from "exceljs";
import type { OrgContext } from "../../platform/auth/context.js";
import type { DbOrTx } from "../../platform/db/client.js";
import { formatKpi, type KpiKey, type KpiValues, kpiKeys, kpiLabels, kpiUnits } from "../kpis/kpiCatalog.js";
import { type KpiDashboardQuery, kpiDashboard } from "../kpis/kpiDashboard.js";
import { csvRecord } from "../listening/mentionExport.js";
import { renderPdf } from "./pdfDocument.js";

export const reportFormats = ["csv", "xlsx", "pdf"] as const;
export type ReportFormat = (typeof reportFormats)[number];

export const reportContentTypes: Record<ReportFormat, string> = {
  csv: "text/csv; charset=utf-8",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  pdf: "application/pdf",
};

/** The words of the ad-hoc report's headers. */
const words = {
  de: {
    scope: "Bereich",
    overall: "Gesamt",
    none: "Ohne Abteilung",
    period: "Zeitraum",
    title: "KPI-Bericht",
    trend: "Verlauf",
  },
  en: {
    scope: "Scope",
    overall: "Overall",
    none: "No department",
    period: "Period",
    title: "KPI report",
    trend: "Trend",
  },
};

/**
 * An ad-hoc KPI report of a range: the overall row and one row per department (or the one asked
 * for) with every KPI, plus the trend; as CSV (the table), XLSX (table and trend sheets) or PDF.
 * Shares are written as fractions in CSV/XLSX (XLSX formats them as percent).
 */
export async function exportKpiReport(
  db: DbOrTx,
  ctx: Pick<OrgContext, "organizationId">,
  props: KpiDashboardQuery & { format: ReportFormat; locale: "de" | "en" },
): Promise<Buffer> {
  const dashboard = await kpiDashboard(db, ctx, props);
  const w = words[props.locale];
  const labels = kpiLabels[props.locale];
  const rows: Array<{ scope: string; values: KpiValues }> = [
    { scope: w.overall, values: dashboard.overall },
    ...dashboard.departments.map((d) => ({ scope: d.departmentId ? d.name : w.none, values: d.values })),
  ];
  const keys = kpiKeys.filter((k) => k !== "insights_handled");
  const period = `${props.from.toISOString().slice(0, 10)} – ${new Date(props.to.getTime() - 1).toISOString().slice(0, 10)}`;
  if (props.format === "csv") {
    const lines = [csvRecord([w.scope, ...keys.map((k) => labels[k])])];
    for (const row of rows) lines.push(csvRecord([row.scope, ...keys.map((k) => row.values[k])]));
    return Buffer.from(`\uFEFF${lines.join("")}`, "utf8");
  }
  if (props.format === "xlsx") {
    const book = new ExcelJS.Workbook();
    book.creator = "Konversa";
    const table = book.addWorksheet("KPIs");
    table.addRow([w.title, period]);
    table.addRow([w.scope, ...keys.map((k) => labels[k])]).font = { bold: true };
    for (const row of rows) table.addRow([row.scope, ...keys.map((k) => row.values[k])]);
    keys.forEach((k, i) => {
      const column = table.getColumn(i + 2);
      column.width = 18;
      if (kpiUnits[k] === "share" || kpiUnits[k] === "net") column.numFmt = "0.0%";
      else if (kpiUnits[k] !== "count") column.numFmt = "0.0";
    });
    table.getColumn(1).width = 28;
    const trend = book.addWorksheet(w.trend);
    trend.addRow([w.period, ...keys.map((k) => labels[k])]).font = { bold: true };
    for (const point of dashboard.trend)
      trend.addRow([point.from.toISOString().slice(0, 10), ...keys.map((k) => point.values[k])]);
    keys.forEach((k, i) => {
      if (kpiUnits[k] === "share" || kpiUnits[k] === "net") trend.getColumn(i + 2).numFmt = "0.0%";
    });
    return Buffer.from(await book.xlsx.writeBuffer());
  }
  const show = (k: KpiKey, v: number | null) => formatKpi(k, v, props.locale);
  return renderPdf({
    title: w.title,
    subtitle: `${w.period}: ${period}${props.channel ? ` · ${props.channel}` : ""}`,
    blocks: rows.map((row) => ({
      heading: row.scope,
      lines: keys.filter((k) => row.values[k] !== null).map((k) => `${labels[k]}: ${show(k, row.values[k])}`),
    })),
  });
}
