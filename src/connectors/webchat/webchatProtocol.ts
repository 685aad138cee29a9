import { z } from "zod";

/**
 * What the web chat widget and Konversa say to each other over the WebSocket
 * (`/api/v1/webchat/:channelId/socket`), one JSON object per text frame. docs/connectors.md shows
 * each message; the limits below are the ones the widget shows in its errors.
 */
export const webchatLimits = {
  /** Characters of one visitor message. */
  maxMessageLength: 4_000,
  /** Bytes of one attachment (before base64). */
  maxAttachmentBytes: 2 * 1024 * 1024,
  /** File types a visitor may send; others are refused with a sentence naming these. */
  attachmentTypes: ["image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"],
  /** Messages and attachments per visitor within `rateWindowMs`. */
  messagesPerWindow: 20,
  rateWindowMs: 60_000,
  /** New chats (pre-chat forms sent) per network address within an hour. */
  sessionsPerAddressPerHour: 20,
} as const;

/** The largest frame accepted: an attachment in base64 plus its envelope. */
export const maxFrameBytes = Math.ceil((webchatLimits.maxAttachmentBytes * 4) / 3) + 16 * 1024;

const language = z.enum(["de", "en"]);

/** From the visitor's browser. */
export const visitorFrameSchema = z.discriminatedUnion("type", [
  z.object({
    /** The pre-chat form. */
    type: z.literal("start"),
    name: z.string().trim().min(1).max(120),
    email: z.email().max(254),
    /** The consent checkbox; a chat cannot start without it. */
    consent: z.literal(true),
    language,
  }),
  z.object({ type: z.literal("resume"), token: z.string().min(20).max(200) }),
  z.object({
    type: z.literal("message"),
    /** The widget's id of the message, echoed in `ack` and `error`; sending it twice stores it once. */
    clientId: z.string().min(1).max(64),
    text: z.string(),
  }),
  z.object({
    type: z.literal("attachment"),
    clientId: z.string().min(1).max(64),
    fileName: z.string().trim().min(1).max(200),
    contentType: z.string().max(100),
    /** The file in base64. */
    data: z.string(),
  }),
  z.object({ type: z.literal("typing") }),
]);
export type VisitorFrame = z.infer<typeof visitorFrameSchema>;

/** A message of the chat as the widget shows it. */
export interface ChatLine {
  id: string;
  from: "visitor" | "agent";
  author: string;
  text: string;
  sentAt: string;
  clientId?: string;
}

/** To the visitor's browser. */
export type ServerFrame =
  | {
      type: "welcome";
      greeting: string;
      privacyText: string;
      colour: string;
      /** An agent is online and it is within business hours; otherwise the chat continues by e-mail. */
      online: boolean;
      limits: { maxMessageLength: number; maxAttachmentBytes: number; attachmentTypes: readonly string[] };
    }
  | { type: "session"; token?: string; name: string; emailFollowUp: boolean; lines: ChatLine[] }
  | { type: "line"; line: ChatLine }
  | { type: "ack"; clientId: string; id: string }
  | { type: "typing"; author: string }
  | { type: "error"; code: string; message: string; clientId?: string };
