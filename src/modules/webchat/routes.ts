import { readFileSync } from "node:fs";
import websocket from "@fastify/websocket";
import { and, eq } from "drizzle-orm";
import type { FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { WebSocket } from "ws";
import { z } from "zod";
import {
  maxFrameBytes,
  type ServerFrame,
  visitorFrameSchema,
  webchatLimits,
} from "../../connectors/webchat/webchatProtocol.js";
import { adminRoles, writerRoles } from "../../platform/auth/roles.js";
import type { Bus } from "../../platform/bus/index.js";
import type { Clock } from "../../platform/clock.js";
import type { Db } from "../../platform/db/client.js";
import { AppError, NotFoundError } from "../../platform/errors.js";
import { orgOf } from "../../platform/http/access.js";
import { idParams } from "../../platform/http/schemas.js";
import { conversationsPresenceSubject } from "../conversations/presenceAnnouncer.js";
import { message as messageConversation } from "../conversations/schema.js";
import { findVisibleConversation } from "../conversations/workflow.js";
import { webchatAttachment } from "./schema.js";
import { type VisitorConnection, VisitorHub } from "./visitorHub.js";
import { receiveVisitorAttachment, receiveVisitorMessage } from "./visitorMessageReceiver.js";
import { SlidingWindowLimit } from "./visitorRateLimit.js";
import { chatLines, resumeVisitorSession, startVisitorSession } from "./visitorSessions.js";
import {
  assertAllowedOrigin,
  findWebchatChannel,
  getWebchatSettings,
  isChatOnline,
  updateWebchatSettings,
  type WebchatChannel,
} from "./webchatChannels.js";

export interface WebchatRouteDeps {
  db: Db;
  clock: Clock;
  bus: Bus;
  baseUrl: string;
}

/** The widget's script, read once; `dist/` has a copy (scripts/copy-assets.mjs). */
const widgetSource = readFileSync(
  new URL("../../connectors/webchat/widget/chatWidget.js", import.meta.url),
  "utf8",
);

const settingsResponse = z.object({
  channelId: z.uuid(),
  name: z.string(),
  settings: z.object({
    allowedOrigins: z.array(z.string()),
    privacyText: z.string(),
    greeting: z.string(),
    colour: z.string(),
    businessHoursId: z.uuid().nullable(),
  }),
  snippet: z.string().describe("The <script> tag to paste into the website"),
});

/**
 * The web chat: the widget's script for the company's website, the visitors' WebSocket (pre-chat
 * form, messages, typing), the admins' settings, and attachments for agents.
 */
export const webchatRoutes: FastifyPluginAsyncZod<WebchatRouteDeps> = async (app, deps) => {
  await app.register(websocket, { options: { maxPayload: maxFrameBytes } });
  // The plugin hides WebSocket routes from the API description; the visitors' socket belongs in it.
  app.addHook("onRoute", (route) => {
    if (route.websocket && route.schema) route.schema.hide = false;
  });
  const hub = new VisitorHub(deps);
  const messageLimit = new SlidingWindowLimit(webchatLimits.messagesPerWindow, webchatLimits.rateWindowMs);
  const sessionLimit = new SlidingWindowLimit(webchatLimits.sessionsPerAddressPerHour, 3_600_000);
  app.addHook("onClose", async () => hub.close());

  app.get(
    "/widget/:script",
    {
      config: { access: "public" },
      schema: {
        tags: ["webchat"],
        summary:
          "The chat widget's script for `<script src=…>`; served only to the channel's allowed origins (Origin, else Referer).",
        security: [],
        params: z.object({
          script: z.string().regex(/^[0-9a-fA-F-]{36}\.js$/, "must be <channel id>.js"),
        }),
      },
    },
    async (request, reply) => {
      const channelId = request.params.script.slice(0, -3);
      const chat = await findWebchatChannel(deps.db, channelId);
      reply.header("vary", "Origin, Referer");
      assertAllowedOrigin(chat, embeddingOrigin(request));
      return reply
        .header("content-type", "text/javascript; charset=utf-8")
        .header("cache-control", "no-cache")
        .header("cross-origin-resource-policy", "cross-origin")
        .send(widgetSource);
    },
  );

  app.get(
    "/api/v1/webchat/:channelId/socket",
    {
      websocket: true,
      config: { access: "public" },
      schema: {
        tags: ["webchat"],
        summary:
          "The visitors' WebSocket (JSON frames, see docs/connectors.md); the upgrade is refused for origins the channel does not allow.",
        security: [],
        params: idParams("channelId"),
      },
      preValidation: async (request) => {
        const { channelId } = request.params as { channelId: string };
        const chat = await findWebchatChannel(deps.db, channelId);
        assertAllowedOrigin(chat, request.headers.origin);
        (request as FastifyRequest & { webchat?: WebchatChannel }).webchat = chat;
      },
    },
    (socket, request) => {
      const chat = (request as FastifyRequest & { webchat?: WebchatChannel }).webchat!;
      handleVisitor({ socket, request, chat, deps, hub, messageLimit, sessionLimit });
    },
  );

  app.get(
    "/api/v1/settings/webchat/:channelId",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["webchat"],
        summary: "A web chat channel's settings and the snippet for the website.",
        params: idParams("channelId"),
        response: { 200: settingsResponse },
      },
    },
    async (request) =>
      getWebchatSettings(deps.db, orgOf(request), {
        channelId: request.params.channelId,
        baseUrl: deps.baseUrl,
      }),
  );

  app.put(
    "/api/v1/settings/webchat/:channelId",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["webchat"],
        summary:
          "Changes a web chat's allowed origins, privacy text, greeting, colour or business hours (fields left out stay).",
        params: idParams("channelId"),
        body: z
          .object({
            allowedOrigins: z.array(z.string()).max(50),
            privacyText: z.string().max(4_000),
            greeting: z.string().max(500),
            colour: z.string().max(7),
            businessHoursId: z.uuid().nullable(),
          })
          .partial()
          .strict(),
        response: { 200: settingsResponse },
      },
    },
    async (request) =>
      updateWebchatSettings(deps.db, orgOf(request), {
        channelId: request.params.channelId,
        baseUrl: deps.baseUrl,
        changes: request.body,
      }),
  );

  app.get(
    "/api/v1/webchat/attachments/:attachmentId",
    {
      config: { access: writerRoles },
      schema: {
        tags: ["webchat"],
        summary: "A file a visitor sent in the chat, as a download.",
        params: idParams("attachmentId"),
      },
    },
    async (request, reply) => {
      const ctx = orgOf(request);
      const [file] = await deps.db
        .select()
        .from(webchatAttachment)
        .where(
          and(
            eq(webchatAttachment.organizationId, ctx.organizationId),
            eq(webchatAttachment.id, request.params.attachmentId),
          ),
        );
      if (!file?.messageId) throw new NotFoundError("The attachment");
      const [owner] = await deps.db
        .select({ conversationId: messageConversation.conversationId })
        .from(messageConversation)
        .where(eq(messageConversation.id, file.messageId));
      if (!owner) throw new NotFoundError("The attachment");
      await findVisibleConversation(deps.db, ctx, owner.conversationId);
      return reply
        .header("content-type", file.contentType)
        .header("content-disposition", `attachment; filename="${encodeURIComponent(file.fileName)}"`)
        .send(Buffer.from(file.content, "base64"));
    },
  );
};

