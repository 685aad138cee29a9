import { and, eq, inArray, sql } from "drizzle-orm";
import { socialIdentity } from "../modules/contacts/schema.js";
import {
  aspectRollup,
  authorRollup,
  everyMention,
  mention,
  mentionRollup,
} from "../modules/listening/schema.js";
import type { Db } from "../platform/db/client.js";
import type { NormalizedPost } from "../platform/posts/normalizedPost.js";

/** What the pipeline stores of the text analysis of one post. */
export interface PostAnalysis {
  language: string;
  sentiment: "negative" | "neutral" | "positive";
  /** Probability of the chosen sentiment. */
  sentimentScore: number;
  offensiveScore: number;
  offensiveType: string | null;
  urgency: number;
  hasPii: boolean;
  aspects: Array<{ category: string; polarity: string; score: number }>;
  keyphrases: string[];
}

export type AnalyzePost = (post: NormalizedPost) => PostAnalysis;
/** The ids of the organization's active listening queries that the post matches. */
export type MatchQueries = (
  organizationId: string,
  post: NormalizedPost,
  analysis: PostAnalysis,
) => Promise<string[]> | string[];

/** The probability that the post is relevant to its matched queries, from a query's own model. */
export type PredictRelevance = (
  organizationId: string,
  post: NormalizedPost,
  matchedQueryIds: string[],
) => Promise<number | null> | number | null;

export interface IncomingPost {
  organizationId: string;
  post: NormalizedPost;
}

export interface StoredMention {
  id: string;
  organizationId: string;
  network: string;
  externalId: string;
  sentiment: string;
  matchedQueryIds: string[];
  identityId: string;
  authorHandle: string;
  offensiveScore: number;
  urgency: number;
  postedAt: Date;
}

export interface IngestResult {
  stored: StoredMention[];
  /** Posts already stored before (redelivery, or the same post from two sources). */
  duplicates: number;
}

/**
 * The storage stage of the ingest pipeline: dedupe, analyse, match, link the author, and write the
 * mentions with their rollups in one transaction per batch. Idempotent: a redelivered batch stores
 * nothing twice and counts nothing twice.
 */
export async function ingestPosts(
  db: Db,
  batch: IncomingPost[],
  deps: { analyze: AnalyzePost; matchQueries: MatchQueries; predictRelevance?: PredictRelevance },
): Promise<IngestResult> {
  if (batch.length === 0) return { stored: [], duplicates: 0 };
  // Analysis and matching happen before the transaction: they are the slow part, and the embedded
  // database serves one transaction at a time. A post stored meanwhile is caught by ON CONFLICT.
  const fresh = await withoutStored(db, batch);
  const prepared = await Promise.all(
    fresh.map(async (item) => {
      const analysis = deps.analyze(item.post);
      const matchedQueryIds = await deps.matchQueries(item.organizationId, item.post, analysis);
      const predictedRelevance =
        (await deps.predictRelevance?.(item.organizationId, item.post, matchedQueryIds)) ?? null;
      return { ...item, analysis, matchedQueryIds, predictedRelevance };
    }),
  );
  return db.transaction(async (tx) => {
    const identities = await upsertIdentities(tx, prepared);
    const rows = prepared.map(({ organizationId, post, analysis, matchedQueryIds, predictedRelevance }) => ({
      organizationId,
      network: post.network,
      externalId: post.externalId,
      url: post.url ?? null,
      identityId: identities.get(identityKey(organizationId, post))!,
      text: post.text,
      language: analysis.language,
      sentiment: analysis.sentiment,
      sentimentScore: analysis.sentimentScore,
      offensiveScore: analysis.offensiveScore,
      offensiveType: analysis.offensiveType,
      urgency: analysis.urgency,
      hasPii: analysis.hasPii,
      aspects: analysis.aspects,
      keyphrases: analysis.keyphrases,
      matchedQueryIds,
      predictedRelevance,
      parentExternalId: post.parentExternalId ?? null,
      threadExternalId: post.threadExternalId ?? null,
      likes: post.engagement.likes,
      reposts: post.engagement.reposts,
      replies: post.engagement.replies,
      authorFollowers: post.author.followers ?? null,
      postedAt: post.postedAt,
    }));
    const inserted =
      rows.length === 0
        ? []
        : await tx.insert(mention).values(rows).onConflictDoNothing().returning({
            id: mention.id,
            organizationId: mention.organizationId,
            network: mention.network,
            externalId: mention.externalId,
            sentiment: mention.sentiment,
            matchedQueryIds: mention.matchedQueryIds,
            identityId: mention.identityId,
            offensiveScore: mention.offensiveScore,
            urgency: mention.urgency,
            postedAt: mention.postedAt,
            aspects: mention.aspects,
            authorFollowers: mention.authorFollowers,
            likes: mention.likes,
            reposts: mention.reposts,
            replies: mention.replies,
          });
    await addToRollups(tx, inserted);
    const handles = new Map(
      prepared.map((p) => [
        `${p.organizationId}:${p.post.network}:${p.post.externalId}`,
        p.post.author.handle,
      ]),
    );
    return {
      stored: inserted.map(
        ({ aspects: _a, authorFollowers: _f, likes: _l, reposts: _r, replies: _p, ...m }) => ({
          ...m,
          identityId: m.identityId!,
          authorHandle: handles.get(`${m.organizationId}:${m.network}:${m.externalId}`) ?? "",
        }),
      ),
      duplicates: batch.length - inserted.length,
    };
  });
}

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

