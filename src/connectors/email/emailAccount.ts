import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { ImapFlow } from "imapflow";
import nodemailer from "nodemailer";
import { z } from "zod";
import { isPrivateAddress } from "../../platform/net/safeFetch.js";
import { ConnectorError } from "../connector.js";

const host = z.string().trim().min(1).max(253);

export const emailSettingsSchema = z.object({
  /** The support address: the From of every reply. */
  address: z.email().max(320),
  /** The name shown beside it ("Nordbahn Kundenservice"). */
  fromName: z.string().trim().max(100).optional(),
  imap: z.object({
    host,
    port: z.number().int().min(1).max(65535).default(993),
    /** TLS from the first byte (port 993); false: plain, upgraded with STARTTLS when the server offers it. */
    secure: z.boolean().default(true),
    username: z.string().trim().min(1).max(320),
    /** The folder that is read (default INBOX). */
    mailbox: z.string().trim().min(1).max(200).default("INBOX"),
  }),
  smtp: z.object({
    host,
    port: z.number().int().min(1).max(65535).default(465),
    /** TLS from the first byte (port 465); false: STARTTLS when offered (port 587). */
    secure: z.boolean().default(true),
    /** Default: the IMAP user name. */
    username: z.string().trim().min(1).max(320).optional(),
  }),
  /** Put under every reply, after the "-- " line. */
  signature: z.string().max(2000).default(""),
  /** How often to look when the server offers no IDLE or the connection broke (default 60 s). */
  intervalSeconds: z.number().int().min(10).max(3600).default(60),
  /** Larger e-mails are not downloaded: the inbox gets a note with their size (default 10 MB). */
  maxMessageMegabytes: z.number().min(0.1).max(50).default(10),
  /** Larger attachments keep only their name and size (default 5 MB). */
  maxAttachmentMegabytes: z.number().min(0.01).max(25).default(5),
  /** Servers on the local network often present certificates of their own making. */
  acceptSelfSignedCertificates: z.boolean().default(false),
  /** Host names an admin allows although they resolve to private addresses (an in-house mail server). */
  allowHosts: z.array(z.string().trim().min(1).max(253)).max(20).default([]),
});
export const emailCredentialsSchema = z.object({
  imapPassword: z.string().min(1).max(1024),
  /** Default: the IMAP password. */
  smtpPassword: z.string().min(1).max(1024).optional(),
});
export type EmailSettings = z.infer<typeof emailSettingsSchema>;
export type EmailCredentials = z.infer<typeof emailCredentialsSchema>;
export interface EmailAccount {
  settings: EmailSettings;
  credentials: EmailCredentials;
}

/**
 * Mail server names are typed in by people, like feed URLs: a name that resolves to a private or
 * loopback address is refused unless an admin allowed it. The connection then goes to the address
 * that was checked (the name is kept for TLS), so a second DNS answer cannot slip past.
 */
export async function resolveMailHost(name: string, allowHosts: readonly string[]) {
  const allowed = allowHosts.some((h) => h.toLowerCase() === name.toLowerCase());
  let address = name;
  if (!isIP(name)) {
    try {
      address = (await lookup(name)).address;
    } catch (error) {
      throw new ConnectorError(`${name} cannot be found (${(error as Error).message})`, "retry");
    }
  }
  if (!allowed && isPrivateAddress(address)) {
    throw new ConnectorError(
      `${name} is an address inside a private network; an admin must allow the host name (allowHosts)`,
      "permanent",
    );
  }
  return { address, servername: isIP(name) ? undefined : name };
}

/**
 * An IMAP client for the account (not yet connected). `idle`: it stays connected and waits in IDLE
 * (or, on servers without it, asks with STATUS) for new mail.
 */
export async function imapClient(account: EmailAccount, options: { idle?: boolean } = {}) {
  const { imap } = account.settings;
  const target = await resolveMailHost(imap.host, account.settings.allowHosts);
  return new ImapFlow({
    host: target.address,
    servername: target.servername,
    port: imap.port,
    secure: imap.secure,
    auth: { user: imap.username, pass: account.credentials.imapPassword },
    tls: { rejectUnauthorized: !account.settings.acceptSelfSignedCertificates },
    logger: false,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 5 * 60_000,
    disableAutoIdle: !options.idle,
    ...(options.idle
      ? { autoIdleDelay: 500, maxIdleTime: 4 * 60_000, missingIdleCommand: "STATUS" as const }
      : {}),
  });
}

/** An SMTP transport for the account; close it after use. */
export async function smtpTransport(account: EmailAccount) {
  const { smtp, imap } = account.settings;
  const target = await resolveMailHost(smtp.host, account.settings.allowHosts);
  return nodemailer.createTransport({
    host: target.address,
    port: smtp.port,
    secure: smtp.secure,
    auth: {
      user: smtp.username ?? imap.username,
      pass: account.credentials.smtpPassword ?? account.credentials.imapPassword,
    },
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    tls: {
      rejectUnauthorized: !account.settings.acceptSelfSignedCertificates,
      servername: target.servername,
    },
  });
}

/** Logs in to both servers; a refusal throws with the server's own words. */
export async function validateEmailAccount(account: EmailAccount) {
  const client = await imapClient(account);
  try {
    await client.connect();
    await client.mailboxOpen(account.settings.imap.mailbox, { readOnly: true });
  } catch (error) {
    throw mailError("IMAP", error);
  } finally {
    await closeQuietly(client);
  }
  const transport = await smtpTransport(account);
  try {
    await transport.verify();
  } catch (error) {
    throw mailError("SMTP", error);
  } finally {
    transport.close();
  }
  return { displayName: account.settings.address };
}

/**
 * A mail server's refusal as a ConnectorError with its words: SMTP 4xx and lost connections are
 * worth another try, 5xx and failed logins are not.
 */
export function mailError(protocol: "IMAP" | "SMTP", error: unknown): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const e = error as {
    message?: string;
    responseText?: string;
    response?: string;
    responseCode?: number;
    authenticationFailed?: boolean;
    code?: string;
  };
  const words = (e.responseText ?? e.response ?? e.message ?? String(error))
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 300);
  const message = `${protocol} server: ${words}`;
  if (protocol === "SMTP" && typeof e.responseCode === "number") {
    return new ConnectorError(message, e.responseCode >= 400 && e.responseCode < 500 ? "retry" : "permanent");
  }
  if (e.authenticationFailed || e.code === "EAUTH" || e.code === "NoConnection") {
    return new ConnectorError(message, e.authenticationFailed || e.code === "EAUTH" ? "permanent" : "retry");
  }
  return new ConnectorError(message, "retry");
}

export async function closeQuietly(client: ImapFlow) {
  try {
    if (client.usable) await client.logout();
  } catch {
    // the connection is gone either way
  }
  client.close();
}
