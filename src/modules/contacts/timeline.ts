import { and, eq, inArray, notInArray, type SQL, sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { auditLog } from "../../platform/audit/schema.js";
import type { OrgContext } from "../../platform/auth/context.js";
import type { DbOrTx } from "../../platform/db/client.js";
import { ValidationError } from "../../platform/errors.js";
import { channel, conversation, message } from "../conversations/schema.js";
import { mention } from "../listening/schema.js";
import type { DataUseMode } from "../organizations/schema.js";
import { dataUseModeOf } from "../privacy/dataUseModes.js";
import { consentRecord } from "../privacy/schema.js";
import { getContact } from "./contacts.js";
import { contactNote, identityLinkDecision, socialIdentity } from "./schema.js";

/** One thing that happened with the contact; `key` orders events of the same millisecond. */
export type TimelineEvent = { at: Date; key: string } & (
  | {
      kind: "mention";
      id: string;
      network: string;
      handle: string;
      text: string;
      url: string | null;
      sentiment: string;
    }
  | {
      kind: "message";
      id: string;
      conversationId: string;
      direction: "incoming" | "outgoing" | "note";
      authorName: string;
      body: string;
    }
  | { kind: "conversation"; id: string; subject: string; status: string; channelType: string }
  | { kind: "consent"; id: string; purpose: string; state: string; source: string; wording: string | null }
  | {
      kind: "identity_link";
      id: string;
      decision: string;
      source: string;
      network: string;
      handle: string;
      reason: string | null;
      decidedByUserId: string | null;
    }
  | { kind: "note"; id: string; body: string; authorUserId: string | null }
  | { kind: "crm"; id: string; action: string; actorUserId: string | null; fields: string[] }
);
export type TimelineKind = TimelineEvent["kind"];
export const timelineKinds: TimelineKind[] = [
  "mention",
  "message",
  "conversation",
  "consent",
  "identity_link",
  "note",
  "crm",
];

/** Audit actions of a contact that other kinds already show, or that are reads, not events. */
const notCrmEvents = [
  "contact.accessed",
  "consent.given",
  "consent.withdrawn",
  "identity.linked",
  "identity.rejected",
  "identity.unlinked",
  "contact.note_written",
];

/** Which kinds the data-use mode lets join the customer record: public posts only in `full`. */
export function timelineKindsFor(mode: DataUseMode): TimelineKind[] {
  return mode === "full" ? timelineKinds : timelineKinds.filter((k) => k !== "mention");
}

interface Cursor {
  at: Date;
  key: string;
}

export function encodeCursor(event: Cursor): string {
  return `${event.at.toISOString()}|${event.key}`;
}

function decodeCursor(value: string): Cursor {
  const [at, key] = [value.slice(0, value.indexOf("|")), value.slice(value.indexOf("|") + 1)];
  const date = new Date(at);
  if (Number.isNaN(date.getTime()) || !key) {
    throw new ValidationError("The cursor is not valid; use nextBefore of the previous page.");
  }
  return { at: date, key };
}

/**
 * Newest first, across every source; exact paging by (millisecond, key), so events of the same
 * instant are neither repeated nor skipped.
 */
function before(at: AnyPgColumn | SQL, keySql: SQL, cursor: Cursor | undefined): SQL | undefined {
  if (!cursor) return undefined;
  return sql`(date_trunc('milliseconds', ${at}), (${keySql}) collate "C") < (${cursor.at.toISOString()}::timestamptz, ${cursor.key})`;
}
const ordered = (at: AnyPgColumn | SQL, keySql: SQL) =>
  [sql`date_trunc('milliseconds', ${at}) desc`, sql`(${keySql}) collate "C" desc`] as const;
const keyOf = (kind: string, id: AnyPgColumn | SQL) => sql`${kind} || ':' || ${id}::text`;

/** The contact's customer journey: one page of events newest first, and the cursor of the next. */
export async function contactTimeline(
  db: DbOrTx,
  ctx: OrgContext,
  props: { contactId: string; before?: string; limit: number },
) {
  await getContact(db, ctx, props.contactId);
  const mode = await dataUseModeOf(db, ctx.organizationId);
  const kinds = timelineKindsFor(mode);
  const cursor = props.before ? decodeCursor(props.before) : undefined;
  const take = props.limit + 1;
  const org = ctx.organizationId;
  const contactId = props.contactId;
  const events: TimelineEvent[] = [];

  const conversationIds = (
    await db
      .select({ id: conversation.id })
      .from(conversation)
      .where(and(eq(conversation.organizationId, org), eq(conversation.contactId, contactId)))
  ).map((c) => c.id);

  if (kinds.includes("mention")) {
    const k = keyOf("mention", mention.id);
    const rows = await db
      .select({
        id: mention.id,
        at: mention.postedAt,
        network: mention.network,
        handle: socialIdentity.handle,
        text: mention.text,
        url: mention.url,
        sentiment: mention.sentiment,
      })
      .from(mention)
      .innerJoin(socialIdentity, eq(socialIdentity.id, mention.identityId))
      .where(
        and(
          eq(mention.organizationId, org),
          eq(socialIdentity.organizationId, org),
          eq(socialIdentity.contactId, contactId),
          before(mention.postedAt, k, cursor),
        ),
      )
      .orderBy(...ordered(mention.postedAt, k))
      .limit(take);
    events.push(...rows.map((r) => ({ ...r, kind: "mention" as const, key: `mention:${r.id}` })));
  }
  if (conversationIds.length > 0) {
    const mk = keyOf("message", message.id);
    const messages = await db
      .select({
        id: message.id,
        at: message.sentAt,
        conversationId: message.conversationId,
        direction: message.direction,
        authorName: message.authorName,
        body: message.body,
      })
      .from(message)
      .where(
        and(
          eq(message.organizationId, org),
          inArray(message.conversationId, conversationIds),
          before(message.sentAt, mk, cursor),
        ),
      )
      .orderBy(...ordered(message.sentAt, mk))
      .limit(take);
    events.push(...messages.map((r) => ({ ...r, kind: "message" as const, key: `message:${r.id}` })));
    const ck = keyOf("conversation", conversation.id);
    const conversations = await db
      .select({
        id: conversation.id,
        at: conversation.createdAt,
        subject: conversation.subject,
        status: conversation.status,
        channelType: channel.type,
      })
      .from(conversation)
      .innerJoin(channel, eq(channel.id, conversation.channelId))
      .where(
        and(
          eq(conversation.organizationId, org),
          inArray(conversation.id, conversationIds),
          before(conversation.createdAt, ck, cursor),
        ),
      )
      .orderBy(...ordered(conversation.createdAt, ck))
      .limit(take);
    events.push(
      ...conversations.map((r) => ({ ...r, kind: "conversation" as const, key: `conversation:${r.id}` })),
    );
  }
  const consentKey = keyOf("consent", consentRecord.id);
  const consents = await db
    .select({
      id: consentRecord.id,
      at: consentRecord.recordedAt,
      purpose: consentRecord.purpose,
      state: consentRecord.state,
      source: consentRecord.source,
      wording: consentRecord.wording,
    })
    .from(consentRecord)
    .where(
      and(
        eq(consentRecord.organizationId, org),
        eq(consentRecord.contactId, contactId),
        before(consentRecord.recordedAt, consentKey, cursor),
      ),
    )
    .orderBy(...ordered(consentRecord.recordedAt, consentKey))
    .limit(take);
  events.push(...consents.map((r) => ({ ...r, kind: "consent" as const, key: `consent:${r.id}` })));

  const linkKey = keyOf("identity_link", identityLinkDecision.id);
  const links = await db
    .select({
      id: identityLinkDecision.id,
      at: identityLinkDecision.decidedAt,
      decision: identityLinkDecision.decision,
      source: identityLinkDecision.source,
      network: socialIdentity.network,
      handle: socialIdentity.handle,
      reason: identityLinkDecision.reason,
      decidedByUserId: identityLinkDecision.decidedByUserId,
    })
    .from(identityLinkDecision)
    .innerJoin(socialIdentity, eq(socialIdentity.id, identityLinkDecision.identityId))
    .where(
      and(
        eq(identityLinkDecision.organizationId, org),
        eq(identityLinkDecision.contactId, contactId),
        before(identityLinkDecision.decidedAt, linkKey, cursor),
      ),
    )
    .orderBy(...ordered(identityLinkDecision.decidedAt, linkKey))
    .limit(take);
  events.push(...links.map((r) => ({ ...r, kind: "identity_link" as const, key: `identity_link:${r.id}` })));

  const noteKey = keyOf("note", contactNote.id);
  const notes = await db
    .select({
      id: contactNote.id,
      at: contactNote.createdAt,
      body: contactNote.body,
      authorUserId: contactNote.authorUserId,
    })
    .from(contactNote)
    .where(
      and(
        eq(contactNote.organizationId, org),
        eq(contactNote.contactId, contactId),
        before(contactNote.createdAt, noteKey, cursor),
      ),
    )
    .orderBy(...ordered(contactNote.createdAt, noteKey))
    .limit(take);
  events.push(...notes.map((r) => ({ ...r, kind: "note" as const, key: `note:${r.id}` })));

  // Audit ids are numbers: padded, so their text order is their numeric order.
  const auditKey = sql`'crm:' || lpad(${auditLog.id}::text, 20, '0')`;
  const crm = await db
    .select({
      id: auditLog.id,
      at: auditLog.at,
      action: auditLog.action,
      actorUserId: auditLog.actorUserId,
      details: auditLog.details,
    })
    .from(auditLog)
    .where(
      and(
        eq(auditLog.organizationId, org),
        eq(auditLog.entityType, "contact"),
        eq(auditLog.entityId, contactId),
        notInArray(auditLog.action, notCrmEvents),
        before(auditLog.at, auditKey, cursor),
      ),
    )
    .orderBy(...ordered(auditLog.at, auditKey))
    .limit(take);
  events.push(
    ...crm.map((r) => ({
      kind: "crm" as const,
      id: String(r.id),
      at: r.at,
      action: r.action,
      actorUserId: r.actorUserId,
      fields: Array.isArray(r.details.fields) ? r.details.fields.map(String) : [],
      key: `crm:${String(r.id).padStart(20, "0")}`,
    })),
  );

  events.sort((a, b) => b.at.getTime() - a.at.getTime() || (a.key < b.key ? 1 : a.key > b.key ? -1 : 0));
  const page = events.slice(0, props.limit);
  return {
    mode,
    /** What the data-use mode keeps out of the customer record (shown separately or not at all). */
    omitted: timelineKinds.filter((k) => !kinds.includes(k)),
    events: page,
    nextBefore: events.length > props.limit ? encodeCursor(page.at(-1)!) : undefined,
  };
}
