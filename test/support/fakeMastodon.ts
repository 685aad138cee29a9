import type { ServerResponse } from "node:http";
import { json, type PeerRequest, startHttpPeer } from "./httpPeer.js";

/*
 * A Mastodon instance for tests: the REST endpoints the connector uses, answering with bodies built
 * from Mastodon's documented entities (docs.joinmastodon.org/entities: Account, Status,
 * Notification), newest first, paged with RFC 8288 Link headers (max_id / min_id) and carrying the
 * X-RateLimit-* headers. Pages are small (2) so that pagination is exercised.
 */
export interface FakeAccount {
  id: string;
  username: string;
  acct: string;
  display_name: string;
  locked: boolean;
  bot: boolean;
  created_at: string;
  note: string;
  url: string;
  avatar: string;
  followers_count: number;
  following_count: number;
  statuses_count: number;
}

export function fakeAccount(username: string, domain = "social.example"): FakeAccount {
  return {
    id: String(1000 + username.length * 7 + username.charCodeAt(0)),
    username,
    acct: `${username}@${domain}`,
    display_name: username[0]!.toUpperCase() + username.slice(1),
    locked: false,
    bot: false,
    created_at: "2024-01-01T00:00:00.000Z",
    note: "",
    url: `https://${domain}/@${username}`,
    avatar: `https://${domain}/avatars/${username}.png`,
    followers_count: 120,
    following_count: 80,
    statuses_count: 300,
  };
}

export async function startFakeMastodon(props: { token: string; pageSize?: number }) {
  const pageSize = props.pageSize ?? 2;
  let nextId = 110_000_000_000_000_000n;
  const newId = () => {
    nextId += 1n;
    return String(nextId);
  };
  const me = fakeAccount("nordbahn", "127.0.0.1");
  const notifications: Array<Record<string, unknown> & { id: string }> = [];
  const tagStatuses = new Map<string, Array<Record<string, unknown> & { id: string }>>();
  const posted: Array<{
    idempotencyKey?: string;
    body: Record<string, unknown>;
    status: Record<string, unknown>;
  }> = [];
  let remaining = 300;
  // The token the instance accepts; a test revokes it to play a broken credential.
  let acceptedToken = props.token;

  function status(props: {
    account: FakeAccount;
    content: string;
    visibility?: "public" | "unlisted" | "private" | "direct";
    inReplyToId?: string | null;
  }) {
    const id = newId();
    return {
      id,
      uri: `https://social.example/users/${props.account.username}/statuses/${id}`,
      url: `https://social.example/@${props.account.username}/${id}`,
      created_at: new Date().toISOString(),
      account: props.account,
      content: props.content,
      visibility: props.visibility ?? "public",
      sensitive: false,
      spoiler_text: "",
      media_attachments: [],
      mentions: [],
      tags: [],
      emojis: [],
      reblogs_count: 0,
      favourites_count: 3,
      replies_count: 0,
      in_reply_to_id: props.inReplyToId ?? null,
      in_reply_to_account_id: null,
      reblog: null,
      language: "de",
    };
  }

  function page(
    request: PeerRequest,
    response: ServerResponse,
    path: string,
    all: Array<{ id: string }>,
    url: URL,
  ) {
    const since = url.searchParams.get("since_id");
    const max = url.searchParams.get("max_id");
    const newestFirst = [...all].sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : -1));
    const selected = newestFirst
      .filter((s) => !since || BigInt(s.id) > BigInt(since))
      .filter((s) => !max || BigInt(s.id) < BigInt(max))
      .slice(0, Math.min(pageSize, Number(url.searchParams.get("limit") ?? 20)));
    const links: string[] = [];
    const keep = path.includes("notifications") ? "types[]=mention&" : "";
    if (selected.length > 0) {
      links.push(`<${origin}${path}?${keep}max_id=${selected.at(-1)!.id}>; rel="next"`);
      links.push(`<${origin}${path}?${keep}min_id=${selected[0]!.id}>; rel="prev"`);
    }
    void request;
    json(response, 200, selected, { ...rateHeaders(), ...(links.length ? { link: links.join(", ") } : {}) });
  }

  function rateHeaders() {
    remaining -= 1;
    return {
      "x-ratelimit-limit": "300",
      "x-ratelimit-remaining": String(remaining),
      "x-ratelimit-reset": new Date(Date.now() + 300_000).toISOString(),
    };
  }

  const peer = await startHttpPeer((request, response) => {
    const url = new URL(request.url, "http://fake");
    if (request.headers.authorization !== `Bearer ${acceptedToken}`) {
      return json(response, 401, { error: "The access token is invalid" });
    }
    if (request.method === "GET" && url.pathname === "/api/v1/accounts/verify_credentials") {
      return json(response, 200, me, rateHeaders());
    }
    if (request.method === "GET" && url.pathname === "/api/v1/notifications") {
      return page(request, response, url.pathname, notifications, url);
    }
    const tag = /^\/api\/v1\/timelines\/tag\/([^/]+)$/.exec(url.pathname);
    if (request.method === "GET" && tag) {
      return page(request, response, url.pathname, tagStatuses.get(decodeURIComponent(tag[1]!)) ?? [], url);
    }
    if (request.method === "POST" && url.pathname === "/api/v1/statuses") {
      const key = request.headers["idempotency-key"] as string | undefined;
      const earlier = key ? posted.find((p) => p.idempotencyKey === key) : undefined;
      if (earlier) return json(response, 200, earlier.status, rateHeaders());
      const body = JSON.parse(request.body) as Record<string, unknown>;
      if (!body.status) return json(response, 422, { error: "Validation failed: Text can't be blank" });
      const created = status({
        account: me,
        content: `<p>${String(body.status)}</p>`,
        visibility: body.visibility as "public",
        inReplyToId: (body.in_reply_to_id as string | undefined) ?? null,
      });
      posted.push({ idempotencyKey: key, body, status: created });
      return json(response, 200, created, rateHeaders());
    }
    json(response, 404, { error: "Record not found" });
  });
  const origin = peer.origin;

  return {
    origin,
    received: peer.received,
    posted,
    me,
    /** A customer mentions the account; returns the status. */
    mention(props: {
      from: FakeAccount;
      content: string;
      visibility?: "public" | "direct";
      inReplyToId?: string;
    }) {
      const s = status({
        account: props.from,
        content: props.content,
        visibility: props.visibility,
        inReplyToId: props.inReplyToId,
      });
      notifications.push({
        id: newId(),
        type: "mention",
        created_at: s.created_at,
        account: props.from,
        status: s,
      });
      return s;
    },
    /** A public status with a hashtag. */
    tagged(tagName: string, props: { from: FakeAccount; content: string }) {
      const s = status({ account: props.from, content: props.content });
      tagStatuses.set(tagName, [...(tagStatuses.get(tagName) ?? []), s]);
      return s;
    },
    /** From now on only this token is accepted (the old one is refused with 401). */
    acceptToken(token: string) {
      acceptedToken = token;
    },
    close: peer.close,
  };
}
