import { createHash } from "node:crypto";
import type { InboundMessage } from "../connector.js";
import { closeQuietly, type EmailAccount, imapClient, mailError } from "./emailAccount.js";
import { addressOf, type ParseEmailProps, parseEmail } from "./emailMessage.js";

/**
 * Where reading stopped: the mailbox's UIDVALIDITY and the highest UID handed on. UIDs only grow
 * while UIDVALIDITY stays, so "above lastUid" is exactly what is new; a changed UIDVALIDITY (the
 * folder was rebuilt) starts over with the newest messages, and the Message-IDs absorb repeats.
 */
export interface EmailCursor {
  uidValidity: string;
  lastUid: number;
}

/** The first poll (and one after a UIDVALIDITY change) takes this many of the newest messages. */
export const firstPollMessages = 50;
/** At most this many messages per poll; the rest follow at the next one, which comes at once. */
export const batchMessages = 100;

const megabyte = 1024 * 1024;

/** Reads what arrived above the cursor, oldest first; oversized e-mails only by their header. */
export async function readNewEmails(account: EmailAccount, stored: EmailCursor | null) {
  const client = await imapClient(account);
  try {
    await client.connect();
    const mailbox = await client.mailboxOpen(account.settings.imap.mailbox, { readOnly: true });
    const uidValidity = String(mailbox.uidValidity);
    const continues = stored?.uidValidity === uidValidity;
    const after = continues ? stored!.lastUid : 0;
    const found =
      mailbox.exists === 0 ? [] : (await client.search({ uid: `${after + 1}:*` }, { uid: true })) || [];
    let uids = found.filter((uid) => uid > after).sort((a, b) => a - b);
    if (!continues) uids = uids.slice(-firstPollMessages);
    const more = uids.length > batchMessages;
    uids = uids.slice(0, batchMessages);
    const limitBytes = Math.round(account.settings.maxMessageMegabytes * megabyte);
    const limits = { maxAttachmentBytes: Math.round(account.settings.maxAttachmentMegabytes * megabyte) };
    const own = account.settings.address.toLowerCase();
    const messages: InboundMessage[] = [];
    for (const uid of uids) {
      const meta = await client.fetchOne(
        String(uid),
        { uid: true, size: true, internalDate: true },
        { uid: true },
      );
      if (!meta) continue;
      const receivedAt = meta.internalDate ? new Date(meta.internalDate) : new Date();
      const sizeBytes = meta.size ?? 0;
      let parsed: InboundMessage;
      if (sizeBytes > limitBytes) {
        const head = await client.fetchOne(String(uid), { headers: true }, { uid: true });
        parsed = await parseOrNote(head ? (head.headers ?? Buffer.alloc(0)) : Buffer.alloc(0), {
          receivedAt,
          oversized: { sizeBytes, limitBytes },
        });
      } else {
        const full = await client.fetchOne(String(uid), { source: true }, { uid: true });
        if (full === false || !full.source) continue;
        parsed = await parseOrNote(full.source, { ...limits, receivedAt });
      }
      // Our own replies (a copy kept in the inbox, a Bcc) are not the customer's.
      if (addressOf(parsed.authorName) === own) continue;
      messages.push(parsed);
    }
    const cursor: EmailCursor = { uidValidity, lastUid: uids.at(-1) ?? after };
    return { messages, cursor, more };
  } catch (error) {
    throw mailError("IMAP", error);
  } finally {
    await closeQuietly(client);
  }
}

/**
 * One unreadable e-mail must not stop the mailbox (every poll would fail on it again): it becomes
 * a note with the parser's reason, under an id made from its bytes.
 */
async function parseOrNote(source: Buffer, props: ParseEmailProps): Promise<InboundMessage> {
  try {
    return await parseEmail(source, props);
  } catch (error) {
    return {
      externalId: `<${createHash("sha256").update(source).digest("hex").slice(0, 40)}@unreadable.konversa>`,
      authorName: "(unknown sender)",
      text: `[This e-mail could not be read (${(error as Error).message.slice(0, 200)}). Open it in the mailbox.]`,
      sentAt: props.receivedAt,
      isPublic: false,
    };
  }
}

/**
 * Waits for new mail on a connection of its own (IMAP IDLE; servers without IDLE are asked with
 * STATUS) and calls `onActivity` when the mailbox grows. A broken connection calls `onError`.
 */
export async function watchMailbox(
  account: EmailAccount,
  handlers: { onActivity(): void; onError(error: unknown): void },
) {
  const client = await imapClient(account, { idle: true });
  let stopped = false;
  client.on("exists", () => handlers.onActivity());
  client.on("error", (error: unknown) => {
    if (!stopped) handlers.onError(mailError("IMAP", error));
  });
  client.on("close", () => {
    if (!stopped) handlers.onError(new Error("IMAP server closed the connection"));
  });
  try {
    await client.connect();
    await client.mailboxOpen(account.settings.imap.mailbox, { readOnly: true });
  } catch (error) {
    stopped = true;
    await closeQuietly(client);
    throw mailError("IMAP", error);
  }
  return {
    async stop() {
      stopped = true;
      await closeQuietly(client);
    },
  };
}
