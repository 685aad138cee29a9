import { and, asc, desc, eq, inArray, isNull, lt, or, type SQL } from "drizzle-orm";
import type { OrgContext } from "../../platform/auth/context.js";
import { seesAllDepartments } from "../../platform/auth/roles.js";
import type { DbOrTx } from "../../platform/db/client.js";
import { NotFoundError } from "../../platform/errors.js";
import { contact } from "../contacts/schema.js";
import { type ConversationStatus, channel, conversation, message } from "./schema.js";

/**
 * Agents see the conversations of their departments (and those not routed to any department yet);
 * every other role sees all of the organization's.
 */
export function visibleConversations(ctx: OrgContext): SQL {
  const tenant = eq(conversation.organizationId, ctx.organizationId);
  if (seesAllDepartments(ctx.role)) return tenant;
  const own =
    ctx.departmentIds.length > 0 ? inArray(conversation.departmentId, ctx.departmentIds) : undefined;
  return and(tenant, own ? or(own, isNull(conversation.departmentId)) : isNull(conversation.departmentId))!;
}

/** What the inbox list and the conversation header show. */
const summaryColumns = {
  id: conversation.id,
  subject: conversation.subject,
  status: conversation.status,
  priority: conversation.priority,
  isPublic: conversation.isPublic,
  language: conversation.language,
  sentiment: conversation.sentiment,
  departmentId: conversation.departmentId,
  assigneeMemberId: conversation.assigneeMemberId,
  lastMessageAt: conversation.lastMessageAt,
  createdAt: conversation.createdAt,
  channel: { id: channel.id, type: channel.type, name: channel.name },
  contact: { id: contact.id, displayName: contact.displayName },
};

export interface ListConversationsQuery {
  status?: ConversationStatus;
  channelId?: string;
  departmentId?: string;
  /** `lastMessageAt|id` of the last row of the previous page. */
  cursor?: string;
  limit: number;
}

export async function listConversations(db: DbOrTx, ctx: OrgContext, query: ListConversationsQuery) {
  const conditions: SQL[] = [visibleConversations(ctx)];
  if (query.status) conditions.push(eq(conversation.status, query.status));
  if (query.channelId) conditions.push(eq(conversation.channelId, query.channelId));
  if (query.departmentId) conditions.push(eq(conversation.departmentId, query.departmentId));
  if (query.cursor) {
    const [at, id] = query.cursor.split("|");
    const since = new Date(at ?? "");
    if (!Number.isNaN(since.getTime()) && id) {
      conditions.push(
        or(
          lt(conversation.lastMessageAt, since),
          and(eq(conversation.lastMessageAt, since), lt(conversation.id, id)),
        )!,
      );
    }
  }
  const rows = await db
    .select(summaryColumns)
    .from(conversation)
    .innerJoin(channel, eq(channel.id, conversation.channelId))
    .leftJoin(contact, eq(contact.id, conversation.contactId))
    .where(and(...conditions))
    .orderBy(desc(conversation.lastMessageAt), desc(conversation.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    conversations: page,
    nextCursor:
      rows.length > query.limit && last ? `${last.lastMessageAt.toISOString()}|${last.id}` : undefined,
  };
}

export async function getConversation(db: DbOrTx, ctx: OrgContext, id: string) {
  const rows = await db
    .select(summaryColumns)
    .from(conversation)
    .innerJoin(channel, eq(channel.id, conversation.channelId))
    .leftJoin(contact, eq(contact.id, conversation.contactId))
    .where(and(visibleConversations(ctx), eq(conversation.id, id)))
    .limit(1);
  if (!rows[0]) throw new NotFoundError("The conversation");
  const messages = await db
    .select({
      id: message.id,
      direction: message.direction,
      authorName: message.authorName,
      body: message.body,
      sentAt: message.sentAt,
    })
    .from(message)
    .where(and(eq(message.organizationId, ctx.organizationId), eq(message.conversationId, id)))
    .orderBy(asc(message.sentAt));
  return { ...rows[0], messages };
}

export async function listChannels(db: DbOrTx, ctx: OrgContext) {
  return db
    .select({ id: channel.id, type: channel.type, name: channel.name })
    .from(channel)
    .where(eq(channel.organizationId, ctx.organizationId))
    .orderBy(asc(channel.name));
}
