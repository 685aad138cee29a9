import { createHash } from "node:crypto";
import type Mail from "nodemailer/lib/mailer/index.js";
import { ConnectorError } from "../connector.js";
import { type EmailAccount, type EmailSettings, mailError, smtpTransport } from "./emailAccount.js";
import { messageIds } from "./emailMessage.js";

export interface OutgoingEmail {
  /** The customer's address. */
  to: string;
  subject: string;
  /** Plain text; the account's signature is added below it. */
  text: string;
  /** The same on every attempt: the Message-ID is made from it, so a repeat is recognisably the same e-mail. */
  idempotencyKey: string;
  /** The Message-ID this answers. */
  inReplyTo?: string;
  /** The thread's Message-IDs, oldest first. */
  references?: string[];
}

/** A stable Message-ID for an outgoing e-mail: the same key gives the same id. */
export function messageIdFor(idempotencyKey: string, fromAddress: string): string {
  const domain = fromAddress.split("@")[1]?.toLowerCase() || "konversa.invalid";
  const local = /^[\w.-]{1,100}$/.test(idempotencyKey)
    ? idempotencyKey
    : createHash("sha256").update(idempotencyKey).digest("hex").slice(0, 40);
  return `<${local}.konversa@${domain}>`;
}

/** The e-mail as nodemailer sends it: threading headers, signature, stable Message-ID. No I/O. */
export function composeEmail(settings: EmailSettings, mail: OutgoingEmail): Mail.Options {
  const signature = settings.signature.trim();
  // The parent last, as a mail program's References has it.
  const references = [
    ...messageIds(mail.references).filter((id) => id !== mail.inReplyTo),
    ...(mail.inReplyTo ? [mail.inReplyTo] : []),
  ];
  return {
    from: settings.fromName ? { name: settings.fromName, address: settings.address } : settings.address,
    to: mail.to,
    subject: mail.subject.replace(/[\r\n]+/g, " "),
    text: signature ? `${mail.text.trim()}\n\n-- \n${signature}\n` : `${mail.text.trim()}\n`,
    messageId: messageIdFor(mail.idempotencyKey, settings.address),
    ...(mail.inReplyTo ? { inReplyTo: mail.inReplyTo } : {}),
    ...(references.length > 0 ? { references } : {}),
  };
}

/**
 * Sends one e-mail through the account's SMTP server. The server's 4xx (try later) is a `retry`,
 * its 5xx a `permanent` failure; both carry its words.
 */
export async function sendEmail(account: EmailAccount, mail: OutgoingEmail): Promise<{ messageId: string }> {
  if (!/^[^\s@<>]+@[^\s@<>]+$/.test(mail.to)) {
    throw new ConnectorError(`"${mail.to}" is not an e-mail address to send to`, "permanent");
  }
  const message = composeEmail(account.settings, mail);
  const transport = await smtpTransport(account);
  try {
    await transport.sendMail(message);
    return { messageId: message.messageId! };
  } catch (error) {
    throw mailError("SMTP", error);
  } finally {
    transport.close();
  }
}
