/**
 * Social VIPs: who matters in an organization's conversation. `computeInfluence` scores every
 * author of the last days from reach, engagement, frequency and their place in the reply and
 * @mention graph; `listInfluencers` shows the ranking with each author's trend; `setVip` marks an
 * author by hand.
 */

import { and, desc, eq, gte, inArray, isNotNull, lt, lte, or, type SQL, sql } from "drizzle-orm";
import { DirectedGraph } from "graphology";
import pagerankModule from "graphology-metrics/centrality/pagerank.js";
import { recordAudit } from "../../platform/audit/audit.js";
import type { OrgContext } from "../../platform/auth/context.js";
import type { Db, DbOrTx } from "../../platform/db/client.js";
import { NotFoundError } from "../../platform/errors.js";
import { socialIdentity } from "../contacts/schema.js";
import { authorRollup, everyMention, listeningQuery, mention } from "./schema.js";

// The package is CommonJS with ES-module typings: at run time its default export is the function itself.
const pagerank = pagerankModule as unknown as typeof pagerankModule.default;

const dayMs = 86_400_000;

/**
 * How the four signals add up to the 0–100 score (each signal is first scaled to 0–1 within the
 * organization, so the score says "compared with the others who talk about us"):
 * - centrality 0.35: being replied to and @mentioned by others is the one signal a loud account
 *   cannot produce alone; it is what makes somebody a voice the conversation turns to;
 * - engagement 0.25: likes, reposts and replies are reach that actually happened;
 * - reach 0.25: followers are the potential audience, but they can be bought and mean different
 *   things on different networks, so they count no more than realised engagement;
 * - frequency 0.15: posting often about us matters, yet volume alone is what bots and one-way
 *   posters have, so it counts least.
 */
export const influenceWeights = { centrality: 0.35, engagement: 0.25, reach: 0.25, frequency: 0.15 } as const;

export interface InfluenceComponents {
  /** Each 0–1, relative to the organization's most influential author on that signal. */
  reach: number;
  engagement: number;
  frequency: number;
  centrality: number;
}

export interface InfluenceRank {
  identityId: string;
  handle: string;
  network: string;
  followers: number | null;
  /** Mentions written in the window. */
  mentions: number;
  /** Likes, reposts and replies on those mentions. */
  engagement: number;
  /** 0–100, one decimal. */
  score: number;
  components: InfluenceComponents;
}

export interface ComputeInfluenceProps {
  organizationId: string;
  /** End of the window (the recomputation time). */
  now: Date;
  /** Length of the window in days. */
  days?: number;
}

interface AuthorStats {
  mentions: number;
  engagement: number;
  followersSeen: number | null;
}

/** Handles written as @name, @name.bsky.social or @user@instance.social (Mastodon). */
const handlePattern = /(?:^|[^\w@.])@([a-z0-9_][a-z0-9_.-]*(?:@[a-z0-9][a-z0-9.-]*)?)/gi;

export function mentionedHandles(text: string): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(handlePattern)) {
    found.add(match[1]!.toLowerCase().replace(/[.-]+$/, ""));
  }
  return [...found];
}

/** Splits a list into chunks, so no statement carries more parameters than a database accepts. */
function chunks<T>(items: readonly T[], size = 1000): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Scores every author of the organization's mentions in the last `days` days, writes the scores to
 * their identities in one transaction, and returns the ranking, most influential first. Authors
 * scored before but silent in the window drop to 0.
 */
