import { infiniteQueryOptions, queryOptions } from "@tanstack/react-query";
import type { IdentityCandidate } from "../../../src/modules/contacts/identityRoutes.js";
import type { Company, Contact, Segment, TimelineEventView } from "../../../src/modules/contacts/routes.js";
import { api } from "./client.js";

/** Customer 360 on the wire: contacts with filters, companies, segments, timeline, identities, opt-in. */
export type { Company, Contact, IdentityCandidate, Segment };
export type TimelineEvent = TimelineEventView;
export type DataUseMode = "full" | "linked" | "none";
export interface ContactDetail extends Contact {
  company: Company | null;
  identities: Array<{
    id: string;
    network: string;
    handle: string;
    displayName: string | null;
    profileUrl: string | null;
    profile: Record<string, unknown> | null;
  }>;
  dataUseMode: DataUseMode;
}
export interface ContactFilter {
  q?: string;
  tag?: string;
  companyId?: string;
  consent?: string;
  channel?: string;
}
export interface OptInLinkInfo {
  state: "open" | "used" | "expired" | "locked";
  organizationName: string;
  locale: string;
  expiresAt: string;
  identity: { network: string; handle: string; displayName: string | null } | null;
  wording: string | null;
}

export const filteredContactsQuery = (filter: ContactFilter) =>
  queryOptions({
    queryKey: ["contacts", filter],
    queryFn: ({ signal }) =>
      api<{ contacts: Contact[] }>("/api/v1/contacts", { query: { ...filter, limit: 200 }, signal }),
  });

export const contactDetailQuery = (id: string) =>
  queryOptions({
    queryKey: ["contact", id],
    queryFn: ({ signal }) => api<ContactDetail>(`/api/v1/contacts/${id}`, { signal }),
  });

export const companiesQuery = queryOptions({
  queryKey: ["companies"],
  queryFn: ({ signal }) =>
    api<{ companies: Array<Company & { contacts: number }> }>("/api/v1/companies", { signal }),
});

export const segmentsQuery = queryOptions({
  queryKey: ["segments"],
  queryFn: ({ signal }) =>
    api<{ segments: Array<Segment & { members: number }> }>("/api/v1/segments", { signal }),
});

export const segmentMembersQuery = (id: string) =>
  queryOptions({
    queryKey: ["segments", id, "members"],
    queryFn: ({ signal }) =>
      api<{ total: number; contacts: Contact[] }>(`/api/v1/segments/${id}/members`, {
        query: { limit: 200 },
        signal,
      }),
  });

export const timelineQuery = (contactId: string) =>
  infiniteQueryOptions({
    queryKey: ["contact", contactId, "timeline"],
    queryFn: ({ pageParam, signal }) =>
      api<{ mode: DataUseMode; omitted: string[]; events: TimelineEvent[]; nextBefore?: string }>(
        `/api/v1/contacts/${contactId}/timeline`,
        { query: { limit: 25, before: pageParam }, signal },
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextBefore,
  });

export const notesQuery = (contactId: string) =>
  queryOptions({
    queryKey: ["contact", contactId, "notes"],
    queryFn: ({ signal }) =>
      api<{ notes: Array<{ id: string; body: string; authorUserId: string | null; createdAt: string }> }>(
        `/api/v1/contacts/${contactId}/notes`,
        { signal },
      ),
  });

export const candidatesQuery = (contactId: string, enabled: boolean) =>
  queryOptions({
    queryKey: ["contact", contactId, "candidates"],
    queryFn: ({ signal }) =>
      api<{ certainty: number; candidates: IdentityCandidate[] }>(
        `/api/v1/contacts/${contactId}/identity-candidates`,
        {
          signal,
        },
      ),
    enabled,
    retry: false,
  });

export const optInLinkQuery = (token: string) =>
  queryOptions({
    queryKey: ["opt-in", token],
    queryFn: ({ signal }) => api<OptInLinkInfo>(`/api/v1/opt-in/${token}`, { signal }),
    retry: false,
  });
