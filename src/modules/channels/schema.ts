import {
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { channel } from "../conversations/schema.js";
import { organization } from "../organizations/schema.js";

export const channelHealths = ["unknown", "healthy", "failing"] as const;
export type ChannelHealth = (typeof channelHealths)[number];
export const channelHealthEnum = pgEnum("channel_health", channelHealths);

/**
 * How Konversa reaches a channel's network: the connector's settings, its credentials (encrypted,
 * AES-256-GCM, never returned by the API), its health with the network's last error, the rate-limit
 * state, and the inbound cursor that lets a restart continue where the last poll stopped.
 */
export const channelAccount = pgTable(
  "channel_account",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    channelId: uuid("channel_id")
      .notNull()
      .references(() => channel.id, { onDelete: "cascade" }),
    /** The connector (channel type) that serves it: `mastodon`, `rss`, `webhook`, `log`. */
    network: text("network").notNull(),
    /** The account as the network names it (`@support@social.example`, the feed's title). */
    displayName: text("display_name"),
    settings: jsonb("settings").$type<Record<string, unknown>>().notNull().default({}),
    /** `v1:<iv>:<tag>:<ciphertext>` of the credentials' JSON. */
    credentials: text("credentials").notNull(),
    health: channelHealthEnum("health").notNull().default("unknown"),
    /** The network's words when the last check or poll failed. */
    lastError: text("last_error"),
    lastCheckedAt: timestamp("last_checked_at", { withTimezone: true }),
    rateLimit: jsonb("rate_limit").$type<{ limit?: number; remaining?: number; resetAt?: string }>(),
    /** The connector's inbound position (since_id, ETag, seen ids …). */
    cursor: jsonb("cursor"),
    /** While a poll runs: the end of its lease (a push wake-up waits for it, so polls never overlap). */
    pollingUntil: timestamp("polling_until", { withTimezone: true }),
    /** When the inbound poller looks next. */
    nextPollAt: timestamp("next_poll_at", { withTimezone: true }).notNull().defaultNow(),
    /** When the last poll ran (successful or not). */
    lastPolledAt: timestamp("last_polled_at", { withTimezone: true }),
    /** Polls that failed in a row; the wait before the next one doubles with each (backoff). */
    failureCount: integer("failure_count").notNull().default(0),
    /** Set while an admin paused the account: it is not polled (replies still go out). */
    pausedAt: timestamp("paused_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("channel_account_channel_idx").on(t.channelId),
    index("channel_account_org_idx").on(t.organizationId),
    index("channel_account_next_poll_idx").on(t.nextPollAt),
  ],
);

/**
 * Host names an organization's admins allowed although they resolve to private addresses (an
 * intranet blog, a self-hosted instance): the SSRF guard lets every connector of the organization
 * reach them. Changes are audited.
 */
export const allowedPrivateHost = pgTable(
  "allowed_private_host",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    /** Lower-case host name or literal address, without port. */
    host: text("host").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("allowed_private_host_org_host_idx").on(t.organizationId, t.host)],
);
