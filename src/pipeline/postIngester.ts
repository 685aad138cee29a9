import { sql } from "drizzle-orm";
import { everyMention } from "../modules/listening/schema.js";
import { type Db, sqlRows, type Tx } from "../platform/db/client.js";
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
  const prepared: Array<
    IncomingPost & { analysis: PostAnalysis; matchedQueryIds: string[]; predictedRelevance: number | null }
  > = [];
  let sliceStarted = performance.now();
  for (const item of fresh) {
    const analysis = deps.analyze(item.post);
    const matchedQueryIds = await deps.matchQueries(item.organizationId, item.post, analysis);
    const predictedRelevance =
      (await deps.predictRelevance?.(item.organizationId, item.post, matchedQueryIds)) ?? null;
    prepared.push({ ...item, analysis, matchedQueryIds, predictedRelevance });
    // A batch takes a few hundred ms of CPU: give the event loop a turn every 20 ms, so the API of
    // the same process keeps answering and the bus connection keeps its heartbeats.
    if (performance.now() - sliceStarted > 20) {
      await new Promise((resolve) => setImmediate(resolve));
      sliceStarted = performance.now();
    }
  }
  // Sorted by key, so two workers writing overlapping batches take their row locks in the same
  // order and wait for each other instead of deadlocking.
  prepared.sort((a, b) => compareKeys(mentionKey(a), mentionKey(b)));
  return db.transaction(async (tx) => {
    const identities = await upsertIdentities(tx, prepared);
    const rows = prepared.map(({ organizationId, post, analysis, matchedQueryIds, predictedRelevance }) => ({
      organization_id: organizationId,
      network: post.network,
      external_id: post.externalId,
      url: post.url ?? null,
      identity_id: identities.get(identityKey(organizationId, post))!,
      text: post.text,
      language: analysis.language,
      sentiment: analysis.sentiment,
      sentiment_score: analysis.sentimentScore,
      offensive_score: analysis.offensiveScore,
      offensive_type: analysis.offensiveType,
      urgency: analysis.urgency,
      has_pii: analysis.hasPii,
      aspects: analysis.aspects,
      keyphrases: analysis.keyphrases,
      matched_query_ids: matchedQueryIds,
      predicted_relevance: predictedRelevance,
      parent_external_id: post.parentExternalId ?? null,
      thread_external_id: post.threadExternalId ?? null,
      likes: post.engagement.likes,
      reposts: post.engagement.reposts,
      replies: post.engagement.replies,
      author_followers: post.author.followers ?? null,
      posted_at: post.postedAt.toISOString(),
    }));
    // One statement with one JSON parameter: building a 500-row multi-VALUES insert through the
    // query builder cost more CPU than the text analysis of the same posts.
    const inserted =
      rows.length === 0
        ? []
        : await sqlRows<{ id: string; organization_id: string; network: string; external_id: string }>(
            tx,
            sql`INSERT INTO mention (organization_id, network, external_id, url, identity_id, text, language,
                sentiment, sentiment_score, offensive_score, offensive_type, urgency, has_pii, aspects, keyphrases,
                matched_query_ids, predicted_relevance, parent_external_id, thread_external_id, likes, reposts,
                replies, author_followers, posted_at)
              SELECT * FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(organization_id uuid,
                network text, external_id text, url text, identity_id uuid, text text, language text,
                sentiment text, sentiment_score double precision, offensive_score double precision,
                offensive_type text, urgency double precision, has_pii boolean, aspects jsonb, keyphrases text[],
                matched_query_ids uuid[], predicted_relevance double precision, parent_external_id text,
                thread_external_id text, likes integer, reposts integer, replies integer, author_followers integer,
                posted_at timestamptz)
              ON CONFLICT DO NOTHING
              RETURNING id, organization_id, network, external_id`,
          );
    const byKey = new Map(prepared.map((p) => [mentionKey(p), p]));
    const stored = inserted.map((row) => {
      const p = byKey.get(`${row.organization_id}:${row.network}:${row.external_id}`)!;
      return {
        id: row.id,
        organizationId: p.organizationId,
        network: p.post.network,
        externalId: p.post.externalId,
        sentiment: p.analysis.sentiment,
        matchedQueryIds: p.matchedQueryIds,
        identityId: identities.get(identityKey(p.organizationId, p.post))!,
        authorHandle: p.post.author.handle,
        offensiveScore: p.analysis.offensiveScore,
        urgency: p.analysis.urgency,
        postedAt: p.post.postedAt,
        aspects: p.analysis.aspects,
        authorFollowers: p.post.author.followers ?? null,
        likes: p.post.engagement.likes,
        reposts: p.post.engagement.reposts,
        replies: p.post.engagement.replies,
      };
    });
    await addToRollups(tx, stored);
    return {
      stored: stored.map(
        ({ aspects: _a, authorFollowers: _f, likes: _l, reposts: _r, replies: _p, ...m }) => m,
      ),
      duplicates: batch.length - inserted.length,
    };
  });
}

