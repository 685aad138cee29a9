import { and, desc, eq, gte, lt, lte, or, type SQL, sql } from "drizzle-orm";
import type { OrgContext } from "../../platform/auth/context.js";
import type { DbOrTx } from "../../platform/db/client.js";
import { NotFoundError } from "../../platform/errors.js";
import { socialIdentity } from "../contacts/schema.js";
import { mention } from "./schema.js";

export interface MentionFilters {
  /** Words as a person types them into a search box ("zug verspätung", "-gewinnspiel", "\"deutsche bahn\""). */
  q?: string;
  from?: Date;
  to?: Date;
  queryId?: string;
  network?: string;
  sentiment?: "negative" | "neutral" | "positive";
  aspect?: string;
  language?: string;
  author?: string;
  offensive?: boolean;
  relevant?: boolean;
  hasPii?: boolean;
}

export interface MentionPage extends MentionFilters {
  /** `postedAt|id` of the last row of the previous page. */
  cursor?: string;
  limit: number;
}

/** The WHERE clause of a filtered mention set; always scoped to the organization. */
export function mentionConditions(ctx: Pick<OrgContext, "organizationId">, filters: MentionFilters): SQL {
  const conditions: SQL[] = [eq(mention.organizationId, ctx.organizationId)];
  if (filters.q) {
    // Posts are indexed in their own language; a search runs in both stemmings and unstemmed.
    conditions.push(
      sql`${mention.search} @@ (websearch_to_tsquery('german', ${filters.q}) || websearch_to_tsquery('english', ${filters.q}) || websearch_to_tsquery('simple', ${filters.q}))`,
    );
  }
  if (filters.from) conditions.push(gte(mention.postedAt, filters.from));
  if (filters.to) conditions.push(lte(mention.postedAt, filters.to));
  if (filters.queryId) conditions.push(sql`${mention.matchedQueryIds} @> ARRAY[${filters.queryId}]::uuid[]`);
  if (filters.network) conditions.push(eq(mention.network, filters.network));
  if (filters.sentiment) conditions.push(eq(mention.sentiment, filters.sentiment));
  if (filters.aspect)
    conditions.push(sql`${mention.aspects} @> ${JSON.stringify([{ category: filters.aspect }])}::jsonb`);
  if (filters.language) conditions.push(eq(mention.language, filters.language));
  if (filters.author) {
    conditions.push(
      sql`${mention.identityId} IN (SELECT ${socialIdentity.id} FROM ${socialIdentity} WHERE ${socialIdentity.organizationId} = ${ctx.organizationId} AND ${socialIdentity.handle} = ${filters.author.replace(/^@/, "").toLowerCase()})`,
    );
  }
  if (filters.offensive !== undefined)
    conditions.push(filters.offensive ? gte(mention.offensiveScore, 0.5) : lt(mention.offensiveScore, 0.5));
  if (filters.relevant !== undefined) {
    // A person's label wins; otherwise the query's model decides.
    const relevant = sql`coalesce(${mention.relevant}, ${mention.predictedRelevance} >= 0.5)`;
    conditions.push(filters.relevant ? sql`${relevant} IS TRUE` : sql`${relevant} IS FALSE`);
  }
  if (filters.hasPii !== undefined) conditions.push(eq(mention.hasPii, filters.hasPii));
  return and(...conditions)!;
}

const mentionColumns = {
  id: mention.id,
  network: mention.network,
  externalId: mention.externalId,
  url: mention.url,
  text: mention.text,
  language: mention.language,
  sentiment: mention.sentiment,
  sentimentScore: mention.sentimentScore,
  offensiveScore: mention.offensiveScore,
  offensiveType: mention.offensiveType,
  urgency: mention.urgency,
  hasPii: mention.hasPii,
  aspects: mention.aspects,
  keyphrases: mention.keyphrases,
  matchedQueryIds: mention.matchedQueryIds,
  relevant: mention.relevant,
  predictedRelevance: mention.predictedRelevance,
  likes: mention.likes,
  reposts: mention.reposts,
  replies: mention.replies,
  postedAt: mention.postedAt,
  author: {
    handle: socialIdentity.handle,
    displayName: socialIdentity.displayName,
    followers: socialIdentity.followers,
    isVip: socialIdentity.isVip,
  },
};

export async function searchMentions(db: DbOrTx, ctx: OrgContext, page: MentionPage) {
  const conditions = [mentionConditions(ctx, page)];
  if (page.cursor) {
    const [at, id] = page.cursor.split("|");
    const since = new Date(at ?? "");
    if (!Number.isNaN(since.getTime()) && id) {
      conditions.push(or(lt(mention.postedAt, since), and(eq(mention.postedAt, since), lt(mention.id, id)))!);
    }
  }
  const rows = await db
    .select(mentionColumns)
    .from(mention)
    .leftJoin(socialIdentity, eq(socialIdentity.id, mention.identityId))
    .where(and(...conditions))
    .orderBy(desc(mention.postedAt), desc(mention.id))
    .limit(page.limit + 1);
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  return {
    mentions: items,
    nextCursor: rows.length > page.limit && last ? `${last.postedAt.toISOString()}|${last.id}` : undefined,
  };
}

export async function getMention(db: DbOrTx, ctx: OrgContext, id: string) {
  const rows = await db
    .select(mentionColumns)
    .from(mention)
    .leftJoin(socialIdentity, eq(socialIdentity.id, mention.identityId))
    .where(and(eq(mention.organizationId, ctx.organizationId), eq(mention.id, id)));
  if (!rows[0]) throw new NotFoundError("The mention");
  return rows[0];
}

/** A person marks a mention relevant or not; the query's relevance model learns from these. */
export async function markRelevance(db: DbOrTx, ctx: OrgContext, id: string, relevant: boolean) {
  const rows = await db
    .update(mention)
    .set({ relevant })
    .where(and(eq(mention.organizationId, ctx.organizationId), eq(mention.id, id)))
    .returning({ id: mention.id });
  if (!rows[0]) throw new NotFoundError("The mention");
}
