import { type SQL, sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  customType,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { socialIdentity } from "../contacts/schema.js";
import { organization } from "../organizations/schema.js";

export const queryKinds = ["brand", "competitor", "campaign", "topic"] as const;
export const queryKindEnum = pgEnum("listening_query_kind", queryKinds);

/** What an organization listens for: a boolean keyword expression over every network. */
export const listeningQuery = pgTable(
  "listening_query",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    kind: queryKindEnum("kind").notNull().default("brand"),
    expression: text("expression").notNull(),
    isActive: boolean("is_active").notNull().default(true),
    /** The query's own relevance model (the engine's model file, base64), trained from labelled mentions. */
    relevanceModel: text("relevance_model"),
    relevanceTrainedAt: timestamp("relevance_trained_at", { withTimezone: true }),
    /** Quality of that model on held-out labelled mentions (accuracy), for the UI to show. */
    relevanceAccuracy: doublePrecision("relevance_accuracy"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("listening_query_org_idx").on(t.organizationId)],
);

const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });

/** Full-text search in the post's own language: German and English stemming, others plain. */
const searchVector: SQL = sql`to_tsvector(CASE language WHEN 'de' THEN 'german'::regconfig WHEN 'en' THEN 'english'::regconfig ELSE 'simple'::regconfig END, text)`;

/** A public post that matched, stored once per organization, network and external id. */
export const mention = pgTable(
  "mention",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    network: text("network").notNull(),
    externalId: text("external_id").notNull(),
    url: text("url"),
    identityId: uuid("identity_id").references(() => socialIdentity.id, { onDelete: "set null" }),
    text: text("text").notNull(),
    language: text("language").notNull(),
    sentiment: text("sentiment").notNull(),
    sentimentScore: doublePrecision("sentiment_score").notNull(),
    offensiveScore: doublePrecision("offensive_score").notNull(),
    offensiveType: text("offensive_type"),
    urgency: doublePrecision("urgency").notNull(),
    hasPii: boolean("has_pii").notNull(),
    aspects: jsonb("aspects").$type<Array<{ category: string; polarity: string; score: number }>>().notNull(),
    keyphrases: text("keyphrases").array().notNull(),
    matchedQueryIds: uuid("matched_query_ids").array().notNull(),
    /** A person's label (relevant or not); what the query's relevance model learns from. */
    relevant: boolean("relevant"),
    /** The query's relevance model's probability, when the first matched query has a model. */
    predictedRelevance: doublePrecision("predicted_relevance"),
    parentExternalId: text("parent_external_id"),
    threadExternalId: text("thread_external_id"),
    likes: integer("likes").notNull().default(0),
    reposts: integer("reposts").notNull().default(0),
    replies: integer("replies").notNull().default(0),
    authorFollowers: integer("author_followers"),
    postedAt: timestamp("posted_at", { withTimezone: true }).notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
    search: tsvector("search").generatedAlwaysAs(searchVector),
  },
  (t) => [
    uniqueIndex("mention_org_network_external_idx").on(t.organizationId, t.network, t.externalId),
    index("mention_org_posted_idx").on(t.organizationId, t.postedAt),
    index("mention_search_idx").using("gin", t.search),
    index("mention_queries_idx").using("gin", t.matchedQueryIds),
  ],
);

/** The all-zero query id of the rollups means "every mention", whichever queries matched it. */
export const everyMention = "00000000-0000-0000-0000-000000000000";

/** Hourly counts per query, network and sentiment, kept on ingest so dashboards never scan mentions. */
export const mentionRollup = pgTable(
  "mention_rollup_hourly",
  {
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    /** The all-zero id stands for "every mention", whichever queries matched it. */
    queryId: uuid("query_id").notNull(),
    hour: timestamp("hour", { withTimezone: true }).notNull(),
    network: text("network").notNull(),
    sentiment: text("sentiment").notNull(),
    mentions: bigint("mentions", { mode: "number" }).notNull(),
    reach: bigint("reach", { mode: "number" }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.organizationId, t.queryId, t.hour, t.network, t.sentiment] })],
);

/** Daily counts per aspect and polarity. */
export const aspectRollup = pgTable(
  "aspect_rollup_daily",
  {
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    queryId: uuid("query_id").notNull(),
    day: timestamp("day", { withTimezone: true }).notNull(),
    aspect: text("aspect").notNull(),
    polarity: text("polarity").notNull(),
    mentions: bigint("mentions", { mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.organizationId, t.queryId, t.day, t.aspect, t.polarity] })],
);

