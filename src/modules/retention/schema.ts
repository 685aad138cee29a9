import {
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { organization } from "../organizations/schema.js";

/** What the retention job looks after; each has a period in days (see retentionPolicies.ts). */
export const retentionDataTypes = [
  "mentions",
  "author_handles",
  "dead_letters",
  "conversations",
  "alerts",
  "notifications",
  "audit_entries",
  "privacy_requests",
  "crm_imports",
  "webhook_deliveries",
] as const;
export type RetentionDataType = (typeof retentionDataTypes)[number];

/** An organization's own period for one data type; a type without a row uses the default. */
export const retentionPolicy = pgTable(
  "retention_policy",
  {
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    dataType: text("data_type", { enum: retentionDataTypes }).notNull(),
    days: integer("days").notNull(),
    updatedByUserId: text("updated_by_user_id"),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.organizationId, t.dataType] })],
);

/**
 * Per data type (plus what went with it: `messages`, `alert_deliveries`): rows deleted and rows
 * anonymised by one run. Counts only, never ids or values.
 */
export type RetentionCounts = Record<string, { deleted: number; anonymised: number }>;

export const retentionRunStatuses = ["running", "completed", "failed"] as const;

/**
 * One run of the retention job for one organization, with its report. A daily run carries the day
 * it stands for; the unique index lets exactly one process claim that day.
 */
export const retentionRun = pgTable(
  "retention_run",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    /** `daily` (the scheduler) or `manual` (an admin pressed "run now"). */
    trigger: text("trigger", { enum: ["daily", "manual"] }).notNull(),
    /** `YYYY-MM-DD` (UTC) of a daily run; null for manual runs. */
    day: text("day"),
    status: text("status", { enum: retentionRunStatuses }).notNull().default("running"),
    counts: jsonb("counts").$type<RetentionCounts>().notNull().default({}),
    /** Why a run failed (an error class and message without personal data). */
    error: text("error"),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("retention_run_org_day_idx").on(t.organizationId, t.day),
    index("retention_run_org_started_idx").on(t.organizationId, t.startedAt),
  ],
);
