import { and, eq } from "drizzle-orm";
import { type AuditActor, recordAudit } from "../../platform/audit/audit.js";
import { NotFoundError, ValidationError } from "../../platform/errors.js";
import { clocksAfterCustomerMessage, policyFor } from "../sla/slaClock.js";
import { csatAnswer } from "./csat.js";
import { inspectMessage } from "./personalData.js";
import { channel, conversation, message, messageAttachment } from "./schema.js";
import { announce, type InboxDeps } from "./workflow.js";

export interface ReceiveMessageProps {
  /** The connected account that received it. */
  channelId: string;
  /** The conversation it continues; omitted: it opens a new one. */
  conversationId?: string;
  /** The network's id of the message; the same id is stored once per conversation. */
  externalId?: string;
  authorName: string;
  text: string;
  /** When the customer sent it; default: now. */
  sentAt?: Date;
  /** A post everyone can read; default: public unless the channel is private. */
  isPublic?: boolean;
  contactId?: string;
  /** The conversation's subject when it opens one (an e-mail's Subject); default: the text's start. */
  subject?: string;
  /** Files that came with it, stored with the message (over-limit ones by name and size only). */
  attachments?: Array<{
    fileName: string;
    contentType: string;
    sizeBytes: number;
    content?: Buffer;
    skippedReason?: string;
  }>;
}

/**
 * A customer's message arrives: it opens a conversation or continues one, reopens it when it was
 * resolved or snoozed, and starts the service-level clock that applies — shorter when the text's
 * urgency score is above the policy's threshold. The first message after a satisfaction question
 * (within 7 days) whose first digit is 1–5 is its answer: stored as the score, no reopening.
 */
export async function receiveMessage(deps: InboxDeps, actor: AuditActor, props: ReceiveMessageProps) {
  const text = props.text.trim();
  if (!text) throw new ValidationError("An incoming message needs some text.");
  const now = deps.clock.now();
  const sentAt = props.sentAt ?? now;
  // Analysis happens before the transaction: it is the slow part.
  const inspected = inspectMessage(text);
  const result = await deps.db.transaction(async (tx) => {
    const [found] = await tx
      .select()
      .from(channel)
      .where(and(eq(channel.organizationId, actor.organizationId), eq(channel.id, props.channelId)));
    if (!found) throw new NotFoundError("The channel");
    let current = props.conversationId
      ? (
          await tx
            .select()
            .from(conversation)
            .where(
              and(
                eq(conversation.organizationId, actor.organizationId),
                eq(conversation.id, props.conversationId),
                eq(conversation.channelId, found.id),
              ),
            )
            .for("update")
        )[0]
      : undefined;
    if (props.conversationId && !current) throw new NotFoundError("The conversation");
    const opened = !current;
    current ??= (
      await tx
        .insert(conversation)
        .values({
          organizationId: actor.organizationId,
          channelId: found.id,
          contactId: props.contactId ?? null,
          subject: (props.subject?.trim() || text).replace(/\s+/g, " ").slice(0, 80),
          isPublic: props.isPublic ?? !found.isPrivate,
          language: inspected.language,
          sentiment: inspected.sentiment,
          lastMessageAt: sentAt,
          createdAt: now,
        })
        .returning()
    )[0]!;
    const [stored] = await tx
      .insert(message)
      .values({
        organizationId: actor.organizationId,
        conversationId: current.id,
        direction: "incoming",
        authorName: props.authorName,
        externalId: props.externalId ?? null,
        body: text,
        hasPii: inspected.containsPersonalData,
        sentAt,
      })
      .onConflictDoNothing()
      .returning({ id: message.id });
    if (!stored) return { conversationId: current.id, messageId: null, opened: false, reopened: false };
    if (props.attachments && props.attachments.length > 0) {
      await tx.insert(messageAttachment).values(
        props.attachments.map((a) => ({
          organizationId: actor.organizationId,
          messageId: stored.id,
          fileName: a.fileName,
          contentType: a.contentType,
          sizeBytes: a.sizeBytes,
          content: a.content ?? null,
          skippedReason: a.content ? null : (a.skippedReason ?? "not kept"),
        })),
      );
    }
    const score = opened ? undefined : csatAnswer(current, text, now);
    if (score !== undefined) {
      // The answer to the satisfaction question: stored, and the conversation stays resolved.
      await tx
        .update(conversation)
        .set({
          csatScore: score,
          csatAnsweredAt: now,
          lastMessageAt: new Date(Math.max(sentAt.getTime(), current.lastMessageAt.getTime())),
        })
        .where(eq(conversation.id, current.id));
      await recordAudit(tx, actor, {
        action: "conversation.csat_answered",
        entityType: "conversation",
        entityId: current.id,
        details: { messageId: stored.id, score },
      });
      return { conversationId: current.id, messageId: stored.id, opened: false, reopened: false };
    }
    const reopened = current.status === "resolved" || current.status === "snoozed";
    const policy = await policyFor(tx, actor.organizationId, current.channelId);
    const clocks = clocksAfterCustomerMessage(policy, current, {
      at: now,
      urgency: inspected.urgency,
    });
    await tx
      .update(conversation)
      .set({
        ...clocks,
        status: reopened ? "open" : current.status,
        snoozedUntil: null,
        resolvedAt: reopened ? null : current.resolvedAt,
        // Not the answer to an open satisfaction question: the question is withdrawn.
        csatRequestedAt: current.csatAnsweredAt ? current.csatRequestedAt : null,
        urgency: Math.max(current.urgency ?? 0, inspected.urgency),
        sentiment: inspected.sentiment ?? current.sentiment,
        lastMessageAt: new Date(Math.max(sentAt.getTime(), current.lastMessageAt.getTime())),
      })
      .where(eq(conversation.id, current.id));
    if (opened || reopened) {
      await recordAudit(tx, actor, {
        action: opened ? "conversation.opened" : "conversation.reopened",
        entityType: "conversation",
        entityId: current.id,
        details: { by: "customer_message", messageId: stored.id, from: opened ? null : current.status },
      });
    }
    return { conversationId: current.id, messageId: stored.id, opened, reopened };
  });
  if (result.messageId) {
    announce(deps, {
      organizationId: actor.organizationId,
      conversationIds: [result.conversationId],
      action: result.opened ? "conversation.opened" : "conversation.message_received",
    });
  }
  return { ...result, duplicate: result.messageId === null };
}
