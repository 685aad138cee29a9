import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { adminRoles, everyMember, writerRoles } from "../../platform/auth/roles.js";
import type { Bus } from "../../platform/bus/index.js";
import type { Clock } from "../../platform/clock.js";
import type { Db } from "../../platform/db/client.js";
import { orgOf } from "../../platform/http/access.js";
import { idParams, isoDate, limitQuery, okResponse } from "../../platform/http/schemas.js";
import { notificationsCreatedSubject } from "../conversations/workflow.js";
import { decideJoinRequest, listJoinRequests, requestToJoin } from "./joinRequests.js";
import { joinRequestStates } from "./schema.js";
import { shareToVoc, unshareFromVoc, vocFacets, vocStream } from "./vocCurator.js";

export interface VoiceRoutesOptions {
  db: Db;
  clock: Clock;
  secretsKey: Buffer;
  bus: Pick<Bus, "broadcast">;
}

const vocItemSchema = z.object({
  id: z.uuid(),
  authorPseudonym: z.string(),
  text: z.string(),
  network: z.string(),
  language: z.string(),
  sentiment: z.string(),
  aspects: z.array(z.object({ category: z.string(), polarity: z.string() })),
  products: z.array(z.object({ id: z.uuid(), name: z.string() })),
  curatorNote: z.string(),
  postedAt: isoDate,
  sharedAt: isoDate,
});
const joinRequestSchema = z.object({
  id: z.uuid(),
  vocItemId: z.uuid(),
  text: z.string(),
  requesterMemberId: z.uuid(),
  requesterName: z.string(),
  reason: z.string(),
  state: z.enum(joinRequestStates),
  decisionNote: z.string(),
  createdAt: isoDate,
  decidedAt: isoDate.nullable(),
  postUrl: z.string().nullable(),
});
export type VocItem = z.infer<typeof vocItemSchema>;
export type DialogJoinRequest = z.infer<typeof joinRequestSchema>;

/** The voice-of-the-customer stream for every employee, its curation, and joining a dialog. */
export const voiceRoutes: FastifyPluginAsyncZod<VoiceRoutesOptions> = async (
  app,
  { db, clock, secretsKey, bus },
) => {
  const curators = [...adminRoles, "core_team" as const];
  const tell = (organizationId: string, memberIds: string[]) => {
    if (memberIds.length > 0) bus.broadcast(notificationsCreatedSubject, { organizationId, memberIds });
  };

  app.get(
    "/api/v1/voc",
    {
      config: { access: everyMember },
      schema: {
        tags: ["voice of the customer"],
        summary: "The curated, pseudonymised stream, newest first; filter by product (query) and aspect.",
        querystring: z.object({
          queryId: z.uuid().optional(),
          aspect: z.string().max(100).optional(),
          sentiment: z.enum(["negative", "neutral", "positive"]).optional(),
          limit: limitQuery,
        }),
        response: { 200: z.array(vocItemSchema) },
      },
    },
    async (request) => vocStream(db, orgOf(request), request.query),
  );
  app.get(
    "/api/v1/voc/facets",
    {
      config: { access: everyMember },
      schema: {
        tags: ["voice of the customer"],
        summary: "Products (listening queries) and aspects to filter the stream by.",
        response: {
          200: z.object({
            products: z.array(z.object({ id: z.uuid(), name: z.string() })),
            aspects: z.array(z.string()),
          }),
        },
      },
    },
    async (request) => vocFacets(db, orgOf(request)),
  );
  app.post(
    "/api/v1/mentions/:mentionId/voc",
    {
      config: { access: curators },
      schema: {
        tags: ["voice of the customer"],
        summary: "Share a mention with every employee (pseudonymised, personal data masked).",
        params: idParams("mentionId"),
        body: z.object({ note: z.string().max(2000).optional() }),
        response: { 201: z.object({ id: z.uuid() }) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(
        await shareToVoc(db, orgOf(request), {
          mentionId: request.params.mentionId,
          note: request.body.note,
          secretsKey,
          at: clock.now(),
        }),
      ),
  );
  app.delete(
    "/api/v1/voc/:vocItemId",
    {
      config: { access: curators },
      schema: {
        tags: ["voice of the customer"],
        summary: "Take an item out of the stream.",
        params: idParams("vocItemId"),
        response: { 200: okResponse },
      },
    },
    async (request) => {
      await unshareFromVoc(db, orgOf(request), request.params.vocItemId);
      return { ok: true as const };
    },
  );
  app.post(
    "/api/v1/voc/:vocItemId/join-requests",
    {
      config: { access: everyMember },
      schema: {
        tags: ["voice of the customer"],
        summary: "Ask to take part in the public dialog behind an item; the responsible agent decides.",
        params: idParams("vocItemId"),
        body: z.object({
          reason: z.string().trim().min(1, "say what you would add to the dialog").max(2000),
        }),
        response: { 201: z.object({ id: z.uuid() }) },
      },
    },
    async (request, reply) => {
      const ctx = orgOf(request);
      const result = await requestToJoin(db, ctx, {
        vocItemId: request.params.vocItemId,
        reason: request.body.reason,
        at: clock.now(),
      });
      tell(ctx.organizationId, result.notified);
      return reply.status(201).send({ id: result.request.id });
    },
  );
  app.get(
    "/api/v1/voc/join-requests",
    {
      config: { access: everyMember },
      schema: {
        tags: ["voice of the customer"],
        summary: "Join requests: one's own, and those one decides.",
        querystring: z.object({ limit: limitQuery }),
        response: { 200: z.array(joinRequestSchema) },
      },
    },
    async (request) => listJoinRequests(db, orgOf(request), request.query),
  );
  app.put(
    "/api/v1/voc/join-requests/:joinRequestId",
    {
      config: { access: writerRoles },
      schema: {
        tags: ["voice of the customer"],
        summary: "Approve or decline a request to join a public dialog.",
        params: idParams("joinRequestId"),
        body: z.object({ decision: z.enum(["approved", "declined"]), note: z.string().max(2000).optional() }),
        response: { 200: z.object({ id: z.uuid(), state: z.enum(joinRequestStates) }) },
      },
    },
    async (request) =>
      decideJoinRequest(db, orgOf(request), {
        joinRequestId: request.params.joinRequestId,
        ...request.body,
        at: clock.now(),
      }),
  );
};
