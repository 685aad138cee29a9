import { and, desc, eq, inArray } from "drizzle-orm";
import { analyze } from "../../nlp/index.js";
import type { DbOrTx } from "../../platform/db/client.js";
import { contact, socialIdentity } from "../contacts/schema.js";
import { channel, conversation, message } from "../conversations/schema.js";
import { mention } from "../listening/schema.js";
import type { Schedule } from "../sla/businessTime.js";
import { businessHours } from "../sla/schema.js";
import type { EvaluationContext, RoutingSubject } from "./ruleEvaluator.js";

/** At most this many past mentions in one dry run. */
export const maxDryRunMentions = 1000;

const mentionColumns = {
  id: mention.id,
  network: mention.network,
  text: mention.text,
  language: mention.language,
  sentiment: mention.sentiment,
  aspects: mention.aspects,
  urgency: mention.urgency,
  offensiveScore: mention.offensiveScore,
  matchedQueryIds: mention.matchedQueryIds,
  postedAt: mention.postedAt,
  isVip: socialIdentity.isVip,
  tags: contact.tags,
};

function mentionSubject(row: {
  id: string;
  network: string;
  text: string;
  language: string;
  sentiment: string;
  aspects: Array<{ category: string; polarity: string }>;
  urgency: number;
  offensiveScore: number;
  matchedQueryIds: string[];
  postedAt: Date;
  isVip: boolean | null;
  tags: string[] | null;
}): RoutingSubject {
  return {
    kind: "mention",
    id: row.id,
    conversationId: null,
    network: row.network,
    text: row.text,
    language: row.language,
    sentiment: row.sentiment,
    aspects: row.aspects,
    urgency: row.urgency,
    offensiveScore: row.offensiveScore,
    matchedQueryIds: row.matchedQueryIds,
    authorIsVip: row.isVip ?? false,
    contactTags: row.tags ?? [],
    at: row.postedAt,
  };
}

/** New mentions as rules see them: the stored analysis, the author's VIP mark and contact tags. */
export async function mentionSubjects(db: DbOrTx, organizationId: string, mentionIds: string[]) {
  if (mentionIds.length === 0) return [];
  const rows = await db
    .select(mentionColumns)
    .from(mention)
    .leftJoin(socialIdentity, eq(socialIdentity.id, mention.identityId))
    .leftJoin(contact, eq(contact.id, socialIdentity.contactId))
    .where(and(eq(mention.organizationId, organizationId), inArray(mention.id, mentionIds)));
  // In the order given (the order they were stored in).
  const order = new Map(mentionIds.map((id, index) => [id, index]));
  return rows.toSorted((a, b) => order.get(a.id)! - order.get(b.id)!).map(mentionSubject);
}

/** The organization's latest mentions (by arrival), for a dry run. */
export async function recentMentionSubjects(db: DbOrTx, organizationId: string, limit: number) {
  const rows = await db
    .select(mentionColumns)
    .from(mention)
    .leftJoin(socialIdentity, eq(socialIdentity.id, mention.identityId))
    .leftJoin(contact, eq(contact.id, socialIdentity.contactId))
    .where(eq(mention.organizationId, organizationId))
    .orderBy(desc(mention.receivedAt), desc(mention.postedAt))
    .limit(Math.min(limit, maxDryRunMentions));
  return rows.map(mentionSubject);
}

/**
 * An incoming message as rules see it. Messages keep no analysis columns, so the text is analysed
 * here (offensive, aspects); language and sentiment come from the conversation.
 */
export async function messageSubject(
  db: DbOrTx,
  organizationId: string,
  messageId: string,
): Promise<RoutingSubject | undefined> {
  const [row] = await db
    .select({
      id: message.id,
      body: message.body,
      sentAt: message.sentAt,
      direction: message.direction,
      conversationId: conversation.id,
      network: channel.type,
      contactId: conversation.contactId,
      tags: contact.tags,
    })
    .from(message)
    .innerJoin(conversation, eq(conversation.id, message.conversationId))
    .innerJoin(channel, eq(channel.id, conversation.channelId))
    .leftJoin(contact, eq(contact.id, conversation.contactId))
    .where(and(eq(message.organizationId, organizationId), eq(message.id, messageId)));
  if (row?.direction !== "incoming") return undefined;
  const analysis = analyze(row.body);
  const vip = row.contactId
    ? await db
        .select({ id: socialIdentity.id })
        .from(socialIdentity)
        .where(
          and(
            eq(socialIdentity.organizationId, organizationId),
            eq(socialIdentity.contactId, row.contactId),
            eq(socialIdentity.isVip, true),
          ),
        )
        .limit(1)
    : [];
  const sentiment = analysis.sentiment?.label ?? null;
  return {
    kind: "message",
    id: row.id,
    conversationId: row.conversationId,
    network: row.network,
    text: row.body,
    language: analysis.language.code === "und" ? null : analysis.language.code,
    sentiment,
    aspects: analysis.aspects
      .filter((a) => a.score >= 0.5)
      .map((a) => ({ category: a.category, polarity: a.polarity })),
    urgency: analysis.urgency.score,
    offensiveScore: analysis.offensive?.probability ?? 0,
    matchedQueryIds: [],
    authorIsVip: vip.length > 0,
    contactTags: row.tags ?? [],
    at: row.sentAt,
  };
}

/** The organization's business hours, for the business-hours condition. */
export async function evaluationContext(db: DbOrTx, organizationId: string): Promise<EvaluationContext> {
  const rows = await db.select().from(businessHours).where(eq(businessHours.organizationId, organizationId));
  return {
    schedules: new Map<string, Schedule>(
      rows.map((r) => [r.id, { timezone: r.timezone, weeklyRanges: r.weeklyRanges, holidays: r.holidays }]),
    ),
  };
}
