import { integer, jsonb, pgTable, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";
import { department, organization } from "../organizations/schema.js";
import type { BriefingContent } from "./briefingContent.js";

/**
 * The weekly briefing of a department (or, without one, of the whole organization) for one ISO
 * week. The unique key makes the weekly job idempotent: a week is briefed once per scope, however
 * many processes run the job.
 */
export const briefing = pgTable(
  "briefing",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    /** null: the whole organization (the core team's briefing). */
    departmentId: uuid("department_id").references(() => department.id, { onDelete: "cascade" }),
    /** Monday 00:00 UTC of the briefed week. */
    weekStart: timestamp("week_start", { withTimezone: true }).notNull(),
    content: jsonb("content").$type<BriefingContent>().notNull(),
    generatedAt: timestamp("generated_at", { withTimezone: true }).notNull().defaultNow(),
    /** How many members the e-mail went to, and when; the server's reason when it failed. */
    emailedTo: integer("emailed_to").notNull().default(0),
    emailedAt: timestamp("emailed_at", { withTimezone: true }),
    emailError: text("email_error"),
  },
  (t) => [
    unique("briefing_scope_week_key").on(t.organizationId, t.departmentId, t.weekStart).nullsNotDistinct(),
  ],
);
