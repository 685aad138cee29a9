import { infiniteQueryOptions, queryOptions, useQuery } from "@tanstack/react-query";
import type { InboxSearch } from "../router.js";
import { api } from "./client.js";
import { membersQuery } from "./queries.js";
import type { ConversationList } from "./types.js";
import { useMe } from "./useMe.js";

/** Loaders and writes of the inbox's work: filters, assignment, status, composer, bulk actions. */
export interface Channel {
  id: string;
  type: string;
  name: string;
  isPrivate: boolean;
}

export interface CannedResponse {
  id: string;
  shortcut: string;
  title: string;
  body: string;
}

export const inboxConversationsQuery = (search: InboxSearch) =>
  infiniteQueryOptions({
    queryKey: ["conversations", "filtered", search],
    queryFn: ({ pageParam, signal }) =>
      api<ConversationList>("/api/v1/conversations", {
        query: {
          status: search.status === "all" ? undefined : search.status,
          assignee: search.view === "mine" ? "me" : search.view === "unassigned" ? "unassigned" : undefined,
          slaBreached: search.view === "breached" ? true : undefined,
          channelId: search.channelId,
          departmentId: search.departmentId,
          sentiment: search.sentiment,
          q: search.q,
          sort: search.sort,
          limit: 50,
          cursor: pageParam,
        },
        signal,
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor,
  });

export const channelsQuery = queryOptions({
  queryKey: ["channels"],
  queryFn: ({ signal }) => api<Channel[]>("/api/v1/channels", { signal }),
  staleTime: 60_000,
});

export const cannedResponsesQuery = queryOptions({
  queryKey: ["canned-responses"],
  queryFn: ({ signal }) => api<CannedResponse[]>("/api/v1/canned-responses", { signal }),
  staleTime: 30_000,
});

const base = (id: string) => `/api/v1/conversations/${id}`;

export const inboxWrites = {
  assign: (id: string, body: { assigneeMemberId?: string | null; departmentId?: string | null }) =>
    api(`${base(id)}/assignment`, { method: "PUT", body }),
  status: (id: string, body: { status: string; snoozedUntil?: string }) =>
    api(`${base(id)}/status`, { method: "PUT", body }),
  labels: (id: string, set: string[]) => api(`${base(id)}/labels`, { method: "PUT", body: { set } }),
  priority: (id: string, priority: number) =>
    api(`${base(id)}/priority`, { method: "PUT", body: { priority } }),
  note: (id: string, body: { body: string; mentionedMemberIds: string[] }) =>
    api(`${base(id)}/notes`, { method: "POST", body }),
  reply: (id: string, body: { body: string; confirmPersonalData?: boolean }) =>
    api(`${base(id)}/replies`, { method: "POST", body }),
  piiCheck: (id: string, body: { text: string } | { messageId: string }) =>
    api<{ containsPersonalData: boolean; isPublic: boolean }>(`${base(id)}/pii-check`, {
      method: "POST",
      body,
    }),
  continuePrivately: (id: string, channelId: string) =>
    api<{ privateConversationId: string }>(`${base(id)}/continue-privately`, {
      method: "POST",
      body: { channelId },
    }),
  renderCanned: (id: string, cannedResponseId: string) =>
    api<{ text: string }>(`${base(id)}/canned-responses/${cannedResponseId}/render`, { method: "POST" }),
  resend: (id: string, messageId: string) =>
    api(`${base(id)}/messages/${messageId}/resend`, { method: "POST" }),
  presence: (id: string, state: "viewing" | "typing") =>
    api(`${base(id)}/presence`, { method: "POST", body: { state } }),
  bulk: (conversationIds: string[], action: Record<string, unknown>) =>
    api<{ succeeded: number; failed: number }>("/api/v1/conversations/bulk", {
      method: "POST",
      body: { conversationIds, action },
    }),
};

/** 9:00 tomorrow, or on the next Monday, in the browser's time zone. */
export function snoozeTime(kind: "hour" | "tomorrow" | "nextWeek", now = new Date()): Date {
  if (kind === "hour") return new Date(now.getTime() + 3_600_000);
  const at = new Date(now);
  at.setHours(9, 0, 0, 0);
  const days = kind === "tomorrow" ? 1 : (8 - at.getDay()) % 7 || 7;
  at.setDate(at.getDate() + days);
  return at;
}

/** The signed-in person's membership in the current organization (for "assign to me"). */
export function useOwnMemberId(): string | undefined {
  const me = useMe();
  const members = useQuery(membersQuery);
  return members.data?.find((m) => m.userId === me.user.id)?.id;
}
