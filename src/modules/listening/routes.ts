import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { adminRoles, anyRole, writerRoles } from "../../platform/auth/roles.js";
import type { Db } from "../../platform/db/client.js";
import { orgOf } from "../../platform/http/access.js";
import { booleanQuery, idParams, isoDate, limitQuery, okResponse } from "../../platform/http/schemas.js";
import {
  type NormalizedPost,
  networks,
  type PostRejection,
  validatePosts,
} from "../../platform/posts/normalizedPost.js";
import {
  organizationPseudonymKey,
  pseudonymiseAuthors,
  pseudonymisesAuthors,
} from "../privacy/authorPseudonymiser.js";
import { dataUseModeOf } from "../privacy/dataUseModes.js";
import { shareOfVoice, topAspects, topAuthors, volumeOverTime } from "./dashboards.js";
import { getMention, markRelevance, searchMentions } from "./mentions.js";
import { createQuery, listQueries, removeQuery, updateQuery } from "./queries.js";
import { describeQuery, parseQuery } from "./queryLanguage/index.js";
import { queryKinds } from "./schema.js";

export interface ListeningRoutesOptions {
  /** Decrypts the organization's pseudonym key (top authors in modes linked and none). */
  secretsKey: Buffer;
  db: Db;
  /** Hands accepted posts to the pipeline (the bus); resolves when they are durably queued. */
  submitPosts(organizationId: string, posts: NormalizedPost[]): Promise<void>;
  /** Tells the pipeline that an organization's queries changed. */
  queriesChanged(organizationId: string): void;
}

const maxPostsPerRequest = 1000;

const querySchema = z.object({
  id: z.uuid(),
  name: z.string(),
  kind: z.enum(queryKinds),
  expression: z.string(),
  isActive: z.boolean(),
  createdAt: isoDate,
  updatedAt: isoDate,
});
const queryInput = z.object({
  name: z.string().trim().min(1).max(200),
  kind: z.enum(queryKinds).default("brand"),
  expression: z.string().min(1).max(2000),
  isActive: z.boolean().optional(),
});
export const mentionSchema = z.object({
  id: z.uuid(),
  network: z.string(),
  externalId: z.string(),
  url: z.string().nullable(),
  text: z.string(),
  language: z.string(),
  sentiment: z.string(),
  sentimentScore: z.number(),
  offensiveScore: z.number(),
  offensiveType: z.string().nullable(),
  urgency: z.number(),
  hasPii: z.boolean(),
  aspects: z.array(z.object({ category: z.string(), polarity: z.string(), score: z.number() })),
  keyphrases: z.array(z.string()),
  matchedQueryIds: z.array(z.uuid()),
  relevant: z.boolean().nullable(),
  predictedRelevance: z.number().nullable(),
  likes: z.number(),
  reposts: z.number(),
  replies: z.number(),
  postedAt: isoDate,
  author: z
    .object({
      handle: z.string(),
      displayName: z.string().nullable(),
      followers: z.number().nullable(),
      isVip: z.boolean(),
    })
    .nullable(),
});
const syntaxCheckSchema = z.object({
  valid: z.boolean(),
  /** How the query is understood (operators written out), when it is valid. */
  description: z.string().optional(),
  error: z
    .object({
      code: z.string(),
      message: z.string(),
      position: z.number(),
      length: z.number(),
      hint: z.string(),
      de: z.object({ message: z.string(), hint: z.string() }).describe("Message and hint in German"),
    })
    .optional(),
});
const volumePointSchema = z.object({
  bucket: isoDate,
  negative: z.number(),
  neutral: z.number(),
  positive: z.number(),
  total: z.number(),
  reach: z.number(),
});
const voiceShareSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  kind: z.enum(queryKinds),
  mentions: z.number(),
  negative: z.number(),
  positive: z.number(),
  share: z.number(),
});
const aspectCountSchema = z.object({
  aspect: z.string(),
  mentions: z.number(),
  negative: z.number(),
  neutral: z.number(),
  positive: z.number(),
});
/** An author as the listening views show one: their identity on a network. */
export const authorSchema = z.object({
  identityId: z.uuid(),
  handle: z.string(),
  displayName: z.string().nullable(),
  network: z.string(),
  followers: z.number().nullable(),
  isVip: z.boolean(),
});
const topAuthorSchema = authorSchema.extend({
  /** Shown under the organization's keyed pseudonym (mode linked/none, not a linked contact). */
  pseudonymised: z.boolean(),
  mentions: z.number(),
  negative: z.number(),
  engagement: z.number(),
});
export type VolumePoint = z.infer<typeof volumePointSchema>;
export type VoiceShare = z.infer<typeof voiceShareSchema>;
export type AspectCount = z.infer<typeof aspectCountSchema>;
export type TopAuthor = z.infer<typeof topAuthorSchema>;
export type ListeningQuery = z.infer<typeof querySchema>;
export type Mention = z.infer<typeof mentionSchema>;
export type QuerySyntaxCheck = z.infer<typeof syntaxCheckSchema>;
export const mentionFilterQuery = z.object({
  q: z.string().trim().max(500).optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  queryId: z.uuid().optional(),
  network: z.enum(networks).optional(),
  sentiment: z.enum(["negative", "neutral", "positive"]).optional(),
  aspect: z.string().max(100).optional(),
  language: z
    .string()
    .regex(/^[a-z]{2}$/)
    .optional(),
  author: z.string().max(256).optional(),
  offensive: booleanQuery.optional(),
  relevant: booleanQuery.optional(),
  hasPii: booleanQuery.optional(),
});
/** The filters every dashboard chart takes. */
export const rangeQuery = z.object({
  from: z.coerce.date(),
  to: z.coerce.date(),
  queryId: z.uuid().optional(),
  network: z.enum(networks).optional(),
});

