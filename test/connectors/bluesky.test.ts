import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deterministicRkey, rateLimitFromHeaders } from "../../src/connectors/bluesky/blueskyApi.js";
import {
  blueskyConnector,
  type FeedPosition,
  readNewest,
} from "../../src/connectors/bluesky/blueskyConnector.js";
import {
  type BlueskyPostView,
  normalizeBlueskyPost,
  notificationToMessage,
} from "../../src/connectors/bluesky/blueskyPosts.js";
import { normalizedPostSchema } from "../../src/platform/posts/normalizedPost.js";

const ana = { did: "did:plc:ana", handle: "ana.bsky.social", displayName: "Ana", followersCount: 12 };

function postView(
  over: Partial<BlueskyPostView> & { record?: Record<string, unknown> } = {},
): BlueskyPostView {
  return {
    uri: "at://did:plc:ana/app.bsky.feed.post/3l2abcdefgh22",
    cid: "bafyreia",
    author: ana,
    indexedAt: "2026-03-02T08:00:05.000Z",
    likeCount: 3,
    repostCount: 1,
    replyCount: 2,
    record: {
      $type: "app.bsky.feed.post",
      text: "Die Nordbahn ist heute pünktlich <3",
      createdAt: "2026-03-02T08:00:00.000Z",
      langs: ["de-DE"],
    },
    ...over,
  };
}

describe("Bluesky events → NormalizedPost and inbox messages (pure)", () => {
  it("a keyword match becomes a valid NormalizedPost with link, language, author and engagement", () => {
    const post = normalizeBlueskyPost(postView(), "7c4e9d2a-5b1f-4c3e-8a6d-2f9b0e1c3d4a")!;
    expect(normalizedPostSchema.parse(post)).toEqual(post);
    expect(post).toMatchObject({
      network: "bluesky",
      externalId: "at://did:plc:ana/app.bsky.feed.post/3l2abcdefgh22",
      url: "https://bsky.app/profile/ana.bsky.social/post/3l2abcdefgh22",
      text: "Die Nordbahn ist heute pünktlich <3",
      languageHint: "de",
      author: { handle: "ana.bsky.social", displayName: "Ana", followers: 12 },
      engagement: { likes: 3, reposts: 1, replies: 2 },
      postedAt: new Date("2026-03-02T08:00:00.000Z"),
      isPublic: true,
    });
  });

  it("a reply keeps its parent and thread; a future createdAt falls back to the indexing time", () => {
    const post = normalizeBlueskyPost(
      postView({
        record: {
          text: "Antwort",
          createdAt: "2099-01-01T00:00:00Z",
          reply: {
            root: { uri: "at://did:plc:x/app.bsky.feed.post/root", cid: "a" },
            parent: { uri: "at://did:plc:x/app.bsky.feed.post/parent", cid: "b" },
          },
        },
      }),
    )!;
    expect(post.parentExternalId).toBe("at://did:plc:x/app.bsky.feed.post/parent");
    expect(post.threadExternalId).toBe("at://did:plc:x/app.bsky.feed.post/root");
    expect(post.postedAt).toEqual(new Date("2026-03-02T08:00:05.000Z"));
  });

  it("what is not a post with text yields nothing; an unresolvable handle shows the DID", () => {
    expect(normalizeBlueskyPost(postView({ record: { text: "   " } }))).toBeUndefined();
    expect(normalizeBlueskyPost(postView({ record: { something: 1 } }))).toBeUndefined();
    const post = normalizeBlueskyPost(
      postView({ author: { did: "did:plc:ana", handle: "handle.invalid" } }),
    )!;
    expect(post.author.handle).toBe("did:plc:ana");
  });

  it("mentions, replies and quotes become inbox messages; likes and follows do not", () => {
    const base = {
      uri: "at://did:plc:ana/app.bsky.feed.post/3l2",
      cid: "c",
      author: ana,
      indexedAt: "2026-03-02T08:00:05.000Z",
      record: {
        text: "@nordbahn danke\u0000!",
        createdAt: "2026-03-02T08:00:00.000Z",
        reply: {
          root: { uri: "at://r", cid: "r" },
          parent: { uri: "at://did:plc:nordbahn/app.bsky.feed.post/ours", cid: "p" },
        },
      },
    };
    expect(notificationToMessage({ ...base, reason: "reply" })).toEqual({
      externalId: base.uri,
      parentExternalId: "at://did:plc:nordbahn/app.bsky.feed.post/ours",
      authorName: "@ana.bsky.social",
      text: "@nordbahn danke!",
      sentAt: new Date("2026-03-02T08:00:00.000Z"),
      isPublic: true,
    });
    expect(notificationToMessage({ ...base, reason: "like" })).toBeUndefined();
    expect(notificationToMessage({ ...base, reason: "follow" })).toBeUndefined();
  });
});

