import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { anyRole, writerRoles } from "../../platform/auth/roles.js";
import type { Bus } from "../../platform/bus/index.js";
import type { Clock } from "../../platform/clock.js";
import type { Db } from "../../platform/db/client.js";
import { orgOf } from "../../platform/http/access.js";
import { idParams, isoDate, limitQuery } from "../../platform/http/schemas.js";
import { findVisibleConversation, notificationsCreatedSubject } from "../conversations/workflow.js";
import { forwardInsight } from "./insightForwarder.js";
import { changeInsightState, getInsight, insightOverview, listInsights } from "./insights.js";
import { insightKinds, insightStates } from "./schema.js";

export interface InsightRoutesOptions {
  db: Db;
  clock: Clock;
  bus: Pick<Bus, "broadcast">;
}

const insightSchema = z.object({
  id: z.uuid(),
  kind: z.enum(insightKinds),
  departmentId: z.uuid(),
  departmentName: z.string(),
  note: z.string(),
  state: z.enum(insightStates),
  mentionId: z.uuid().nullable(),
  conversationId: z.uuid().nullable(),
  createdByMemberId: z.uuid().nullable(),
  ruleId: z.uuid().nullable(),
  createdAt: isoDate,
  updatedAt: isoDate,
  source: z.object({
    type: z.enum(["mention", "conversation"]),
    text: z.string(),
    network: z.string().nullable(),
    sentiment: z.string().nullable(),
    url: z.string().nullable(),
  }),
});
const insightDetailSchema = insightSchema.extend({
  author: z.string().nullable(),
  history: z.array(
    z.object({
      fromState: z.enum(insightStates).nullable(),
      toState: z.enum(insightStates),
      memberId: z.uuid().nullable(),
      memberName: z.string().nullable(),
      comment: z.string(),
      at: isoDate,
    }),
  ),
});
const overviewSchema = z.array(
  z.object({
    departmentId: z.uuid(),
    departmentName: z.string(),
    states: z.object({
      new: z.number(),
      acknowledged: z.number(),
      in_progress: z.number(),
      done: z.number(),
    }),
    total: z.number(),
  }),
);
export type Insight = z.infer<typeof insightSchema>;
export type InsightDetail = z.infer<typeof insightDetailSchema>;
export type InsightOverview = z.infer<typeof overviewSchema>;

/** Insight cards: forwarding to a department, the department's work on them, the overview. */
export const insightRoutes: FastifyPluginAsyncZod<InsightRoutesOptions> = async (app, { db, clock, bus }) => {
  app.post(
    "/api/v1/insights",
    {
      config: { access: writerRoles },
      schema: {
        tags: ["insights"],
        summary: "Forward a mention or a conversation to a department as an insight (or a lead) with a note.",
        body: z.object({
          departmentId: z.uuid(),
          note: z.string().trim().min(1, "write what the department should look at").max(5000),
          kind: z.enum(insightKinds).optional(),
          mentionId: z.uuid().optional(),
          conversationId: z.uuid().optional(),
        }),
        response: { 201: z.object({ id: z.uuid() }) },
      },
    },
    async (request, reply) => {
      const ctx = orgOf(request);
      const body = request.body;
      // An agent forwards only conversations they can see.
      if (body.conversationId) await findVisibleConversation(db, ctx, body.conversationId);
      const result = await db.transaction((tx) => forwardInsight(tx, ctx, { ...body, at: clock.now() }));
      if (result.notified.length > 0) {
        bus.broadcast(notificationsCreatedSubject, {
          organizationId: ctx.organizationId,
          memberIds: result.notified,
        });
      }
      return reply.status(201).send({ id: result.insight.id });
    },
  );
  app.get(
    "/api/v1/insights",
    {
      config: { access: anyRole },
      schema: {
        tags: ["insights"],
        summary: "Insight cards, newest first (agents: their departments').",
        querystring: z.object({
          departmentId: z.uuid().optional(),
          state: z.enum(insightStates).optional(),
          kind: z.enum(insightKinds).optional(),
          limit: limitQuery,
        }),
        response: { 200: z.array(insightSchema) },
      },
    },
    async (request) => listInsights(db, orgOf(request), request.query),
  );
  app.get(
    "/api/v1/insights/overview",
    {
      config: { access: anyRole },
      schema: {
        tags: ["insights"],
        summary: "Insights per department and state.",
        response: { 200: overviewSchema },
      },
    },
    async (request) => insightOverview(db, orgOf(request)),
  );
  app.get(
    "/api/v1/insights/:insightId",
    {
      config: { access: anyRole },
      schema: {
        tags: ["insights"],
        summary: "One insight with its state history.",
        params: idParams("insightId"),
        response: { 200: insightDetailSchema },
      },
    },
    async (request) => getInsight(db, orgOf(request), request.params.insightId),
  );
  app.put(
    "/api/v1/insights/:insightId/state",
    {
      config: { access: writerRoles },
      schema: {
        tags: ["insights"],
        summary: "Mark an insight acknowledged, in progress or done.",
        params: idParams("insightId"),
        body: z.object({ state: z.enum(insightStates), comment: z.string().max(2000).optional() }),
        response: { 200: z.object({ id: z.uuid(), state: z.enum(insightStates) }) },
      },
    },
    async (request) =>
      changeInsightState(db, orgOf(request), {
        insightId: request.params.insightId,
        ...request.body,
        at: clock.now(),
      }),
  );
};
