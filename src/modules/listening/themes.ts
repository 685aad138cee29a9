import { desc } from "drizzle-orm";
import { TopicClusterer } from "../../nlp/topics.js";
import type { OrgContext } from "../../platform/auth/context.js";
import type { DbOrTx } from "../../platform/db/client.js";
import type { DashboardRange } from "./dashboards.js";
import { mentionConditions } from "./mentions.js";
import { mention } from "./schema.js";

/**
 * What people talk about: keyphrases and topic clusters of the most recent mentions in a range.
 * Both read a bounded sample (newest first, on the organization/time index), never every mention.
 */
export const keyphraseSampleSize = 2000;
export const topicSampleSize = 400;

type Sentiment = "negative" | "neutral" | "positive";
const emptySplit = () => ({ negative: 0, neutral: 0, positive: 0 });
const asSentiment = (value: string): Sentiment =>
  value === "negative" || value === "positive" ? value : "neutral";

async function recentMentions(db: DbOrTx, ctx: OrgContext, range: DashboardRange, sampleSize: number) {
  return db
    .select({
      id: mention.id,
      text: mention.text,
      sentiment: mention.sentiment,
      keyphrases: mention.keyphrases,
    })
    .from(mention)
    .where(mentionConditions(ctx, range))
    .orderBy(desc(mention.postedAt), desc(mention.id))
    .limit(sampleSize);
}

/** The keyphrases of the newest mentions in the range, most frequent first, with their sentiment. */
export async function topKeyphrases(db: DbOrTx, ctx: OrgContext, range: DashboardRange & { limit: number }) {
  const rows = await recentMentions(db, ctx, range, keyphraseSampleSize);
  const counts = new Map<string, { phrase: string; mentions: number } & ReturnType<typeof emptySplit>>();
  for (const row of rows) {
    // A phrase counts once per mention, whatever its spelling there.
    for (const phrase of new Set(row.keyphrases.map((p) => p.toLowerCase()))) {
      const entry = counts.get(phrase) ?? { phrase, mentions: 0, ...emptySplit() };
      entry.mentions += 1;
      entry[asSentiment(row.sentiment)] += 1;
      counts.set(phrase, entry);
    }
  }
  const phrases = [...counts.values()]
    .sort((a, b) => b.mentions - a.mentions || a.phrase.localeCompare(b.phrase))
    .slice(0, range.limit);
  return { sampled: rows.length, phrases };
}

/** Topic clusters of the newest mentions in the range, largest first, with examples and sentiment. */
export async function topicClusters(db: DbOrTx, ctx: OrgContext, range: DashboardRange & { limit: number }) {
  const rows = await recentMentions(db, ctx, range, topicSampleSize);
  const clusterer = new TopicClusterer();
  // Oldest first, so a cluster's first post is the one that started the topic.
  for (const row of [...rows].reverse()) clusterer.add({ id: row.id, text: row.text });
  const byId = new Map(rows.map((row) => [row.id, row]));
  const topics = clusterer
    .clusters()
    .filter((cluster) => cluster.size > 1 || rows.length < 10)
    .slice(0, range.limit)
    .map((cluster) => {
      const sentiment = emptySplit();
      for (const id of cluster.postIds) sentiment[asSentiment(byId.get(id)?.sentiment ?? "neutral")] += 1;
      const newest = cluster.postIds.slice(-3).reverse();
      return {
        label: cluster.label,
        size: cluster.size,
        duplicates: cluster.duplicateIds.length,
        terms: cluster.terms,
        ...sentiment,
        examples: newest.map((id) => ({ mentionId: id, text: byId.get(id)?.text ?? "" })),
      };
    });
  return { sampled: rows.length, topics };
}
