import { index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { conversation } from "../conversations/schema.js";
import { mention } from "../listening/schema.js";
import { department, member, organization } from "../organizations/schema.js";

export const insightStates = ["new", "acknowledged", "in_progress", "done"] as const;
export type InsightState = (typeof insightStates)[number];
/** A lead is an insight for Sales: someone who wants to buy. */
export const insightKinds = ["insight", "lead"] as const;
export type InsightKind = (typeof insightKinds)[number];

/**
 * A mention or conversation the core team (or a routing rule) forwarded to a department, with the
 * core team's note; the department works it from new to done.
 */
export const insight = pgTable(
  "insight",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    departmentId: uuid("department_id")
      .notNull()
      .references(() => department.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: insightKinds }).notNull().default("insight"),
    mentionId: uuid("mention_id").references(() => mention.id, { onDelete: "set null" }),
    conversationId: uuid("conversation_id").references(() => conversation.id, { onDelete: "set null" }),
    note: text("note").notNull(),
    state: text("state", { enum: insightStates }).notNull().default("new"),
    /** Who forwarded it; null: a routing rule did (`ruleId`). */
    createdByMemberId: uuid("created_by_member_id").references(() => member.id, { onDelete: "set null" }),
    ruleId: uuid("rule_id"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("insight_org_department_state_idx").on(t.organizationId, t.departmentId, t.state),
    index("insight_org_created_idx").on(t.organizationId, t.createdAt),
  ],
);

/** Every change of an insight's state, with who made it and an optional comment. */
export const insightStateChange = pgTable(
  "insight_state_change",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    insightId: uuid("insight_id")
      .notNull()
      .references(() => insight.id, { onDelete: "cascade" }),
    fromState: text("from_state", { enum: insightStates }),
    toState: text("to_state", { enum: insightStates }).notNull(),
    memberId: uuid("member_id").references(() => member.id, { onDelete: "set null" }),
    comment: text("comment").notNull().default(""),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("insight_state_change_insight_idx").on(t.insightId, t.at)],
);