export async function computeInfluence(db: Db, props: ComputeInfluenceProps): Promise<InfluenceRank[]> {
  const { organizationId, now } = props;
  const since = new Date(now.getTime() - (props.days ?? 30) * dayMs);
  const posts = await db
    .select({
      network: mention.network,
      externalId: mention.externalId,
      identityId: mention.identityId,
      parentExternalId: mention.parentExternalId,
      // Only texts that can name somebody are read; the rest need not leave the database.
      text: sql<string | null>`case when position('@' in ${mention.text}) > 0 then ${mention.text} end`,
      engagement: sql<number>`${mention.likes} + ${mention.reposts} + ${mention.replies}`.mapWith(Number),
      authorFollowers: mention.authorFollowers,
    })
    .from(mention)
    .where(
      and(
        eq(mention.organizationId, organizationId),
        gte(mention.postedAt, since),
        lte(mention.postedAt, now),
        isNotNull(mention.identityId),
      ),
    );

  const stats = new Map<string, AuthorStats>();
  const authorOfPost = new Map<string, string>();
  for (const post of posts) {
    const id = post.identityId!;
    const s = stats.get(id) ?? { mentions: 0, engagement: 0, followersSeen: null };
    s.mentions += 1;
    s.engagement += post.engagement;
    if (post.authorFollowers !== null) s.followersSeen = Math.max(s.followersSeen ?? 0, post.authorFollowers);
    stats.set(id, s);
    authorOfPost.set(`${post.network}:${post.externalId}`, id);
  }

  // Parents written before the window still tell whom a reply in the window answers.
  const missingParents = new Map<string, Set<string>>();
  for (const post of posts) {
    if (!post.parentExternalId || authorOfPost.has(`${post.network}:${post.parentExternalId}`)) continue;
    const set = missingParents.get(post.network) ?? new Set<string>();
    set.add(post.parentExternalId);
    missingParents.set(post.network, set);
  }
  for (const [network, externalIds] of missingParents) {
    for (const part of chunks([...externalIds])) {
      const parents = await db
        .select({ externalId: mention.externalId, identityId: mention.identityId })
        .from(mention)
        .where(
          and(
            eq(mention.organizationId, organizationId),
            eq(mention.network, network),
            inArray(mention.externalId, part),
            isNotNull(mention.identityId),
          ),
        );
      for (const p of parents) authorOfPost.set(`${network}:${p.externalId}`, p.identityId!);
    }
  }

  // @handles resolve only to identities the organization already knows on the same network.
  const namedByNetwork = new Map<string, Set<string>>();
  const namedInPost: Array<{ from: string; network: string; handles: string[] }> = [];
  for (const post of posts) {
    if (!post.text) continue;
    const handles = mentionedHandles(post.text);
    if (handles.length === 0) continue;
    namedInPost.push({ from: post.identityId!, network: post.network, handles });
    const set = namedByNetwork.get(post.network) ?? new Set<string>();
    for (const h of handles) set.add(h);
    namedByNetwork.set(post.network, set);
  }
  const identityByHandle = new Map<string, string>();
  for (const [network, handles] of namedByNetwork) {
    for (const part of chunks([...handles])) {
      const known = await db
        .select({ id: socialIdentity.id, handle: socialIdentity.handle })
        .from(socialIdentity)
        .where(
          and(
            eq(socialIdentity.organizationId, organizationId),
            eq(socialIdentity.network, network),
            inArray(socialIdentity.handle, part),
          ),
        );
      for (const k of known) identityByHandle.set(`${network}:${k.handle}`, k.id);
    }
  }

  const graph = new DirectedGraph<Record<string, never>, { weight: number }>({ allowSelfLoops: false });
  const addEdge = (from: string, to: string) => {
    if (from === to) return;
    graph.mergeNode(from);
    graph.mergeNode(to);
    if (graph.hasDirectedEdge(from, to))
      graph.updateDirectedEdgeAttribute(from, to, "weight", (w) => (w ?? 0) + 1);
    else graph.addDirectedEdge(from, to, { weight: 1 });
  };
  for (const post of posts) {
    if (!post.parentExternalId) continue;
    const parentAuthor = authorOfPost.get(`${post.network}:${post.parentExternalId}`);
    if (parentAuthor) addEdge(post.identityId!, parentAuthor);
  }
  for (const { from, network, handles } of namedInPost) {
    for (const h of handles) {
      const to = identityByHandle.get(`${network}:${h}`);
      if (to) addEdge(from, to);
    }
  }
  for (const id of stats.keys()) graph.mergeNode(id);
  const rank: Record<string, number> =
    graph.size > 0 ? pagerank(graph, { getEdgeWeight: "weight", maxIterations: 1000 }) : {};

  const nodeIds = graph.nodes();
  const identities = new Map<
    string,
    { handle: string; network: string; followers: number | null; influenceScore: number | null }
  >();
  for (const part of chunks(nodeIds)) {
    const rows = await db
      .select({
        id: socialIdentity.id,
        handle: socialIdentity.handle,
        network: socialIdentity.network,
        followers: socialIdentity.followers,
        influenceScore: socialIdentity.influenceScore,
      })
      .from(socialIdentity)
      .where(and(eq(socialIdentity.organizationId, organizationId), inArray(socialIdentity.id, part)));
    for (const r of rows) identities.set(r.id, r);
  }

  const raw = nodeIds.map((id) => {
    const s = stats.get(id) ?? { mentions: 0, engagement: 0, followersSeen: null };
    const followers = identities.get(id)?.followers ?? s.followersSeen;
    return {
      id,
      followers,
      s,
      // Logarithms: the tenth thousand followers or likes says less than the first ten.
      reach: Math.log10(1 + (followers ?? 0)),
      engagement: Math.log10(1 + s.engagement),
      frequency: Math.log10(1 + s.mentions),
      centrality: rank[id] ?? 0,
    };
  });
  // Folded rather than spread: an organization can have more authors than a call has arguments.
  const max = (pick: (r: (typeof raw)[number]) => number) => raw.reduce((m, r) => Math.max(m, pick(r)), 0);
  const maxReach = max((r) => r.reach);
  const maxEngagement = max((r) => r.engagement);
  const maxFrequency = max((r) => r.frequency);
  // PageRank gives everybody a floor (the random jump); only what lies above the floor is influence.
  const minRank = raw.reduce((m, r) => Math.min(m, r.centrality), Number.POSITIVE_INFINITY);
  const maxRank = max((r) => r.centrality);
  const share = (value: number, top: number) => (top > 0 ? value / top : 0);

  const ranking: InfluenceRank[] = raw
    .filter((r) => identities.has(r.id))
    .map((r) => {
      const components: InfluenceComponents = {
        reach: share(r.reach, maxReach),
        engagement: share(r.engagement, maxEngagement),
        frequency: share(r.frequency, maxFrequency),
        centrality: maxRank > minRank ? (r.centrality - minRank) / (maxRank - minRank) : 0,
      };
      const score =
        100 *
        (influenceWeights.centrality * components.centrality +
          influenceWeights.engagement * components.engagement +
          influenceWeights.reach * components.reach +
          influenceWeights.frequency * components.frequency);
      const identity = identities.get(r.id)!;
      return {
        identityId: r.id,
        handle: identity.handle,
        network: identity.network,
        followers: r.followers,
        mentions: r.s.mentions,
        engagement: r.s.engagement,
        score: Math.round(score * 10) / 10,
        components,
      };
    })
    .sort((a, b) => b.score - a.score || a.handle.localeCompare(b.handle));

  await db.transaction(async (tx) => {
    // Everybody scored before starts at 0; the ranking then overwrites those active in the window.
    await tx
      .update(socialIdentity)
      .set({ influenceScore: 0, influenceUpdatedAt: now })
      .where(
        and(eq(socialIdentity.organizationId, organizationId), isNotNull(socialIdentity.influenceScore)),
      );
    for (const part of chunks(ranking, 500)) {
      const values = sql.join(
        part.map((r) => sql`(${r.identityId}::uuid, ${r.score}::double precision)`),
        sql`, `,
      );
      await tx.execute(sql`
        update ${socialIdentity}
        set influence_score = scored.score, influence_updated_at = ${now.toISOString()}::timestamptz
        from (values ${values}) as scored(id, score)
        where ${socialIdentity.organizationId} = ${organizationId} and ${socialIdentity.id} = scored.id`);
    }
  });
  return ranking;
}

