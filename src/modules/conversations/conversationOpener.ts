import { and, eq } from "drizzle-orm";
import { type AuditActor, recordAudit } from "../../platform/audit/audit.js";
import type { Clock } from "../../platform/clock.js";
import type { Db } from "../../platform/db/client.js";
import { assertDepartmentsBelong } from "../organizations/members.js";
import { clocksAfterCustomerMessage, policyFor } from "../sla/slaClock.js";
import { type ChannelType, channel, channelTypes, conversation, message } from "./schema.js";

export interface OpenConversationProps {
  network: string;
  externalId: string;
  authorName: string;
  text: string;
  postedAt: Date;
  isPublic: boolean;
  language?: string;
  sentiment?: string;
  /** The post's urgency score (nlp); above the policy's threshold the first answer is due at once. */
  urgency?: number;
  hasPii?: boolean;
  /** Route it to a department straight away. */
  departmentId?: string;
  /** A private note for the colleagues who take it over. */
  note?: string;
  /** Where it came from, for the audit log (`mention`, `alert`). */
  source: { type: string; id: string };
}

/**
 * Opens an inbox conversation for a post found by listening, on the organization's channel for that
 * network (created on first use), optionally routed to a department with a note. The first-response
 * clock starts now, when the organization takes the post up.
 */
export async function openConversation(
  deps: { db: Db; clock: Clock },
  /** A colleague, or a routing rule (`memberId: null`, `userId: null`). */
  ctx: AuditActor & { memberId: string | null },
  props: OpenConversationProps,
) {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    if (props.departmentId) await assertDepartmentsBelong(tx, ctx.organizationId, [props.departmentId]);
    const type: ChannelType = (channelTypes as readonly string[]).includes(props.network)
      ? (props.network as ChannelType)
      : "log";
    const name = `Listening · ${props.network}`;
    let [found] = await tx
      .select({ id: channel.id })
      .from(channel)
      .where(and(eq(channel.organizationId, ctx.organizationId), eq(channel.type, type)))
      .limit(1);
    found ??= (
      await tx
        .insert(channel)
        .values({
          organizationId: ctx.organizationId,
          type,
          name,
          isPrivate: type === "email" || type === "webchat",
        })
        .returning({ id: channel.id })
    )[0]!;
    const subject = props.text.replace(/\s+/g, " ").trim().slice(0, 80) || "(no text)";
    const policy = await policyFor(tx, ctx.organizationId, found.id);
    const clocks = clocksAfterCustomerMessage(
      policy,
      { firstRespondedAt: null, firstResponseDueAt: null, nextResponseDueAt: null, resolutionDueAt: null },
      { at: now, urgency: props.urgency ?? 0 },
    );
    const [created] = await tx
      .insert(conversation)
      .values({
        organizationId: ctx.organizationId,
        channelId: found.id,
        departmentId: props.departmentId ?? null,
        subject,
        isPublic: props.isPublic,
        language: props.language ?? null,
        sentiment: props.sentiment ?? null,
        urgency: props.urgency ?? null,
        ...clocks,
        lastMessageAt: now,
        createdAt: now,
      })
      .returning({ id: conversation.id });
    await tx.insert(message).values({
      organizationId: ctx.organizationId,
      conversationId: created!.id,
      direction: "incoming",
      authorName: props.authorName,
      externalId: props.externalId,
      body: props.text,
      hasPii: props.hasPii ?? false,
      sentAt: props.postedAt,
    });
    if (props.note) {
      await tx.insert(message).values({
        organizationId: ctx.organizationId,
        conversationId: created!.id,
        direction: "note",
        authorName: "Konversa",
        authorMemberId: ctx.memberId,
        body: props.note,
        sentAt: now,
      });
    }
    await recordAudit(tx, ctx, {
      action: "conversation.opened",
      entityType: "conversation",
      entityId: created!.id,
      details: {
        from: props.source.type,
        sourceId: props.source.id,
        departmentId: props.departmentId ?? null,
      },
    });
    return { id: created!.id };
  });
}
