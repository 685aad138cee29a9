import type { z } from "zod";
import { type Connector, ConnectorError } from "../connector.js";
import {
  type EmailCredentials,
  type EmailSettings,
  emailCredentialsSchema,
  emailSettingsSchema,
  validateEmailAccount,
} from "./emailAccount.js";
import { type EmailCursor, readNewEmails, watchMailbox } from "./emailInbound.js";
import { addressOf, replySubject } from "./emailMessage.js";
import { sendEmail } from "./emailOutbound.js";

/**
 * E-mail: a mailbox read over IMAP (IDLE wakes the poller; polling at the interval goes on beside
 * it), answered over SMTP. Every e-mail is a private inbox message; Message-ID, In-Reply-To and
 * References keep a thread in one conversation, and replies carry them on.
 */
export const emailConnector: Connector<EmailSettings, EmailCredentials> = {
  network: "email",
  isPrivateByDefault: true,
  account: {
    settingsSchema: emailSettingsSchema as z.ZodType<EmailSettings>,
    credentialsSchema: emailCredentialsSchema as z.ZodType<EmailCredentials>,
    validate: (account) => validateEmailAccount(account),
  },
  inbound: {
    intervalMs: (settings) => settings.intervalSeconds * 1000,
    async poll(account, stored) {
      const read = await readNewEmails(account, (stored as EmailCursor | null) ?? null);
      return { posts: [], messages: read.messages, cursor: read.cursor, pollAgainSoon: read.more };
    },
    watch: (account, handlers) => watchMailbox(account, handlers),
  },
  outbound: {
    async send(account, reply) {
      const to = reply.inReplyTo ? addressOf(reply.inReplyTo.authorName) : undefined;
      if (!to) {
        throw new ConnectorError(
          "The conversation has no customer e-mail address to answer; it needs an incoming e-mail first.",
          "permanent",
        );
      }
      const sent = await sendEmail(account, {
        to,
        subject: replySubject(reply.subject),
        text: reply.text,
        idempotencyKey: reply.idempotencyKey,
        inReplyTo: reply.inReplyTo?.externalId,
        references: reply.threadExternalIds,
      });
      return { externalId: sent.messageId };
    },
  },
};
