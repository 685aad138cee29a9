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
