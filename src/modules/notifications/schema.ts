import { index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { conversation } from "../conversations/schema.js";
import { member, organization } from "../organizations/schema.js";

/**
 * The in-app notification centre. Without `memberId` a notification is for the whole organization
 * (fired alerts); with it, for one colleague (an @mention, an assignment, a missed service level).
 */
export const notification = pgTable(
  "notification",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    /** `alert.storm`, `conversation.mentioned`, `conversation.assigned`, `sla.breached` … */
    kind: text("kind").notNull(),
    title: text("title").notNull(),
    body: text("body").notNull(),
    link: text("link"),
    /** Who it is for; null: everybody in the organization. */
    memberId: uuid("member_id").references(() => member.id, { onDelete: "cascade" }),
    conversationId: uuid("conversation_id").references(() => conversation.id, { onDelete: "cascade" }),
    /** Ids and codes only, never message text (`{ target: "first_response" }`). */
    details: jsonb("details").$type<Record<string, unknown>>().notNull().default({}),
    readAt: timestamp("read_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("notification_org_created_idx").on(t.organizationId, t.createdAt),
    index("notification_member_created_idx").on(t.memberId, t.createdAt),
  ],
);
