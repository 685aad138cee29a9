import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blueskyConnector } from "../../src/connectors/bluesky/blueskyConnector.js";
import { connectors } from "../../src/connectors/registry.js";
import { pollDueAccounts } from "../../src/modules/channels/channelPoller.js";
import { channelAccount } from "../../src/modules/channels/schema.js";
import { conversation, message } from "../../src/modules/conversations/schema.js";
import { mention } from "../../src/modules/listening/schema.js";
import { createIngestGateway } from "../../src/pipeline/runtime.js";
import { manualClock } from "../../src/platform/clock.js";
import { createPerson, createTestApp, type TestApp } from "../support/app.js";
import { startBlueskyNetwork } from "../support/blueskyNetwork.js";
import { testBackend } from "../support/database.js";
import { waitFor } from "../support/webhookReceiver.js";

const clock = manualClock(new Date());
let bsky: Awaited<ReturnType<typeof startBlueskyNetwork>>;
let t: TestApp;
let owner: Awaited<ReturnType<typeof createPerson>>;
type Person = Awaited<ReturnType<typeof bsky.person>>;
let brand: Person;
let alice: Person;
let bob: Person;
let appPassword: string;
let account: { id: string; channelId: string };

const fileStart = Date.now();
beforeAll(async () => {
  // The network and the app start side by side: both take seconds.
  [bsky, t] = await Promise.all([startBlueskyNetwork(), createTestApp({ clock, withPipeline: true })]);
  owner = await createPerson(t, { role: "owner" });
  [brand, alice, bob] = await Promise.all([bsky.person("brand"), bsky.person("alice"), bsky.person("bob")]);
  console.log(
    `local AT Protocol network (PLC, PDS, app view, Ozone) up in ${bsky.startupMs} ms; accounts ready after ${Date.now() - fileStart} ms`,
  );
  appPassword = (await brand.agent.com.atproto.server.createAppPassword({ name: "konversa" })).data.password;
});
afterAll(async () => {
  const closing = Date.now();
  await t?.close();
  await bsky?.close();
  console.log(`local AT Protocol network closed in ${Date.now() - closing} ms`);
});

function settings() {
  return { serviceUrl: bsky.pdsUrl, keywords: ["Zugausfall"], allowHosts: ["localhost"] };
}

async function poll() {
  await bsky.settle();
  clock.advance(60_000);
  return t.connectorJobs.pollAccounts({ channelId: account.channelId });
}

async function conversationsOfChannel() {
  return t.db.select().from(conversation).where(eq(conversation.channelId, account.channelId));
}

async function messagesOf(conversationId: string) {
  return t.db
    .select()
    .from(message)
    .where(eq(message.conversationId, conversationId))
    .orderBy(message.sentAt);
}

async function reply(conversationId: string, body: string) {
  const response = await t.app.inject({
    method: "POST",
    url: `/api/v1/conversations/${conversationId}/replies`,
    headers: owner.headers,
    payload: { body },
  });
  expect(response.statusCode, response.body).toBe(201);
  return (response.json() as { id: string }).id;
}

/** Our post as the PDS stores it. */
async function readBack(uri: string) {
  const rkey = uri.split("/").at(-1)!;
  const { data } = await brand.agent.com.atproto.repo.getRecord({
    repo: brand.did,
    collection: "app.bsky.feed.post",
    rkey,
  });
  return data.value as { text: string; reply?: { root: { uri: string }; parent: { uri: string } } };
}

async function brandPostCount() {
  const { data } = await brand.agent.com.atproto.repo.listRecords({
    repo: brand.did,
    collection: "app.bsky.feed.post",
    limit: 100,
  });
  return data.records.length;
}

