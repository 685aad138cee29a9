import { and, avg, count, eq, gte, isNotNull, lte } from "drizzle-orm";
import { recordAudit } from "../../platform/audit/audit.js";
import type { OrgContext } from "../../platform/auth/context.js";
import type { Db, DbOrTx } from "../../platform/db/client.js";
import { NotFoundError } from "../../platform/errors.js";
import { channel, conversation, message } from "./schema.js";
import type { ConversationRow } from "./workflow.js";

/** How long after the question a customer's answer still counts. */
export const csatAnswerWindowMs = 7 * 86_400_000;

const questions = {
  de: "Ihr Anliegen ist erledigt. Wie zufrieden waren Sie mit uns? Antworten Sie bitte mit einer Zahl von 1 (gar nicht) bis 5 (sehr zufrieden).",
  en: "Your request has been resolved. How satisfied were you with us? Please answer with a number from 1 (not at all) to 5 (very satisfied).",
};

/** The satisfaction question in the conversation's language (German or English, else English). */
export function csatQuestion(language: string | null): string {
  return language?.toLowerCase().startsWith("de") ? questions.de : questions.en;
}

/** The score in a customer's answer: its first digit when that is 1–5, else none. */
export function csatScoreIn(text: string): number | undefined {
  const digit = /\d/.exec(text)?.[0];
  const score = digit === undefined ? Number.NaN : Number(digit);
  return score >= 1 && score <= 5 ? score : undefined;
}

/**
 * On resolving (inside the transaction, conversation locked): when the channel asks for
 * satisfaction and the conversation has no answer and no open question yet, queues the question as
 * an outgoing message. Answers whether it asked.
 */
export async function requestCsatIfEnabled(tx: DbOrTx, current: ConversationRow, at: Date) {
  if (current.csatAnsweredAt || current.csatRequestedAt) return false;
  const [found] = await tx
    .select({ csatEnabled: channel.csatEnabled })
    .from(channel)
    .where(eq(channel.id, current.channelId));
  if (!found?.csatEnabled) return false;
  await tx.insert(message).values({
    organizationId: current.organizationId,
    conversationId: current.id,
    direction: "outgoing",
    authorName: "Konversa",
    body: csatQuestion(current.language),
    sentAt: at,
  });
  await tx.update(conversation).set({ csatRequestedAt: at }).where(eq(conversation.id, current.id));
  return true;
}

/**
 * Whether an incoming message on a resolved conversation answers its open satisfaction question:
 * the first incoming message after the question, within 7 days, whose first digit is 1–5. Any
 * other message withdraws the question (the receiver clears `csatRequestedAt`), so the next
 * resolve asks again.
 */
export function csatAnswer(current: ConversationRow, text: string, at: Date): number | undefined {
  if (current.status !== "resolved" || !current.csatRequestedAt || current.csatAnsweredAt) return undefined;
  if (at.getTime() - current.csatRequestedAt.getTime() > csatAnswerWindowMs) return undefined;
  return csatScoreIn(text);
}

/** Switches the satisfaction question of a channel on or off (admins). */
export async function setChannelCsat(db: Db, ctx: OrgContext, channelId: string, enabled: boolean) {
  return db.transaction(async (tx) => {
    const [updated] = await tx
      .update(channel)
      .set({ csatEnabled: enabled })
      .where(and(eq(channel.organizationId, ctx.organizationId), eq(channel.id, channelId)))
      .returning({ id: channel.id, csatEnabled: channel.csatEnabled });
    if (!updated) throw new NotFoundError("The channel");
    await recordAudit(tx, ctx, {
      action: "channel.csat_changed",
      entityType: "channel",
      entityId: updated.id,
      details: { csatEnabled: enabled },
    });
    return updated;
  });
}

/** Satisfaction answered in a period: how many and the average score (null without answers). */
export async function csatStats(db: DbOrTx, ctx: OrgContext, period: { from: Date; to: Date }) {
  const [row] = await db
    .select({ answers: count(), averageScore: avg(conversation.csatScore) })
    .from(conversation)
    .where(
      and(
        eq(conversation.organizationId, ctx.organizationId),
        isNotNull(conversation.csatScore),
        gte(conversation.csatAnsweredAt, period.from),
        lte(conversation.csatAnsweredAt, period.to),
      ),
    );
  const average = row?.averageScore == null ? null : Math.round(Number(row.averageScore) * 100) / 100;
  return { from: period.from, to: period.to, answers: row?.answers ?? 0, averageScore: average };
}
