import { and, desc, eq, gte, inArray, lt, type SQL, sql } from "drizzle-orm";
import type { OrgContext } from "../../platform/auth/context.js";
import type { DbOrTx } from "../../platform/db/client.js";
import { socialIdentity } from "../contacts/schema.js";
import { aspectRollup, authorRollup, everyMention, listeningQuery, mentionRollup } from "./schema.js";

/** Every dashboard reads rollups only, never the raw mentions. */
export interface DashboardRange {
  from: Date;
  to: Date;
  /** Omitted: every mention. */
  queryId?: string;
  network?: string;
}

function hourlyConditions(ctx: OrgContext, range: DashboardRange): SQL {
  const conditions = [
    eq(mentionRollup.organizationId, ctx.organizationId),
    eq(mentionRollup.queryId, range.queryId ?? everyMention),
    gte(mentionRollup.hour, range.from),
    lt(mentionRollup.hour, range.to),
  ];
  if (range.network) conditions.push(eq(mentionRollup.network, range.network));
  return and(...conditions)!;
}

/** Mentions per hour or day, split by sentiment: volume and sentiment share over time. */
export async function volumeOverTime(
  db: DbOrTx,
  ctx: OrgContext,
  range: DashboardRange & { interval: "hour" | "day" },
) {
  // The unit is one of two literals (checked by the route), written inline so GROUP BY matches.
  const bucket = sql<Date>`date_trunc(${sql.raw(range.interval === "day" ? "'day'" : "'hour'")}, ${mentionRollup.hour}, 'UTC')`;
  const rows = await db
    .select({
      bucket,
      negative:
        sql<number>`coalesce(sum(${mentionRollup.mentions}) FILTER (WHERE ${mentionRollup.sentiment} = 'negative'), 0)`.mapWith(
          Number,
        ),
      neutral:
        sql<number>`coalesce(sum(${mentionRollup.mentions}) FILTER (WHERE ${mentionRollup.sentiment} = 'neutral'), 0)`.mapWith(
          Number,
        ),
      positive:
        sql<number>`coalesce(sum(${mentionRollup.mentions}) FILTER (WHERE ${mentionRollup.sentiment} = 'positive'), 0)`.mapWith(
          Number,
        ),
      reach: sql<number>`coalesce(sum(${mentionRollup.reach}), 0)`.mapWith(Number),
    })
    .from(mentionRollup)
    .where(hourlyConditions(ctx, range))
    .groupBy(bucket)
    .orderBy(bucket);
  return rows.map((r) => ({ ...r, bucket: new Date(r.bucket), total: r.negative + r.neutral + r.positive }));
}

/** Mentions of each brand and competitor query in the range: share of voice. */
export async function shareOfVoice(db: DbOrTx, ctx: OrgContext, range: Omit<DashboardRange, "queryId">) {
  const queries = await db
    .select({ id: listeningQuery.id, name: listeningQuery.name, kind: listeningQuery.kind })
    .from(listeningQuery)
    .where(
      and(
        eq(listeningQuery.organizationId, ctx.organizationId),
        inArray(listeningQuery.kind, ["brand", "competitor"]),
      ),
    );
  if (queries.length === 0) return [];
  const conditions = [
    eq(mentionRollup.organizationId, ctx.organizationId),
    inArray(
      mentionRollup.queryId,
      queries.map((q) => q.id),
    ),
    gte(mentionRollup.hour, range.from),
    lt(mentionRollup.hour, range.to),
  ];
  if (range.network) conditions.push(eq(mentionRollup.network, range.network));
  const totals = await db
    .select({
      queryId: mentionRollup.queryId,
      mentions: sql<number>`sum(${mentionRollup.mentions})`.mapWith(Number),
      negative:
        sql<number>`coalesce(sum(${mentionRollup.mentions}) FILTER (WHERE ${mentionRollup.sentiment} = 'negative'), 0)`.mapWith(
          Number,
        ),
      positive:
        sql<number>`coalesce(sum(${mentionRollup.mentions}) FILTER (WHERE ${mentionRollup.sentiment} = 'positive'), 0)`.mapWith(
          Number,
        ),
    })
    .from(mentionRollup)
    .where(and(...conditions))
    .groupBy(mentionRollup.queryId);
  const all = totals.reduce((sum, t) => sum + t.mentions, 0);
  return queries.map((q) => {
    const t = totals.find((x) => x.queryId === q.id);
    const mentions = t?.mentions ?? 0;
    return {
      ...q,
      mentions,
      negative: t?.negative ?? 0,
      positive: t?.positive ?? 0,
      share: all === 0 ? 0 : mentions / all,
    };
  });
}

