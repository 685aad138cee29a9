import { and, eq } from "drizzle-orm";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { adminRoles, anyRole, writerRoles } from "../../platform/auth/roles.js";
import { NotFoundError, ValidationError } from "../../platform/errors.js";
import { orgOf } from "../../platform/http/access.js";
import { idParams, isoDate, okResponse } from "../../platform/http/schemas.js";
import { routeMessage } from "../automation/routingRuleRunner.js";
import { maxBulkSelection, updateConversations } from "./bulkConversationUpdater.js";
import { renderCannedResponse } from "./cannedResponseRenderer.js";
import {
  createCannedResponse,
  listCannedResponses,
  removeCannedResponse,
  templateVariables,
  updateCannedResponse,
} from "./cannedResponses.js";
import { assignConversation } from "./conversationAssigner.js";
import { labelConversation, maxLabels } from "./conversationLabeler.js";
import { prioritizeConversation } from "./conversationPrioritizer.js";
import { changeConversationStatus } from "./conversationStatusChanger.js";
import { csatStats, setChannelCsat } from "./csat.js";
import { receiveMessage } from "./messageReceiver.js";
import { writeNote } from "./noteWriter.js";
import { inspectMessage } from "./personalData.js";
import { announcePresence, presenceStates } from "./presenceAnnouncer.js";
import { continuePrivately } from "./privateContinuationStarter.js";
import { resendReply } from "./replyResender.js";
import { sendReply } from "./replySender.js";
import { conversationStatuses, maxPriority, message } from "./schema.js";
import { findVisibleConversation, type InboxDeps } from "./workflow.js";

const conversationParams = idParams("conversationId");
const label = z.string().trim().min(1).max(40);
const labelList = z.array(label).max(maxLabels);
const text = z.string().trim().min(1).max(10_000);

const cannedResponseSchema = z.object({
  id: z.uuid(),
  shortcut: z.string(),
  title: z.string(),
  body: z.string(),
  createdByMemberId: z.uuid().nullable(),
  createdAt: isoDate,
  updatedAt: isoDate,
});
const cannedResponseBody = z.object({
  shortcut: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, "use lower-case letters, digits, - and _ (at most 40)")
    .describe("Typed after a slash in the editor: /refund"),
  title: z.string().trim().min(1).max(200),
  body: z
    .string()
    .trim()
    .min(1)
    .max(5_000)
    .describe(
      `Text with variables: ${templateVariables.map((v) => `{{${v}}}`).join(", ")}; fallback: {{contact.first_name | there}}`,
    ),
});
const piiSchema = z.object({
  containsPersonalData: z.boolean(),
  spans: z
    .array(z.object({ type: z.string(), start: z.number().int(), end: z.number().int() }))
    .describe(
      "Where personal data sits (offsets into the whitespace-normalised text); the text is not repeated",
    ),
});
const bulkAction = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("assign"),
    assigneeMemberId: z.uuid().nullable().optional(),
    departmentId: z.uuid().nullable().optional(),
  }),
  z.object({ type: z.literal("resolve") }),
  z.object({ type: z.literal("label"), add: labelList.optional(), remove: labelList.optional() }),
  z.object({ type: z.literal("snooze"), until: z.coerce.date() }),
]);

/**
 * The work on conversations: assign, status (resolve, reopen, snooze), labels, priority, notes
 * with @mentions, replies, bulk actions, the personal-data check and "continue privately", and the
 * canned responses. Writers may work; analysts read only.
 */
