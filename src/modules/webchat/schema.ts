import { boolean, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { contact } from "../contacts/schema.js";
import { channel, conversation, message } from "../conversations/schema.js";
import { organization } from "../organizations/schema.js";

/**
 * One visitor's chat on the company's website, from the pre-chat form on: who they said they are
 * (a contact of their own, with the consent they gave), the conversation it feeds, and whether
 * answers go by e-mail because nobody was online. The visitor's browser holds the token; only its
 * SHA-256 is stored, so a database copy cannot take over a chat.
 */
export const webchatSession = pgTable(
  "webchat_session",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    channelId: uuid("channel_id")
      .notNull()
      .references(() => channel.id, { onDelete: "cascade" }),
    /** Erasing the contact erases the chat session with the visitor's name and address. */
    contactId: uuid("contact_id")
      .notNull()
      .references(() => contact.id, { onDelete: "cascade" }),
    /** Opened by the visitor's first message. */
    conversationId: uuid("conversation_id").references(() => conversation.id, { onDelete: "set null" }),
    /** Hex SHA-256 of the visitor token. */
    tokenHash: text("token_hash").notNull(),
    visitorName: text("visitor_name").notNull(),
    visitorEmail: text("visitor_email").notNull(),
    /** The page's language (`de`, `en`): the widget's and the follow-up e-mails' language. */
    language: text("language").notNull(),
    /** The website the chat was started on. */
    origin: text("origin").notNull(),
    /** Nobody was online (or it was outside business hours): agents' replies go by e-mail. */
    emailFollowUp: boolean("email_follow_up").notNull().default(false),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("webchat_session_token_idx").on(t.tokenHash),
    index("webchat_session_conversation_idx").on(t.conversationId),
    index("webchat_session_org_idx").on(t.organizationId, t.channelId),
  ],
);

/** A file a visitor sent in the chat (checked for size and type); agents download it from the message. */
export const webchatAttachment = pgTable(
  "webchat_attachment",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    sessionId: uuid("session_id")
      .notNull()
      .references(() => webchatSession.id, { onDelete: "cascade" }),
    messageId: uuid("message_id").references(() => message.id, { onDelete: "cascade" }),
    fileName: text("file_name").notNull(),
    contentType: text("content_type").notNull(),
    size: integer("size").notNull(),
    /** Base64 of the file; attachments are small (see webchatLimits). */
    content: text("content").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("webchat_attachment_org_idx").on(t.organizationId, t.messageId)],
);