describe(`Bluesky against a local AT Protocol network (${testBackend})`, () => {
  it("a wrong app password is refused when connecting, with the network's message", async () => {
    const response = await t.app.inject({
      method: "POST",
      url: "/api/v1/settings/channel-accounts",
      headers: owner.headers,
      payload: {
        network: "bluesky",
        name: "Bluesky",
        settings: settings(),
        credentials: { identifier: brand.handle, appPassword: "xxxx-xxxx-xxxx-xxxx" },
      },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toBe(
      "The network refused the account: bluesky answered 401: AuthenticationRequired: Invalid identifier or password",
    );
  });

  it("full loop: a mention → inbox conversation → agent reply → a reply in the thread on the PDS; the answer continues it", async () => {
    const response = await t.app.inject({
      method: "POST",
      url: "/api/v1/settings/channel-accounts",
      headers: owner.headers,
      payload: {
        network: "bluesky",
        name: "Bluesky",
        settings: settings(),
        credentials: { identifier: brand.handle, appPassword },
      },
    });
    expect(response.statusCode, response.body).toBe(201);
    account = response.json() as { id: string; channelId: string };
    expect(response.json()).toMatchObject({ displayName: "@brand.test", health: "healthy" });

    const first = await alice.post("@brand.test mein Zug nach Kiel fällt aus <script>alert(1)</script>");
    await poll();
    const [opened] = await conversationsOfChannel();
    expect(opened).toBeDefined();
    expect(opened!.isPublic).toBe(true);
    const [incoming] = await messagesOf(opened!.id);
    // Bluesky text is plain text: kept as written, rendered as text by the web app.
    expect(incoming).toMatchObject({
      direction: "incoming",
      authorName: "@alice.test",
      externalId: first.uri,
      body: "@brand.test mein Zug nach Kiel fällt aus <script>alert(1)</script>",
    });

    const replyId = await reply(opened!.id, "Ersatzverkehr fährt ab 10 Uhr, @alice.test.");
    await t.connectorJobs.deliverReplies();
    const [sent] = await t.db.select().from(message).where(eq(message.id, replyId));
    expect(sent).toMatchObject({ deliveryState: "sent", deliveryError: null });
    expect(sent!.externalId).toMatch(new RegExp(`^at://${brand.did}/app\\.bsky\\.feed\\.post/`));

    // Read back from the PDS: a reply whose root and parent are Alice's post…
    const stored = await readBack(sent!.externalId!);
    expect(stored.text).toBe("Ersatzverkehr fährt ab 10 Uhr, @alice.test.");
    expect(stored.reply).toMatchObject({ root: { uri: first.uri }, parent: { uri: first.uri } });
    // …that the app view shows in Alice's thread.
    await bsky.settle();
    const { data: thread } = await alice.agent.getPostThread({ uri: first.uri });
    const replies = (thread.thread as { replies?: Array<{ post: { uri: string } }> }).replies ?? [];
    expect(replies.map((r) => r.post.uri)).toContain(sent!.externalId);

    // The account's rate-limit state comes from the PDS's ratelimit-* headers.
    const [row] = await t.db.select().from(channelAccount).where(eq(channelAccount.id, account.id));
    expect(row!.rateLimit?.limit).toBeGreaterThan(0);
    expect(row!.rateLimit?.remaining).toBeLessThan(row!.rateLimit!.limit!);

    // Alice answers our reply: the same conversation continues; our next reply keeps the thread's root.
    const ours = await alice.agent.getPosts({ uris: [sent!.externalId!] });
    const answer = await alice.post("danke, und wann fährt der nächste?", {
      uri: ours.data.posts[0]!.uri,
      cid: ours.data.posts[0]!.cid,
      root: { uri: first.uri, cid: first.cid },
    });
    await poll();
    expect(await conversationsOfChannel()).toHaveLength(1);
    const thread2 = await messagesOf(opened!.id);
    expect(thread2.filter((m) => m.direction === "incoming").map((m) => m.externalId)).toEqual([
      first.uri,
      answer.uri,
    ]);
    const secondId = await reply(opened!.id, "Um 10:20 ab Gleis 3.");
    await t.connectorJobs.deliverReplies();
    const [second] = await t.db.select().from(message).where(eq(message.id, secondId));
    expect((await readBack(second!.externalId!)).reply).toMatchObject({
      root: { uri: first.uri },
      parent: { uri: answer.uri },
    });
  });

  it("posts with a keyword become mentions for listening (search), the account's own excluded", async () => {
    const post = await bob.post("Schon wieder Zugausfall in Hamburg");
    await brand.post("Zugausfall? Wir helfen gern.");
    await poll();
    const rows = await waitFor(async () => {
      const found = await t.db.select().from(mention).where(eq(mention.network, "bluesky"));
      return found.length > 0 ? found : undefined;
    }, "the keyword mention");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      externalId: post.uri,
      text: "Schon wieder Zugausfall in Hamburg",
      url: `https://bsky.app/profile/bob.test/post/${post.uri.split("/").at(-1)}`,
    });
    // Polling again finds nothing new.
    await poll();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await t.db.select().from(mention).where(eq(mention.network, "bluesky"))).toHaveLength(1);
  });

  it("every attempt of one reply writes the same record: a retry after a lost answer does not post twice", async () => {
    const [row] = await t.db.select().from(channelAccount).where(eq(channelAccount.id, account.id));
    const [incoming] = await t.db
      .select()
      .from(message)
      .where(and(eq(message.direction, "incoming"), eq(message.authorName, "@alice.test")))
      .limit(1);
    const connected = {
      channelId: row!.channelId,
      organizationId: row!.organizationId,
      settings: blueskyConnector.account.settingsSchema.parse(row!.settings),
      credentials: { identifier: brand.handle, appPassword },
    };
    const outgoing = {
      idempotencyKey: "reply-4711",
      createdAt: new Date(),
      conversationId: incoming!.conversationId,
      text: "Wir melden uns.",
      isPublic: true,
      inReplyTo: { externalId: incoming!.externalId!, authorName: "@alice.test" },
    };
    const before = await brandPostCount();
    const once = await blueskyConnector.outbound!.send(connected, outgoing);
    const again = await blueskyConnector.outbound!.send(connected, outgoing);
    expect(again.externalId).toBe(once.externalId);
    expect(await brandPostCount()).toBe(before + 1);

    // What Bluesky cannot take is refused for good, with a reason the agent can act on.
    await expect(
      blueskyConnector.outbound!.send(connected, {
        ...outgoing,
        idempotencyKey: "long",
        text: "x".repeat(301),
      }),
    ).rejects.toMatchObject({
      kind: "permanent",
      message: expect.stringContaining("at most 300 characters"),
    });
    await expect(
      blueskyConnector.outbound!.send(connected, {
        ...outgoing,
        idempotencyKey: "gone",
        inReplyTo: {
          externalId: `at://${alice.did}/app.bsky.feed.post/3kzzzzzzzzz22`,
          authorName: "@alice.test",
        },
      }),
    ).rejects.toMatchObject({ kind: "permanent", message: expect.stringContaining("no longer there") });
  });

  it("restart: the poller stops and starts while Alice keeps posting; every post arrives exactly once", async () => {
    const before = (await conversationsOfChannel()).length;
    const count = 12;
    let producing = true;
    const produced: string[] = [];
    const producer = (async () => {
      for (let i = 0; i < count; i += 1) {
        produced.push((await alice.post(`@brand.test Frage ${i}: wo ist mein Koffer?`)).uri);
        await new Promise((resolve) => setTimeout(resolve, 40));
      }
      producing = false;
    })();
    // Each round is a fresh worker: nothing in memory but what is stored (the cursor).
    const restartedWorker = () => ({
      db: t.db,
      clock,
      secretsKey: t.secretsKey,
      connectors: { ...connectors },
      bus: t.bus,
      submitPosts: createIngestGateway(t.bus).submitPosts,
    });
    let rounds = 0;
    let crashed = false;
    while (producing || rounds < 2) {
      clock.advance(60_000);
      const [stored] = await t.db.select().from(channelAccount).where(eq(channelAccount.id, account.id));
      await pollDueAccounts(restartedWorker(), { channelId: account.channelId });
      if (!crashed && produced.length >= count / 2) {
        // A crash after the batch was handed on but before the cursor was saved: the batch repeats.
        crashed = true;
        await t.db
          .update(channelAccount)
          .set({ cursor: stored!.cursor })
          .where(eq(channelAccount.id, account.id));
      }
      rounds += 1;
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    await producer;
    await bsky.settle();
    clock.advance(60_000);
    await pollDueAccounts(restartedWorker(), { channelId: account.channelId });
    expect(crashed).toBe(true);

    const conversations = await conversationsOfChannel();
    expect(conversations).toHaveLength(before + count);
    const ids = (
      await t.db
        .select({ externalId: message.externalId })
        .from(message)
        .innerJoin(conversation, eq(conversation.id, message.conversationId))
        .where(and(eq(conversation.channelId, account.channelId), eq(message.direction, "incoming")))
    ).map((m) => m.externalId);
    for (const uri of produced) expect(ids.filter((id) => id === uri)).toHaveLength(1);
  });

  it("a broken credential shows the account unhealthy with the network's message, without a crash loop", async () => {
    // The app password is revoked in the Bluesky app. The next poll notices — the session is renewed
    // before each poll, although its access token would still work for hours — and signing in again fails.
    await brand.agent.com.atproto.server.revokeAppPassword({ name: "konversa" });
    const failed = await poll();
    expect(failed).toEqual([
      {
        channelId: account.channelId,
        received: 0,
        posts: 0,
        error: "bluesky answered 401: AuthenticationRequired: Invalid identifier or password",
      },
    ]);
    const [row] = await t.db.select().from(channelAccount).where(eq(channelAccount.id, account.id));
    expect(row!.health).toBe("failing");
    expect(row!.lastError).toBe(failed[0]!.error);
    // No crash loop: nothing is tried again before the account's interval has passed.
    expect(row!.nextPollAt.getTime()).toBe(clock.now().getTime() + 60_000);
    expect(await t.connectorJobs.pollAccounts({ channelId: account.channelId })).toEqual([]);
    clock.advance(30_000);
    expect(await t.connectorJobs.pollAccounts({ channelId: account.channelId })).toEqual([]);
    clock.advance(30_000);
    expect(await t.connectorJobs.pollAccounts({ channelId: account.channelId })).toMatchObject([
      { error: failed[0]!.error },
    ]);

    // Settings → Channels shows it: the check asks the network again, with the same answer.
    const checked = await t.app.inject({
      method: "POST",
      url: `/api/v1/settings/channel-accounts/${account.id}/check`,
      headers: owner.headers,
    });
    expect(checked.statusCode, checked.body).toBe(200);
    expect(checked.json()).toMatchObject({ health: "failing", lastError: failed[0]!.error });
    const listed = await t.app.inject({
      method: "GET",
      url: "/api/v1/settings/channel-accounts",
      headers: owner.headers,
    });
    expect(listed.json()).toContainEqual(
      expect.objectContaining({ id: account.id, health: "failing", lastError: failed[0]!.error }),
    );
  });
});
