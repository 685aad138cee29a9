import { and, desc, eq, isNull, or, sql } from "drizzle-orm";
import type { OrgContext } from "../../platform/auth/context.js";
import type { DbOrTx } from "../../platform/db/client.js";
import { NotFoundError } from "../../platform/errors.js";
import { notification } from "./schema.js";

export interface NotifyMembersProps {
  organizationId: string;
  /** Recipients; duplicates and the actor themself are left out. */
  memberIds: string[];
  /** The colleague who caused it; null for the system. */
  actorMemberId: string | null;
  kind: string;
  title: string;
  conversationId?: string;
  /** Where the notification leads in the app; default: the conversation, when there is one. */
  link?: string;
  /** Ids and codes only, never message text. */
  details?: Record<string, unknown>;
  at: Date;
}

/**
 * Writes one personal notification per recipient, inside the caller's transaction, and returns the
 * recipients so the caller can announce them on the realtime stream after the commit.
 */
export async function notifyMembers(tx: DbOrTx, props: NotifyMembersProps): Promise<string[]> {
  const recipients = [...new Set(props.memberIds)].filter((id) => id !== props.actorMemberId);
  if (recipients.length === 0) return [];
  await tx.insert(notification).values(
    recipients.map((memberId) => ({
      organizationId: props.organizationId,
      memberId,
      kind: props.kind,
      title: props.title,
      body: "",
      link: props.link ?? (props.conversationId ? `/inbox/${props.conversationId}` : null),
      conversationId: props.conversationId ?? null,
      details: { ...props.details, actorMemberId: props.actorMemberId },
      createdAt: props.at,
    })),
  );
  return recipients;
}

export interface ListNotificationsQuery {
  unread?: boolean;
  limit: number;
}

/** The caller's notifications and (except for viewers) the organization-wide ones, newest first. */
export async function listNotifications(db: DbOrTx, ctx: OrgContext, query: ListNotificationsQuery) {
  // Organization-wide notifications (alerts) may name authors: viewers get only their own.
  const mine =
    ctx.role === "viewer"
      ? eq(notification.memberId, ctx.memberId)
      : or(isNull(notification.memberId), eq(notification.memberId, ctx.memberId))!;
  return db
    .select({
      id: notification.id,
      kind: notification.kind,
      title: notification.title,
      body: notification.body,
      link: notification.link,
      personal: sql<boolean>`${notification.memberId} is not null`.mapWith(Boolean),
      conversationId: notification.conversationId,
      details: notification.details,
      readAt: notification.readAt,
      createdAt: notification.createdAt,
    })
    .from(notification)
    .where(
      and(
        eq(notification.organizationId, ctx.organizationId),
        mine,
        query.unread ? isNull(notification.readAt) : undefined,
      ),
    )
    .orderBy(desc(notification.createdAt), desc(notification.id))
    .limit(query.limit);
}

/** Marks one of the caller's own notifications read; organization-wide ones cannot be marked. */
export async function markNotificationRead(db: DbOrTx, ctx: OrgContext, id: string, at: Date) {
  const [updated] = await db
    .update(notification)
    .set({ readAt: at })
    .where(
      and(
        eq(notification.organizationId, ctx.organizationId),
        eq(notification.memberId, ctx.memberId),
        eq(notification.id, id),
      ),
    )
    .returning({ id: notification.id });
  if (!updated) throw new NotFoundError("The notification");
}

export async function markAllNotificationsRead(db: DbOrTx, ctx: OrgContext, at: Date) {
  const updated = await db
    .update(notification)
    .set({ readAt: at })
    .where(
      and(
        eq(notification.organizationId, ctx.organizationId),
        eq(notification.memberId, ctx.memberId),
        isNull(notification.readAt),
      ),
    )
    .returning({ id: notification.id });
  return { marked: updated.length };
}