async function withoutStored(tx: Db, batch: IncomingPost[]): Promise<IncomingPost[]> {
  const unique = new Map<string, IncomingPost>();
  for (const item of batch)
    unique.set(`${item.organizationId}:${item.post.network}:${item.post.externalId}`, item);
  const byOrganization = new Map<string, IncomingPost[]>();
  for (const item of unique.values())
    byOrganization.set(item.organizationId, [...(byOrganization.get(item.organizationId) ?? []), item]);
  const stored = new Set<string>();
  for (const [organizationId, items] of byOrganization) {
    const existing = await tx
      .select({ network: mention.network, externalId: mention.externalId })
      .from(mention)
      .where(
        and(
          eq(mention.organizationId, organizationId),
          inArray(
            mention.externalId,
            items.map((i) => i.post.externalId),
          ),
        ),
      );
    for (const row of existing) stored.add(`${organizationId}:${row.network}:${row.externalId}`);
  }
  return [...unique.entries()].filter(([key]) => !stored.has(key)).map(([, item]) => item);
}

function identityKey(organizationId: string, post: NormalizedPost) {
  return `${organizationId}:${post.network}:${post.author.handle.toLowerCase()}`;
}

async function upsertIdentities(tx: Tx, items: IncomingPost[]): Promise<Map<string, string>> {
  const latest = new Map<string, IncomingPost>();
  for (const item of items) latest.set(identityKey(item.organizationId, item.post), item);
  const ids = new Map<string, string>();
  if (latest.size === 0) return ids;
  const rows = await tx
    .insert(socialIdentity)
    .values(
      [...latest.values()].map(({ organizationId, post }) => ({
        organizationId,
        network: post.network,
        handle: post.author.handle.toLowerCase(),
        displayName: post.author.displayName ?? null,
        profileUrl: post.author.profileUrl ?? null,
        followers: post.author.followers ?? null,
        lastSeenAt: post.postedAt,
      })),
    )
    .onConflictDoUpdate({
      target: [socialIdentity.organizationId, socialIdentity.network, socialIdentity.handle],
      set: {
        displayName: sql`coalesce(excluded.display_name, ${socialIdentity.displayName})`,
        followers: sql`coalesce(excluded.followers, ${socialIdentity.followers})`,
        lastSeenAt: sql`greatest(excluded.last_seen_at, ${socialIdentity.lastSeenAt})`,
      },
    })
    .returning({
      id: socialIdentity.id,
      organizationId: socialIdentity.organizationId,
      network: socialIdentity.network,
      handle: socialIdentity.handle,
    });
  for (const row of rows) ids.set(`${row.organizationId}:${row.network}:${row.handle}`, row.id);
  return ids;
}

