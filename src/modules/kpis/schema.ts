import {
  bigint,
  doublePrecision,
  index,
  integer,
  pgEnum,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  unique,
  uuid,
} from "drizzle-orm/pg-core";
import { department, member, organization } from "../organizations/schema.js";

/**
 * Rollup grains. Every day is rolled up once; weeks (ISO, from Monday), calendar months and
 * quarters are sums of their days, so a year of the dashboard reads four quarter rows, not 365
 * day rows.
 * Periods are UTC.
 */
export const rollupGrains = ["day", "week", "month", "quarter"] as const;
export type RollupGrain = (typeof rollupGrains)[number];

/** The department key of conversations that belong to no department (the all-zero id). */
export const noDepartment = "00000000-0000-0000-0000-000000000000";

/**
 * The channel key of rows that sum every channel: a dashboard without a channel filter reads
 * these instead of adding up each channel's rows.
 */
export const allChannels = "*";
/** The department key of rows that sum every department (and no department): the organization. */
export const allDepartments = "ffffffff-ffff-ffff-ffff-ffffffffffff";

/**
 * Service counts per period, department and channel type: what the response, SLA, CSAT and
 * conversation-sentiment KPIs are computed from (docs/kpis.md defines each).
 */
export const kpiServiceRollup = pgTable(
  "kpi_service_rollup",
  {
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    grain: text("grain", { enum: rollupGrains }).notNull(),
    periodStart: timestamp("period_start", { withTimezone: true }).notNull(),
    /** The conversation's department, or `noDepartment`. */
    departmentKey: uuid("department_key").notNull(),
    /** The channel type (`bluesky`, `email` …), the same names as a mention's network. */
    channel: text("channel").notNull(),
    conversationsOpened: integer("conversations_opened").notNull().default(0),
    /** Conversations opened in the period that have at least one recorded SLA breach. */
    conversationsBreached: integer("conversations_breached").notNull().default(0),
    questions: integer("questions").notNull().default(0),
    answered: integer("answered").notNull().default(0),
    answeredWithinSla: integer("answered_within_sla").notNull().default(0),
    firstQuestions: integer("first_questions").notNull().default(0),
    firstAnswered: integer("first_answered").notNull().default(0),
    firstAnsweredWithinSla: integer("first_answered_within_sla").notNull().default(0),
    csatAnswers: integer("csat_answers").notNull().default(0),
    csatSum: integer("csat_sum").notNull().default(0),
    csatSatisfied: integer("csat_satisfied").notNull().default(0),
    positive: integer("positive").notNull().default(0),
    neutral: integer("neutral").notNull().default(0),
    negative: integer("negative").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.organizationId, t.grain, t.periodStart, t.departmentKey, t.channel] })],
);

export const responseKinds = ["first", "all"] as const;
export type ResponseKind = (typeof responseKinds)[number];

/**
 * Response times as histograms (see `histogram.ts` for the buckets): medians and p90 of any range
 * come from summing bucket counts, never from the raw messages.
 */
export const kpiResponseHistogram = pgTable(
  "kpi_response_histogram",
  {
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    grain: text("grain", { enum: rollupGrains }).notNull(),
    periodStart: timestamp("period_start", { withTimezone: true }).notNull(),
    departmentKey: uuid("department_key").notNull(),
    channel: text("channel").notNull(),
    kind: text("kind", { enum: responseKinds }).notNull(),
    bucket: smallint("bucket").notNull(),
    responses: integer("responses").notNull(),
  },
  (t) => [
    primaryKey({
      columns: [t.organizationId, t.grain, t.periodStart, t.departmentKey, t.channel, t.kind, t.bucket],
    }),
  ],
);

/** Listening counts per period and network: volume, sentiment, share of voice, own-post engagement. */
export const kpiMentionRollup = pgTable(
  "kpi_mention_rollup",
  {
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    grain: text("grain", { enum: rollupGrains }).notNull(),
    periodStart: timestamp("period_start", { withTimezone: true }).notNull(),
    channel: text("channel").notNull(),
    mentions: bigint("mentions", { mode: "number" }).notNull().default(0),
    positive: bigint("positive", { mode: "number" }).notNull().default(0),
    neutral: bigint("neutral", { mode: "number" }).notNull().default(0),
    negative: bigint("negative", { mode: "number" }).notNull().default(0),
    /** Mentions matched by a brand query / by a competitor query (share of voice). */
    brandMentions: bigint("brand_mentions", { mode: "number" }).notNull().default(0),
    competitorMentions: bigint("competitor_mentions", { mode: "number" }).notNull().default(0),
    /** Posts written by one of the organization's connected accounts, and their engagement. */
    ownPosts: bigint("own_posts", { mode: "number" }).notNull().default(0),
    ownPostComments: bigint("own_post_comments", { mode: "number" }).notNull().default(0),
    ownPostShares: bigint("own_post_shares", { mode: "number" }).notNull().default(0),
    ownPostLikes: bigint("own_post_likes", { mode: "number" }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.organizationId, t.grain, t.periodStart, t.channel] })],
);

/** How far the rollup job has looked: changes after `watermark` are picked up by its next run. */
export const kpiRollupState = pgTable("kpi_rollup_state", {
  organizationId: uuid("organization_id")
    .primaryKey()
    .references(() => organization.id, { onDelete: "cascade" }),
  watermark: timestamp("watermark", { withTimezone: true }).notNull(),
  lastRunAt: timestamp("last_run_at", { withTimezone: true }).notNull(),
  daysRecomputed: integer("days_recomputed").notNull().default(0),
});

export const goalPeriods = ["week", "month", "quarter"] as const;
export type GoalPeriod = (typeof goalPeriods)[number];
export const goalPeriodEnum = pgEnum("kpi_goal_period", goalPeriods);

/** A target for one KPI over a period, for a department or (no department) the whole organization. */
export const kpiGoal = pgTable(
  "kpi_goal",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    /** null: the whole organization. */
    departmentId: uuid("department_id").references(() => department.id, { onDelete: "cascade" }),
    kpi: text("kpi").notNull(),
    target: doublePrecision("target").notNull(),
    period: goalPeriodEnum("period").notNull(),
    createdByMemberId: uuid("created_by_member_id").references(() => member.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique("kpi_goal_scope_key").on(t.organizationId, t.departmentId, t.kpi, t.period).nullsNotDistinct(),
    index("kpi_goal_org_idx").on(t.organizationId),
  ],
);