export type InfluenceTrend = "rising" | "steady" | "falling";

/**
 * Rising or falling only when the change is at least two mentions and a quarter of last week's
 * count: a single extra post, or noise on a busy author, is steady.
 */
export function trendOf(current: number, previous: number): InfluenceTrend {
  const needed = Math.max(2, 0.25 * previous);
  if (current - previous >= needed) return "rising";
  if (previous - current >= needed) return "falling";
  return "steady";
}

export interface InfluencerListing {
  identityId: string;
  handle: string;
  displayName: string | null;
  network: string;
  followers: number | null;
  isVip: boolean;
  score: number | null;
  scoredAt: Date | null;
  mentions7d: number;
  mentionsPrev7d: number;
  trend: InfluenceTrend;
}

export interface ListInfluencersProps {
  /** Only authors who wrote mentions of this query in the last 30 days. */
  queryId?: string;
  limit: number;
  /** Defaults to the current time. */
  now?: Date;
}

/**
 * Scored and VIP authors, most influential first, with their mentions in the last 7 days against
 * the 7 before (whole UTC days, today included).
 */
export async function listInfluencers(
  db: DbOrTx,
  ctx: OrgContext,
  props: ListInfluencersProps,
): Promise<InfluencerListing[]> {
  const now = props.now ?? new Date();
  const organizationId = ctx.organizationId;
  if (props.queryId) {
    const [query] = await db
      .select({ id: listeningQuery.id })
      .from(listeningQuery)
      .where(and(eq(listeningQuery.organizationId, organizationId), eq(listeningQuery.id, props.queryId)));
    if (!query) throw new NotFoundError("The listening query");
  }
  const conditions: SQL[] = [
    eq(socialIdentity.organizationId, organizationId),
    or(eq(socialIdentity.isVip, true), isNotNull(socialIdentity.influenceScore))!,
  ];
  if (props.queryId) {
    conditions.push(sql`exists (
      select 1 from ${mention}
      where ${mention.organizationId} = ${organizationId}
        and ${mention.identityId} = ${socialIdentity.id}
        and ${mention.matchedQueryIds} @> array[${props.queryId}]::uuid[]
        and ${mention.postedAt} >= ${new Date(now.getTime() - 30 * dayMs).toISOString()}::timestamptz)`);
  }
  const authors = await db
    .select({
      identityId: socialIdentity.id,
      handle: socialIdentity.handle,
      displayName: socialIdentity.displayName,
      network: socialIdentity.network,
      followers: socialIdentity.followers,
      isVip: socialIdentity.isVip,
      score: socialIdentity.influenceScore,
      scoredAt: socialIdentity.influenceUpdatedAt,
    })
    .from(socialIdentity)
    .where(and(...conditions))
    .orderBy(
      sql`${socialIdentity.influenceScore} desc nulls last`,
      desc(socialIdentity.isVip),
      socialIdentity.handle,
    )
    .limit(props.limit);
  if (authors.length === 0) return [];

  const today = Math.floor(now.getTime() / dayMs) * dayMs;
  const currentFrom = new Date(today - 6 * dayMs);
  const previousFrom = new Date(today - 13 * dayMs);
  const until = new Date(today + dayMs);
  const ids = authors.map((a) => a.identityId);
  const counts = new Map<string, { current: number; previous: number }>();

  const rolledUp = await db
    .select({
      identityId: authorRollup.identityId,
      current:
        sql<number>`coalesce(sum(${authorRollup.mentions}) filter (where ${authorRollup.day} >= ${currentFrom.toISOString()}::timestamptz), 0)`.mapWith(
          Number,
        ),
      previous:
        sql<number>`coalesce(sum(${authorRollup.mentions}) filter (where ${authorRollup.day} < ${currentFrom.toISOString()}::timestamptz), 0)`.mapWith(
          Number,
        ),
    })
    .from(authorRollup)
    .where(
      and(
        eq(authorRollup.organizationId, organizationId),
        eq(authorRollup.queryId, props.queryId ?? everyMention),
        inArray(authorRollup.identityId, ids),
        gte(authorRollup.day, previousFrom),
        lt(authorRollup.day, until),
      ),
    )
    .groupBy(authorRollup.identityId);
  for (const r of rolledUp) counts.set(r.identityId, { current: r.current, previous: r.previous });

  // Mentions stored without rollups (imports, older data) are counted where they lie.
  const unrolled = ids.filter((id) => !counts.has(id));
  if (unrolled.length > 0) {
    const counted = await db
      .select({
        identityId: mention.identityId,
        current:
          sql<number>`count(*) filter (where ${mention.postedAt} >= ${currentFrom.toISOString()}::timestamptz)`.mapWith(
            Number,
          ),
        previous:
          sql<number>`count(*) filter (where ${mention.postedAt} < ${currentFrom.toISOString()}::timestamptz)`.mapWith(
            Number,
          ),
      })
      .from(mention)
      .where(
        and(
          eq(mention.organizationId, organizationId),
          inArray(mention.identityId, unrolled),
          gte(mention.postedAt, previousFrom),
          lt(mention.postedAt, until),
          props.queryId ? sql`${mention.matchedQueryIds} @> array[${props.queryId}]::uuid[]` : undefined,
        ),
      )
      .groupBy(mention.identityId);
    for (const r of counted) counts.set(r.identityId!, { current: r.current, previous: r.previous });
  }

  return authors.map((a) => {
    const c = counts.get(a.identityId) ?? { current: 0, previous: 0 };
    return {
      ...a,
      mentions7d: c.current,
      mentionsPrev7d: c.previous,
      trend: trendOf(c.current, c.previous),
    };
  });
}

/** Marks an author as a VIP (or not), so alerts and the inbox treat their posts with priority. */
export async function setVip(db: Db, ctx: OrgContext, identityId: string, isVip: boolean) {
  return db.transaction(async (tx) => {
    const [updated] = await tx
      .update(socialIdentity)
      .set({ isVip })
      .where(and(eq(socialIdentity.organizationId, ctx.organizationId), eq(socialIdentity.id, identityId)))
      .returning({
        identityId: socialIdentity.id,
        handle: socialIdentity.handle,
        network: socialIdentity.network,
        isVip: socialIdentity.isVip,
      });
    if (!updated) throw new NotFoundError("The author");
    await recordAudit(tx, ctx, {
      action: isVip ? "social_identity.vip_marked" : "social_identity.vip_unmarked",
      entityType: "social_identity",
      entityId: identityId,
      details: { isVip },
    });
    return updated;
  });
}
