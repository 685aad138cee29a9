import { sql } from "drizzle-orm";
import { index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { mention } from "../listening/schema.js";
import { member, organization } from "../organizations/schema.js";

/**
 * A mention the core team shared with every employee: stored already pseudonymised (the author's
 * keyed pseudonym, personal data in the text masked), so the stream never reads personal data.
 */
export const vocItem = pgTable(
  "voc_item",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    mentionId: uuid("mention_id")
      .notNull()
      .references(() => mention.id, { onDelete: "cascade" }),
    authorPseudonym: text("author_pseudonym").notNull(),
    maskedText: text("masked_text").notNull(),
    network: text("network").notNull(),
    language: text("language").notNull(),
    sentiment: text("sentiment").notNull(),
    aspects: jsonb("aspects").$type<Array<{ category: string; polarity: string }>>().notNull(),
    /** The listening queries (products, campaigns) the mention matched. */
    queryIds: uuid("query_ids").array().notNull().default(sql`'{}'::uuid[]`),
    curatorNote: text("curator_note").notNull().default(""),
    sharedByMemberId: uuid("shared_by_member_id").references(() => member.id, { onDelete: "set null" }),
    postedAt: timestamp("posted_at", { withTimezone: true }).notNull(),
    sharedAt: timestamp("shared_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("voc_item_org_mention_idx").on(t.organizationId, t.mentionId),
    index("voc_item_org_shared_idx").on(t.organizationId, t.sharedAt),
  ],
);

export const joinRequestStates = ["pending", "approved", "declined"] as const;

/** An employee asks to take part in the public dialog behind a shared item; an agent decides. */
export const dialogJoinRequest = pgTable(
  "dialog_join_request",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    vocItemId: uuid("voc_item_id")
      .notNull()
      .references(() => vocItem.id, { onDelete: "cascade" }),
    requesterMemberId: uuid("requester_member_id")
      .notNull()
      .references(() => member.id, { onDelete: "cascade" }),
    reason: text("reason").notNull(),
    state: text("state", { enum: joinRequestStates }).notNull().default("pending"),
    decidedByMemberId: uuid("decided_by_member_id").references(() => member.id, { onDelete: "set null" }),
    decisionNote: text("decision_note").notNull().default(""),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    decidedAt: timestamp("decided_at", { withTimezone: true }),
  },
  (t) => [index("dialog_join_request_org_state_idx").on(t.organizationId, t.state, t.createdAt)],
);
