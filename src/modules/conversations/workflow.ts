import { and, eq } from "drizzle-orm";
import type { OrgContext } from "../../platform/auth/context.js";
import type { Bus } from "../../platform/bus/index.js";
import type { Clock } from "../../platform/clock.js";
import type { Db, DbOrTx } from "../../platform/db/client.js";
import { NotFoundError } from "../../platform/errors.js";
import { visibleConversations } from "./conversations.js";
import { conversation } from "./schema.js";

/** What the inbox's use cases work with: storage, the time, and the realtime fan-out. */
export interface InboxDeps {
  db: Db;
  clock: Clock;
  bus: Pick<Bus, "broadcast">;
}

/** Realtime subjects of the inbox; messages carry ids and codes, never personal data. */
export const conversationsChangedSubject = "events.conversations.changed";
export const notificationsCreatedSubject = "events.notifications.created";
export const slaBreachedSubject = "events.sla.breached";

export interface ConversationsChanged {
  organizationId: string;
  conversationIds: string[];
  /** The audit action, e.g. `conversation.assigned`. */
  action: string;
}

/** Tells every open inbox of the organization (after the commit) what changed and who was notified. */
export function announce(
  deps: Pick<InboxDeps, "bus">,
  change: ConversationsChanged,
  notified: { organizationId: string; memberIds: string[] } | undefined = undefined,
) {
  deps.bus.broadcast(conversationsChangedSubject, change);
  if (notified && notified.memberIds.length > 0) {
    deps.bus.broadcast(notificationsCreatedSubject, notified);
  }
}

/**
 * The conversation the caller may see, locked for the rest of the transaction so concurrent work
 * actions (and the breach job) apply one after the other. Not visible counts as not found.
 */
export async function lockConversation(tx: DbOrTx, ctx: OrgContext, conversationId: string) {
  const [row] = await tx
    .select()
    .from(conversation)
    .where(and(visibleConversations(ctx), eq(conversation.id, conversationId)))
    .for("update");
  if (!row) throw new NotFoundError("The conversation");
  return row;
}

/** The conversation the caller may see, for reading; not visible counts as not found. */
export async function findVisibleConversation(db: DbOrTx, ctx: OrgContext, conversationId: string) {
  const [row] = await db
    .select()
    .from(conversation)
    .where(and(visibleConversations(ctx), eq(conversation.id, conversationId)));
  if (!row) throw new NotFoundError("The conversation");
  return row;
}

export type ConversationRow = typeof conversation.$inferSelect;
