import { and, asc, eq } from "drizzle-orm";
import type { OrgContext } from "../../platform/auth/context.js";
import type { DbOrTx } from "../../platform/db/client.js";
import { contact } from "../contacts/schema.js";
import { organization } from "../organizations/schema.js";
import { findCannedResponse, type TemplateVariable, variablePattern } from "./cannedResponses.js";
import { memberName } from "./noteWriter.js";
import { message } from "./schema.js";
import type { ConversationRow } from "./workflow.js";

/** Fills a template's variables; a missing value becomes the fallback after `|`, else nothing. */
export function fillTemplate(body: string, values: Partial<Record<TemplateVariable, string | null>>) {
  return body
    .replace(variablePattern, (_, name: string, fallback?: string) => {
      const value = values[name as TemplateVariable];
      return value?.trim() ? value.trim() : (fallback ?? "");
    })
    .replace(/[ \t]+([,.!?])/g, "$1")
    .replace(/[ \t]{2,}/g, " ")
    .trim();
}

/** The values of the template variables for one conversation, as the calling agent. */
export async function templateValues(tx: DbOrTx, ctx: OrgContext, current: ConversationRow) {
  const [org] = await tx
    .select({ name: organization.name })
    .from(organization)
    .where(eq(organization.id, ctx.organizationId));
  const agentName = await memberName(tx, ctx.memberId);
  let customerName: string | null = null;
  if (current.contactId) {
    const [found] = await tx
      .select({ displayName: contact.displayName })
      .from(contact)
      .where(and(eq(contact.organizationId, ctx.organizationId), eq(contact.id, current.contactId)));
    customerName = found?.displayName ?? null;
  }
  if (!customerName) {
    // A post found by listening has no contact yet: the author's name as the network shows it.
    const [first] = await tx
      .select({ authorName: message.authorName })
      .from(message)
      .where(and(eq(message.conversationId, current.id), eq(message.direction, "incoming")))
      .orderBy(asc(message.sentAt))
      .limit(1);
    customerName = first?.authorName.replace(/^@/, "") ?? null;
  }
  return {
    "contact.name": customerName,
    "contact.first_name": customerName?.split(/\s+/)[0] ?? null,
    "agent.name": agentName,
    "agent.first_name": agentName.split(/\s+/)[0] ?? agentName,
    "organization.name": org?.name ?? null,
  } satisfies Record<TemplateVariable, string | null>;
}

/** A canned response filled in for one conversation, ready for the agent to edit and send. */
export async function renderCannedResponse(
  tx: DbOrTx,
  ctx: OrgContext,
  current: ConversationRow,
  cannedResponseId: string,
) {
  const template = await findCannedResponse(tx, ctx, cannedResponseId);
  return {
    shortcut: template.shortcut,
    text: fillTemplate(template.body, await templateValues(tx, ctx, current)),
  };
}
