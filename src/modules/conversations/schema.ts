import {
  boolean,
  index,
  integer,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { contact } from "../contacts/schema.js";
import { department, member, organization } from "../organizations/schema.js";

export const channelTypes = [
  "bluesky",
  "mastodon",
  "email",
  "webchat",
  "rss",
  "webhook",
  "x",
  "facebook",
  "instagram",
  "log",
] as const;
export type ChannelType = (typeof channelTypes)[number];
export const conversationStatuses = ["open", "pending", "snoozed", "resolved"] as const;
export type ConversationStatus = (typeof conversationStatuses)[number];
export const messageDirections = ["incoming", "outgoing", "note"] as const;

export const channelTypeEnum = pgEnum("channel_type", channelTypes);
export const conversationStatusEnum = pgEnum("conversation_status", conversationStatuses);
export const messageDirectionEnum = pgEnum("message_direction", messageDirections);

/** A connected account on a network (a Bluesky handle, a mailbox, the web chat …). */
export const channel = pgTable(
  "channel",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    type: channelTypeEnum("type").notNull(),
    name: text("name").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("channel_org_idx").on(t.organizationId)],
);

export const conversation = pgTable(
  "conversation",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    channelId: uuid("channel_id")
      .notNull()
      .references(() => channel.id, { onDelete: "cascade" }),
    contactId: uuid("contact_id").references(() => contact.id, { onDelete: "set null" }),
    departmentId: uuid("department_id").references(() => department.id, { onDelete: "set null" }),
    assigneeMemberId: uuid("assignee_member_id").references(() => member.id, { onDelete: "set null" }),
    subject: text("subject").notNull(),
    status: conversationStatusEnum("status").notNull().default("open"),
    priority: integer("priority").notNull().default(0),
    isPublic: boolean("is_public").notNull().default(true),
    language: text("language"),
    sentiment: text("sentiment"),
    lastMessageAt: timestamp("last_message_at", { withTimezone: true }).notNull().defaultNow(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("conversation_org_status_last_idx").on(t.organizationId, t.status, t.lastMessageAt),
    index("conversation_org_department_idx").on(t.organizationId, t.departmentId),
  ],
);

export const message = pgTable(
  "message",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    conversationId: uuid("conversation_id")
      .notNull()
      .references(() => conversation.id, { onDelete: "cascade" }),
    direction: messageDirectionEnum("direction").notNull(),
    authorName: text("author_name").notNull(),
    authorMemberId: uuid("author_member_id").references(() => member.id, { onDelete: "set null" }),
    externalId: text("external_id"),
    body: text("body").notNull(),
    sentAt: timestamp("sent_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("message_conversation_sent_idx").on(t.conversationId, t.sentAt),
    uniqueIndex("message_org_conversation_external_idx").on(t.organizationId, t.conversationId, t.externalId),
  ],
);
