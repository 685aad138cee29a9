import { infiniteQueryOptions, queryOptions } from "@tanstack/react-query";
import type { Network } from "../../../src/platform/posts/normalizedPost.js";
import { api, withQuery } from "./client.js";
import type {
  AlertRule,
  AspectCount,
  DeadLetter,
  FiredAlert,
  Influencer,
  KeyphraseCloud,
  ListeningQuery,
  Mention,
  Notification,
  TopAuthor,
  TopicClusters,
  VoiceShare,
  VolumePoint,
} from "./types.js";

/** Listening: loaders and query keys for queries, mentions, dashboards, alerts and influencers. */

/** Every network a mention can come from; the type keeps the list in step with the server's. */
const networkNames: Record<Network, true> = {
  bluesky: true,
  mastodon: true,
  x: true,
  facebook: true,
  instagram: true,
  email: true,
  webchat: true,
  rss: true,
  webhook: true,
  forum: true,
  blog: true,
  review: true,
  other: true,
};
export const networks = Object.keys(networkNames) as Network[];
export const sentiments = ["negative", "neutral", "positive"] as const;
export type Sentiment = (typeof sentiments)[number];

export interface MentionFilter {
  q?: string;
  from?: string;
  to?: string;
  queryId?: string;
  network?: Network;
  sentiment?: Sentiment;
  aspect?: string;
  language?: string;
  offensive?: boolean;
  relevant?: boolean;
  hasPii?: boolean;
}

export interface DashboardFilter {
  from: string;
  to: string;
  queryId?: string;
  network?: Network;
}

export type MentionPage = { mentions: Mention[]; nextCursor?: string };

export const listeningQueriesQuery = queryOptions({
  queryKey: ["listening-queries"],
  queryFn: ({ signal }) => api<ListeningQuery[]>("/api/v1/listening/queries", { signal }),
});

export const mentionsQuery = (filter: MentionFilter) =>
  infiniteQueryOptions({
    queryKey: ["mentions", filter],
    queryFn: ({ pageParam, signal }) =>
      api<MentionPage>("/api/v1/mentions", { query: { ...filter, limit: 25, cursor: pageParam }, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor,
  });

/** The newest mentions of a filter, asked for when the server says new ones arrived. */
export function newestMentions(filter: MentionFilter) {
  return api<MentionPage>("/api/v1/mentions", { query: { ...filter, limit: 25 } });
}

export function mentionExportUrl(filter: MentionFilter, format: "csv" | "jsonl"): string {
  return withQuery("/api/v1/mentions/export", { ...filter, format });
}

export const volumeQuery = (filter: DashboardFilter & { interval: "hour" | "day" }) =>
  queryOptions({
    queryKey: ["listening-volume", filter],
    queryFn: ({ signal }) => api<VolumePoint[]>("/api/v1/listening/volume", { query: { ...filter }, signal }),
  });

export const shareOfVoiceQuery = (filter: DashboardFilter) =>
  queryOptions({
    queryKey: ["listening-share-of-voice", filter],
    queryFn: ({ signal }) =>
      api<VoiceShare[]>("/api/v1/listening/share-of-voice", {
        query: { from: filter.from, to: filter.to, network: filter.network },
        signal,
      }),
  });

export const aspectsQuery = (filter: DashboardFilter) =>
  queryOptions({
    queryKey: ["listening-aspects", filter],
    queryFn: ({ signal }) =>
      api<AspectCount[]>("/api/v1/listening/aspects", {
        query: { from: filter.from, to: filter.to, queryId: filter.queryId, limit: 15 },
        signal,
      }),
  });

export const authorsQuery = (filter: DashboardFilter) =>
  queryOptions({
    queryKey: ["listening-authors", filter],
    queryFn: ({ signal }) =>
      api<TopAuthor[]>("/api/v1/listening/authors", {
        query: { from: filter.from, to: filter.to, queryId: filter.queryId, limit: 15 },
        signal,
      }),
  });

export const keyphrasesQuery = (filter: DashboardFilter) =>
  queryOptions({
    queryKey: ["listening-keyphrases", filter],
    queryFn: ({ signal }) =>
      api<KeyphraseCloud>("/api/v1/listening/keyphrases", { query: { ...filter, limit: 40 }, signal }),
  });

export const topicsQuery = (filter: DashboardFilter) =>
  queryOptions({
    queryKey: ["listening-topics", filter],
    queryFn: ({ signal }) =>
      api<TopicClusters>("/api/v1/listening/topics", { query: { ...filter, limit: 12 }, signal }),
  });

export const alertRulesQuery = queryOptions({
  queryKey: ["alert-rules"],
  queryFn: ({ signal }) => api<AlertRule[]>("/api/v1/alerts/rules", { signal }),
});

export const alertsQuery = (open: boolean) =>
  queryOptions({
    queryKey: ["alerts", open],
    queryFn: ({ signal }) =>
      api<FiredAlert[]>("/api/v1/alerts", { query: { open: open ? "true" : undefined, limit: 100 }, signal }),
  });

export const notificationsQuery = queryOptions({
  queryKey: ["notifications"],
  queryFn: ({ signal }) => api<Notification[]>("/api/v1/notifications", { query: { limit: 20 }, signal }),
});

export const influencersQuery = (queryId: string | undefined) =>
  queryOptions({
    queryKey: ["influencers", queryId],
    queryFn: ({ signal }) =>
      api<Influencer[]>("/api/v1/listening/influencers", { query: { queryId, limit: 50 }, signal }),
  });

export const deadLettersQuery = queryOptions({
  queryKey: ["dead-letters"],
  queryFn: ({ signal }) => api<DeadLetter[]>("/api/v1/dead-letters", { query: { limit: 100 }, signal }),
});
