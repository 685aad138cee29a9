import { eq } from "drizzle-orm";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { adminRoles, anyRole, writerRoles } from "../../platform/auth/roles.js";
import type { Clock } from "../../platform/clock.js";
import type { Db } from "../../platform/db/client.js";
import { NotFoundError } from "../../platform/errors.js";
import { orgOf } from "../../platform/http/access.js";
import { idParams, isoDate, limitQuery, okResponse } from "../../platform/http/schemas.js";
import { organization } from "../organizations/schema.js";
import { createHouseRule, listHouseRules, removeHouseRule, updateHouseRule } from "./houseRules.js";
import { listModerationDecisions, moderatePost, moderationQueue } from "./moderationDecider.js";
import { moderationStates } from "./schema.js";

export interface ModerationRoutesOptions {
  db: Db;
  clock: Clock;
}

const houseRuleSchema = z.object({
  id: z.uuid(),
  title: z.string(),
  publicText: z.string(),
  isPublished: z.boolean(),
  position: z.number(),
  createdAt: isoDate,
  updatedAt: isoDate,
});
const houseRuleInput = z.object({
  title: z.string().trim().min(1).max(200),
  publicText: z.string().trim().min(1, "say publicly what the rule asks of everybody").max(2000),
  isPublished: z.boolean().optional(),
  position: z.number().int().min(0).max(1000).optional(),
});
const queueItemSchema = z.object({
  id: z.uuid(),
  network: z.string(),
  text: z.string(),
  url: z.string().nullable(),
  language: z.string(),
  offensiveScore: z.number(),
  offensiveType: z.string().nullable(),
  postedAt: isoDate,
  author: z.string().nullable(),
  state: z.enum(["pending_review", "unreviewed"]),
});
const decisionSchema = z.object({
  id: z.uuid(),
  mentionId: z.uuid(),
  state: z.enum(moderationStates),
  houseRuleId: z.uuid().nullable(),
  houseRuleTitle: z.string().nullable(),
  publicReason: z.string(),
  justification: z.string().nullable(),
  decidedByMemberId: z.uuid().nullable(),
  ruleId: z.uuid().nullable(),
  decidedAt: isoDate,
});
export type HouseRule = z.infer<typeof houseRuleSchema>;
export type ModerationQueueItem = z.infer<typeof queueItemSchema>;
export type ModerationDecision = z.infer<typeof decisionSchema>;

/** House rules, the offensive-content queue, and hiding or removing posts on own channels. */
export const moderationRoutes: FastifyPluginAsyncZod<ModerationRoutesOptions> = async (
  app,
  { db, clock },
) => {
  const curators = [...adminRoles, "core_team" as const];

  app.get(
    "/api/v1/moderation/house-rules",
    {
      config: { access: anyRole },
      schema: {
        tags: ["moderation"],
        summary: "The organization's house rules (published and drafts).",
        response: { 200: z.array(houseRuleSchema) },
      },
    },
    async (request) => listHouseRules(db, orgOf(request)),
  );
  app.get(
    "/api/v1/public/:organizationSlug/house-rules",
    {
      config: { access: "public" },
      schema: {
        tags: ["moderation"],
        summary: "An organization's published house rules, for everyone (linked from its channels).",
        params: z.object({ organizationSlug: z.string().min(1).max(100) }),
        response: { 200: z.array(z.object({ title: z.string(), publicText: z.string() })) },
      },
    },
    async (request) => {
      const [found] = await db
        .select({ id: organization.id })
        .from(organization)
        .where(eq(organization.slug, request.params.organizationSlug));
      if (!found) throw new NotFoundError("The organization");
      const rules = await listHouseRules(db, { organizationId: found.id }, true);
      return rules.map(({ title, publicText }) => ({ title, publicText }));
    },
  );
  app.post(
    "/api/v1/moderation/house-rules",
    {
      config: { access: curators },
      schema: {
        tags: ["moderation"],
        summary: "Add a house rule.",
        body: houseRuleInput,
        response: { 201: houseRuleSchema },
      },
    },
    async (request, reply) => reply.status(201).send(await createHouseRule(db, orgOf(request), request.body)),
  );
  app.patch(
    "/api/v1/moderation/house-rules/:houseRuleId",
    {
      config: { access: curators },
      schema: {
        tags: ["moderation"],
        summary: "Change a house rule.",
        params: idParams("houseRuleId"),
        body: houseRuleInput.partial(),
        response: { 200: houseRuleSchema },
      },
    },
    async (request) => updateHouseRule(db, orgOf(request), request.params.houseRuleId, request.body),
  );
  app.delete(
    "/api/v1/moderation/house-rules/:houseRuleId",
    {
      config: { access: curators },
      schema: {
        tags: ["moderation"],
        summary: "Remove a house rule (decisions keep their public reason).",
        params: idParams("houseRuleId"),
        response: { 200: okResponse },
      },
    },
    async (request) => {
      await removeHouseRule(db, orgOf(request), request.params.houseRuleId);
      return { ok: true as const };
    },
  );
  app.get(
    "/api/v1/moderation/queue",
    {
      config: { access: writerRoles },
      schema: {
        tags: ["moderation"],
        summary: "Offensive posts on own channels waiting for a decision, most offensive first.",
        querystring: z.object({ limit: limitQuery }),
        response: { 200: z.array(queueItemSchema) },
      },
    },
    async (request) => moderationQueue(db, orgOf(request), request.query),
  );
  app.get(
    "/api/v1/moderation/decisions",
    {
      config: { access: anyRole },
      schema: {
        tags: ["moderation"],
        summary: "Moderation decisions, newest first, with their public reason.",
        querystring: z.object({ mentionId: z.uuid().optional(), limit: limitQuery }),
        response: { 200: z.array(decisionSchema) },
      },
    },
    async (request) => listModerationDecisions(db, orgOf(request), request.query),
  );
  app.post(
    "/api/v1/mentions/:mentionId/moderation",
    {
      config: { access: writerRoles },
      schema: {
        tags: ["moderation"],
        summary:
          "Hide a post (citing a published house rule), remove it (only with a public justification), or show it again.",
        params: idParams("mentionId"),
        body: z.object({
          action: z.enum(["hide", "remove", "restore"]),
          houseRuleId: z.uuid().optional(),
          publicReason: z.string().max(2000).optional(),
          justification: z.string().max(2000).optional(),
        }),
        response: { 201: decisionSchema.omit({ houseRuleTitle: true }) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(
        await moderatePost(db, orgOf(request), {
          mentionId: request.params.mentionId,
          ...request.body,
          at: clock.now(),
        }),
      ),
  );
};
