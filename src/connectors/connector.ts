import type { z } from "zod";
import type { SmtpConnection } from "../platform/mail/mailer.js";
import {
  type SafeFetchOptions,
  type SafeResponse,
  safeFetch,
  UnsafeTargetError,
} from "../platform/net/safeFetch.js";
import type { NormalizedPost } from "../platform/posts/normalizedPost.js";

/**
 * The one shape every network's connector has (`src/connectors/<network>/`): an account part
 * (check credentials, health, rate limits), an inbound part (network events → mentions or inbox
 * messages, from a stored cursor) and an outbound part (send a reply, once). A connector knows its
 * network and the platform, never the modules: the pipeline hands what it returns to the inbox and
 * the ingest gateway, and stores the cursor.
 */
export interface Connector<Settings = Record<string, unknown>, Credentials = Record<string, string>> {
  /** The channel type it serves (`mastodon`, `rss`, `webhook`, `log` …). */
  network: string;
  /** Whether its conversations are private by default (direct messages, e-mail). */
  isPrivateByDefault: boolean;
  account: AccountPart<Settings, Credentials>;
  inbound?: InboundPart<Settings, Credentials>;
  outbound?: OutboundPart<Settings, Credentials>;
}

/** What a connector works with: the stored account, credentials decrypted. */
export interface ConnectedAccount<Settings, Credentials> {
  channelId: string;
  organizationId: string;
  settings: Settings;
  credentials: Credentials;
  /**
   * Hosts the organization's admins allowed although they resolve to private addresses (Settings →
   * Channels); pass them to the SSRF guard with `allowedHostsOf`.
   */
  allowedHosts?: readonly string[];
}

/** The hosts the SSRF guard may reach for this account: its own `allowHosts` setting and the organization's list. */
export function allowedHostsOf(account: { settings: unknown; allowedHosts?: readonly string[] }): string[] {
  const own = (account.settings as { allowHosts?: unknown } | null)?.allowHosts;
  return [
    ...(Array.isArray(own) ? own.filter((h): h is string => typeof h === "string") : []),
    ...(account.allowedHosts ?? []),
  ];
}

export interface AccountPart<Settings, Credentials> {
  /** Non-secret settings (instance URL, feed URL, interval …), stored as they are. */
  settingsSchema: z.ZodType<Settings>;
  /** Secrets (tokens, signing secrets), stored encrypted (AES-256-GCM). */
  credentialsSchema: z.ZodType<Credentials>;
  /**
   * Asks the network whether the account works (before saving, and for the health check); throws
   * a ConnectorError with the network's own message when it does not.
   */
  validate(account: ConnectedAccount<Settings, Credentials>): Promise<{ displayName?: string }>;
}

export interface InboundPart<Settings, Credentials> {
  /** How long to wait between two polls of this account. */
  intervalMs(settings: Settings): number;
  /**
   * Everything new since `cursor` (null: first poll). The caller stores what it returns and only
   * then the new cursor, so a restart neither misses items nor — with the ids the pipeline
   * deduplicates on — stores them twice.
   */
  poll(account: ConnectedAccount<Settings, Credentials>, cursor: unknown): Promise<InboundBatch>;
  /**
   * Optional push: keeps a connection open (IMAP IDLE, a stream) and calls `onActivity` when the
   * network says something arrived; the caller then polls at once. Polling at the interval goes on
   * beside it, so a watch that breaks loses nothing. `onError` reports a broken watch (it is retried).
   */
  watch?(
    account: ConnectedAccount<Settings, Credentials>,
    handlers: { onActivity(): void; onError(error: unknown): void },
  ): Promise<{ stop(): Promise<void> }>;
}

export interface InboundBatch {
  /** Public posts for listening: they become mentions through the ingest gateway. */
  posts: NormalizedPost[];
  /** Messages addressed to the organization: they open or continue inbox conversations. */
  messages: InboundMessage[];
  cursor: unknown;
  rateLimit?: RateLimitState;
  /** More is waiting beyond this batch: poll again right away instead of after the interval. */
  pollAgainSoon?: boolean;
}

/** A customer's message to the organization (a mention of the account, a direct message, a webhook call). */
export interface InboundMessage {
  /** The network's id; stored once per channel. */
  externalId: string;
  /** The network's id of what it answers (a status, a reply of ours): continues that conversation. */
  parentExternalId?: string;
  /** Shown as the author; for networks where replies address a handle, the handle (`@ana@social.example`). */
  authorName: string;
  /** Plain text (connectors strip HTML). */
  text: string;
  sentAt: Date;
  /** Everyone can read it; omitted: public unless the channel is private. */
  isPublic?: boolean;
  /** The conversation's subject when the network has one (e-mail); default: the text's start. */
  subject?: string;
  /**
   * Further ids of the thread it belongs to (an e-mail's References): when none of
   * `parentExternalId` is stored, the newest of these that is continues its conversation.
   */
  threadExternalIds?: string[];
  /** Files that came with it (e-mail attachments), within the connector's size limits. */
  attachments?: InboundAttachment[];
}

