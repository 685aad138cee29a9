import { and, arrayContains, asc, desc, eq, gt, inArray, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import type { OrgContext } from "../../platform/auth/context.js";
import { seesAllDepartments } from "../../platform/auth/roles.js";
import type { DbOrTx } from "../../platform/db/client.js";
import { NotFoundError } from "../../platform/errors.js";
import { contact } from "../contacts/schema.js";
import { slaBreach } from "../sla/schema.js";
import { type ConversationStatus, channel, conversation, message, messageAttachment } from "./schema.js";

/** The earliest due time of the running service-level clocks (Postgres LEAST skips nulls). */
const dueAt = sql<Date | null>`least(${conversation.firstResponseDueAt}, ${conversation.nextResponseDueAt}, ${conversation.resolutionDueAt})`;

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
  labels: conversation.labels,
  urgency: conversation.urgency,
  snoozedUntil: conversation.snoozedUntil,
  dueAt: sql<Date | null>`${dueAt}`.mapWith(conversation.firstResponseDueAt),
  firstResponseDueAt: conversation.firstResponseDueAt,
  nextResponseDueAt: conversation.nextResponseDueAt,
  resolutionDueAt: conversation.resolutionDueAt,
  firstRespondedAt: conversation.firstRespondedAt,
  linkedConversationId: conversation.linkedConversationId,
  csatRequestedAt: conversation.csatRequestedAt,
  csatScore: conversation.csatScore,
  csatAnsweredAt: conversation.csatAnsweredAt,
  lastMessageAt: conversation.lastMessageAt,
  createdAt: conversation.createdAt,
  channel: { id: channel.id, type: channel.type, name: channel.name },
  contact: { id: contact.id, displayName: contact.displayName },
};

export const conversationSorts = ["recent", "due"] as const;

export interface ListConversationsQuery {
  status?: ConversationStatus;
  channelId?: string;
  departmentId?: string;
  /** `me`: assigned to the caller; `unassigned`: to nobody. */
  assignee?: "me" | "unassigned";
  sentiment?: "negative" | "neutral" | "positive";
  label?: string;
  /** Only conversations with a due time that has passed. */
  slaBreached?: boolean;
  /** Words to find in the subject or any message (Postgres full-text search, language-neutral). */
  q?: string;
  /** `recent`: newest activity first (default); `due`: the earliest due time first, none last. */
  sort?: (typeof conversationSorts)[number];
  /** Opaque: the `nextCursor` of the previous page. */
  cursor?: string;
  limit: number;
}

export async function listConversations(
  db: DbOrTx,
  ctx: OrgContext,
  query: ListConversationsQuery,
  now: Date,
) {
  const conditions: SQL[] = [visibleConversations(ctx)];
  if (query.status) conditions.push(eq(conversation.status, query.status));
  if (query.channelId) conditions.push(eq(conversation.channelId, query.channelId));
  if (query.departmentId) conditions.push(eq(conversation.departmentId, query.departmentId));
  if (query.assignee === "me") conditions.push(eq(conversation.assigneeMemberId, ctx.memberId));
  if (query.assignee === "unassigned") conditions.push(isNull(conversation.assigneeMemberId));
  if (query.sentiment) conditions.push(eq(conversation.sentiment, query.sentiment));
  if (query.label) conditions.push(arrayContains(conversation.labels, [query.label.trim().toLowerCase()]));
  if (query.slaBreached) conditions.push(sql`${dueAt} <= ${now}`);
  if (query.q?.trim()) {
    const words = sql`websearch_to_tsquery('simple', ${query.q.trim()})`;
    conditions.push(
      or(
        sql`to_tsvector('simple', ${conversation.subject}) @@ ${words}`,
        sql`exists (select 1 from ${message} where ${message.conversationId} = ${conversation.id} and ${message.organizationId} = ${ctx.organizationId} and to_tsvector('simple', ${message.body}) @@ ${words})`,
      )!,
    );
  }
  const byDue = query.sort === "due";
  const after = query.cursor ? decodeCursor(query.cursor) : undefined;
  if (after && byDue) {
    conditions.push(
      after.at === null
        ? and(sql`${dueAt} is null`, gt(conversation.id, after.id))!
        : or(
            sql`${dueAt} > ${after.at}`,
            and(sql`${dueAt} = ${after.at}`, gt(conversation.id, after.id)),
            sql`${dueAt} is null`,
          )!,
    );
  } else if (after?.at) {
    conditions.push(
      or(
        lt(conversation.lastMessageAt, after.at),
        and(eq(conversation.lastMessageAt, after.at), lt(conversation.id, after.id)),
      )!,
    );
  }
  const rows = await db
    .select(summaryColumns)
    .from(conversation)
    .innerJoin(channel, eq(channel.id, conversation.channelId))
    .leftJoin(contact, eq(contact.id, conversation.contactId))
    .where(and(...conditions))
    .orderBy(
      ...(byDue
        ? [sql`${dueAt} asc nulls last`, asc(conversation.id)]
        : [desc(conversation.lastMessageAt), desc(conversation.id)]),
    )
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    conversations: page,
    nextCursor:
      rows.length > query.limit && last
        ? encodeCursor(byDue ? last.dueAt : last.lastMessageAt, last.id)
        : undefined,
  };
}