function mentionKey(item: IncomingPost) {
  return `${item.organizationId}:${item.post.network}:${item.post.externalId}`;
}

function compareKeys(a: string, b: string) {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function withoutStored(db: Db, batch: IncomingPost[]): Promise<IncomingPost[]> {
  const unique = new Map<string, IncomingPost>();
  for (const item of batch) unique.set(mentionKey(item), item);
  const keys = [...unique.values()].map((i) => ({
    organization_id: i.organizationId,
    network: i.post.network,
    external_id: i.post.externalId,
  }));
  const existing = await sqlRows<{ organization_id: string; network: string; external_id: string }>(
    db,
    sql`SELECT m.organization_id, m.network, m.external_id
      FROM jsonb_to_recordset(${JSON.stringify(keys)}::jsonb) AS k(organization_id uuid, network text, external_id text)
      JOIN mention m ON m.organization_id = k.organization_id AND m.network = k.network AND m.external_id = k.external_id`,
  );
  for (const row of existing) unique.delete(`${row.organization_id}:${row.network}:${row.external_id}`);
  return [...unique.values()];
}

function identityKey(organizationId: string, post: NormalizedPost) {
  return `${organizationId}:${post.network}:${post.author.handle.toLowerCase()}`;
}

async function upsertIdentities(tx: Tx, items: IncomingPost[]): Promise<Map<string, string>> {
  const latest = new Map<string, IncomingPost>();
  for (const item of items) latest.set(identityKey(item.organizationId, item.post), item);
  const ids = new Map<string, string>();
  if (latest.size === 0) return ids;
  const rows = [...latest.entries()]
    .sort(([a], [b]) => compareKeys(a, b))
    .map(([, { organizationId, post }]) => ({
      organization_id: organizationId,
      network: post.network,
      handle: post.author.handle.toLowerCase(),
      display_name: post.author.displayName ?? null,
      profile_url: post.author.profileUrl ?? null,
      followers: post.author.followers ?? null,
      last_seen_at: post.postedAt.toISOString(),
    }));
  const upserted = await sqlRows<{ id: string; organization_id: string; network: string; handle: string }>(
    tx,
    sql`INSERT INTO social_identity (organization_id, network, handle, display_name, profile_url, followers, last_seen_at)
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(organization_id uuid, network text,
        handle text, display_name text, profile_url text, followers integer, last_seen_at timestamptz)
      ON CONFLICT (organization_id, network, handle) DO UPDATE SET
        display_name = coalesce(excluded.display_name, social_identity.display_name),
        followers = coalesce(excluded.followers, social_identity.followers),
        last_seen_at = greatest(excluded.last_seen_at, social_identity.last_seen_at)
      RETURNING id, organization_id, network, handle`,
  );
  for (const row of upserted) ids.set(`${row.organization_id}:${row.network}:${row.handle}`, row.id);
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

/** Rows of one rollup table keyed by their primary key, sorted so concurrent writers lock in the same order. */
function sortedRows<Row>(rows: Map<string, Row>): string {
  return JSON.stringify([...rows.entries()].sort(([a], [b]) => compareKeys(a, b)).map(([, row]) => row));
}

async function addToRollups(tx: Tx, mentions: RollupInput[]) {
  if (mentions.length === 0) return;
  const hourly = new Map<
    string,
    {
      organization_id: string;
      query_id: string;
      hour: string;
      network: string;
      sentiment: string;
      mentions: number;
      reach: number;
    }
  >();
  const daily = new Map<
    string,
    {
      organization_id: string;
      query_id: string;
      day: string;
      aspect: string;
      polarity: string;
      mentions: number;
    }
  >();
  const authors = new Map<
    string,
    {
      organization_id: string;
      query_id: string;
      day: string;
      identity_id: string;
      mentions: number;
      negative: number;
      engagement: number;
    }
  >();
  for (const m of mentions) {
    const hour = new Date(Math.floor(m.postedAt.getTime() / 3_600_000) * 3_600_000).toISOString();
    const day = new Date(Math.floor(m.postedAt.getTime() / 86_400_000) * 86_400_000).toISOString();
    for (const queryId of [everyMention, ...m.matchedQueryIds]) {
      const key = `${m.organizationId}|${queryId}|${hour}|${m.network}|${m.sentiment}`;
      const row = hourly.get(key) ?? {
        organization_id: m.organizationId,
        query_id: queryId,
        hour,
        network: m.network,
        sentiment: m.sentiment,
        mentions: 0,
        reach: 0,
      };
      row.mentions += 1;
      row.reach += m.authorFollowers ?? 0;
      hourly.set(key, row);
      if (m.identityId) {
        const authorKey = `${m.organizationId}|${queryId}|${day}|${m.identityId}`;
        const authorRow = authors.get(authorKey) ?? {
          organization_id: m.organizationId,
          query_id: queryId,
          day,
          identity_id: m.identityId,
          mentions: 0,
          negative: 0,
          engagement: 0,
        };
        authorRow.mentions += 1;
        authorRow.negative += m.sentiment === "negative" ? 1 : 0;
        authorRow.engagement += m.likes + m.reposts + m.replies;
        authors.set(authorKey, authorRow);
      }
      for (const aspect of m.aspects) {
        const aspectKey = `${m.organizationId}|${queryId}|${day}|${aspect.category}|${aspect.polarity}`;
        const aspectRow = daily.get(aspectKey) ?? {
          organization_id: m.organizationId,
          query_id: queryId,
          day,
          aspect: aspect.category,
          polarity: aspect.polarity,
          mentions: 0,
        };
        aspectRow.mentions += 1;
        daily.set(aspectKey, aspectRow);
      }
    }
  }
  await tx.execute(
    sql`INSERT INTO mention_rollup_hourly (organization_id, query_id, hour, network, sentiment, mentions, reach)
      SELECT * FROM jsonb_to_recordset(${sortedRows(hourly)}::jsonb) AS r(organization_id uuid, query_id uuid,
        hour timestamptz, network text, sentiment text, mentions bigint, reach bigint)
      ON CONFLICT (organization_id, query_id, hour, network, sentiment) DO UPDATE SET
        mentions = mention_rollup_hourly.mentions + excluded.mentions,
        reach = mention_rollup_hourly.reach + excluded.reach`,
  );
  if (authors.size > 0) {
    await tx.execute(
      sql`INSERT INTO author_rollup_daily (organization_id, query_id, day, identity_id, mentions, negative, engagement)
        SELECT * FROM jsonb_to_recordset(${sortedRows(authors)}::jsonb) AS r(organization_id uuid, query_id uuid,
          day timestamptz, identity_id uuid, mentions bigint, negative bigint, engagement bigint)
        ON CONFLICT (organization_id, query_id, day, identity_id) DO UPDATE SET
          mentions = author_rollup_daily.mentions + excluded.mentions,
          negative = author_rollup_daily.negative + excluded.negative,
          engagement = author_rollup_daily.engagement + excluded.engagement`,
    );
  }
  if (daily.size > 0) {
    await tx.execute(
      sql`INSERT INTO aspect_rollup_daily (organization_id, query_id, day, aspect, polarity, mentions)
        SELECT * FROM jsonb_to_recordset(${sortedRows(daily)}::jsonb) AS r(organization_id uuid, query_id uuid,
          day timestamptz, aspect text, polarity text, mentions bigint)
        ON CONFLICT (organization_id, query_id, day, aspect, polarity) DO UPDATE SET
          mentions = aspect_rollup_daily.mentions + excluded.mentions`,
    );
  }
}
