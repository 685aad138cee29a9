import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { anyRole } from "../../platform/auth/roles.js";
import type { Clock } from "../../platform/clock.js";
import type { Db } from "../../platform/db/client.js";
import { orgOf } from "../../platform/http/access.js";
import { booleanQuery, idParams, isoDate, limitQuery } from "../../platform/http/schemas.js";
import { slaTargets } from "../sla/schema.js";
import {
  conversationSorts,
  getAttachment,
  getConversation,
  listChannels,
  listConversations,
} from "./conversations.js";
import { channelTypes, conversationStatuses, messageDirections } from "./schema.js";

const channelSchema = z.object({
  id: z.uuid(),
  type: z.enum(channelTypes),
  name: z.string(),
  isPrivate: z.boolean().describe("Direct messages, e-mail, web chat: a place for personal data"),
});
const conversationSummary = z.object({
  id: z.uuid(),
  subject: z.string(),
  status: z.enum(conversationStatuses),
  priority: z.number().describe("0 none, 1 low, 2 high, 3 urgent"),
  isPublic: z.boolean(),
  language: z.string().nullable(),
  sentiment: z.string().nullable(),
  departmentId: z.uuid().nullable(),
  assigneeMemberId: z.uuid().nullable(),
  labels: z.array(z.string()),
  urgency: z.number().nullable().describe("Highest urgency score (0–1) of the customer's messages"),
  snoozedUntil: isoDate.nullable(),
  dueAt: isoDate.nullable().describe("The earliest running service-level due time"),
  firstResponseDueAt: isoDate.nullable(),
  nextResponseDueAt: isoDate.nullable(),
  resolutionDueAt: isoDate.nullable(),
  firstRespondedAt: isoDate.nullable(),
  linkedConversationId: z
    .uuid()
    .nullable()
    .describe("The private continuation of a public conversation, or the public origin of a private one"),
  csatRequestedAt: isoDate.nullable().describe("When the satisfaction question was sent"),
  csatScore: z.number().int().nullable().describe("The customer's satisfaction, 1 (bad) to 5 (very good)"),
  csatAnsweredAt: isoDate.nullable(),
  lastMessageAt: isoDate,
  createdAt: isoDate,
  channel: channelSchema.omit({ isPrivate: true }),
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
      authorMemberId: z.uuid().nullable(),
      body: z.string(),
      hasPii: z.boolean().describe("The text contains personal data (e-mail, phone, IBAN, address …)"),
      mentionedMemberIds: z.array(z.uuid()),
      sentAt: isoDate,
      deliveryState: z
        .enum(["queued", "sent", "failed"])
        .nullable()
        .describe(
          "Replies: queued (waiting for the channel's connector, or retrying), sent, or failed (see deliveryError); channels without a connected account log replies only, which counts as sent. Null for other messages",
        ),
      deliveryError: z
        .string()
        .nullable()
        .describe("The network's reason when the reply could not be sent (yet)"),
      attachments: z
        .array(
          z.object({
            id: z.uuid(),
            fileName: z.string(),
            contentType: z.string(),
            sizeBytes: z.number().int(),
            skippedReason: z
              .string()
              .nullable()
              .describe("Why the file was not kept (over the channel's limit); null: it can be downloaded"),
          }),
        )
        .describe("Files that came with the message (e-mail attachments)"),
    }),
  ),
  breaches: z.array(z.object({ target: z.enum(slaTargets), dueAt: isoDate, breachedAt: isoDate })),
});

/** The inbox: list, filter, search and read conversations. Work on them: workRoutes.ts. */
export const conversationRoutes: FastifyPluginAsyncZod<{ db: Db; clock: Clock }> = async (
  app,
  { db, clock },
) => {
  app.get(
    "/api/v1/conversations",
    {
      config: { access: anyRole },
      schema: {
        tags: ["inbox"],
        summary: "Conversations, filtered and sorted; agents see their departments'.",
        querystring: z.object({
          status: z.enum(conversationStatuses).optional(),
          channelId: z.uuid().optional(),
          departmentId: z.uuid().optional(),
          assignee: z
            .enum(["me", "unassigned"])
            .optional()
            .describe("me: assigned to the caller; unassigned: to nobody"),
          sentiment: z.enum(["negative", "neutral", "positive"]).optional(),
          label: z.string().max(40).optional(),
          slaBreached: booleanQuery.optional().describe("Only conversations whose due time has passed"),
          q: z.string().max(200).optional().describe("Full-text search over subject and messages"),
          sort: z
            .enum(conversationSorts)
            .default("recent")
            .describe("recent: newest activity first; due: earliest due time first"),
          cursor: z.string().max(100).optional(),
          limit: limitQuery,
        }),
        response: { 200: conversationListSchema },
      },
    },
    async (request) => listConversations(db, orgOf(request), request.query, clock.now()),
  );
  app.get(
    "/api/v1/conversations/:conversationId",
    {
      config: { access: anyRole },
      schema: {
        tags: ["inbox"],
        summary: "One conversation with its messages, notes and service-level breaches.",
        params: idParams("conversationId"),
        response: { 200: conversationDetailSchema },
      },
    },
    async (request) => getConversation(db, orgOf(request), request.params.conversationId),
  );
  app.get(
    "/api/v1/conversations/:conversationId/attachments/:attachmentId",
    {
      config: { access: anyRole },
      schema: {
        tags: ["inbox"],
        summary: "Downloads a file that came with a message; always as a download, never shown inline.",
        params: z.object({ conversationId: z.uuid(), attachmentId: z.uuid() }),
      },
    },
    async (request, reply) => {
      const file = await getAttachment(
        db,
        orgOf(request),
        request.params.conversationId,
        request.params.attachmentId,
      );
      // A file from a stranger is never rendered by the browser in our origin.
      return reply
        .header("content-type", "application/octet-stream")
        .header("x-content-type-options", "nosniff")
        .header("content-security-policy", "sandbox")
        .header(
          "content-disposition",
          `attachment; filename="${file.fileName.replace(/[^\w.\- ]/g, "_")}"; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
        )
        .send(file.content);
    },
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
