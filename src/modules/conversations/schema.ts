import { sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  boolean,
  customType,
  doublePrecision,
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
/** An agent's reply on its way to the network: queued → sent, or failed with the network's reason. */
export const deliveryStates = ["queued", "sending", "sent", "failed"] as const;
export type DeliveryState = (typeof deliveryStates)[number];
/** 0 none, 1 low, 2 high, 3 urgent. */
export const maxPriority = 3;

export const channelTypeEnum = pgEnum("channel_type", channelTypes);
export const conversationStatusEnum = pgEnum("conversation_status", conversationStatuses);
export const messageDirectionEnum = pgEnum("message_direction", messageDirections);
export const deliveryStateEnum = pgEnum("delivery_state", deliveryStates);

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
    /** Direct messages, e-mail, web chat: only the customer and the organization read them. */
    isPrivate: boolean("is_private").notNull().default(false),
    /** Ask the customer for a satisfaction score (1–5) when a conversation is resolved. */
    csatEnabled: boolean("csat_enabled").notNull().default(false),
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
    /** Free labels set by agents (`refund`, `vip` …), lower-case. */
    labels: text("labels").array().notNull().default(sql`'{}'::text[]`),
    /** Highest urgency score (nlp) of the customer's messages. */
    urgency: doublePrecision("urgency"),
    /** When a snoozed conversation opens again by itself. */
    snoozedUntil: timestamp("snoozed_until", { withTimezone: true }),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
    /** The organization's first answer; stops the first-response clock. */
    firstRespondedAt: timestamp("first_responded_at", { withTimezone: true }),
    /** Service-level clocks (null: nothing is due). Breaches are recorded in `sla_breach`. */
    firstResponseDueAt: timestamp("first_response_due_at", { withTimezone: true }),
    nextResponseDueAt: timestamp("next_response_due_at", { withTimezone: true }),
    resolutionDueAt: timestamp("resolution_due_at", { withTimezone: true }),
    /** The other half of a public conversation continued privately (and back). */
    linkedConversationId: uuid("linked_conversation_id").references((): AnyPgColumn => conversation.id, {
      onDelete: "set null",
    }),
    /** When the satisfaction question was sent (on resolving, channels with `csatEnabled`). */
    csatRequestedAt: timestamp("csat_requested_at", { withTimezone: true }),
    /** The customer's answer, 1 (bad) to 5 (very good). */
    csatScore: integer("csat_score"),
    csatAnsweredAt: timestamp("csat_answered_at", { withTimezone: true }),
    lastMessageAt: timestamp("last_message_at", { withTimezone: true }).notNull().defaultNow(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("conversation_org_status_last_idx").on(t.organizationId, t.status, t.lastMessageAt),
    // The inbox's "due first" list (status filter, earliest running due time, then id): read in
    // index order instead of sorting every open conversation (bench:inbox, docs/inbox.md).
    index("conversation_org_status_due_idx").on(
      t.organizationId,
      t.status,
      sql`least(${t.firstResponseDueAt}, ${t.nextResponseDueAt}, ${t.resolutionDueAt})`,
      t.id,
    ),
    index("conversation_org_department_idx").on(t.organizationId, t.departmentId),
    index("conversation_org_assignee_idx").on(t.organizationId, t.assigneeMemberId),
    index("conversation_snoozed_until_idx").on(t.snoozedUntil).where(sql`status = 'snoozed'`),
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
    /** Personal data found in the text (nlp), for the public-to-private hint. */
    hasPii: boolean("has_pii").notNull().default(false),
    /** Colleagues @mentioned in a note. */
    mentionedMemberIds: uuid("mentioned_member_ids").array().notNull().default(sql`'{}'::uuid[]`),
    sentAt: timestamp("sent_at", { withTimezone: true }).notNull().defaultNow(),
    /** Outgoing replies only (null: nothing to deliver, e.g. imported history). */
    deliveryState: deliveryStateEnum("delivery_state"),
    deliveryAttempts: integer("delivery_attempts").notNull().default(0),
    /** When the outbound worker tries (again); while sending, the end of its lease. */
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }),
    /** The network's reason of the last failed attempt. */
    deliveryError: text("delivery_error"),
    /** The same on every attempt, so the network posts the reply once. */
    idempotencyKey: text("idempotency_key"),
    deliveredAt: timestamp("delivered_at", { withTimezone: true }),
  },
  (t) => [
    index("message_conversation_sent_idx").on(t.conversationId, t.sentAt),
    index("message_delivery_due_idx").on(t.nextAttemptAt).where(sql`delivery_state in ('queued', 'sending')`),
    index("message_body_search_idx").using("gin", sql`to_tsvector('simple', ${t.body})`),
    uniqueIndex("message_org_conversation_external_idx").on(t.organizationId, t.conversationId, t.externalId),
  ],
);

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => "bytea",
  fromDriver: (value) => (Buffer.isBuffer(value) ? value : Buffer.from(value)),
});

/**
 * A file that came with a message (an e-mail attachment), kept with it: erased with its message's
 * conversation, exported with the person's data. Files over the channel's limit keep their name and
 * size only, with the reason.
 */
export const messageAttachment = pgTable(
  "message_attachment",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    messageId: uuid("message_id")
      .notNull()
      .references(() => message.id, { onDelete: "cascade" }),
    fileName: text("file_name").notNull(),
    contentType: text("content_type").notNull(),
    sizeBytes: integer("size_bytes").notNull(),
    /** Null when the file was not kept (`skippedReason`). */
    content: bytea("content"),
    skippedReason: text("skipped_reason"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("message_attachment_org_message_idx").on(t.organizationId, t.messageId)],
);

/** A prepared answer an agent inserts by its shortcut (`/refund`); variables are filled server-side. */
export const cannedResponse = pgTable(
  "canned_response",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    shortcut: text("shortcut").notNull(),
    title: text("title").notNull(),
    body: text("body").notNull(),
    createdByMemberId: uuid("created_by_member_id").references(() => member.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("canned_response_org_shortcut_idx").on(t.organizationId, t.shortcut)],
);
