import { randomUUID } from "node:crypto";
import { and, asc, eq } from "drizzle-orm";
import type { EmailAccount } from "../../connectors/email/emailAccount.js";
import { type OutgoingEmail, sendEmail } from "../../connectors/email/emailOutbound.js";
import type { AuditActor } from "../../platform/audit/audit.js";
import { ValidationError } from "../../platform/errors.js";
import { receiveMessage } from "../conversations/messageReceiver.js";
import type { InboxDeps } from "../conversations/workflow.js";
import { type ChannelDeps, openAccount } from "./channelAccounts.js";
import { channelAccount } from "./schema.js";

export type EmailConversationDeps = InboxDeps & Pick<ChannelDeps, "secretsKey">;

/** The organization's connected e-mail account: the one of `channelId`, else the first connected. */
export async function findEmailAccount(
  deps: EmailConversationDeps,
  props: { organizationId: string; channelId?: string },
) {
  const [row] = await deps.db
    .select()
    .from(channelAccount)
    .where(
      and(
        eq(channelAccount.organizationId, props.organizationId),
        eq(channelAccount.network, "email"),
        props.channelId ? eq(channelAccount.channelId, props.channelId) : undefined,
      ),
    )
    .orderBy(asc(channelAccount.createdAt))
    .limit(1);
  if (!row) {
    throw new ValidationError(
      "The organization has no connected e-mail account; connect one under Settings → Channels.",
    );
  }
  return { channelId: row.channelId, account: (await openAccount(deps, row)) as unknown as EmailAccount };
}

export interface StartEmailConversationProps {
  /** The e-mail channel; default: the organization's first connected e-mail account. */
  channelId?: string;
  /** Who wrote it and gets the answers by e-mail (a web chat visitor who left the address). */
  customer: { name?: string; address: string };
  subject: string;
  /** What the customer wrote (plain text). */
  text: string;
  contactId?: string;
}

/**
 * Turns something a customer said outside e-mail (a web chat while nobody was online) into an
 * e-mail conversation: stored as their message on the e-mail channel, so an agent's reply goes out
 * by e-mail (threaded, with the signature) and the customer's answer by e-mail continues it.
 */
export async function startEmailConversation(
  deps: EmailConversationDeps,
  actor: AuditActor,
  props: StartEmailConversationProps,
) {
  const address = props.customer.address.trim().toLowerCase();
  if (!/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(address)) {
    throw new ValidationError(`"${props.customer.address}" is not an e-mail address.`);
  }
  const { channelId } = await findEmailAccount(deps, { organizationId: actor.organizationId, ...props });
  const name = props.customer.name?.replace(/[<>"\r\n]/g, "").trim();
  const result = await receiveMessage(deps, actor, {
    channelId,
    externalId: `<${randomUUID()}@konversa.invalid>`,
    authorName: name ? `${name.slice(0, 100)} <${address}>` : address,
    text: props.text,
    subject: props.subject,
    isPublic: false,
    contactId: props.contactId,
  });
  return { channelId, conversationId: result.conversationId, messageId: result.messageId };
}

/**
 * Sends one e-mail through the organization's e-mail account, outside the reply queue (a transcript,
 * a notice). The Message-ID comes from `idempotencyKey`; an SMTP refusal throws a ConnectorError.
 */
export async function sendEmailToCustomer(
  deps: EmailConversationDeps,
  props: OutgoingEmail & { organizationId: string; channelId?: string },
) {
  const { account } = await findEmailAccount(deps, props);
  return sendEmail(account, props);
}
