import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { adminRoles, anyRole, writerRoles } from "../../platform/auth/roles.js";
import type { Db } from "../../platform/db/client.js";
import { orgOf } from "../../platform/http/access.js";
import { idParams, isoDate } from "../../platform/http/schemas.js";
import { computeInfluence, listInfluencers, setVip } from "./influencers.js";
import { trainQueryRelevance } from "./relevanceTrainer.js";
import { authorSchema } from "./routes.js";

const influencerSchema = authorSchema.extend({
  score: z.number().nullable(),
  scoredAt: isoDate.nullable(),
  mentions7d: z.number(),
  mentionsPrev7d: z.number(),
  trend: z.enum(["rising", "steady", "falling"]),
});
const rankSchema = z.object({
  identityId: z.uuid(),
  handle: z.string(),
  network: z.string(),
  followers: z.number().nullable(),
  mentions: z.number(),
  engagement: z.number(),
  score: z.number(),
  components: z.object({
    reach: z.number(),
    engagement: z.number(),
    frequency: z.number(),
    centrality: z.number(),
  }),
});
export type Influencer = z.infer<typeof influencerSchema>;
const curatorRoles = adminRoles.concat("core_team");
const rankingShown = 50;

/** Listening intelligence: influential authors (Social VIPs) and per-query relevance models. */
export const intelligenceRoutes: FastifyPluginAsyncZod<{
  db: Db;
  /** Tells the pipeline that a query's relevance model changed. */
  queriesChanged?: (organizationId: string) => void;
}> = async (app, { db, queriesChanged }) => {
  app.get(
    "/api/v1/listening/influencers",
    {
      config: { access: anyRole },
      schema: {
        tags: ["listening"],
        summary: "Influential and VIP authors, most influential first, with their 7-day trend.",
        querystring: z.object({
          queryId: z.uuid().optional(),
          limit: z.coerce.number().int().min(1).max(200).default(20),
        }),
        response: { 200: z.array(influencerSchema) },
      },
    },
    async (request) => listInfluencers(db, orgOf(request), request.query),
  );
  app.post(
    "/api/v1/listening/influencers/recompute",
    {
      config: { access: curatorRoles },
      schema: {
        tags: ["listening"],
        summary: "Recompute influence scores from the last 30 days now (it also runs daily).",
        response: {
          200: z.object({ computedAt: isoDate, authors: z.number(), ranking: z.array(rankSchema) }),
        },
      },
    },
    async (request) => {
      const computedAt = new Date();
      const ranking = await computeInfluence(db, {
        organizationId: orgOf(request).organizationId,
        now: computedAt,
      });
      return { computedAt, authors: ranking.length, ranking: ranking.slice(0, rankingShown) };
    },
  );
  app.put(
    "/api/v1/listening/authors/:identityId/vip",
    {
      config: { access: curatorRoles },
      schema: {
        tags: ["listening"],
        summary: "Mark an author as a VIP or not.",
        params: idParams("identityId"),
        body: z.object({ isVip: z.boolean() }),
        response: {
          200: z.object({
            identityId: z.uuid(),
            handle: z.string(),
            network: z.string(),
            isVip: z.boolean(),
          }),
        },
      },
    },
    async (request) => setVip(db, orgOf(request), request.params.identityId, request.body.isVip),
  );
  app.post(
    "/api/v1/listening/queries/:queryId/relevance/train",
    {
      config: { access: writerRoles },
      schema: {
        tags: ["listening"],
        summary:
          "Train the query's relevance model from its labelled mentions (at least 10 relevant and 10 not).",
        params: idParams("queryId"),
        response: {
          200: z.object({
            examples: z.number(),
            relevant: z.number(),
            notRelevant: z.number(),
            accuracy: z.number(),
            trainedAt: isoDate,
          }),
        },
      },
    },
    async (request) => {
      const trained = await trainQueryRelevance(db, orgOf(request), request.params.queryId);
      queriesChanged?.(orgOf(request).organizationId);
      return trained;
    },
  );
};
