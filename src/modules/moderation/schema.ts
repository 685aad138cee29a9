import { boolean, index, integer, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { mention } from "../listening/schema.js";
import { member, organization } from "../organizations/schema.js";

/** A rule of conduct the organization publishes for its own channels; moderation cites one. */
export const houseRule = pgTable(
  "house_rule",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    title: text("title").notNull(),
    /** The wording the public reads, and the default public reason of a decision under this rule. */
    publicText: text("public_text").notNull(),
    isPublished: boolean("is_published").notNull().default(true),
    position: integer("position").notNull().default(0),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("house_rule_org_idx").on(t.organizationId, t.position)],
);

export const moderationStates = ["pending_review", "hidden", "removed", "visible"] as const;
export type ModerationState = (typeof moderationStates)[number];

/**
 * A moderation decision on a post of the organization's own channels; the latest per post is its
 * state. `pending_review` is a routing rule's hold on an offensive post until a person decides.
 */
export const moderationDecision = pgTable(
  "moderation_decision",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    mentionId: uuid("mention_id")
      .notNull()
      .references(() => mention.id, { onDelete: "cascade" }),
    state: text("state", { enum: moderationStates }).notNull(),
    houseRuleId: uuid("house_rule_id").references(() => houseRule.id, { onDelete: "set null" }),
    /** The reason shown publicly in place of the post (kept even when the rule changes). */
    publicReason: text("public_reason").notNull().default(""),
    /** Removal only: why hiding was not enough (an exceptional case, published with the reason). */
    justification: text("justification"),
    decidedByMemberId: uuid("decided_by_member_id").references(() => member.id, { onDelete: "set null" }),
    ruleId: uuid("rule_id"),
    decidedAt: timestamp("decided_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("moderation_decision_mention_idx").on(t.organizationId, t.mentionId, t.decidedAt)],
);