/** A message the pipeline gave up on, with its error, for the UI to show and retry. */
export const deadLetter = pgTable(
  "dead_letter",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id").references(() => organization.id, { onDelete: "cascade" }),
    subject: text("subject").notNull(),
    messageId: text("message_id").notNull(),
    payload: jsonb("payload").notNull(),
    error: text("error").notNull(),
    attempts: integer("attempts").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    retriedAt: timestamp("retried_at", { withTimezone: true }),
  },
  (t) => [index("dead_letter_org_created_idx").on(t.organizationId, t.createdAt)],
);

/** Daily mentions and engagement per author, for top authors and influencer scores. */
export const authorRollup = pgTable(
  "author_rollup_daily",
  {
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    queryId: uuid("query_id").notNull(),
    day: timestamp("day", { withTimezone: true }).notNull(),
    identityId: uuid("identity_id")
      .notNull()
      .references(() => socialIdentity.id, { onDelete: "cascade" }),
    mentions: bigint("mentions", { mode: "number" }).notNull(),
    negative: bigint("negative", { mode: "number" }).notNull().default(0),
    engagement: bigint("engagement", { mode: "number" }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.organizationId, t.queryId, t.day, t.identityId] })],
);

export const alertTypes = ["volume_spike", "storm", "keyword", "vip_mention", "offensive"] as const;
export type AlertType = (typeof alertTypes)[number];
export const alertTypeEnum = pgEnum("alert_type", alertTypes);

export interface AlertRuleConfig {
  /** z-score from which a spike fires (volume_spike, storm). */
  threshold?: number;
  /** Fewest mentions (negative ones for storm) in the hour that can fire. */
  minCount?: number;
  /** Smallest negative share that is a storm. */
  minShare?: number;
  /** Words that fire a keyword alert (matched case-insensitively as words). */
  keywords?: string[];
  /** Offensive probability from which an offensive alert fires. */
  minOffensive?: number;
}

export interface AlertDeliveryConfig {
  inApp: boolean;
  emails: string[];
  webhookUrl?: string;
  /** HMAC-SHA256 secret of the webhook, encrypted at rest. */
  webhookSecretEncrypted?: string;
}

/** What to watch for, per query (or every mention), and where to say it. */
export const alertRule = pgTable(
  "alert_rule",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    queryId: uuid("query_id").references(() => listeningQuery.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    type: alertTypeEnum("type").notNull(),
    config: jsonb("config").$type<AlertRuleConfig>().notNull().default(sql`'{}'::jsonb`),
    delivery: jsonb("delivery").$type<AlertDeliveryConfig>().notNull(),
    cooldownMinutes: integer("cooldown_minutes").notNull().default(360),
    isActive: boolean("is_active").notNull().default(true),
    lastFiredAt: timestamp("last_fired_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("alert_rule_org_idx").on(t.organizationId)],
);

/** A rule that fired. The dedupe key makes a second evaluation of the same situation a no-op. */
export const alert = pgTable(
  "alert",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    ruleId: uuid("rule_id")
      .notNull()
      .references(() => alertRule.id, { onDelete: "cascade" }),
    type: alertTypeEnum("type").notNull(),
    title: text("title").notNull(),
    details: jsonb("details").$type<Record<string, unknown>>().notNull(),
    mentionIds: uuid("mention_ids").array().notNull(),
    dedupeKey: text("dedupe_key").notNull(),
    firedAt: timestamp("fired_at", { withTimezone: true }).notNull().defaultNow(),
    acknowledgedAt: timestamp("acknowledged_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("alert_org_rule_dedupe_idx").on(t.organizationId, t.ruleId, t.dedupeKey),
    index("alert_org_fired_idx").on(t.organizationId, t.firedAt),
  ],
);

export const deliveryStatuses = ["pending", "sent", "failed"] as const;

/** One way an alert is delivered (in-app, an e-mail address, the webhook), with its state. */
export const alertDelivery = pgTable(
  "alert_delivery",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    alertId: uuid("alert_id")
      .notNull()
      .references(() => alert.id, { onDelete: "cascade" }),
    channel: text("channel").notNull(),
    target: text("target").notNull(),
    status: text("status", { enum: deliveryStatuses }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    sentAt: timestamp("sent_at", { withTimezone: true }),
    /** A worker is sending it until then; another worker skips it (and takes over after). */
    leaseUntil: timestamp("lease_until", { withTimezone: true }),
  },
  (t) => [index("alert_delivery_alert_idx").on(t.alertId)],
);
