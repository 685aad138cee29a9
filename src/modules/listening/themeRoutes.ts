import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { anyRole } from "../../platform/auth/roles.js";
import type { Db } from "../../platform/db/client.js";
import { orgOf } from "../../platform/http/access.js";
import { rangeQuery } from "./routes.js";
import { keyphraseSampleSize, topicClusters, topicSampleSize, topKeyphrases } from "./themes.js";

const sentimentSplit = { negative: z.number(), neutral: z.number(), positive: z.number() };
const keyphrasesSchema = z.object({
  /** How many of the newest mentions in the range were read. */
  sampled: z.number(),
  phrases: z.array(z.object({ phrase: z.string(), mentions: z.number(), ...sentimentSplit })),
});
const topicsSchema = z.object({
  sampled: z.number(),
  topics: z.array(
    z.object({
      label: z.string(),
      size: z.number(),
      duplicates: z.number(),
      terms: z.array(z.string()),
      ...sentimentSplit,
      examples: z.array(z.object({ mentionId: z.uuid(), text: z.string() })),
    }),
  ),
});
export type KeyphraseCloud = z.infer<typeof keyphrasesSchema>;
export type TopicClusters = z.infer<typeof topicsSchema>;

/** What people talk about: the keyphrase cloud and topic clusters of the dashboard. */
export const themeRoutes: FastifyPluginAsyncZod<{ db: Db }> = async (app, { db }) => {
  app.get(
    "/api/v1/listening/keyphrases",
    {
      config: { access: anyRole },
      schema: {
        tags: ["listening"],
        summary: `Most frequent keyphrases with their sentiment, from the newest ${keyphraseSampleSize} mentions in the range.`,
        querystring: rangeQuery.extend({ limit: z.coerce.number().int().min(1).max(200).default(60) }),
        response: { 200: keyphrasesSchema },
      },
    },
    async (request) => topKeyphrases(db, orgOf(request), request.query),
  );
  app.get(
    "/api/v1/listening/topics",
    {
      config: { access: anyRole },
      schema: {
        tags: ["listening"],
        summary: `Topic clusters (near-duplicates and posts about the same issue) of the newest ${topicSampleSize} mentions in the range.`,
        querystring: rangeQuery.extend({ limit: z.coerce.number().int().min(1).max(50).default(12) }),
        response: { 200: topicsSchema },
      },
    },
    async (request) => topicClusters(db, orgOf(request), request.query),
  );
};
