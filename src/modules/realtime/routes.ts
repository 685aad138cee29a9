import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { anyRole, writerRoles } from "../../platform/auth/roles.js";
import type { Bus } from "../../platform/bus/index.js";
import type { Clock } from "../../platform/clock.js";
import type { Db } from "../../platform/db/client.js";
import { orgOf } from "../../platform/http/access.js";
import { markAgentGone, markAgentSeen } from "./agentPresence.js";

/** Bus subjects whose messages the browsers of an organization receive. */
export const realtimeSubjects = [
  "events.mentions.created",
  "events.alerts.fired",
  "events.conversations.changed",
  "events.conversations.presence",
  "events.sla.breached",
  "events.notifications.created",
] as const;

/**
 * Server-sent events: every open browser of an organization hears what happens in it, from this
 * process or, through NATS, from any other. Messages carry ids and counts, never personal data.
 */
export const realtimeRoutes: FastifyPluginAsyncZod<{ bus: Bus; db: Db; clock: Clock }> = async (
  app,
  { bus, db, clock },
) => {
  app.get(
    "/api/v1/events",
    {
      config: { access: anyRole },
      schema: { tags: ["realtime"], summary: "A stream of the organization's events (text/event-stream)." },
    },
    async (request, reply) => {
      const ctx = orgOf(request);
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        "content-type": "text/event-stream",
        "cache-control": "no-store",
        connection: "keep-alive",
        "x-content-type-options": "nosniff",
      });
      raw.write(": connected\n\n");
      const unsubscribers = realtimeSubjects.map((subject) =>
        bus.subscribe<{ organizationId?: string }>(subject, (data) => {
          if (data.organizationId !== ctx.organizationId) return;
          raw.write(`event: ${subject.replace(/^events\./, "")}\ndata: ${JSON.stringify(data)}\n\n`);
        }),
      );
      // A member who can answer customers counts as online while the stream is open (web chat).
      const answers = writerRoles.includes(ctx.role);
      const seen = () => {
        if (!answers) return;
        markAgentSeen(db, { ...ctx, at: clock.now() }).catch((error) =>
          request.log.warn({ err: error }, "agent presence not recorded"),
        );
      };
      seen();
      const heartbeat = setInterval(() => {
        raw.write(": keep-alive\n\n");
        seen();
      }, 25_000);
      request.raw.on("close", () => {
        clearInterval(heartbeat);
        for (const unsubscribe of unsubscribers) unsubscribe();
        if (answers) {
          markAgentGone(db, { memberId: ctx.memberId, at: clock.now() }).catch(() => undefined);
        }
      });
    },
  );
};
