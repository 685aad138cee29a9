import { ConnectorError, callNetwork, errorFromResponse, type RateLimitState } from "../connector.js";

/** The parts of Mastodon's documented entities (docs.joinmastodon.org/entities) we read. */
export interface MastodonAccount {
  id: string;
  username: string;
  acct: string;
  display_name: string;
  url: string;
  followers_count?: number;
}

export interface MastodonStatus {
  id: string;
  uri: string;
  url?: string | null;
  created_at: string;
  in_reply_to_id: string | null;
  visibility: "public" | "unlisted" | "private" | "direct";
  language: string | null;
  content: string;
  spoiler_text?: string;
  account: MastodonAccount;
  replies_count?: number;
  reblogs_count?: number;
  favourites_count?: number;
}

export interface MastodonNotification {
  id: string;
  type: string;
  created_at: string;
  account: MastodonAccount;
  status?: MastodonStatus;
}

export interface MastodonClientProps {
  instanceUrl: string;
  accessToken: string;
  allowHosts: readonly string[];
}

/**
 * A small client for the few REST endpoints the connector uses, on the SSRF-guarded fetch: the
 * instance address is typed in by an admin. Every answer updates the rate-limit state
 * (X-RateLimit-* headers).
 */
export function mastodonClient(props: MastodonClientProps) {
  const origin = new URL(props.instanceUrl).origin;
  let rateLimit: RateLimitState | undefined;

  async function call(
    path: string,
    init: { method?: "GET" | "POST"; body?: unknown; headers?: Record<string, string> } = {},
  ) {
    const url = path.startsWith("http") ? path : `${origin}${path}`;
    if (new URL(url).origin !== origin) {
      throw new ConnectorError(
        `mastodon: refusing to follow a link to another host (${new URL(url).host}).`,
        "permanent",
      );
    }
    const response = await callNetwork("mastodon", url, {
      method: init.method ?? "GET",
      allowHosts: props.allowHosts,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      headers: {
        accept: "application/json",
        authorization: `Bearer ${props.accessToken}`,
        ...(init.body === undefined ? {} : { "content-type": "application/json" }),
        ...init.headers,
      },
    });
    const limit = Number(response.headers["x-ratelimit-limit"]);
    const remaining = Number(response.headers["x-ratelimit-remaining"]);
    const reset = response.headers["x-ratelimit-reset"];
    if (response.headers["x-ratelimit-remaining"] !== undefined) {
      rateLimit = {
        limit: Number.isFinite(limit) ? limit : undefined,
        remaining: Number.isFinite(remaining) ? remaining : undefined,
        resetAt: reset && !Number.isNaN(Date.parse(reset)) ? new Date(reset).toISOString() : undefined,
      };
    }
    if (response.status >= 300) {
      const retryAfter =
        response.headers["retry-after"] ??
        (response.status === 429 && reset && !Number.isNaN(Date.parse(reset))
          ? String(Math.max(1, Math.ceil((Date.parse(reset) - Date.now()) / 1000)))
          : undefined);
      throw errorFromResponse({
        network: "mastodon",
        status: response.status,
        body: response.body,
        retryAfter,
      });
    }
    return { json: JSON.parse(response.body) as unknown, link: response.headers.link };
  }

  return {
    get rateLimit() {
      return rateLimit;
    },
    async verifyCredentials() {
      return (await call("/api/v1/accounts/verify_credentials")).json as MastodonAccount;
    },
    /**
     * Everything newer than `sinceId`, oldest first: the first page is asked with since_id, older
     * pages are followed through the Link header (rel="next") until an id at or below the cursor
     * shows up. Without a cursor only the newest page is read (no backfill of the whole history).
     */
    async listSince<T extends { id: string }>(path: string, sinceId: string | undefined, maxPages = 10) {
      const separator = path.includes("?") ? "&" : "?";
      let next: string | undefined =
        `${path}${separator}limit=40${sinceId ? `&since_id=${encodeURIComponent(sinceId)}` : ""}`;
      const collected: T[] = [];
      for (let page = 0; next && page < maxPages; page += 1) {
        const { json, link } = await call(next);
        const items = json as T[];
        if (!Array.isArray(items) || items.length === 0) break;
        const fresh = sinceId ? items.filter((i) => compareIds(i.id, sinceId) > 0) : items;
        collected.push(...fresh);
        if (!sinceId || fresh.length < items.length) break;
        if (rateLimit?.remaining === 0) break;
        next = nextLink(link);
      }
      return collected.sort((a, b) => compareIds(a.id, b.id));
    },
    async postStatus(
      body: { status: string; in_reply_to_id?: string; visibility: string },
      idempotencyKey: string,
    ) {
      return (
        await call("/api/v1/statuses", {
          method: "POST",
          body,
          headers: { "idempotency-key": idempotencyKey },
        })
      ).json as MastodonStatus;
    },
  };
}

/** Mastodon ids are numeric strings (snowflakes) of growing length: compare as numbers. */
export function compareIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The rel="next" target of an RFC 8288 Link header. */
export function nextLink(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(",")) {
    const match = /<([^>]+)>\s*;\s*rel="?([^";]+)"?/.exec(part.trim());
    if (match && match[2]!.split(/\s+/).includes("next")) return match[1];
  }
  return undefined;
}