export const conversationWorkRoutes: FastifyPluginAsyncZod<InboxDeps> = async (app, deps) => {
  const { db } = deps;
  app.put(
    "/api/v1/conversations/:conversationId/assignment",
    {
      config: { access: writerRoles },
      schema: {
        tags: ["inbox"],
        summary: "Assign to a colleague and/or a team (department); null unassigns, omitted keeps.",
        params: conversationParams,
        body: z.object({
          assigneeMemberId: z.uuid().nullable().optional(),
          departmentId: z.uuid().nullable().optional(),
        }),
        response: {
          200: z.object({
            id: z.uuid(),
            assigneeMemberId: z.uuid().nullable(),
            departmentId: z.uuid().nullable(),
          }),
        },
      },
    },
    async (request) =>
      assignConversation(deps, orgOf(request), {
        conversationId: request.params.conversationId,
        ...request.body,
      }),
  );
  app.put(
    "/api/v1/conversations/:conversationId/status",
    {
      config: { access: writerRoles },
      schema: {
        tags: ["inbox"],
        summary: "Resolve, reopen, set pending, or snooze until a time (it reopens by itself then).",
        params: conversationParams,
        body: z.object({
          status: z.enum(conversationStatuses),
          snoozedUntil: z.coerce.date().optional().describe("Required with status snoozed"),
        }),
        response: {
          200: z.object({ id: z.uuid(), status: z.enum(conversationStatuses), changed: z.boolean() }),
        },
      },
    },
    async (request) =>
      changeConversationStatus(deps, orgOf(request), {
        conversationId: request.params.conversationId,
        ...request.body,
      }),
  );
  app.put(
    "/api/v1/conversations/:conversationId/labels",
    {
      config: { access: writerRoles },
      schema: {
        tags: ["inbox"],
        summary: "Replace the labels, or add and remove some.",
        params: conversationParams,
        body: z.object({
          set: labelList.optional(),
          add: labelList.optional(),
          remove: labelList.optional(),
        }),
        response: { 200: z.object({ id: z.uuid(), labels: z.array(z.string()) }) },
      },
    },
    async (request) =>
      labelConversation(deps, orgOf(request), {
        conversationId: request.params.conversationId,
        ...request.body,
      }),
  );
  app.put(
    "/api/v1/conversations/:conversationId/priority",
    {
      config: { access: writerRoles },
      schema: {
        tags: ["inbox"],
        summary: "Set the priority: 0 none, 1 low, 2 high, 3 urgent.",
        params: conversationParams,
        body: z.object({ priority: z.number().int().min(0).max(maxPriority) }),
        response: { 200: z.object({ id: z.uuid(), priority: z.number().int() }) },
      },
    },
    async (request) =>
      prioritizeConversation(deps, orgOf(request), {
        conversationId: request.params.conversationId,
        priority: request.body.priority,
      }),
  );
  app.post(
    "/api/v1/conversations/:conversationId/notes",
    {
      config: { access: writerRoles },
      schema: {
        tags: ["inbox"],
        summary: "A private note for colleagues; each @mentioned member is notified.",
        params: conversationParams,
        body: z.object({
          body: text,
          mentionedMemberIds: z
            .array(z.uuid())
            .max(50)
            .default([])
            .describe("Members picked with @ in the editor"),
        }),
        response: { 201: z.object({ id: z.uuid(), notifiedMemberIds: z.array(z.uuid()) }) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(
        await writeNote(deps, orgOf(request), {
          conversationId: request.params.conversationId,
          ...request.body,
        }),
      ),
  );
  app.post(
    "/api/v1/conversations/:conversationId/replies",
    {
      config: { access: writerRoles },
      schema: {
        tags: ["inbox"],
        summary:
          "Answer the customer; stops the response clocks. Public replies with personal data need confirmPersonalData.",
        params: conversationParams,
        body: z.object({ body: text, confirmPersonalData: z.boolean().optional() }),
        response: { 201: z.object({ id: z.uuid() }) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(
        await sendReply(deps, orgOf(request), {
          conversationId: request.params.conversationId,
          ...request.body,
        }),
      ),
  );
  app.post(
    "/api/v1/conversations/:conversationId/messages/:messageId/resend",
    {
      config: { access: writerRoles },
      schema: {
        tags: ["inbox"],
        summary:
          "Queue a failed reply again (due now, attempts counted afresh, same idempotency key); 409 unless it failed.",
        params: conversationParams.extend(idParams("messageId").shape),
        response: { 200: z.object({ id: z.uuid(), deliveryState: z.literal("queued") }) },
      },
    },
    async (request) => resendReply(deps, orgOf(request), request.params),
  );
  app.post(
    "/api/v1/conversations/:conversationId/pii-check",
    {
      config: { access: writerRoles },
      schema: {
        tags: ["inbox"],
        summary:
          "Does a draft reply (text) or a message of this conversation (messageId) contain personal data? If a public one does, continue privately.",
        params: conversationParams,
        body: z.union([z.object({ text: z.string().min(1).max(10_000) }), z.object({ messageId: z.uuid() })]),
        response: { 200: piiSchema.extend({ isPublic: z.boolean() }) },
      },
    },
    async (request) => {
      const ctx = orgOf(request);
      const found = await findVisibleConversation(db, ctx, request.params.conversationId);
      let checked: string;
      if ("text" in request.body) {
        checked = request.body.text;
      } else {
        const [stored] = await db
          .select({ body: message.body })
          .from(message)
          .where(
            and(
              eq(message.organizationId, ctx.organizationId),
              eq(message.conversationId, found.id),
              eq(message.id, request.body.messageId),
            ),
          );
        if (!stored) throw new NotFoundError("The message");
        checked = stored.body;
      }
      const { containsPersonalData, spans } = inspectMessage(checked);
      return { containsPersonalData, spans, isPublic: found.isPublic };
    },
  );
  app.post(
    "/api/v1/conversations/:conversationId/continue-privately",
    {
      config: { access: writerRoles },
      schema: {
        tags: ["inbox"],
        summary:
          "Post a short public reply without personal data and open a linked private conversation on a private channel.",
        params: conversationParams,
        body: z.object({
          channelId: z.uuid().describe("A private channel of the organization"),
          cannedResponseId: z
            .uuid()
            .optional()
            .describe("Template of the public reply; no {{contact.*}} variables"),
        }),
        response: {
          201: z.object({
            privateConversationId: z.uuid(),
            publicReply: z.object({ id: z.uuid(), body: z.string() }),
          }),
        },
      },
    },
    async (request, reply) =>
      reply.status(201).send(
        await continuePrivately(deps, orgOf(request), {
          conversationId: request.params.conversationId,
          ...request.body,
        }),
      ),
  );
  app.post(
    "/api/v1/conversations/:conversationId/presence",
    {
      config: { access: writerRoles },
      schema: {
        tags: ["inbox"],
        summary:
          "Tell colleagues that you are viewing or typing in this conversation (realtime event conversations.presence; nothing is stored).",
        params: conversationParams,
        body: z.object({ state: z.enum(presenceStates) }),
        response: { 200: okResponse },
      },
    },
    async (request) => {
      await announcePresence(deps, orgOf(request), {
        conversationId: request.params.conversationId,
        state: request.body.state,
      });
      return { ok: true as const };
    },
  );
  app.post(
    "/api/v1/conversations/bulk",
    {
      config: { access: writerRoles },
      schema: {
        tags: ["inbox"],
        summary: "Assign, resolve, label or snooze a selection; answers per conversation.",
        body: z.object({
          conversationIds: z.array(z.uuid()).min(1).max(maxBulkSelection),
          action: bulkAction,
        }),
        response: {
          200: z.object({
            results: z.array(
              z.object({
                conversationId: z.uuid(),
                ok: z.boolean(),
                error: z.object({ code: z.string(), message: z.string() }).optional(),
              }),
            ),
            succeeded: z.number().int(),
            failed: z.number().int(),
          }),
        },
      },
    },
    async (request) => updateConversations(deps, orgOf(request), request.body),
  );
  app.post(
    "/api/v1/channels/:channelId/incoming",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["inbox"],
        summary:
          "A customer's message from an integration without a connector: opens or continues a conversation and starts its service-level clock.",
        params: idParams("channelId"),
        body: z.object({
          conversationId: z.uuid().optional().describe("Continue this conversation; omitted: open a new one"),
          externalId: z.string().max(512).optional().describe("The message's id at the source; stored once"),
          authorName: z.string().trim().min(1).max(256),
          text,
          sentAt: z.coerce.date().optional(),
          isPublic: z.boolean().optional(),
        }),
        response: {
          201: z.object({
            conversationId: z.uuid(),
            messageId: z.uuid().nullable(),
            opened: z.boolean(),
            reopened: z.boolean(),
            duplicate: z.boolean(),
          }),
        },
      },
    },
    async (request, reply) => {
      const ctx = orgOf(request);
      const received = await receiveMessage(deps, ctx, {
        channelId: request.params.channelId,
        ...request.body,
      });
      if (received.messageId && !received.duplicate) {
        await routeMessage(deps, { organizationId: ctx.organizationId, messageId: received.messageId });
      }
      return reply.status(201).send(received);
    },
  );
  app.put(
    "/api/v1/channels/:channelId/csat",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["inbox"],
        summary:
          "Ask customers for their satisfaction (1–5) when a conversation on this channel is resolved, or stop asking.",
        params: idParams("channelId"),
        body: z.object({ enabled: z.boolean() }),
        response: { 200: z.object({ id: z.uuid(), csatEnabled: z.boolean() }) },
      },
    },
    async (request) => setChannelCsat(db, orgOf(request), request.params.channelId, request.body.enabled),
  );
  app.get(
    "/api/v1/conversations/csat/stats",
    {
      config: { access: anyRole },
      schema: {
        tags: ["inbox"],
        summary: "Customer satisfaction answered in a period: number of answers and the average score.",
        querystring: z.object({
          from: z.coerce.date().optional().describe("Default: 30 days before to"),
          to: z.coerce.date().optional().describe("Default: now"),
        }),
        response: {
          200: z.object({
            from: isoDate,
            to: isoDate,
            answers: z.number().int(),
            averageScore: z.number().nullable().describe("1 (bad) to 5 (very good); null without answers"),
          }),
        },
      },
    },
    async (request) => {
      const to = request.query.to ?? deps.clock.now();
      const from = request.query.from ?? new Date(to.getTime() - 30 * 86_400_000);
      if (from >= to) throw new ValidationError("from must lie before to.");
      return csatStats(db, orgOf(request), { from, to });
    },
  );

  app.get(
    "/api/v1/canned-responses",
    {
      config: { access: anyRole },
      schema: {
        tags: ["inbox"],
        summary: "Canned responses; q filters by shortcut prefix or title.",
        querystring: z.object({ q: z.string().max(100).optional() }),
        response: { 200: z.array(cannedResponseSchema) },
      },
    },
    async (request) => listCannedResponses(db, orgOf(request), request.query),
  );
  app.post(
    "/api/v1/canned-responses",
    {
      config: { access: writerRoles },
      schema: {
        tags: ["inbox"],
        summary: "Add a canned response.",
        body: cannedResponseBody,
        response: { 201: cannedResponseSchema },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createCannedResponse(db, orgOf(request), request.body)),
  );
  app.patch(
    "/api/v1/canned-responses/:cannedResponseId",
    {
      config: { access: writerRoles },
      schema: {
        tags: ["inbox"],
        summary: "Change a canned response.",
        params: idParams("cannedResponseId"),
        body: cannedResponseBody.partial(),
        response: { 200: cannedResponseSchema },
      },
    },
    async (request) =>
      updateCannedResponse(
        db,
        orgOf(request),
        request.params.cannedResponseId,
        request.body,
        deps.clock.now(),
      ),
  );
  app.delete(
    "/api/v1/canned-responses/:cannedResponseId",
    {
      config: { access: writerRoles },
      schema: {
        tags: ["inbox"],
        summary: "Remove a canned response.",
        params: idParams("cannedResponseId"),
        response: { 200: okResponse },
      },
    },
    async (request) => {
      await removeCannedResponse(db, orgOf(request), request.params.cannedResponseId);
      return { ok: true as const };
    },
  );
  app.post(
    "/api/v1/conversations/:conversationId/canned-responses/:cannedResponseId/render",
    {
      config: { access: writerRoles },
      schema: {
        tags: ["inbox"],
        summary: "A canned response with its variables filled for this conversation, to edit and send.",
        params: z.object({ conversationId: z.uuid(), cannedResponseId: z.uuid() }),
        response: { 200: z.object({ shortcut: z.string(), text: z.string() }) },
      },
    },
    async (request) => {
      const ctx = orgOf(request);
      const found = await findVisibleConversation(db, ctx, request.params.conversationId);
      return renderCannedResponse(db, ctx, found, request.params.cannedResponseId);
    },
  );
};