/** The aspects customers talk about most, with their polarity. */
export async function topAspects(
  db: DbOrTx,
  ctx: OrgContext,
  range: Omit<DashboardRange, "network"> & { limit: number },
) {
  const total = sql<number>`sum(${aspectRollup.mentions})`.mapWith(Number);
  return db
    .select({
      aspect: aspectRollup.aspect,
      mentions: total,
      negative:
        sql<number>`coalesce(sum(${aspectRollup.mentions}) FILTER (WHERE ${aspectRollup.polarity} = 'negative'), 0)`.mapWith(
          Number,
        ),
      neutral:
        sql<number>`coalesce(sum(${aspectRollup.mentions}) FILTER (WHERE ${aspectRollup.polarity} = 'neutral'), 0)`.mapWith(
          Number,
        ),
      positive:
        sql<number>`coalesce(sum(${aspectRollup.mentions}) FILTER (WHERE ${aspectRollup.polarity} = 'positive'), 0)`.mapWith(
          Number,
        ),
    })
    .from(aspectRollup)
    .where(
      and(
        eq(aspectRollup.organizationId, ctx.organizationId),
        eq(aspectRollup.queryId, range.queryId ?? everyMention),
        gte(aspectRollup.day, range.from),
        lt(aspectRollup.day, range.to),
      ),
    )
    .groupBy(aspectRollup.aspect)
    .orderBy(desc(total))
    .limit(range.limit);
}

/** The authors who wrote most in the range, with their engagement and reach. */
export async function topAuthors(
  db: DbOrTx,
  ctx: OrgContext,
  range: Omit<DashboardRange, "network"> & { limit: number },
) {
  // Sum per author id first and join only the top few: a year of a busy organization is millions
  // of author-days, and joining each of them to its identity before grouping cost most of the time.
  const mentions = sql<number>`sum(${authorRollup.mentions})`;
  const totals = db
    .select({
      identityId: authorRollup.identityId,
      mentions: mentions.as("mentions"),
      negative: sql<number>`sum(${authorRollup.negative})`.as("negative"),
      engagement: sql<number>`sum(${authorRollup.engagement})`.as("engagement"),
    })
    .from(authorRollup)
    .where(
      and(
        eq(authorRollup.organizationId, ctx.organizationId),
        eq(authorRollup.queryId, range.queryId ?? everyMention),
        gte(authorRollup.day, range.from),
        lt(authorRollup.day, range.to),
      ),
    )
    .groupBy(authorRollup.identityId)
    .orderBy(desc(mentions))
    .limit(range.limit)
    .as("totals");
  return db
    .select({
      identityId: totals.identityId,
      handle: socialIdentity.handle,
      displayName: socialIdentity.displayName,
      network: socialIdentity.network,
      followers: socialIdentity.followers,
      isVip: socialIdentity.isVip,
      contactId: socialIdentity.contactId,
      mentions: sql<number>`${totals.mentions}`.mapWith(Number),
      negative: sql<number>`${totals.negative}`.mapWith(Number),
      engagement: sql<number>`${totals.engagement}`.mapWith(Number),
    })
    .from(totals)
    .innerJoin(socialIdentity, eq(socialIdentity.id, totals.identityId))
    .orderBy(desc(totals.mentions));
}