describe("reading newest-first listings from a stored position", () => {
  const at = (minute: number) => new Date(Date.UTC(2026, 2, 2, 8, minute)).toISOString();
  const item = (n: number, minute: number) => ({ uri: `at://x/${n}`, indexedAt: at(minute) });

  function listing(items: Array<{ uri: string; indexedAt: string }>, pageSize = 2) {
    const pages: Array<string | undefined> = [];
    const fetchPage = async (cursor: string | undefined) => {
      pages.push(cursor);
      const start = cursor ? Number(cursor) : 0;
      const next = start + pageSize < items.length ? String(start + pageSize) : undefined;
      return { items: items.slice(start, start + pageSize), cursor: next };
    };
    return { fetchPage, pages };
  }

  it("the first poll reads only the newest page; later polls page back past the position and skip what they have", async () => {
    const first = listing([item(2, 30), item(1, 29), item(0, 1)]);
    const one = await readNewest(first.fetchPage, undefined);
    expect(one.items.map((i) => i.uri)).toEqual(["at://x/1", "at://x/2"]);
    expect(first.pages).toEqual([undefined]);

    const second = listing([
      item(6, 34),
      item(5, 33),
      item(4, 32),
      item(3, 31),
      item(2, 30),
      item(1, 29),
      item(0, 1),
    ]);
    const two = await readNewest(second.fetchPage, one.position);
    expect(two.items.map((i) => i.uri)).toEqual(["at://x/3", "at://x/4", "at://x/5", "at://x/6"]);
    expect(second.pages).toEqual([undefined, "2", "4", "6"]);
    expect(two.position.newest).toBe(at(34));

    // Indexed late, with an older time, but within the margin: still found once.
    const third = listing([item(6, 34), item(7, 33), item(5, 33), item(4, 32)]);
    const three = await readNewest(third.fetchPage, two.position);
    expect(three.items.map((i) => i.uri)).toEqual(["at://x/7"]);
    const again = await readNewest(listing([item(6, 34), item(7, 33)]).fetchPage, three.position);
    expect(again.items).toEqual([]);
  });

  it("ids older than the margin are forgotten and not taken for new", async () => {
    const position: FeedPosition = { newest: at(40), seen: ["at://x/old"] };
    const { items, position: next } = await readNewest(
      listing([item(9, 41), { uri: "at://x/old", indexedAt: at(1) }]).fetchPage,
      position,
    );
    expect(items.map((i) => i.uri)).toEqual(["at://x/9"]);
    expect(next.seen).toEqual(["at://x/9"]);
  });
});

describe("record keys and rate limits", () => {
  it("the record key is a valid TID, the same for every attempt of one reply and different for another", () => {
    const written = new Date("2026-03-02T08:00:00Z");
    const key = deterministicRkey(written, "reply-1");
    expect(key).toMatch(/^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$/);
    expect(deterministicRkey(written, "reply-1")).toBe(key);
    expect(deterministicRkey(written, "reply-2")).not.toBe(key);
    // Its time part is the reply's: keys sort like the replies.
    expect(deterministicRkey(new Date("2026-03-02T08:00:01Z"), "reply-1") > key).toBe(true);
  });

  it("ratelimit-* headers become the account's rate-limit state", () => {
    expect(
      rateLimitFromHeaders({
        "ratelimit-limit": "3000",
        "ratelimit-remaining": "0",
        "ratelimit-reset": "1772438400",
      }),
    ).toEqual({ limit: 3000, remaining: 0, resetAt: "2026-03-02T08:00:00.000Z" });
    expect(rateLimitFromHeaders({})).toBeUndefined();
  });
});

describe("what the network says, classified (a PDS that refuses)", () => {
  let server: Server;
  let origin: string;
  let answers: Array<{ status: number; headers?: Record<string, string>; body: unknown }> = [];
  beforeAll(async () => {
    server = createServer((_request, response) => {
      const answer = answers.shift() ?? { status: 500, body: { error: "InternalServerError" } };
      response.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
      response.end(JSON.stringify(answer.body));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  function check(allowHosts = ["127.0.0.1"]) {
    return blueskyConnector.account.validate({
      channelId: "00000000-0000-0000-0000-000000000000",
      organizationId: "00000000-0000-0000-0000-000000000000",
      settings: blueskyConnector.account.settingsSchema.parse({ serviceUrl: origin, allowHosts }),
      credentials: { identifier: "nordbahn.test", appPassword: "aaaa-bbbb-cccc-dddd" },
    });
  }

  it("429 is retried when its ratelimit-reset says; 5xx is retried; 4xx is permanent with the network's reason", async () => {
    const reset = Math.ceil(Date.now() / 1000) + 120;
    answers = [
      {
        status: 429,
        headers: { "ratelimit-limit": "30", "ratelimit-remaining": "0", "ratelimit-reset": String(reset) },
        body: { error: "RateLimitExceeded", message: "Rate Limit Exceeded" },
      },
      { status: 502, body: { error: "UpstreamFailure", message: "Upstream Failure" } },
      { status: 400, body: { error: "InvalidRequest", message: "Input/identifier must be a string" } },
    ];
    const limited = await check().catch((e: unknown) => e);
    expect(limited).toMatchObject({
      kind: "retry",
      message: "bluesky answered 429: RateLimitExceeded: Rate Limit Exceeded",
    });
    expect((limited as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(100_000);
    expect((limited as { retryAfterMs: number }).retryAfterMs).toBeLessThanOrEqual(121_000);
    await expect(check()).rejects.toMatchObject({
      kind: "retry",
      message: "bluesky answered 502: UpstreamFailure: Upstream Failure",
    });
    await expect(check()).rejects.toMatchObject({
      kind: "permanent",
      message: "bluesky answered 400: InvalidRequest: Input/identifier must be a string",
    });
  });

  it("a service address in a private range is refused unless an admin allows it", async () => {
    await expect(check([])).rejects.toMatchObject({
      kind: "permanent",
      message: expect.stringContaining("private or local address"),
    });
  });
});
