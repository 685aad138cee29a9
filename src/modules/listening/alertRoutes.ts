import { and, desc, eq } from "drizzle-orm";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { recordAudit } from "../../platform/audit/audit.js";
import { adminRoles, anyRole, writerRoles } from "../../platform/auth/roles.js";
import type { Clock } from "../../platform/clock.js";
import { encryptSecret } from "../../platform/crypto/secrets.js";
import type { Db } from "../../platform/db/client.js";
import { NotFoundError } from "../../platform/errors.js";
import { orgOf } from "../../platform/http/access.js";
import { booleanQuery, idParams, isoDate, limitQuery, okResponse } from "../../platform/http/schemas.js";
import { socialIdentity } from "../contacts/schema.js";
import { openConversation } from "../conversations/conversationOpener.js";
import { smtpSettings } from "../organizations/schema.js";
import {
  acknowledgeAlert,
  listAlertRules,
  listAlerts,
  removeAlertRule,
  saveAlertRule,
} from "./alerts/alertRules.js";
import { alert, alertTypes, deadLetter, mention } from "./schema.js";

export interface AlertRoutesOptions {
  db: Db;
  clock: Clock;
  secretsKey: Buffer;
  /** Puts a dead letter's message back on the bus. */
  requeue(subject: string, data: unknown): Promise<void>;
}

const ruleSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  type: z.enum(alertTypes),
  queryId: z.uuid().nullable(),
  config: z.object({
    threshold: z.number().optional(),
    minCount: z.number().optional(),
    minShare: z.number().optional(),
    keywords: z.array(z.string()).optional(),
    minOffensive: z.number().optional(),
  }),
  delivery: z.object({
    inApp: z.boolean(),
    emails: z.array(z.string()),
    webhookUrl: z.string().optional(),
    webhookSecretSet: z.boolean(),
  }),
  cooldownMinutes: z.number(),
  isActive: z.boolean(),
  lastFiredAt: isoDate.nullable(),
  createdAt: isoDate,
});
const ruleInput = z.object({
  name: z.string().trim().min(1).max(200),
  type: z.enum(alertTypes),
  queryId: z.uuid().nullable().optional(),
  config: ruleSchema.shape.config
    .extend({
      threshold: z.number().min(1).max(20).optional(),
      minCount: z.number().int().min(1).max(100_000).optional(),
      minShare: z.number().min(0).max(1).optional(),
      keywords: z.array(z.string().trim().min(1).max(100)).max(50).optional(),
      minOffensive: z.number().min(0).max(1).optional(),
    })
    .optional(),
  inApp: z.boolean().optional(),
  emails: z.array(z.email()).max(20).optional(),
  webhookUrl: z
    .url({ protocol: /^https?$/ })
    .max(2048)
    .nullable()
    .optional(),
  webhookSecret: z.string().min(16, "needs at least 16 characters").max(256).optional(),
  cooldownMinutes: z
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 60)
    .optional(),
  isActive: z.boolean().optional(),
});
const alertSchema = z.object({
  id: z.uuid(),
  ruleId: z.uuid(),
  type: z.enum(alertTypes),
  title: z.string(),
  details: z.record(z.string(), z.unknown()),
  mentionIds: z.array(z.uuid()),
  firedAt: isoDate,
  acknowledgedAt: isoDate.nullable(),
  deliveries: z.array(
    z.object({
      channel: z.string(),
      target: z.string(),
      status: z.string(),
      attempts: z.number(),
      lastError: z.string().nullable(),
      sentAt: isoDate.nullable(),
    }),
  ),
});
const deadLetterSchema = z.object({
  id: z.uuid(),
  subject: z.string(),
  messageId: z.string(),
  error: z.string(),
  attempts: z.number(),
  createdAt: isoDate,
  retriedAt: isoDate.nullable(),
});
export type AlertRule = z.infer<typeof ruleSchema>;
export type AlertRuleInput = z.infer<typeof ruleInput>;
export type FiredAlert = z.infer<typeof alertSchema>;
export type DeadLetter = z.infer<typeof deadLetterSchema>;
const forwardBody = z.object({
  departmentId: z.uuid().optional(),
  note: z.string().trim().max(5000).optional(),
});

