import { sql } from "drizzle-orm";
import {
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { user } from "../../platform/auth/schema.js";
import { organization } from "../organizations/schema.js";

/** A company a contact works for (B2B). */
export const company = pgTable(
  "company",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    domain: text("domain"),
    attributes: jsonb("attributes").$type<Record<string, string>>().notNull().default(sql`'{}'::jsonb`),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("company_org_name_idx").on(t.organizationId, t.name)],
);

/** A customer the organization knows. Identities on channels and consent join in the privacy issue. */
export const contact = pgTable(
  "contact",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    displayName: text("display_name").notNull(),
    email: text("email"),
    phone: text("phone"),
    locale: text("locale"),
    /** Custom attributes (customer number, plan, …) as the organization names them. */
    attributes: jsonb("attributes").$type<Record<string, string>>().notNull().default(sql`'{}'::jsonb`),
    tags: text("tags").array().notNull().default(sql`'{}'::text[]`),
    ownerUserId: text("owner_user_id").references(() => user.id, { onDelete: "set null" }),
    companyId: uuid("company_id").references(() => company.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("contact_org_name_idx").on(t.organizationId, t.displayName)],
);

/**
 * An author on a network (a Bluesky handle, a Mastodon account, an e-mail address …). Linked to a
 * contact only with a legal basis (the privacy issue adds consent and pseudonyms).
 */
export const socialIdentity = pgTable(
  "social_identity",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    network: text("network").notNull(),
    handle: text("handle").notNull(),
    displayName: text("display_name"),
    profileUrl: text("profile_url"),
    followers: integer("followers"),
    isVip: boolean("is_vip").notNull().default(false),
    /** Influence from reach, engagement, frequency and centrality (0–100), recomputed daily. */
    influenceScore: doublePrecision("influence_score"),
    influenceUpdatedAt: timestamp("influence_updated_at", { withTimezone: true }),
    contactId: uuid("contact_id").references(() => contact.id, { onDelete: "set null" }),
    profile: jsonb("profile").$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
    firstSeenAt: timestamp("first_seen_at", { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("social_identity_org_network_handle_idx").on(t.organizationId, t.network, t.handle),
    index("social_identity_contact_idx").on(t.contactId),
  ],
);

/** A colleague's note on a contact (call summary, agreement). Erased and exported with the contact. */
export const contactNote = pgTable(
  "contact_note",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    contactId: uuid("contact_id")
      .notNull()
      .references(() => contact.id, { onDelete: "cascade" }),
    authorUserId: text("author_user_id").references(() => user.id, { onDelete: "set null" }),
    body: text("body").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("contact_note_contact_idx").on(t.organizationId, t.contactId, t.createdAt)],
);

/** Which contacts a segment holds; every field narrows (and). */
export interface SegmentFilter {
  /** Part of the name or e-mail address. */
  q?: string;
  /** Contacts carrying every one of these tags. */
  tags?: string[];
  /** Custom attributes that must have exactly these values. */
  attributes?: Record<string, string>;
  companyId?: string;
  ownerUserId?: string;
  /** The newest decision for the purpose ("none": nobody asked yet). */
  consent?: {
    purpose: "service" | "marketing" | "profile_enrichment" | "audience_matching";
    state: "given" | "withdrawn" | "none";
  };
  /** Contacts with a linked identity on this network (bluesky, email …). */
  channel?: string;
}

/** A saved filter over contacts ("VIP customers in Hamburg with marketing consent"). */
export const segment = pgTable(
  "segment",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    filter: jsonb("filter").$type<SegmentFilter>().notNull(),
    createdByUserId: text("created_by_user_id").references(() => user.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("segment_org_name_idx").on(t.organizationId, t.name)],
);

export const identityLinkDecisions = ["confirmed", "rejected", "unlinked"] as const;
export type IdentityLinkDecision = (typeof identityLinkDecisions)[number];
/** Who decided: an agent, the automatic linker above the configured certainty, or the customer (opt-in link). */
export const identityLinkSources = ["agent", "automatic", "opt_in_link", "data_use_mode"] as const;
export type IdentityLinkSource = (typeof identityLinkSources)[number];

/**
 * Every decision about "this identity is that contact": confirmed, rejected (never proposed
 * again) or unlinked, with who, when, why, the score and the evidence at that moment.
 */
export const identityLinkDecision = pgTable(
  "identity_link_decision",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    identityId: uuid("identity_id")
      .notNull()
      .references(() => socialIdentity.id, { onDelete: "cascade" }),
    contactId: uuid("contact_id")
      .notNull()
      .references(() => contact.id, { onDelete: "cascade" }),
    decision: text("decision", { enum: identityLinkDecisions }).notNull(),
    source: text("source", { enum: identityLinkSources }).notNull(),
    score: doublePrecision("score"),
    evidence: jsonb("evidence").$type<Array<Record<string, unknown>>>().notNull().default(sql`'[]'::jsonb`),
    reason: text("reason"),
    decidedByUserId: text("decided_by_user_id"),
    decidedAt: timestamp("decided_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("identity_link_decision_contact_idx").on(t.organizationId, t.contactId, t.decidedAt),
    index("identity_link_decision_identity_idx").on(t.organizationId, t.identityId),
  ],
);

/** Per organization: how certain a candidate must be to count as likely, and to be linked automatically. */
export const identityResolutionSetting = pgTable("identity_resolution_setting", {
  organizationId: uuid("organization_id")
    .primaryKey()
    .references(() => organization.id, { onDelete: "cascade" }),
  certainty: doublePrecision("certainty").notNull().default(0.8),
  /** Null: nothing is ever linked automatically. */
  autoLinkCertainty: doublePrecision("auto_link_certainty"),
  /** The custom attribute the opt-in page asks for (the customer number). */
  customerNumberAttribute: text("customer_number_attribute").notNull().default("customer_number"),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
