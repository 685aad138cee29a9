import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { everyMember } from "../../platform/auth/roles.js";
import type { Clock } from "../../platform/clock.js";
import type { Db } from "../../platform/db/client.js";
import { orgOf } from "../../platform/http/access.js";
import { booleanQuery, idParams, isoDate, limitQuery, okResponse } from "../../platform/http/schemas.js";
import { listNotifications, markAllNotificationsRead, markNotificationRead } from "./notifications.js";

export const notificationSchema = z.object({
  id: z.uuid(),
  kind: z
    .string()
    .describe("`alert.<type>`, `conversation.mentioned`, `conversation.assigned`, `sla.breached`"),
  title: z.string(),
  body: z.string(),
  link: z.string().nullable().describe("Path in the web app"),
  personal: z.boolean().describe("For the caller alone (false: for the whole organization)"),
  conversationId: z.uuid().nullable(),
  details: z.record(z.string(), z.unknown()),
  readAt: isoDate.nullable(),
  createdAt: isoDate,
});

export type Notification = z.infer<typeof notificationSchema>;

/** The notification centre: the caller's own notifications and the organization's alerts. */
export const notificationRoutes: FastifyPluginAsyncZod<{ db: Db; clock: Clock }> = async (
  app,
  { db, clock },
) => {
  app.get(
    "/api/v1/notifications",
    {
      config: { access: everyMember },
      schema: {
        tags: ["notifications"],
        summary: "The caller's notifications and the organization's alerts, newest first.",
        querystring: z.object({
          unread: booleanQuery.optional(),
          limit: limitQuery,
        }),
        response: { 200: z.array(notificationSchema) },
      },
    },
    async (request) => listNotifications(db, orgOf(request), request.query),
  );
  app.post(
    "/api/v1/notifications/:notificationId/read",
    {
      config: { access: everyMember },
      schema: {
        tags: ["notifications"],
        summary: "Mark one of one's own notifications read.",
        params: idParams("notificationId"),
        response: { 200: okResponse },
      },
    },
    async (request) => {
      await markNotificationRead(db, orgOf(request), request.params.notificationId, clock.now());
      return { ok: true as const };
    },
  );
  app.post(
    "/api/v1/notifications/read-all",
    {
      config: { access: everyMember },
      schema: {
        tags: ["notifications"],
        summary: "Mark all of one's own notifications read.",
        response: { 200: z.object({ marked: z.number().int() }) },
      },
    },
    async (request) => markAllNotificationsRead(db, orgOf(request), clock.now()),
  );
};
