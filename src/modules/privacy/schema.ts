import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { contact, socialIdentity } from "../contacts/schema.js";
import { organization } from "../organizations/schema.js";

export const consentPurposes = ["service", "marketing", "profile_enrichment", "audience_matching"] as const;
export type ConsentPurpose = (typeof consentPurposes)[number];
export const consentStates = ["given", "withdrawn"] as const;
export type ConsentState = (typeof consentStates)[number];
/** GDPR Art. 6(1): consent (a), contract (b), legal obligation (c), legitimate interest (f). */
export const legalBases = ["consent", "contract", "legal_obligation", "legitimate_interest"] as const;
export type LegalBasis = (typeof legalBases)[number];
/** Where a consent decision came from; `agent` needs evidence (what the customer wrote or said). */
export const consentSources = ["web_chat_checkbox", "opt_in_link", "import", "agent"] as const;
export type ConsentSource = (typeof consentSources)[number];

/**
 * The consent ledger: one row per decision, never updated. The current state of a purpose is the
 * newest row; erasure is the only thing that deletes rows.
 */
export const consentRecord = pgTable(
  "consent_record",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    contactId: uuid("contact_id")
      .notNull()
      .references(() => contact.id, { onDelete: "cascade" }),
    purpose: text("purpose", { enum: consentPurposes }).notNull(),
    state: text("state", { enum: consentStates }).notNull(),
    legalBasis: text("legal_basis", { enum: legalBases }).notNull(),
    source: text("source", { enum: consentSources }).notNull(),
    /** The words the person saw when deciding (checkbox label, opt-in mail text). */
    wording: text("wording"),
    /** For `agent`: what proves the decision (quote, ticket, call note). */
    evidence: text("evidence"),
    recordedByUserId: text("recorded_by_user_id"),
    recordedAt: timestamp("recorded_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("consent_record_contact_idx").on(t.organizationId, t.contactId, t.purpose, t.recordedAt)],
);

export const privacyRequestTypes = ["export", "erasure"] as const;
export type PrivacyRequestType = (typeof privacyRequestTypes)[number];
export const privacyRequestStatuses = ["open", "completed"] as const;

export interface PrivacyRequestProof {
  /** Rows per table that were exported or removed; ids are not kept, the person is gone. */
  counts: Record<string, number>;
  /** SHA-256 of the export document (export requests). */
  exportSha256?: string;
  /** Audit entries reduced to "an erasure happened" (erasure requests). */
  auditEntriesReduced?: number;
}

/** A data subject's request (GDPR Art. 15/17/20), due 30 days after it arrived. */
export const privacyRequest = pgTable(
  "privacy_request",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    type: text("type", { enum: privacyRequestTypes }).notNull(),
    /** Null once the subject is erased: the request keeps no trace of who they were. */
    subjectContactId: uuid("subject_contact_id").references(() => contact.id, { onDelete: "set null" }),
    status: text("status", { enum: privacyRequestStatuses }).notNull().default("open"),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
    dueAt: timestamp("due_at", { withTimezone: true }).notNull(),
    createdByUserId: text("created_by_user_id"),
    completedAt: timestamp("completed_at", { withTimezone: true }),
    completedByUserId: text("completed_by_user_id"),
    proof: jsonb("proof").$type<PrivacyRequestProof>(),
  },
  (t) => [index("privacy_request_org_idx").on(t.organizationId, t.receivedAt)],
);

/** Public profile data copied onto a contact (mode `full`, consent `profile_enrichment`). */
export const contactEnrichment = pgTable(
  "contact_enrichment",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    contactId: uuid("contact_id")
      .notNull()
      .references(() => contact.id, { onDelete: "cascade" }),
    identityId: uuid("identity_id")
      .notNull()
      .references(() => socialIdentity.id, { onDelete: "cascade" }),
    data: jsonb("data").$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("contact_enrichment_contact_idx").on(t.organizationId, t.contactId)],
);

/** The organization's pseudonym key (HMAC-SHA256), encrypted with the installation's secrets key. */
export const pseudonymKey = pgTable("pseudonym_key", {
  organizationId: uuid("organization_id")
    .primaryKey()
    .references(() => organization.id, { onDelete: "cascade" }),
  keyEncrypted: text("key_encrypted").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

/**
 * A personal opt-in link: the customer confirms that the social identity is theirs, proves it with
 * their customer number and gives consent; single use, expiring, the secret stored only as a hash.
 */
export const optInLink = pgTable(
  "opt_in_link",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    contactId: uuid("contact_id")
      .notNull()
      .references(() => contact.id, { onDelete: "cascade" }),
    identityId: uuid("identity_id")
      .notNull()
      .references(() => socialIdentity.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull(),
    purpose: text("purpose", { enum: consentPurposes }).notNull().default("service"),
    /** The purpose text the customer reads and agrees to; stored with the consent. */
    wording: text("wording").notNull(),
    locale: text("locale").notNull().default("de"),
    /** A campaign's name when the link was created in bulk. */
    campaign: text("campaign"),
    failedAttempts: integer("failed_attempts").notNull().default(0),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
    createdByUserId: text("created_by_user_id"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("opt_in_link_token_idx").on(t.tokenHash),
    index("opt_in_link_contact_idx").on(t.organizationId, t.contactId),
  ],
);
