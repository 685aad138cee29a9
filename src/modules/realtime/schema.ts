import { index, pgTable, timestamp, uuid } from "drizzle-orm/pg-core";
import { member, organization } from "../organizations/schema.js";

/**
 * Members with an inbox open: the event stream stamps `last_seen_at` when it opens and on every
 * heartbeat, so every replica can tell whether anybody is there to answer a chat.
 */
export const agentPresence = pgTable(
  "agent_presence",
  {
    memberId: uuid("member_id")
      .primaryKey()
      .references(() => member.id, { onDelete: "cascade" }),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull(),
  },
  (t) => [index("agent_presence_org_idx").on(t.organizationId, t.lastSeenAt)],
);
