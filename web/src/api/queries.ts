import { infiniteQueryOptions, queryOptions } from "@tanstack/react-query";
import { api } from "./client.js";
import type {
  AllowedPrivateHost,
  ApiTokenInfo,
  AuditPage,
  ChannelAccount,
  ConnectorInfo,
  Contact,
  ConversationDetail,
  ConversationList,
  ConversationStatus,
  Department,
  Invitation,
  InvitationLink,
  Me,
  Member,
} from "./types.js";

/** Query keys and loaders, one per resource, so pages and invalidations agree on the names. */
export const meQuery = queryOptions({
  queryKey: ["me"],
  queryFn: ({ signal }) => api<Me>("/api/v1/me", { signal }),
  staleTime: 60_000,
});

export const conversationsQuery = (status: ConversationStatus | "all") =>
  infiniteQueryOptions({
    queryKey: ["conversations", status],
    queryFn: ({ pageParam, signal }) =>
      api<ConversationList>("/api/v1/conversations", {
        query: { status: status === "all" ? undefined : status, limit: 50, cursor: pageParam },
        signal,
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor,
  });

export const conversationQuery = (id: string) =>
  queryOptions({
    queryKey: ["conversation", id],
    queryFn: ({ signal }) => api<ConversationDetail>(`/api/v1/conversations/${id}`, { signal }),
  });

export const contactsQuery = (q: string) =>
  queryOptions({
    queryKey: ["contacts", q],
    queryFn: ({ signal }) => api<{ contacts: Contact[] }>("/api/v1/contacts", { query: { q }, signal }),
  });

export const contactQuery = (id: string) =>
  queryOptions({
    queryKey: ["contact", id],
    queryFn: ({ signal }) => api<Contact>(`/api/v1/contacts/${id}`, { signal }),
  });

export const membersQuery = queryOptions({
  queryKey: ["members"],
  queryFn: ({ signal }) => api<Member[]>("/api/v1/members", { signal }),
});

export const departmentsQuery = queryOptions({
  queryKey: ["departments"],
  queryFn: ({ signal }) => api<Department[]>("/api/v1/departments", { signal }),
});

export const invitationsQuery = queryOptions({
  queryKey: ["invitations"],
  queryFn: ({ signal }) => api<Invitation[]>("/api/v1/invitations", { signal }),
});

export const apiTokensQuery = queryOptions({
  queryKey: ["api-tokens"],
  queryFn: ({ signal }) => api<ApiTokenInfo[]>("/api/v1/api-tokens", { signal }),
});

export interface AuditFilter {
  action?: string;
  entityType?: string;
  from?: string;
  to?: string;
}

export const auditQuery = (filter: AuditFilter) =>
  infiniteQueryOptions({
    queryKey: ["audit", filter],
    queryFn: ({ pageParam, signal }) =>
      api<AuditPage>("/api/v1/audit", { query: { ...filter, before: pageParam, limit: 50 }, signal }),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) => last.nextBefore,
  });

export const invitationLinkQuery = (token: string) =>
  queryOptions({
    queryKey: ["invitation-link", token],
    queryFn: ({ signal }) =>
      api<InvitationLink>(`/api/v1/invitation-links/${encodeURIComponent(token)}`, { signal }),
    retry: false,
  });

export const channelAccountsQuery = queryOptions({
  queryKey: ["channel-accounts"],
  queryFn: ({ signal }) => api<ChannelAccount[]>("/api/v1/settings/channel-accounts", { signal }),
  // Health and the last poll change while the page is open.
  refetchInterval: 5_000,
});

export const connectorsQuery = queryOptions({
  queryKey: ["connectors"],
  queryFn: ({ signal }) => api<ConnectorInfo[]>("/api/v1/settings/connectors", { signal }),
  staleTime: 5 * 60_000,
});

export const allowedPrivateHostsQuery = queryOptions({
  queryKey: ["allowed-private-hosts"],
  queryFn: ({ signal }) => api<AllowedPrivateHost[]>("/api/v1/settings/allowed-private-hosts", { signal }),
});