/** Listening: queries, the mention store and its search, dashboards from rollups, and the ingest API. */
export const listeningRoutes: FastifyPluginAsyncZod<ListeningRoutesOptions> = async (
  app,
  { db, submitPosts, queriesChanged, secretsKey },
) => {
  app.get(
    "/api/v1/listening/queries",
    {
      config: { access: anyRole },
      schema: { tags: ["listening"], summary: "Listening queries.", response: { 200: z.array(querySchema) } },
    },
    async (request) => listQueries(db, orgOf(request)),
  );
  app.post(
    "/api/v1/listening/queries",
    {
      config: { access: writerRoles },
      schema: {
        tags: ["listening"],
        summary: "Create a listening query; a syntax error answers 400 with its position and a hint.",
        body: queryInput,
        response: { 201: querySchema },
      },
    },
    async (request, reply) => {
      const created = await createQuery(db, orgOf(request), request.body);
      queriesChanged(created.organizationId);
      return reply.status(201).send(created);
    },
  );
  app.post(
    "/api/v1/listening/queries/validate",
    {
      config: { access: anyRole },
      schema: {
        tags: ["listening"],
        summary:
          "Check a query expression without saving it: valid with how it is read, or the error with position and hint.",
        body: z.object({ expression: z.string().max(2000) }),
        response: { 200: syntaxCheckSchema },
      },
    },
    async (request) => {
      const parsed = parseQuery(request.body.expression);
      return parsed.ok
        ? { valid: true, description: describeQuery(parsed.ast) }
        : { valid: false, error: parsed.error };
    },
  );
  app.patch(
    "/api/v1/listening/queries/:queryId",
    {
      config: { access: writerRoles },
      schema: {
        tags: ["listening"],
        summary: "Change a listening query.",
        params: idParams("queryId"),
        body: queryInput.partial(),
        response: { 200: querySchema },
      },
    },
    async (request) => {
      const updated = await updateQuery(db, orgOf(request), request.params.queryId, request.body);
      queriesChanged(updated.organizationId);
      return updated;
    },
  );
  app.delete(
    "/api/v1/listening/queries/:queryId",
    {
      config: { access: adminRoles.concat("core_team") },
      schema: {
        tags: ["listening"],
        summary: "Remove a listening query.",
        params: idParams("queryId"),
        response: { 200: okResponse },
      },
    },
    async (request) => {
      await removeQuery(db, orgOf(request), request.params.queryId);
      queriesChanged(orgOf(request).organizationId);
      return { ok: true as const };
    },
  );

  app.get(
    "/api/v1/mentions",
    {
      config: { access: anyRole },
      schema: {
        tags: ["listening"],
        summary:
          "Search mentions (full text in the post's language) with filters; newest first, cursor pages.",
        querystring: mentionFilterQuery.extend({ cursor: z.string().max(100).optional(), limit: limitQuery }),
        response: { 200: z.object({ mentions: z.array(mentionSchema), nextCursor: z.string().optional() }) },
      },
    },
    async (request) => searchMentions(db, orgOf(request), request.query),
  );
  app.get(
    "/api/v1/mentions/:mentionId",
    {
      config: { access: anyRole },
      schema: {
        tags: ["listening"],
        summary: "One mention.",
        params: idParams("mentionId"),
        response: { 200: mentionSchema },
      },
    },
    async (request) => getMention(db, orgOf(request), request.params.mentionId),
  );
  app.put(
    "/api/v1/mentions/:mentionId/relevance",
    {
      config: { access: writerRoles },
      schema: {
        tags: ["listening"],
        summary: "Mark a mention relevant or not (trains the query's relevance model).",
        params: idParams("mentionId"),
        body: z.object({ relevant: z.boolean() }),
        response: { 200: okResponse },
      },
    },
    async (request) => {
      await markRelevance(db, orgOf(request), request.params.mentionId, request.body.relevant);
      return { ok: true as const };
    },
  );

  app.get(
    "/api/v1/listening/volume",
    {
      config: { access: anyRole },
      schema: {
        tags: ["listening"],
        summary: "Mentions over time by sentiment (from hourly rollups).",
        querystring: rangeQuery.extend({ interval: z.enum(["hour", "day"]).default("day") }),
        response: {
          200: z.array(volumePointSchema),
        },
      },
    },
    async (request) => volumeOverTime(db, orgOf(request), request.query),
  );
  app.get(
    "/api/v1/listening/share-of-voice",
    {
      config: { access: anyRole },
      schema: {
        tags: ["listening"],
        summary: "Share of voice between brand and competitor queries.",
        querystring: rangeQuery.omit({ queryId: true }),
        response: {
          200: z.array(voiceShareSchema),
        },
      },
    },
    async (request) => shareOfVoice(db, orgOf(request), request.query),
  );
  app.get(
    "/api/v1/listening/aspects",
    {
      config: { access: anyRole },
      schema: {
        tags: ["listening"],
        summary: "Top aspects with their sentiment.",
        querystring: rangeQuery
          .omit({ network: true })
          .extend({ limit: z.coerce.number().int().min(1).max(100).default(15) }),
        response: {
          200: z.array(aspectCountSchema),
        },
      },
    },
    async (request) => topAspects(db, orgOf(request), request.query),
  );
  app.get(
    "/api/v1/listening/authors",
    {
      config: { access: anyRole },
      schema: {
        tags: ["listening"],
        summary: "Top authors by mentions, with engagement.",
        querystring: rangeQuery
          .omit({ network: true })
          .extend({ limit: z.coerce.number().int().min(1).max(100).default(20) }),
        response: {
          200: z.array(topAuthorSchema),
        },
      },
    },
    async (request) => {
      const ctx = orgOf(request);
      const rows = await topAuthors(db, ctx, request.query);
      const mode = await dataUseModeOf(db, ctx.organizationId);
      if (!pseudonymisesAuthors(mode)) return rows.map((r) => ({ ...r, pseudonymised: false }));
      const key = await organizationPseudonymKey(db, { organizationId: ctx.organizationId, secretsKey });
      return pseudonymiseAuthors(rows, { mode, key });
    },
  );

  app.post(
    "/api/v1/ingest/posts",
    {
      config: { access: writerRoles },
      // Large enough that an oversized post is rejected with a reason instead of the whole batch.
      bodyLimit: 32 * 1024 * 1024,
      schema: {
        tags: ["listening"],
        summary: `Submit up to ${maxPostsPerRequest} posts (NormalizedPost) from a source without a connector; idempotent per network and externalId.`,
        body: z.object({ posts: z.array(z.unknown()).min(1).max(maxPostsPerRequest) }),
        response: {
          202: z.object({
            accepted: z.number(),
            rejected: z.array(
              z.object({
                index: z.number(),
                externalId: z.string().optional(),
                reasons: z.array(z.string()),
              }),
            ),
          }),
        },
      },
    },
    async (request, reply) => {
      const { posts, rejected } = validatePosts(request.body.posts);
      if (posts.length > 0) await submitPosts(orgOf(request).organizationId, posts);
      return reply.status(202).send({ accepted: posts.length, rejected: rejected satisfies PostRejection[] });
    },
  );
};