export interface InboundAttachment {
  fileName: string;
  contentType: string;
  sizeBytes: number;
  /** The file; omitted when it was over the size limit (then `skippedReason` says so). */
  content?: Buffer;
  skippedReason?: string;
}

export interface RateLimitState {
  limit?: number;
  remaining?: number;
  /** When the network allows requests again. */
  resetAt?: string;
}

export interface OutboundPart<Settings, Credentials> {
  /** Sends one reply; throws a ConnectorError that says whether trying again can help. */
  send(
    account: ConnectedAccount<Settings, Credentials>,
    reply: OutgoingReply,
  ): Promise<{ externalId?: string }>;
}

export interface OutgoingReply {
  /** The same key on every attempt of one message: the network (or receiver) posts it once. */
  idempotencyKey: string;
  /** When the agent wrote it; the same on every attempt (Bluesky derives the record key from it). */
  createdAt?: Date;
  conversationId: string;
  text: string;
  isPublic: boolean;
  /** The customer's message this answers (the newest incoming one), when the network knows it. */
  inReplyTo?: { externalId: string; authorName: string };
  /**
   * The customer is answered by e-mail instead of on the network (a web chat started while nobody
   * was online); `smtp` is the organization's server, null when none is set up.
   */
  emailFollowUp?: EmailFollowUp;
  /** The conversation's subject (e-mail: "Re: …"). */
  subject?: string;
  /** The network ids of the conversation's earlier messages, oldest first (e-mail: References). */
  threadExternalIds?: string[];
}

export interface EmailFollowUp {
  to: string;
  name: string;
  /** `de` or `en`: the language of the lines around the reply. */
  language: string;
  /** Where the conversation started (the website's origin), named in the e-mail. */
  startedAt: string;
  smtp: SmtpConnection | null;
}

/**
 * A network said no. `retry`: a rate limit, a server error or a timeout — try again later
 * (`retryAfterMs` when the network said when). `permanent`: the request itself is wrong; the reason
 * is the network's message, shown to the agent.
 */
export class ConnectorError extends Error {
  override name = "ConnectorError";
  constructor(
    message: string,
    readonly kind: "retry" | "permanent",
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** Turns an HTTP error answer into a ConnectorError with the peer's own words. */
export function errorFromResponse(props: {
  network: string;
  status: number;
  body: string;
  retryAfter?: string | null;
  now?: Date;
}): ConnectorError {
  const reason = peerMessage(props.body) ?? `HTTP ${props.status}`;
  const message = `${props.network} answered ${props.status}: ${reason}`;
  if (props.status === 429 || props.status === 408 || props.status >= 500) {
    return new ConnectorError(message, "retry", parseRetryAfter(props.retryAfter, props.now ?? new Date()));
  }
  return new ConnectorError(message, "permanent");
}

/** Retry-After is either seconds or an HTTP date. */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

function peerMessage(body: string): string | undefined {
  const text = body.trim();
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    const candidate = parsed.error_description ?? parsed.error ?? parsed.message;
    if (typeof candidate === "string") return candidate.slice(0, 300);
    if (
      candidate &&
      typeof candidate === "object" &&
      typeof (candidate as { message?: unknown }).message === "string"
    ) {
      return (candidate as { message: string }).message.slice(0, 300);
    }
  } catch {
    // not JSON: the first line of the text
  }
  return text.split("\n")[0]!.slice(0, 300);
}

/** A connector whose network is unreachable or refused the request in a way an admin must fix. */
export function describeError(error: unknown): string {
  if (error instanceof ConnectorError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * A request to a network through the SSRF guard. A refused address is permanent (an admin must
 * change the settings); a network that does not answer is worth another try. Status codes are the
 * caller's to judge (`errorFromResponse`).
 */
export async function callNetwork(
  network: string,
  url: string,
  options: SafeFetchOptions,
): Promise<SafeResponse> {
  try {
    return await safeFetch(url, options);
  } catch (error) {
    throw new ConnectorError(
      `${network}: ${(error as Error).message}`,
      error instanceof UnsafeTargetError ? "permanent" : "retry",
    );
  }
}