function encodeCursor(at: Date | null, id: string) {
  return `${at ? at.toISOString() : "none"}|${id}`;
}

function decodeCursor(cursor: string): { at: Date | null; id: string } | undefined {
  const [at, id] = cursor.split("|");
  if (!id || !/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  if (at === "none") return { at: null, id };
  const date = new Date(at ?? "");
  return Number.isNaN(date.getTime()) ? undefined : { at: date, id };
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
      authorMemberId: message.authorMemberId,
      body: message.body,
      hasPii: message.hasPii,
      mentionedMemberIds: message.mentionedMemberIds,
      sentAt: message.sentAt,
      deliveryState: message.deliveryState,
      deliveryError: message.deliveryError,
    })
    .from(message)
    .where(and(eq(message.organizationId, ctx.organizationId), eq(message.conversationId, id)))
    .orderBy(asc(message.sentAt), asc(message.id));
  const files = await db
    .select({
      id: messageAttachment.id,
      messageId: messageAttachment.messageId,
      fileName: messageAttachment.fileName,
      contentType: messageAttachment.contentType,
      sizeBytes: messageAttachment.sizeBytes,
      skippedReason: messageAttachment.skippedReason,
    })
    .from(messageAttachment)
    .where(
      and(
        eq(messageAttachment.organizationId, ctx.organizationId),
        inArray(messageAttachment.messageId, messages.length > 0 ? messages.map((m) => m.id) : [id]),
      ),
    )
    .orderBy(asc(messageAttachment.createdAt), asc(messageAttachment.id));
  const breaches = await db
    .select({ target: slaBreach.target, dueAt: slaBreach.dueAt, breachedAt: slaBreach.breachedAt })
    .from(slaBreach)
    .where(and(eq(slaBreach.organizationId, ctx.organizationId), eq(slaBreach.conversationId, id)))
    .orderBy(asc(slaBreach.breachedAt));
  // "sending" is the worker's lease, shown as still queued; replies from before delivery existed
  // (imported, demo) were only logged, which counts as sent.
  const delivered = messages.map((m) => ({
    ...m,
    attachments: files.filter((f) => f.messageId === m.id).map(({ messageId: _, ...f }) => f),
    deliveryState:
      m.direction !== "outgoing"
        ? null
        : m.deliveryState === "sending"
          ? ("queued" as const)
          : (m.deliveryState ?? ("sent" as const)),
  }));
  return { ...rows[0], messages: delivered, breaches };
}

export async function listChannels(db: DbOrTx, ctx: OrgContext) {
  return db
    .select({ id: channel.id, type: channel.type, name: channel.name, isPrivate: channel.isPrivate })
    .from(channel)
    .where(eq(channel.organizationId, ctx.organizationId))
    .orderBy(asc(channel.name));
}

/** One file of a message in a conversation the caller may read (the conversation's visibility rules apply). */
export async function getAttachment(
  db: DbOrTx,
  ctx: OrgContext,
  conversationId: string,
  attachmentId: string,
) {
  const [found] = await db
    .select({
      fileName: messageAttachment.fileName,
      contentType: messageAttachment.contentType,
      content: messageAttachment.content,
      skippedReason: messageAttachment.skippedReason,
    })
    .from(messageAttachment)
    .innerJoin(message, eq(message.id, messageAttachment.messageId))
    .innerJoin(conversation, eq(conversation.id, message.conversationId))
    .where(
      and(
        visibleConversations(ctx),
        eq(conversation.id, conversationId),
        eq(messageAttachment.organizationId, ctx.organizationId),
        eq(messageAttachment.id, attachmentId),
      ),
    );
  if (!found) throw new NotFoundError("The attachment");
  if (!found.content) {
    throw new NotFoundError(
      `The content of "${found.fileName}" (not kept: ${found.skippedReason ?? "no reason given"})`,
    );
  }
  return { ...found, content: found.content };
}
