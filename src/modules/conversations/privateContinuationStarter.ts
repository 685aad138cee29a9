import { and, eq } from "drizzle-orm";
import { recordAudit } from "../../platform/audit/audit.js";
import type { OrgContext } from "../../platform/auth/context.js";
import { ConflictError, ValidationError } from "../../platform/errors.js";
import { organization } from "../organizations/schema.js";
import { fillTemplate, templateValues } from "./cannedResponseRenderer.js";
import { findCannedResponse, templateVariablesIn } from "./cannedResponses.js";
import { inspectMessage } from "./personalData.js";
import { storeReply } from "./replySender.js";
import { channel, conversation, message } from "./schema.js";
import { announce, type InboxDeps, lockConversation } from "./workflow.js";

export interface ContinuePrivatelyProps {
  /** The public conversation. */
  conversationId: string;
  /** The organization's private channel to continue on (direct messages, e-mail, web chat). */
  channelId: string;
  /** A canned response for the public reply; omitted: the built-in one in the organization's language. */
  cannedResponseId?: string;
}

/** Public replies that invite the customer to a private conversation; no personal data in them. */
export const defaultPublicReplies: Record<string, string> = {
  de: "Danke für Ihre Nachricht! Wir melden uns privat bei Ihnen, damit Ihre persönlichen Daten nicht öffentlich stehen. Bitte teilen Sie hier keine Kontodaten oder Adressen. Viele Grüße, {{agent.first_name}}",
  en: "Thanks for your message! We'll continue in private so your personal details stay out of public view. Please don't share account numbers or addresses here. Best, {{agent.first_name}}",
};

/**
 * Moves a public conversation that involves personal data into private: posts a short public reply
 * from a template that carries no personal data, and opens a private conversation with the same
 * contact on the chosen private channel. Each links to the other.
 */
export async function continuePrivately(deps: InboxDeps, ctx: OrgContext, props: ContinuePrivatelyProps) {
  const now = deps.clock.now();
  const result = await deps.db.transaction(async (tx) => {
    const current = await lockConversation(tx, ctx, props.conversationId);
    if (!current.isPublic) throw new ValidationError("This conversation is private already.");
    if (current.linkedConversationId) {
      throw new ConflictError("This conversation continues privately already; open the linked conversation.");
    }
    const [target] = await tx
      .select()
      .from(channel)
      .where(and(eq(channel.organizationId, ctx.organizationId), eq(channel.id, props.channelId)));
    if (!target) throw new ValidationError("That channel does not exist in this organization.");
    if (!target.isPrivate)
      throw new ValidationError(`"${target.name}" is a public channel; choose a private one.`);
    const template = props.cannedResponseId
      ? (await findCannedResponse(tx, ctx, props.cannedResponseId)).body
      : await defaultTemplate(tx, ctx.organizationId, current.language);
    const personal = templateVariablesIn(template).filter((v) => v.startsWith("contact."));
    if (personal.length > 0) {
      throw new ValidationError(
        `A public reply may not name the customer; remove ${personal.map((v) => `{{${v}}}`).join(", ")} from the template.`,
      );
    }
    const publicReply = fillTemplate(template, await templateValues(tx, ctx, current));
    const inspected = inspectMessage(publicReply);
    if (inspected.containsPersonalData) {
      throw new ValidationError("The public reply would contain personal data; choose another template.", {
        types: [...new Set(inspected.spans.map((s) => s.type))],
      });
    }
    const reply = await storeReply(tx, ctx, current, { body: publicReply, at: now });
    const [opened] = await tx
      .insert(conversation)
      .values({
        organizationId: ctx.organizationId,
        channelId: target.id,
        contactId: current.contactId,
        departmentId: current.departmentId,
        assigneeMemberId: current.assigneeMemberId ?? ctx.memberId,
        subject: current.subject,
        isPublic: false,
        language: current.language,
        sentiment: current.sentiment,
        urgency: current.urgency,
        priority: current.priority,
        labels: current.labels,
        linkedConversationId: current.id,
        lastMessageAt: now,
        createdAt: now,
      })
      .returning({ id: conversation.id });
    await tx.insert(message).values({
      organizationId: ctx.organizationId,
      conversationId: opened!.id,
      direction: "note",
      authorName: "Konversa",
      authorMemberId: ctx.memberId,
      body: "Continued from a public conversation; the customer's personal data belongs here, not there.",
      sentAt: now,
    });
    await tx
      .update(conversation)
      .set({ linkedConversationId: opened!.id })
      .where(eq(conversation.id, current.id));
    await recordAudit(tx, ctx, {
      action: "conversation.continued_privately",
      entityType: "conversation",
      entityId: current.id,
      details: { privateConversationId: opened!.id, channelId: target.id, replyMessageId: reply.id },
    });
    return {
      publicConversationId: current.id,
      privateConversationId: opened!.id,
      publicReply,
      replyId: reply.id,
    };
  });
  announce(deps, {
    organizationId: ctx.organizationId,
    conversationIds: [result.publicConversationId, result.privateConversationId],
    action: "conversation.continued_privately",
  });
  return {
    privateConversationId: result.privateConversationId,
    publicReply: { id: result.replyId, body: result.publicReply },
  };
}

async function defaultTemplate(
  tx: Parameters<typeof templateValues>[0],
  organizationId: string,
  language: string | null,
) {
  if (language && defaultPublicReplies[language]) return defaultPublicReplies[language]!;
  const [org] = await tx
    .select({ locale: organization.defaultLocale })
    .from(organization)
    .where(eq(organization.id, organizationId));
  return defaultPublicReplies[org?.locale ?? "de"] ?? defaultPublicReplies.de!;
}
