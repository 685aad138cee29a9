import { createHash } from "node:crypto";
import { AtpAgent, type AtpSessionData, XRPCError } from "@atproto/api";
import { safeFetch, UnsafeTargetError } from "../../platform/net/safeFetch.js";
import { ConnectorError, parseRetryAfter, type RateLimitState } from "../connector.js";

export interface BlueskyLogin {
  /** The PDS or entryway the account signs in at (https://bsky.social for most accounts). */
  serviceUrl: string;
  /** Handle (`nordbahn.bsky.social`), DID or e-mail. */
  identifier: string;
  /** An app password (Settings → Privacy and security → App passwords in the Bluesky app). */
  appPassword: string;
  /** Hosts an admin allows although they resolve to private addresses (a self-hosted PDS). */
  allowHosts: readonly string[];
}

/**
 * A signed-in agent per account, kept for the life of the process: Bluesky allows only a few
 * sign-ins per account and hour (createSession is rate-limited), so polls reuse the session and
 * let the agent refresh it. The key includes a hash of the password, so new credentials sign in anew.
 */
const sessions = new Map<string, { agent: AtpAgent; rateLimit: { current?: RateLimitState } }>();

function sessionKey(login: BlueskyLogin): string {
  return createHash("sha256")
    .update(JSON.stringify([login.serviceUrl, login.identifier, login.appPassword]))
    .digest("hex");
}

/**
 * Signs in (or reuses the signed-in agent) for one account. Every request goes through the SSRF
 * guard — the service address is typed in by an admin, and after sign-in the agent talks to the
 * PDS named in the account's DID document — and records the network's rate-limit headers.
 */
export async function blueskySession(login: BlueskyLogin, options: { fresh?: boolean } = {}) {
  const key = sessionKey(login);
  const cached = sessions.get(key);
  if (cached && !options.fresh) return cached;
  // Asked to sign in anew: the old session is not used again, whatever the answer.
  sessions.delete(key);
  const rateLimit: { current?: RateLimitState } = {};
  const agent = new AtpAgent({
    service: login.serviceUrl,
    fetch: guardedFetch(login.allowHosts, rateLimit),
    persistSession: (event) => {
      // A refresh token the network no longer accepts: sign in again on the next call.
      if (event === "expired") sessions.delete(key);
    },
  });
  await call(() => agent.login({ identifier: login.identifier, password: login.appPassword }));
  const entry = { agent, rateLimit };
  sessions.set(key, entry);
  return entry;
}

/**
 * Runs `work` with the account's signed-in agent (`refresh`: renewed first, so that a revoked app
 * password shows now rather than when the access token expires). A session the network no longer accepts (401, ExpiredToken)
 * is dropped and the account signs in once more; if that fails too, the network's message is the
 * error. Returns the result with the rate-limit state the network last reported.
 */
export async function withBlueskySession<T>(
  login: BlueskyLogin,
  work: (agent: AtpAgent, session: AtpSessionData) => Promise<T>,
  options: { refresh?: boolean } = {},
): Promise<{ result: T; rateLimit?: RateLimitState }> {
  const cached = sessions.has(sessionKey(login));
  let entry = await blueskySession(login);
  try {
    // An access token outlives a revoked app password by hours; refreshing the session does not.
    if (cached && options.refresh) await entry.agent.sessionManager.refreshSession();
    return { result: await work(entry.agent, sessionOf(entry.agent)), rateLimit: entry.rateLimit.current };
  } catch (error) {
    if (!isRefusedSession(error)) throw blueskyError(error);
  }
  sessions.delete(sessionKey(login));
  entry = await blueskySession(login, { fresh: true });
  try {
    return { result: await work(entry.agent, sessionOf(entry.agent)), rateLimit: entry.rateLimit.current };
  } catch (error) {
    throw blueskyError(error);
  }
}

/** The session's tokens are no longer accepted (expired, revoked): signing in again may help. */
function isRefusedSession(error: unknown): boolean {
  return (
    error instanceof XRPCError &&
    (error.status === 401 || ["ExpiredToken", "InvalidToken", "AuthMissing"].includes(error.error))
  );
}

function sessionOf(agent: AtpAgent): AtpSessionData {
  if (!agent.session) throw new ConnectorError("bluesky: not signed in.", "retry");
  return agent.session;
}

/** Runs one XRPC call and turns what the network said into a ConnectorError. */
export async function call<T>(request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw blueskyError(error);
  }
}

/**
 * The network's refusal, classified: 429 (its ratelimit-reset or Retry-After says when), 5xx and
 * unreachable hosts are worth another try; any other 4xx is permanent, with the network's own
 * error name and message (e.g. `AuthenticationRequired: Invalid identifier or password`).
 */