interface RollupInput {
  organizationId: string;
  network: string;
  sentiment: string;
  matchedQueryIds: string[];
  postedAt: Date;
  aspects: Array<{ category: string; polarity: string }>;
  authorFollowers: number | null;
  identityId: string | null;
  likes: number;
  reposts: number;
  replies: number;
}

async function addToRollups(tx: Tx, mentions: RollupInput[]) {
  if (mentions.length === 0) return;
  const hourly = new Map<string, typeof mentionRollup.$inferInsert>();
  const daily = new Map<string, typeof aspectRollup.$inferInsert>();
  const authors = new Map<string, typeof authorRollup.$inferInsert>();
  for (const m of mentions) {
    const hour = new Date(Math.floor(m.postedAt.getTime() / 3_600_000) * 3_600_000);
    const day = new Date(Math.floor(m.postedAt.getTime() / 86_400_000) * 86_400_000);
    for (const queryId of [everyMention, ...m.matchedQueryIds]) {
      const key = `${m.organizationId}|${queryId}|${hour.toISOString()}|${m.network}|${m.sentiment}`;
      const row = hourly.get(key) ?? {
        organizationId: m.organizationId,
        queryId,
        hour,
        network: m.network,
        sentiment: m.sentiment,
        mentions: 0,
        reach: 0,
      };
      row.mentions! += 1;
      row.reach! += m.authorFollowers ?? 0;
      hourly.set(key, row);
      if (m.identityId) {
        const authorKey = `${m.organizationId}|${queryId}|${day.toISOString()}|${m.identityId}`;
        const authorRow = authors.get(authorKey) ?? {
          organizationId: m.organizationId,
          queryId,
          day,
          identityId: m.identityId,
          mentions: 0,
          negative: 0,
          engagement: 0,
        };
        authorRow.mentions! += 1;
        authorRow.negative! += m.sentiment === "negative" ? 1 : 0;
        authorRow.engagement! += m.likes + m.reposts + m.replies;
        authors.set(authorKey, authorRow);
      }
      for (const aspect of m.aspects) {
        const aspectKey = `${m.organizationId}|${queryId}|${day.toISOString()}|${aspect.category}|${aspect.polarity}`;
        const aspectRow = daily.get(aspectKey) ?? {
          organizationId: m.organizationId,
          queryId,
          day,
          aspect: aspect.category,
          polarity: aspect.polarity,
          mentions: 0,
        };
        aspectRow.mentions! += 1;
        daily.set(aspectKey, aspectRow);
      }
    }
  }
  await tx
    .insert(mentionRollup)
    .values([...hourly.values()])
    .onConflictDoUpdate({
      target: [
        mentionRollup.organizationId,
        mentionRollup.queryId,
        mentionRollup.hour,
        mentionRollup.network,
        mentionRollup.sentiment,
      ],
      set: {
        mentions: sql`${mentionRollup.mentions} + excluded.mentions`,
        reach: sql`${mentionRollup.reach} + excluded.reach`,
      },
    });
  if (authors.size > 0) {
    await tx
      .insert(authorRollup)
      .values([...authors.values()])
      .onConflictDoUpdate({
        target: [
          authorRollup.organizationId,
          authorRollup.queryId,
          authorRollup.day,
          authorRollup.identityId,
        ],
        set: {
          mentions: sql`${authorRollup.mentions} + excluded.mentions`,
          negative: sql`${authorRollup.negative} + excluded.negative`,
          engagement: sql`${authorRollup.engagement} + excluded.engagement`,
        },
      });
  }
  if (daily.size > 0) {
    await tx
      .insert(aspectRollup)
      .values([...daily.values()])
      .onConflictDoUpdate({
        target: [
          aspectRollup.organizationId,
          aspectRollup.queryId,
          aspectRollup.day,
          aspectRollup.aspect,
          aspectRollup.polarity,
        ],
        set: { mentions: sql`${aspectRollup.mentions} + excluded.mentions` },
      });
  }
}
