import { ImapFlow } from "imapflow";
import { SMTPServer } from "smtp-server";
import type { Dovecot } from "./dovecot.js";

/**
 * A local SMTP server (the `smtp-server` package) that delivers what it accepts into the Dovecot
 * mailbox of each recipient (IMAP APPEND as that user), so what Konversa sends is read back over
 * IMAP like a customer would. `refuse` makes it answer the next messages with an SMTP error.
 */
export async function startSmtpSink(props: {
  dovecot: Dovecot;
  /** Address → Dovecot user and password. */
  mailboxes: Record<string, { user: string; password: string }>;
  /** Logins the server accepts (user → password). */
  logins: Record<string, string>;
}) {
  const refusals: Array<{ code: number; message: string }> = [];
  const received: Array<{ from: string; to: string[]; source: Buffer }> = [];
  const server = new SMTPServer({
    secure: false,
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username && props.logins[auth.username] === auth.password) {
        callback(null, { user: auth.username });
      } else {
        callback(Object.assign(new Error("5.7.8 Authentication credentials invalid"), { responseCode: 535 }));
      }
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const refusal = refusals.shift();
        if (refusal) {
          callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
          return;
        }
        const source = Buffer.concat(chunks);
        const to = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to,
          source,
        });
        deliver(props.dovecot, props.mailboxes, to, source).then(
          () => callback(null),
          (error) => callback(error as Error),
        );
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.server.address() as { port: number }).port;
  return {
    host: "127.0.0.1",
    port,
    received,
    /** The next message is answered with this code and text instead of being delivered. */
    refuseNext(code: number, message: string) {
      refusals.push({ code, message });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function deliver(
  dovecot: Dovecot,
  mailboxes: Record<string, { user: string; password: string }>,
  to: string[],
  source: Buffer,
) {
  for (const address of to) {
    const box = mailboxes[address];
    if (!box) continue;
    await appendTo(dovecot, box, source);
  }
}

/** Puts a message into a user's INBOX, as a mail server's delivery would. */
export async function appendTo(
  dovecot: Dovecot,
  box: { user: string; password: string },
  source: Buffer | string,
) {
  const client = await signIn(dovecot, box);
  try {
    await client.append("INBOX", source);
  } finally {
    await client.logout();
  }
}

/** Every message in a user's INBOX, as raw sources, oldest first. */
export async function readMailbox(dovecot: Dovecot, box: { user: string; password: string }) {
  const client = await signIn(dovecot, box);
  try {
    const mailbox = await client.mailboxOpen("INBOX");
    if (mailbox.exists === 0) return [];
    const sources: Buffer[] = [];
    for await (const m of client.fetch("1:*", { source: true })) if (m.source) sources.push(m.source);
    return sources;
  } finally {
    await client.logout();
  }
}

async function signIn(dovecot: Dovecot, box: { user: string; password: string }) {
  const client = new ImapFlow({
    host: dovecot.host,
    port: dovecot.port,
    secure: false,
    auth: { user: box.user, pass: box.password },
    logger: false,
  });
  await client.connect();
  return client;
}
