import { sql } from "drizzle-orm";
import {
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { organization } from "../organizations/schema.js";
import type { RuleAction, RuleCondition } from "./ruleTypes.js";

export const ruleSubjects = ["mention", "message", "both"] as const;
export const ruleMatchModes = ["all", "any"] as const;

/**
 * A routing rule of the core team: when a new mention or incoming message meets its conditions
 * (all or any of them), its actions run. Rules run in `position` order; `stopsFurtherRules` ends
 * the evaluation for that item after this rule matched.
 */
export const routingRule = pgTable(
  "routing_rule",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    position: integer("position").notNull(),
    isActive: boolean("is_active").notNull().default(true),
    appliesTo: text("applies_to", { enum: ruleSubjects }).notNull().default("both"),
    match: text("match", { enum: ruleMatchModes }).notNull().default("all"),
    conditions: jsonb("conditions").$type<RuleCondition[]>().notNull().default(sql`'[]'::jsonb`),
    actions: jsonb("actions").$type<RuleAction[]>().notNull().default(sql`'[]'::jsonb`),
    stopsFurtherRules: boolean("stops_further_rules").notNull().default(false),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("routing_rule_org_position_idx").on(t.organizationId, t.position)],
);

/** What one action of a matched rule did to one item. */
export interface ActionOutcome {
  type: RuleAction["type"];
  status: "done" | "failed" | "skipped";
  /** Ids of what it created or changed, or the reason it failed or was skipped. */
  detail: string;
}

/**
 * One matched rule on one item: which conditions held and what each action did. The unique key
 * makes a second run over the same item (a redelivered message) a no-op.
 */
export const routingRuleExecution = pgTable(
  "routing_rule_execution",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    /** Null once the rule is removed; the log stays. */
    ruleId: uuid("rule_id").references(() => routingRule.id, { onDelete: "set null" }),
    /** The rule's name when it ran (rules are renamed). */
    ruleName: text("rule_name").notNull(),
    itemType: text("item_type", { enum: ["mention", "message"] }).notNull(),
    itemId: uuid("item_id").notNull(),
    /** Indexes into the rule's conditions that held. */
    matchedConditions: integer("matched_conditions").array().notNull(),
    outcomes: jsonb("outcomes").$type<ActionOutcome[]>().notNull(),
    stoppedFurtherRules: boolean("stopped_further_rules").notNull().default(false),
    executedAt: timestamp("executed_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("routing_rule_execution_item_idx").on(t.organizationId, t.ruleId, t.itemType, t.itemId),
    index("routing_rule_execution_org_at_idx").on(t.organizationId, t.executedAt),
  ],
);
