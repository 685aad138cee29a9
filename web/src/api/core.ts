import { queryOptions } from "@tanstack/react-query";
import { api } from "./client.js";
import type {
  DialogJoinRequest,
  HouseRule,
  Insight,
  InsightDetail,
  InsightOverview,
  ModerationDecision,
  ModerationQueueItem,
  RoutingRule,
  RuleExecution,
  VocItem,
} from "./types.js";

/** Loaders of the core team's pages, one per resource. */
export interface InsightFilter {
  departmentId?: string;
  state?: string;
}

export const insightsQuery = (filter: InsightFilter) =>
  queryOptions({
    queryKey: ["insights", filter],
    queryFn: ({ signal }) => api<Insight[]>("/api/v1/insights", { query: { ...filter, limit: 200 }, signal }),
  });

export const insightOverviewQuery = queryOptions({
  queryKey: ["insights", "overview"],
  queryFn: ({ signal }) => api<InsightOverview>("/api/v1/insights/overview", { signal }),
});

export const insightQuery = (id: string) =>
  queryOptions({
    queryKey: ["insights", "one", id],
    queryFn: ({ signal }) => api<InsightDetail>(`/api/v1/insights/${id}`, { signal }),
  });

export const routingRulesQuery = queryOptions({
  queryKey: ["routing-rules"],
  queryFn: ({ signal }) => api<RoutingRule[]>("/api/v1/automation/rules", { signal }),
});

export const ruleExecutionsQuery = queryOptions({
  queryKey: ["routing-rules", "executions"],
  queryFn: ({ signal }) =>
    api<RuleExecution[]>("/api/v1/automation/executions", { query: { limit: 200 }, signal }),
});

export const houseRulesQuery = queryOptions({
  queryKey: ["house-rules"],
  queryFn: ({ signal }) => api<HouseRule[]>("/api/v1/moderation/house-rules", { signal }),
});

export const moderationQueueQuery = queryOptions({
  queryKey: ["moderation", "queue"],
  queryFn: ({ signal }) =>
    api<ModerationQueueItem[]>("/api/v1/moderation/queue", { query: { limit: 200 }, signal }),
});

export const moderationDecisionsQuery = queryOptions({
  queryKey: ["moderation", "decisions"],
  queryFn: ({ signal }) =>
    api<ModerationDecision[]>("/api/v1/moderation/decisions", { query: { limit: 200 }, signal }),
});

export interface VocFilter {
  queryId?: string;
  aspect?: string;
  sentiment?: string;
}

export const vocQuery = (filter: VocFilter) =>
  queryOptions({
    queryKey: ["voc", filter],
    queryFn: ({ signal }) => api<VocItem[]>("/api/v1/voc", { query: { ...filter, limit: 200 }, signal }),
  });

export const vocFacetsQuery = queryOptions({
  queryKey: ["voc", "facets"],
  queryFn: ({ signal }) =>
    api<{ products: Array<{ id: string; name: string }>; aspects: string[] }>("/api/v1/voc/facets", {
      signal,
    }),
});

export const joinRequestsQuery = queryOptions({
  queryKey: ["voc", "join-requests"],
  queryFn: ({ signal }) =>
    api<DialogJoinRequest[]>("/api/v1/voc/join-requests", { query: { limit: 200 }, signal }),
});
