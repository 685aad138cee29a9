import { createHash } from "node:crypto";
import { type AddressObject, type ParsedMail, simpleParser } from "mailparser";
import { shorten, toPlainText } from "../../platform/text/plainText.js";
import type { InboundAttachment, InboundMessage } from "../connector.js";

export interface EmailLimits {
  /** Longer texts are cut, with a note saying so (default 20,000 characters). */
  maxTextChars?: number;
  /** Files above this keep only their name and size (default 5 MB). */
  maxAttachmentBytes?: number;
  /** Files beyond this count keep only their name and size (default 10). */
  maxAttachments?: number;
}

export interface ParseEmailProps extends EmailLimits {
  /** When the mail server received it: the date when the e-mail has none. */
  receivedAt: Date;
  /**
   * The e-mail was larger than the channel's limit and only its header was read: the message says
   * so instead of a text, and the thread still continues (the ids are in the header).
   */
  oversized?: { sizeBytes: number; limitBytes: number };
}

const defaults = { maxTextChars: 20_000, maxAttachmentBytes: 5 * 1024 * 1024, maxAttachments: 10 };

/**
 * One e-mail (MIME source) as an inbox message: the Message-ID is its id, In-Reply-To its parent,
 * References the rest of its thread; the text part — or the HTML part as safe plain text — is its
 * text; attachments within the limits come along. No I/O: the benchmark and the tests feed it bytes.
 */
export async function parseEmail(source: Buffer | string, props: ParseEmailProps): Promise<InboundMessage> {
  const limits = { ...defaults, ...stripUndefined(props) };
  const parsed = await simpleParser(source, {
    // HTML is turned into text by our own stripper (scripts dropped with their content).
    skipHtmlToText: true,
    skipTextToHtml: true,
    skipImageLinks: true,
    skipTextLinks: true,
  });
  const subject = (parsed.subject ?? "").replace(/\s+/g, " ").trim().slice(0, 300);
  const externalId = parsed.messageId?.trim() || syntheticMessageId(source);
  const inReplyTo = messageIds(parsed.inReplyTo)[0];
  const references = messageIds(parsed.references).filter((id) => id !== externalId);
  let text: string;
  if (props.oversized) {
    text = `[This e-mail was ${megabytes(props.oversized.sizeBytes)} large, more than this channel's limit of ${megabytes(props.oversized.limitBytes)}; its content was not imported. Open it in the mailbox.]`;
  } else {
    const body = parsed.text?.trim() ? normalizeText(parsed.text) : toPlainText(htmlOf(parsed));
    text =
      body.length > limits.maxTextChars
        ? `${shorten(body, limits.maxTextChars)}\n\n[Shortened: the e-mail's text had ${body.length} characters, more than the limit of ${limits.maxTextChars}.]`
        : body;
  }
  const attachments = props.oversized ? [] : attachmentsOf(parsed, limits);
  if (!text) text = subject || (attachments.length > 0 ? "(attachments only)" : "(empty e-mail)");
  return {
    externalId,
    parentExternalId: inReplyTo ?? references.at(-1),
    threadExternalIds: references,
    authorName: senderOf(parsed),
    text,
    subject: subject || undefined,
    sentAt: sentAtOf(parsed.date, props.receivedAt),
    isPublic: false,
    attachments,
  };
}

/** Every `<id>` in a header value (In-Reply-To, References), in order, at most the last 50. */
export function messageIds(value: string | string[] | undefined): string[] {
  const joined = Array.isArray(value) ? value.join(" ") : (value ?? "");
  const ids = joined.match(/<[^<>\s]{1,250}>/g) ?? [];
  return [...new Set(ids)].slice(-50);
}

/** The subject of an answer: "Re: " once, whatever the customer's client put in front before. */
export function replySubject(subject: string | undefined): string {
  const bare = (subject ?? "")
    .replace(/^\s*((re|aw|antw|sv|wg|fwd?)\s*(\[\d+\])?\s*:\s*)+/i, "")
    .replace(/[\r\n]+/g, " ")
    .trim();
  return `Re: ${bare || "Ihre Nachricht"}`;
}

/**
 * "Name <address>", the way the inbox shows an e-mail's author and replies address it: the Reply-To
 * when there is one (contact forms send from a no-reply address on the customer's behalf), else From.
 */
function senderOf(parsed: ParsedMail): string {
  const from = (parsed.from as AddressObject | undefined)?.value?.[0];
  const replyTo = (parsed.replyTo as AddressObject | undefined)?.value?.find((a) => a.address);
  const chosen = replyTo ?? from;
  const address = chosen?.address?.trim().toLowerCase();
  if (!address) return "(unknown sender)";
  const name = (chosen?.name || from?.name || "").replace(/[<>"\r\n]/g, "").trim();
  return name && name.toLowerCase() !== address ? `${name.slice(0, 100)} <${address}>` : address;
}

/** The address in "Name <address>" (or the whole value when it is an address). */
export function addressOf(authorName: string): string | undefined {
  const inBrackets = /<([^<>\s]+@[^<>\s]+)>\s*$/.exec(authorName)?.[1];
  const candidate = inBrackets ?? authorName.trim();
  return /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(candidate) ? candidate : undefined;
}

function htmlOf(parsed: ParsedMail): string {
  return typeof parsed.html === "string" ? parsed.html : "";
}

function normalizeText(text: string): string {
  return text
    .replace(/\r\n?/g, "\n")
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, "")
    .replace(/[ \t]+\n/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

function attachmentsOf(parsed: ParsedMail, limits: typeof defaults): InboundAttachment[] {
  return parsed.attachments.map((a, index) => {
    const fileName = safeFileName(a.filename) ?? `attachment-${index + 1}`;
    const contentType = /^[\w.+-]+\/[\w.+-]+$/.test(a.contentType)
      ? a.contentType
      : "application/octet-stream";
    const sizeBytes = a.content.length;
    const base = { fileName, contentType, sizeBytes };
    if (index >= limits.maxAttachments) {
      return { ...base, skippedReason: `more than ${limits.maxAttachments} attachments in one e-mail` };
    }
    if (sizeBytes > limits.maxAttachmentBytes) {
      return { ...base, skippedReason: `larger than the limit of ${megabytes(limits.maxAttachmentBytes)}` };
    }
    return { ...base, content: a.content };
  });
}

function safeFileName(name: string | undefined): string | undefined {
  const base = (name ?? "")
    .split(/[\\/]/)
    .pop()!
    .replace(/[\u0000-\u001f\u007f"<>|:*?]/g, "")
    .trim()
    .slice(0, 200);
  return base && base !== "." && base !== ".." ? base : undefined;
}

function syntheticMessageId(source: Buffer | string): string {
  return `<${createHash("sha256").update(source).digest("hex").slice(0, 40)}@no-message-id.konversa>`;
}

/** The Date header, unless it is missing or claims a time after the server received it (a wrong clock). */
function sentAtOf(date: Date | undefined, receivedAt: Date): Date {
  if (!date || Number.isNaN(date.getTime())) return receivedAt;
  return date.getTime() > receivedAt.getTime() + 5 * 60_000 ? receivedAt : date;
}

function megabytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${Math.round(bytes / 1024)} KB`;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