/** Alert rules and fired alerts, dead letters, the mail server, and "make it a conversation". */
export const alertRoutes: FastifyPluginAsyncZod<AlertRoutesOptions> = async (
  app,
  { db, clock, secretsKey, requeue },
) => {
  const managers = [...adminRoles, "core_team" as const];

  app.get(
    "/api/v1/alerts/rules",
    {
      config: { access: anyRole },
      schema: { tags: ["alerts"], summary: "Alert rules.", response: { 200: z.array(ruleSchema) } },
    },
    async (request) => listAlertRules(db, orgOf(request)),
  );
  app.post(
    "/api/v1/alerts/rules",
    {
      config: { access: managers },
      schema: {
        tags: ["alerts"],
        summary: "Create an alert rule.",
        body: ruleInput,
        response: { 201: ruleSchema },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await saveAlertRule(db, orgOf(request), { input: request.body, secretsKey })),
  );
  app.patch(
    "/api/v1/alerts/rules/:ruleId",
    {
      config: { access: managers },
      schema: {
        tags: ["alerts"],
        summary: "Change an alert rule.",
        params: idParams("ruleId"),
        body: ruleInput.partial(),
        response: { 200: ruleSchema },
      },
    },
    async (request) =>
      saveAlertRule(db, orgOf(request), {
        id: request.params.ruleId,
        input: request.body as Parameters<typeof saveAlertRule>[2]["input"],
        secretsKey,
      }),
  );
  app.delete(
    "/api/v1/alerts/rules/:ruleId",
    {
      config: { access: managers },
      schema: {
        tags: ["alerts"],
        summary: "Remove an alert rule.",
        params: idParams("ruleId"),
        response: { 200: okResponse },
      },
    },
    async (request) => {
      await removeAlertRule(db, orgOf(request), request.params.ruleId);
      return { ok: true as const };
    },
  );
  app.get(
    "/api/v1/alerts",
    {
      config: { access: anyRole },
      schema: {
        tags: ["alerts"],
        summary: "Fired alerts, newest first, with their deliveries.",
        querystring: z.object({
          open: booleanQuery.optional(),
          limit: limitQuery,
        }),
        response: { 200: z.array(alertSchema) },
      },
    },
    async (request) => listAlerts(db, orgOf(request), request.query),
  );
  app.post(
    "/api/v1/alerts/:alertId/acknowledge",
    {
      config: { access: writerRoles },
      schema: {
        tags: ["alerts"],
        summary: "Acknowledge an alert.",
        params: idParams("alertId"),
        response: { 200: okResponse },
      },
    },
    async (request) => {
      await acknowledgeAlert(db, orgOf(request), request.params.alertId);
      return { ok: true as const };
    },
  );

  async function conversationFromMention(
    request: Parameters<typeof orgOf>[0],
    mentionId: string,
    body: z.infer<typeof forwardBody>,
    source: { type: string; id: string },
  ) {
    const ctx = orgOf(request);
    const [found] = await db
      .select({ mention, handle: socialIdentity.handle, displayName: socialIdentity.displayName })
      .from(mention)
      .leftJoin(socialIdentity, eq(socialIdentity.id, mention.identityId))
      .where(and(eq(mention.organizationId, ctx.organizationId), eq(mention.id, mentionId)));
    if (!found) throw new NotFoundError("The mention");
    return openConversation({ db, clock }, ctx, {
      network: found.mention.network,
      externalId: found.mention.externalId,
      authorName: found.displayName ?? (found.handle ? `@${found.handle}` : "unknown"),
      text: found.mention.text,
      postedAt: found.mention.postedAt,
      isPublic: true,
      language: found.mention.language,
      sentiment: found.mention.sentiment,
      urgency: found.mention.urgency,
      hasPii: found.mention.hasPii,
      ...body,
      source,
    });
  }
  app.post(
    "/api/v1/alerts/:alertId/conversation",
    {
      config: { access: writerRoles },
      schema: {
        tags: ["alerts"],
        summary:
          "Open an inbox conversation from an alert (its first mention), optionally for a department with a note.",
        params: idParams("alertId"),
        body: forwardBody,
        response: { 201: z.object({ id: z.uuid() }) },
      },
    },
    async (request, reply) => {
      const [found] = await db
        .select()
        .from(alert)
        .where(
          and(eq(alert.organizationId, orgOf(request).organizationId), eq(alert.id, request.params.alertId)),
        );
      if (!found) throw new NotFoundError("The alert");
      if (found.mentionIds.length === 0) throw new NotFoundError("A mention of this alert");
      const opened = await conversationFromMention(request, found.mentionIds[0]!, request.body, {
        type: "alert",
        id: found.id,
      });
      return reply.status(201).send(opened);
    },
  );
  app.post(
    "/api/v1/mentions/:mentionId/conversation",
    {
      config: { access: writerRoles },
      schema: {
        tags: ["listening"],
        summary: "Open an inbox conversation from a mention, optionally for a department with a note.",
        params: idParams("mentionId"),
        body: forwardBody,
        response: { 201: z.object({ id: z.uuid() }) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(
        await conversationFromMention(request, request.params.mentionId, request.body, {
          type: "mention",
          id: request.params.mentionId,
        }),
      ),
  );

  app.get(
    "/api/v1/dead-letters",
    {
      config: { access: managers },
      schema: {
        tags: ["operations"],
        summary: "Messages the pipeline gave up on, with their error.",
        querystring: z.object({ limit: limitQuery }),
        response: {
          200: z.array(deadLetterSchema),
        },
      },
    },
    async (request) =>
      db
        .select({
          id: deadLetter.id,
          subject: deadLetter.subject,
          messageId: deadLetter.messageId,
          error: deadLetter.error,
          attempts: deadLetter.attempts,
          createdAt: deadLetter.createdAt,
          retriedAt: deadLetter.retriedAt,
        })
        .from(deadLetter)
        .where(eq(deadLetter.organizationId, orgOf(request).organizationId))
        .orderBy(desc(deadLetter.createdAt))
        .limit(request.query.limit),
  );
  app.post(
    "/api/v1/dead-letters/:deadLetterId/retry",
    {
      config: { access: managers },
      schema: {
        tags: ["operations"],
        summary: "Put a dead letter back into the pipeline.",
        params: idParams("deadLetterId"),
        response: { 200: okResponse },
      },
    },
    async (request) => {
      const ctx = orgOf(request);
      const [letter] = await db
        .select()
        .from(deadLetter)
        .where(
          and(
            eq(deadLetter.organizationId, ctx.organizationId),
            eq(deadLetter.id, request.params.deadLetterId),
          ),
        );
      if (!letter) throw new NotFoundError("The dead letter");
      await requeue(letter.subject, letter.payload);
      await db.update(deadLetter).set({ retriedAt: new Date() }).where(eq(deadLetter.id, letter.id));
      return { ok: true as const };
    },
  );

  const smtpSchema = z.object({
    host: z.string().trim().min(1).max(255),
    port: z.number().int().min(1).max(65535),
    secure: z.boolean(),
    username: z.string().max(255).nullable(),
    fromAddress: z.string().trim().min(3).max(320),
  });
  app.get(
    "/api/v1/settings/smtp",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["organization"],
        summary: "The organization's mail server (password never returned).",
        response: { 200: smtpSchema.extend({ passwordSet: z.boolean() }).nullable() },
      },
    },
    async (request) => {
      const [row] = await db
        .select()
        .from(smtpSettings)
        .where(eq(smtpSettings.organizationId, orgOf(request).organizationId));
      return row
        ? {
            host: row.host,
            port: row.port,
            secure: row.secure,
            username: row.username,
            fromAddress: row.fromAddress,
            passwordSet: Boolean(row.passwordEncrypted),
          }
        : null;
    },
  );
  app.put(
    "/api/v1/settings/smtp",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["organization"],
        summary: "Set the mail server for alerts and briefings.",
        body: smtpSchema.extend({ password: z.string().max(512).optional() }),
        response: { 200: okResponse },
      },
    },
    async (request) => {
      const ctx = orgOf(request);
      const { password, ...settings } = request.body;
      await db.transaction(async (tx) => {
        const passwordEncrypted = password !== undefined ? encryptSecret(secretsKey, password) : undefined;
        await tx
          .insert(smtpSettings)
          .values({
            organizationId: ctx.organizationId,
            ...settings,
            passwordEncrypted: passwordEncrypted ?? null,
          })
          .onConflictDoUpdate({
            target: smtpSettings.organizationId,
            set: { ...settings, ...(passwordEncrypted ? { passwordEncrypted } : {}), updatedAt: new Date() },
          });
        await recordAudit(tx, ctx, {
          action: "smtp_settings.updated",
          entityType: "smtp_settings",
          entityId: ctx.organizationId,
          details: { host: settings.host },
        });
      });
      return { ok: true as const };
    },
  );
};
