import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { anyRole } from "../../platform/auth/roles.js";
import type { Db } from "../../platform/db/client.js";
import { orgOf } from "../../platform/http/access.js";
import { idParams, isoDate, limitQuery } from "../../platform/http/schemas.js";
import { getConversation, listChannels, listConversations } from "./conversations.js";
import { channelTypes, conversationStatuses, messageDirections } from "./schema.js";

const channelSchema = z.object({ id: z.uuid(), type: z.enum(channelTypes), name: z.string() });
const conversationSummary = z.object({
  id: z.uuid(),
  subject: z.string(),
  status: z.enum(conversationStatuses),
  priority: z.number(),
  isPublic: z.boolean(),
  language: z.string().nullable(),
  sentiment: z.string().nullable(),
  departmentId: z.uuid().nullable(),
  assigneeMemberId: z.uuid().nullable(),
  lastMessageAt: isoDate,
  createdAt: isoDate,
  channel: channelSchema,
  contact: z.object({ id: z.uuid().nullable(), displayName: z.string().nullable() }).nullable(),
});
export const conversationListSchema = z.object({
  conversations: z.array(conversationSummary),
  nextCursor: z.string().optional(),
});
export const conversationDetailSchema = conversationSummary.extend({
  messages: z.array(
    z.object({
      id: z.uuid(),
      direction: z.enum(messageDirections),
      authorName: z.string(),
      body: z.string(),
      sentAt: isoDate,
    }),
  ),
});

/** The inbox as far as the foundation goes: list and read conversations. The inbox issue adds work on them. */
export const conversationRoutes: FastifyPluginAsyncZod<{ db: Db }> = async (app, { db }) => {
  app.get(
    "/api/v1/conversations",
    {
      config: { access: anyRole },
      schema: {
        tags: ["inbox"],
        summary: "Conversations, newest activity first; agents see their departments'.",
        querystring: z.object({
          status: z.enum(conversationStatuses).optional(),
          channelId: z.uuid().optional(),
          departmentId: z.uuid().optional(),
          cursor: z.string().max(100).optional(),
          limit: limitQuery,
        }),
        response: { 200: conversationListSchema },
      },
    },
    async (request) => listConversations(db, orgOf(request), request.query),
  );
  app.get(
    "/api/v1/conversations/:conversationId",
    {
      config: { access: anyRole },
      schema: {
        tags: ["inbox"],
        summary: "One conversation with its messages.",
        params: idParams("conversationId"),
        response: { 200: conversationDetailSchema },
      },
    },
    async (request) => getConversation(db, orgOf(request), request.params.conversationId),
  );
  app.get(
    "/api/v1/channels",
    {
      config: { access: anyRole },
      schema: { tags: ["inbox"], summary: "Connected channels.", response: { 200: z.array(channelSchema) } },
    },
    async (request) => listChannels(db, orgOf(request)),
  );
};

export type ConversationList = z.infer<typeof conversationListSchema>;
export type ConversationDetail = z.infer<typeof conversationDetailSchema>;
