import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import { organization } from "../organizations/schema.js";

/** Contact fields a CSV column can be mapped to; `attribute:<name>` maps to a custom attribute. */
export const importFields = ["displayName", "email", "phone", "locale", "tags", "company"] as const;
export type ImportField = (typeof importFields)[number];

export interface ImportMapping {
  /** CSV header → `displayName` | `email` | … | `attribute:<name>` | `ignore`. */
  columns: Record<string, string>;
  /** A contact with the same e-mail address exists: fill in the new values, or leave it alone. */
  onDuplicate: "update" | "skip";
  /** Between tags in the tags column. */
  tagSeparator: string;
}

export const importStatuses = ["uploading", "uploaded", "running", "completed", "failed"] as const;
export type ImportStatus = (typeof importStatuses)[number];

/**
 * A CSV import of contacts: uploaded (the file is kept in chunks until it has run), mapped, run.
 * The counts are the progress the web app polls. The file is deleted when the run ends.
 */
export const crmImport = pgTable(
  "crm_import",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    createdByUserId: text("created_by_user_id"),
    /** The uploaded file's name as given (no path). */
    fileName: text("file_name").notNull(),
    bytes: bigint("bytes", { mode: "number" }).notNull().default(0),
    delimiter: text("delimiter").notNull().default(","),
    headers: text("headers").array().notNull().default(sql`'{}'::text[]`),
    mapping: jsonb("mapping").$type<ImportMapping>(),
    status: text("status", { enum: importStatuses }).notNull().default("uploading"),
    rowsRead: integer("rows_read").notNull().default(0),
    created: integer("created").notNull().default(0),
    updated: integer("updated").notNull().default(0),
    skipped: integer("skipped").notNull().default(0),
    rejected: integer("rejected").notNull().default(0),
    error: text("error"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [index("crm_import_org_created_idx").on(t.organizationId, t.createdAt)],
);

/** The uploaded file in pieces of about 1 MB, read back in order while the import runs. */
export const crmImportChunk = pgTable(
  "crm_import_chunk",
  {
    importId: uuid("import_id")
      .notNull()
      .references(() => crmImport.id, { onDelete: "cascade" }),
    seq: integer("seq").notNull(),
    data: text("data").notNull(),
  },
  (t) => [primaryKey({ columns: [t.importId, t.seq] })],
);

/** One line the import did not take, or took differently: line number and reason, never the values. */
export const crmImportIssue = pgTable(
  "crm_import_issue",
  {
    importId: uuid("import_id")
      .notNull()
      .references(() => crmImport.id, { onDelete: "cascade" }),
    line: integer("line").notNull(),
    /** `rejected` (not stored) or `skipped` (a duplicate left alone). */
    outcome: text("outcome", { enum: ["rejected", "skipped"] }).notNull(),
    /** `missing_name`, `invalid_email`, `invalid_phone`, `invalid_locale`, `duplicate_in_file`, `duplicate_existing`, `malformed_row`, `too_long`. */
    reason: text("reason").notNull(),
    /** The mapped field the reason is about, when there is one. */
    field: text("field"),
    /** The earlier line of a duplicate within the file. */
    duplicateOfLine: integer("duplicate_of_line"),
  },
  (t) => [primaryKey({ columns: [t.importId, t.line] })],
);

export const contactEvents = [
  "contact.created",
  "contact.updated",
  "contact.deleted",
  "identity.linked",
  "consent.changed",
] as const;
export type ContactEvent = (typeof contactEvents)[number];

/** An admin's endpoint that hears about contact changes (an existing CRM that stays the system of record). */
export const contactWebhook = pgTable(
  "contact_webhook",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    url: text("url").notNull(),
    /** HMAC-SHA256 secret, encrypted at rest; shown once when created. */
    secretEncrypted: text("secret_encrypted").notNull(),
    events: text("events").array().notNull(),
    /** Hosts an admin allows although they resolve to private addresses (an on-premises CRM). */
    allowHosts: text("allow_hosts").array().notNull().default(sql`'{}'::text[]`),
    isActive: boolean("is_active").notNull().default(true),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("contact_webhook_org_idx").on(t.organizationId)],
);

export const webhookDeliveryStatuses = ["pending", "sending", "sent", "failed"] as const;

/**
 * The outbox: one row per event and endpoint, written in the transaction of the change, sent by the
 * delivery worker with retries. It holds ids and codes only; the body is built from the contact as
 * it is when the delivery is made. The contact id is cleared once the delivery is done, so what
 * stays is the log line (event, status, attempts, answer code).
 */
export const contactWebhookDelivery = pgTable(
  "contact_webhook_delivery",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    webhookId: uuid("webhook_id")
      .notNull()
      .references(() => contactWebhook.id, { onDelete: "cascade" }),
    event: text("event", { enum: contactEvents }).notNull(),
    /** No foreign key: a `contact.deleted` event outlives its contact until it is delivered. */
    contactId: uuid("contact_id"),
    /** Ids and codes of the event (`identityId`, `purpose`, `state`, `reason`), never values. */
    details: jsonb("details").$type<Record<string, string>>().notNull().default({}),
    status: text("status", { enum: webhookDeliveryStatuses }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull(),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull(),
    deliveredAt: timestamp("delivered_at", { withTimezone: true }),
  },
  (t) => [
    index("contact_webhook_delivery_due_idx")
      .on(t.nextAttemptAt)
      .where(sql`status in ('pending', 'sending')`),
    index("contact_webhook_delivery_org_occurred_idx").on(t.organizationId, t.occurredAt),
    index("contact_webhook_delivery_contact_idx").on(t.contactId),
  ],
);
