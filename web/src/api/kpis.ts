import { queryOptions } from "@tanstack/react-query";
import type { KpiKey } from "../../../src/modules/kpis/kpiCatalog.js";
import type { KpiDashboard, KpiGoal } from "../../../src/modules/kpis/routes.js";
import type { BriefingContentOut, BriefingSummary } from "../../../src/modules/reports/routes.js";
import { api, withQuery } from "./client.js";

/** KPIs, goals, briefings and reports: loaders, writes and download addresses. */
export type { BriefingSummary, KpiDashboard, KpiGoal, KpiKey };
export type BriefingDetail = BriefingSummary & { content: BriefingContentOut };
export type Interval = "day" | "week" | "month" | "quarter";

export interface KpiFilter {
  from: string;
  to: string;
  departmentId?: string;
  channel?: string;
  interval?: Interval;
}

export const kpiDashboardQuery = (filter: KpiFilter) =>
  queryOptions({
    queryKey: ["kpis", filter],
    queryFn: ({ signal }) => api<KpiDashboard>("/api/v1/kpis", { query: { ...filter }, signal }),
  });

export const goalsKey = ["kpis"];

export function createGoal(input: {
  departmentId: string | null;
  kpi: KpiKey;
  target: number;
  period: string;
}) {
  return api<KpiGoal>("/api/v1/kpis/goals", { method: "POST", body: input });
}
export function updateGoal(input: { id: string; target: number }) {
  return api<KpiGoal>(`/api/v1/kpis/goals/${input.id}`, { method: "PATCH", body: { target: input.target } });
}
export function removeGoal(id: string) {
  return api(`/api/v1/kpis/goals/${id}`, { method: "DELETE" });
}
export function refreshRollups() {
  return api<{ days: number }>("/api/v1/kpis/rollups/refresh", { method: "POST", body: {} });
}

export const briefingsQuery = queryOptions({
  queryKey: ["briefings"],
  queryFn: ({ signal }) => api<BriefingSummary[]>("/api/v1/reports/briefings", { signal }),
});

export const briefingQuery = (id: string) =>
  queryOptions({
    queryKey: ["briefings", id],
    queryFn: ({ signal }) => api<BriefingDetail>(`/api/v1/reports/briefings/${id}`, { signal }),
  });

export function generateBriefing(input: { departmentId: string | null; week?: string; email: boolean }) {
  return api<BriefingSummary>("/api/v1/reports/briefings", { method: "POST", body: input });
}

export const briefingPdfUrl = (id: string) => `/api/v1/reports/briefings/${id}/pdf`;

export function kpiReportUrl(filter: KpiFilter, format: "csv" | "xlsx" | "pdf", locale: string) {
  return withQuery("/api/v1/reports/kpis", { ...filter, format, locale });
}
