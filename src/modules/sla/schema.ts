import { sql } from "drizzle-orm";
import {
  doublePrecision,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
  unique,
  uuid,
} from "drizzle-orm/pg-core";
import { channel, conversation } from "../conversations/schema.js";
import { department, member, organization } from "../organizations/schema.js";

export const slaTargets = ["first_response", "next_response", "resolution"] as const;
export type SlaTarget = (typeof slaTargets)[number];
export const slaTargetEnum = pgEnum("sla_target", slaTargets);

/** A weekly opening range in the schedule's time zone; weekday 1 = Monday … 7 = Sunday (ISO). */
export interface WeeklyRange {
  weekday: number;
  /** "09:00" */
  start: string;
  /** "17:30"; "24:00" for the end of the day. */
  end: string;
}
export interface Holiday {
  /** "2026-12-25" in the schedule's time zone. */
  date: string;
  name: string;
}

/** When the service-level clocks tick: opening hours in a time zone, minus holidays. */
export const businessHours = pgTable(
  "business_hours",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** IANA time zone, e.g. "Europe/Berlin". */
    timezone: text("timezone").notNull(),
    weeklyRanges: jsonb("weekly_ranges").$type<WeeklyRange[]>().notNull(),
    holidays: jsonb("holidays").$type<Holiday[]>().notNull().default(sql`'[]'::jsonb`),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("business_hours_org_idx").on(t.organizationId)],
);

/**
 * Response and resolution targets of an organization; one policy per channel, and one without a
 * channel as the organization's default. Without any, the built-in defaults apply (slaClock.ts).
 */
export const slaPolicy = pgTable(
  "sla_policy",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    /** null: the organization's default for channels without their own policy. */
    channelId: uuid("channel_id").references(() => channel.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    firstResponseMinutes: integer("first_response_minutes").notNull(),
    nextResponseMinutes: integer("next_response_minutes").notNull(),
    /** null: no resolution target. */
    resolutionMinutes: integer("resolution_minutes"),
    /** The target for messages whose urgency score is above the threshold. */
    immediateResponseMinutes: integer("immediate_response_minutes").notNull(),
    urgencyThreshold: doublePrecision("urgency_threshold").notNull(),
    /** null: the clocks run around the clock. */
    businessHoursId: uuid("business_hours_id").references(() => businessHours.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique("sla_policy_org_channel_key").on(t.organizationId, t.channelId).nullsNotDistinct()],
);

/**
 * One missed due time. The unique key makes the breach job idempotent: a due time breaches once,
 * however often or on however many workers the job runs. The table is also the breach KPI.
 */
export const slaBreach = pgTable(
  "sla_breach",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    conversationId: uuid("conversation_id")
      .notNull()
      .references(() => conversation.id, { onDelete: "cascade" }),
    target: slaTargetEnum("target").notNull(),
    dueAt: timestamp("due_at", { withTimezone: true }).notNull(),
    /** Where the conversation was when it breached, for KPIs per department and agent. */
    departmentId: uuid("department_id").references(() => department.id, { onDelete: "set null" }),
    assigneeMemberId: uuid("assignee_member_id").references(() => member.id, { onDelete: "set null" }),
    breachedAt: timestamp("breached_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    unique("sla_breach_once_key").on(t.conversationId, t.target, t.dueAt),
    index("sla_breach_org_at_idx").on(t.organizationId, t.breachedAt),
  ],
);