export function blueskyError(error: unknown, now = new Date()): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const cause = (error as { cause?: unknown })?.cause;
  // What the SSRF guard or our own fetch refused arrives wrapped by the client.
  if (cause instanceof ConnectorError) return cause;
  if (error instanceof UnsafeTargetError || cause instanceof UnsafeTargetError) {
    const unsafe = (cause instanceof UnsafeTargetError ? cause : error) as Error;
    return new ConnectorError(`bluesky: ${unsafe.message}`, "permanent");
  }
  if (error instanceof XRPCError) {
    const status = Number(error.status);
    if (status < 100) {
      const detail = cause instanceof Error ? cause.message : error.message;
      return new ConnectorError(`bluesky could not be reached: ${detail}`, "retry");
    }
    const reason =
      error.message && error.message !== error.error ? `${error.error}: ${error.message}` : error.error;
    const message = `bluesky answered ${status}: ${reason || "no reason given"}`;
    if (status === 429 || status >= 500) {
      return new ConnectorError(message, "retry", retryAfterMs(error.headers, now));
    }
    return new ConnectorError(message, "permanent");
  }
  return new ConnectorError(`bluesky: ${(error as Error)?.message ?? String(error)}`, "retry");
}

/** When a 429 says the limit resets: Retry-After, else the `ratelimit-reset` Unix time. */
function retryAfterMs(
  headers: Record<string, string | undefined> | undefined,
  now: Date,
): number | undefined {
  if (!headers) return undefined;
  const retryAfter = parseRetryAfter(headers["retry-after"], now);
  if (retryAfter !== undefined) return retryAfter;
  const reset = Number(headers["ratelimit-reset"]);
  return Number.isFinite(reset) && reset > 0 ? Math.max(0, reset * 1000 - now.getTime()) : undefined;
}

/** The `ratelimit-limit/remaining/reset` headers a PDS sends (reset in Unix seconds). */
export function rateLimitFromHeaders(
  headers: Record<string, string | undefined>,
): RateLimitState | undefined {
  if (headers["ratelimit-remaining"] === undefined) return undefined;
  const limit = Number(headers["ratelimit-limit"]);
  const remaining = Number(headers["ratelimit-remaining"]);
  const reset = Number(headers["ratelimit-reset"]);
  return {
    limit: Number.isFinite(limit) ? limit : undefined,
    remaining: Number.isFinite(remaining) ? remaining : undefined,
    resetAt: Number.isFinite(reset) && reset > 0 ? new Date(reset * 1000).toISOString() : undefined,
  };
}

/** A WHATWG fetch on top of the SSRF-guarded request, for the AT Protocol client. */
function guardedFetch(allowHosts: readonly string[], rateLimit: { current?: RateLimitState }) {
  return async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    // The client hands over a Request (with the session's authorization) or a URL and init.
    const request = new Request(input, init);
    const method = request.method.toUpperCase();
    if (method !== "GET" && method !== "POST") {
      throw new ConnectorError(`bluesky: ${method} requests are not used.`, "permanent");
    }
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const body = method === "POST" && request.body ? await request.text() : undefined;
    const url = request.url;
    const response = await safeFetch(url, { method, headers, body, allowHosts, maxBytes: 5 * 1024 * 1024 });
    const limits = rateLimitFromHeaders(response.headers);
    if (limits) rateLimit.current = limits;
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined) responseHeaders.set(name, value);
    }
    const empty = response.status === 204 || response.status === 304 || response.status < 200;
    return new Response(empty ? null : response.body, { status: response.status, headers: responseHeaders });
  };
}

const tidAlphabet = "234567abcdefghijklmnopqrstuvwxyz";

/**
 * A record key in the AT Protocol's TID format (13 base32-sortable characters of a 64-bit number:
 * microseconds since 1970, then a 10-bit clock id), derived only from the reply's creation time and
 * its idempotency key — so every attempt of one reply writes the same record, and a retry after a
 * lost answer finds it instead of posting twice.
 */
export function deterministicRkey(createdAt: Date, idempotencyKey: string): string {
  const digest = createHash("sha256").update(idempotencyKey).digest();
  const micros = BigInt(createdAt.getTime()) * 1000n + BigInt(digest.readUInt16BE(0) % 1000);
  const clockId = BigInt(digest.readUInt16BE(2) % 1024);
  let value = (micros << 10n) | clockId;
  let key = "";
  for (let i = 0; i < 13; i += 1) {
    key = tidAlphabet[Number(value & 31n)] + key;
    value >>= 5n;
  }
  return key;
}
