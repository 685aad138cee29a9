import { and, eq } from "drizzle-orm";
import { compileQuery, parseQuery, preparePost } from "../modules/listening/queryLanguage/index.js";
import { loadRelevanceModels, predictRelevance } from "../modules/listening/relevanceTrainer.js";
import { listeningQuery } from "../modules/listening/schema.js";
import type { TaskModel } from "../nlp/index.js";
import { TtlCache } from "../platform/cache.js";
import type { Db } from "../platform/db/client.js";
import type { NormalizedPost } from "../platform/posts/normalizedPost.js";
import type { PostAnalysis } from "./postIngester.js";

type Compiled = Array<{ id: string; matcher: ReturnType<typeof compileQuery>; relevanceModel?: TaskModel }>;

/**
 * Matches posts against an organization's active listening queries, compiled once and cached; a
 * change of queries clears the cache here and, through the bus, in every other worker.
 */
export function createQueryMatcher(db: Db) {
  const compiled = new TtlCache<string, Compiled>(60_000);

  async function load(organizationId: string): Promise<Compiled> {
    const rows = await db
      .select({ id: listeningQuery.id, expression: listeningQuery.expression })
      .from(listeningQuery)
      .where(and(eq(listeningQuery.organizationId, organizationId), eq(listeningQuery.isActive, true)));
    const models = await loadRelevanceModels(db, organizationId);
    const result: Compiled = [];
    for (const row of rows) {
      const parsed = parseQuery(row.expression);
      // Expressions are checked before they are saved; one that no longer parses matches nothing.
      if (parsed.ok)
        result.push({ id: row.id, matcher: compileQuery(parsed.ast), relevanceModel: models.get(row.id) });
    }
    return result;
  }

  return {
    async match(organizationId: string, post: NormalizedPost, analysis: PostAnalysis): Promise<string[]> {
      const queries = await compiled.getOrLoad(organizationId, () => load(organizationId));
      if (queries.length === 0) return [];
      const prepared = preparePost({
        text: post.text,
        lang: analysis.language,
        channel: post.network,
        authorHandle: post.author.handle,
      });
      return queries.filter((q) => q.matcher.matches(prepared)).map((q) => q.id);
    },
    /** The relevance probability from the first matched query that has its own model. */
    async predictRelevance(
      organizationId: string,
      post: NormalizedPost,
      matchedQueryIds: string[],
    ): Promise<number | null> {
      if (matchedQueryIds.length === 0) return null;
      const queries = await compiled.getOrLoad(organizationId, () => load(organizationId));
      const withModel = queries.find((q) => q.relevanceModel && matchedQueryIds.includes(q.id));
      return withModel ? predictRelevance(withModel.relevanceModel!, post.text) : null;
    },
    invalidate(organizationId: string) {
      compiled.delete(organizationId);
    },
  };
}