/** The website that loads the script: the Origin header, else the origin of the Referer. */
function embeddingOrigin(request: FastifyRequest): string | undefined {
  const origin = request.headers.origin;
  if (origin && origin !== "null") return origin;
  const referer = request.headers.referer;
  return referer && URL.canParse(referer) ? new URL(referer).origin : undefined;
}

interface VisitorProps {
  socket: WebSocket;
  request: FastifyRequest;
  chat: WebchatChannel;
  deps: WebchatRouteDeps;
  hub: VisitorHub;
  messageLimit: SlidingWindowLimit;
  sessionLimit: SlidingWindowLimit;
}

/** How often a visitor's typing is passed on to the inbox. */
const typingEveryMs = 2_000;

/**
 * One widget's socket: a welcome with the chat's texts and whether someone is online; then the
 * pre-chat form (or the token of a running chat), messages, files and typing, each answered with an
 * ack or an error that says what to do. Frames are handled one after the other.
 */
function handleVisitor(props: VisitorProps) {
  const { socket, request, chat, deps, hub } = props;
  const origin = request.headers.origin!;
  const send = (frame: ServerFrame) => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(frame));
  };
  let connection: VisitorConnection | undefined;
  let lastTyping = 0;
  let queue = Promise.resolve();

  const handle = async (raw: string) => {
    let parsedJson: unknown;
    try {
      parsedJson = JSON.parse(raw);
    } catch {
      send({ type: "error", code: "bad_frame", message: "Frames must be JSON objects." });
      return;
    }
    const parsed = visitorFrameSchema.safeParse(parsedJson);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const clientId = (parsedJson as { clientId?: unknown })?.clientId;
      send({
        type: "error",
        code: "invalid",
        message: `Check "${issue.path.join(".") || "type"}": ${issue.message}.`,
        ...(typeof clientId === "string" ? { clientId } : {}),
      });
      return;
    }
    const frame = parsed.data;
    const now = deps.clock.now();
    if (frame.type === "start" || frame.type === "resume") {
      if (connection) {
        send({ type: "error", code: "already_started", message: "This chat is already running." });
        return;
      }
      let session: VisitorConnection["session"] | undefined;
      let token: string | undefined;
      if (frame.type === "start") {
        if (!props.sessionLimit.take(request.ip, now.getTime())) {
          send({
            type: "error",
            code: "rate_limited",
            message: `Too many new chats from your network; try again in ${props.sessionLimit.retryAfterSeconds(request.ip, now.getTime())} seconds.`,
          });
          return;
        }
        const online = await isChatOnline(deps.db, chat, now);
        ({ session, token } = await startVisitorSession(deps, {
          chat,
          origin,
          name: frame.name,
          email: frame.email,
          language: frame.language,
          online,
        }));
      } else {
        session = await resumeVisitorSession(deps, { chat, token: frame.token });
        if (!session) {
          send({
            type: "error",
            code: "session_unknown",
            message: "This chat has ended; start a new one.",
          });
          return;
        }
      }
      const lines = await chatLines(deps.db, session);
      connection = { session, shown: new Set(), send };
      hub.attach(connection, lines);
      send({
        type: "session",
        ...(token ? { token } : {}),
        name: session.visitorName,
        emailFollowUp: session.emailFollowUp,
        lines,
      });
      return;
    }
    if (!connection) {
      send({ type: "error", code: "no_session", message: "Fill in the form first to start the chat." });
      return;
    }
    const session = connection.session;
    if (frame.type === "typing") {
      if (!session.conversationId || now.getTime() - lastTyping < typingEveryMs) return;
      lastTyping = now.getTime();
      deps.bus.broadcast(conversationsPresenceSubject, {
        organizationId: session.organizationId,
        conversationId: session.conversationId,
        memberId: session.id,
        memberName: session.visitorName,
        state: "typing",
        visitor: true,
        at: now.toISOString(),
      });
      return;
    }
    if (!props.messageLimit.take(session.id, now.getTime())) {
      send({
        type: "error",
        code: "rate_limited",
        clientId: frame.clientId,
        message: `You are writing very fast; wait ${props.messageLimit.retryAfterSeconds(session.id, now.getTime())} seconds, then send it again.`,
      });
      return;
    }
    const hadConversation = session.conversationId;
    const stored =
      frame.type === "message"
        ? await receiveVisitorMessage(deps, { chat, session, clientId: frame.clientId, text: frame.text })
        : await receiveVisitorAttachment(deps, {
            chat,
            session,
            clientId: frame.clientId,
            fileName: frame.fileName,
            contentType: frame.contentType,
            data: frame.data,
            baseUrl: deps.baseUrl,
          });
    if (!hadConversation) hub.attach(connection, []);
    if (stored.messageId) {
      connection.shown.add(stored.messageId);
      send({ type: "ack", clientId: frame.clientId, id: stored.messageId });
    }
    // Other tabs of the same visitor see it too.
    void hub.refresh(stored.conversationId);
  };

  socket.on("message", (data, isBinary) => {
    if (isBinary) {
      send({ type: "error", code: "bad_frame", message: "Frames must be JSON text." });
      return;
    }
    const raw = data.toString();
    queue = queue
      .then(() => handle(raw))
      .catch((error: unknown) => {
        const clientId = safeClientId(raw);
        if (error instanceof AppError && error.status < 500) {
          send({
            type: "error",
            code: error.code,
            message: error.message,
            ...(clientId ? { clientId } : {}),
          });
          return;
        }
        request.log.error({ err: error, channelId: chat.channelId }, "web chat frame failed");
        send({
          type: "error",
          code: "internal_error",
          message: "Something went wrong on our side; please try again.",
          ...(clientId ? { clientId } : {}),
        });
      });
  });
  socket.on("close", () => {
    if (connection) hub.detach(connection);
  });
  void isChatOnline(deps.db, chat, deps.clock.now())
    .then((online) =>
      send({
        type: "welcome",
        greeting: chat.settings.greeting,
        privacyText: chat.settings.privacyText,
        colour: chat.settings.colour,
        online,
        limits: {
          maxMessageLength: webchatLimits.maxMessageLength,
          maxAttachmentBytes: webchatLimits.maxAttachmentBytes,
          attachmentTypes: webchatLimits.attachmentTypes,
        },
      }),
    )
    .catch((error: unknown) => request.log.error({ err: error }, "web chat welcome failed"));
}

function safeClientId(raw: string): string | undefined {
  try {
    const value = (JSON.parse(raw) as { clientId?: unknown }).clientId;
    return typeof value === "string" ? value.slice(0, 64) : undefined;
  } catch {
    return undefined;
  }
}
