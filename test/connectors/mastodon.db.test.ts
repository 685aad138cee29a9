import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { channelAccount } from "../../src/modules/channels/schema.js";
import { conversation, message } from "../../src/modules/conversations/schema.js";
import { mention } from "../../src/modules/listening/schema.js";
import { manualClock } from "../../src/platform/clock.js";
import { createPerson, createTestApp, type TestApp } from "../support/app.js";
import { testBackend } from "../support/database.js";
import { fakeAccount, startFakeMastodon } from "../support/fakeMastodon.js";
import { waitFor } from "../support/webhookReceiver.js";

const token = "mastodon-token-abc";
const clock = manualClock(new Date());
let t: TestApp;
let owner: Awaited<ReturnType<typeof createPerson>>;
let fake: Awaited<ReturnType<typeof startFakeMastodon>>;
let account: { id: string; channelId: string };
const ana = fakeAccount("ana");
const ben = fakeAccount("ben", "other.example");

beforeAll(async () => {
  fake = await startFakeMastodon({ token });
  t = await createTestApp({ clock, withPipeline: true });
  owner = await createPerson(t, { role: "owner" });
});
afterAll(async () => {
  await t?.close();
  await fake?.close();
});

async function poll() {
  clock.advance(60_000);
  return t.connectorJobs.pollAccounts({ channelId: account.channelId });
}

async function conversationsOfChannel() {
  return t.db.select().from(conversation).where(eq(conversation.channelId, account.channelId));
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

describe(`Mastodon (${testBackend})`, () => {
  it("a wrong access token is refused when connecting, with the instance's message", async () => {
    const response = await t.app.inject({
      method: "POST",
      url: "/api/v1/settings/channel-accounts",
      headers: owner.headers,
      payload: {
        network: "mastodon",
        name: "Mastodon",
        settings: { instanceUrl: fake.origin, allowHosts: ["127.0.0.1"] },
        credentials: { accessToken: "wrong" },
      },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toBe(
      "The network refused the account: mastodon answered 401: The access token is invalid",
    );
  });

  it("connects, and reads mentions page by page from the since_id cursor", async () => {
    fake.mention({ from: ana, content: "<p>@nordbahn mein Zug nach Kiel fällt aus</p>" });
    fake.mention({ from: ben, content: "<p>@nordbahn danke!</p>" });
    const response = await t.app.inject({
      method: "POST",
      url: "/api/v1/settings/channel-accounts",
      headers: owner.headers,
      payload: {
        network: "mastodon",
        name: "Mastodon",
        settings: { instanceUrl: fake.origin, hashtags: ["nordbahn"], allowHosts: ["127.0.0.1"] },
        credentials: { accessToken: token },
      },
    });
    expect(response.statusCode, response.body).toBe(201);
    account = response.json() as { id: string; channelId: string };
    expect(response.json()).toMatchObject({ displayName: "@nordbahn@127.0.0.1", health: "healthy" });

    await poll();
    expect(await conversationsOfChannel()).toHaveLength(2);

    // Three more arrive: more than one page (2) above the cursor, followed through the Link header.
    fake.mention({
      from: ana,
      content: "<p>@nordbahn DM: meine Buchungsnummer ist 4711</p>",
      visibility: "direct",
    });
    fake.mention({
      from: ben,
      content: '<p>@nordbahn <script>alert("x")</script>Hallo &amp; <a href="https://x.example">Link</a></p>',
    });
    fake.mention({ from: fakeAccount("cem"), content: "<p>@nordbahn WLAN kaputt</p>" });
    const before = fake.received.length;
    await poll();
    const notificationCalls = fake.received
      .slice(before)
      .filter((r) => r.url.startsWith("/api/v1/notifications"));
    expect(notificationCalls.length).toBeGreaterThanOrEqual(2);
    expect(notificationCalls[0]!.url).toContain("since_id=");
    expect(notificationCalls[1]!.url).toContain("max_id=");
    const conversations = await conversationsOfChannel();
    expect(conversations).toHaveLength(5);
    expect(conversations.filter((c) => !c.isPublic)).toHaveLength(1);

    // Nothing new: no repeats.
    await poll();
    expect(await conversationsOfChannel()).toHaveLength(5);
    const texts = (
      await t.db
        .select({ body: message.body })
        .from(message)
        .innerJoin(conversation, eq(conversation.id, message.conversationId))
        .where(eq(conversation.channelId, account.channelId))
    ).map((m) => m.body);
    expect(texts).toContain("@nordbahn Hallo & Link");
    for (const text of texts) expect(text).not.toMatch(/[<>]|alert/);

    const [stored] = await t.db.select().from(channelAccount).where(eq(channelAccount.id, account.id));
    expect(stored!.rateLimit).toMatchObject({ limit: 300 });
    expect(stored!.rateLimit!.remaining).toBeLessThan(300);
  });

  it("hashtag statuses become mentions for listening", async () => {
    fake.tagged("nordbahn", { from: ben, content: "<p>Die <b>#Nordbahn</b> ist heute pünktlich</p>" });
    await poll();
    const rows = await waitFor(async () => {
      const found = await t.db.select().from(mention).where(eq(mention.network, "mastodon"));
      return found.length === 1 ? found : undefined;
    }, "the hashtag mention");
    expect(rows[0]!.text).toBe("Die #Nordbahn ist heute pünktlich");
  });

  it("full loop: a direct mention → inbox → agent reply → posted once as a direct reply; the answer continues it", async () => {
    const [direct] = (await conversationsOfChannel()).filter((c) => !c.isPublic);
    const [incoming] = await t.db
      .select()
      .from(message)
      .where(and(eq(message.conversationId, direct!.id), eq(message.direction, "incoming")));
    const replyId = await reply(direct!.id, "Wir prüfen die Buchung und melden uns.");
    await t.connectorJobs.deliverReplies();
    expect(fake.posted).toHaveLength(1);
    expect(fake.posted[0]!.body).toEqual({
      status: "@ana@social.example Wir prüfen die Buchung und melden uns.",
      in_reply_to_id: incoming!.externalId,
      visibility: "direct",
    });
    expect(fake.posted[0]!.idempotencyKey).toBeTruthy();
    const [sent] = await t.db.select().from(message).where(eq(message.id, replyId));
    expect(sent!.deliveryState).toBe("sent");
    expect(sent!.externalId).toBe(fake.posted[0]!.status.id);

    // Ana answers our reply: the same conversation continues.
    fake.mention({
      from: ana,
      content: "<p>@nordbahn danke, Nummer 4711</p>",
      visibility: "direct",
      inReplyToId: sent!.externalId!,
    });
    await poll();
    expect(await conversationsOfChannel()).toHaveLength(5);
    const thread = await t.db.select().from(message).where(eq(message.conversationId, direct!.id));
    expect(thread.filter((m) => m.direction === "incoming")).toHaveLength(2);
  });

  it("a reply in a public conversation stays public and answers the customer's status", async () => {
    const [publicOne] = (await conversationsOfChannel()).filter(
      (c) => c.isPublic && c.subject.includes("Kiel"),
    );
    await reply(publicOne!.id, "Ersatzverkehr fährt ab 10 Uhr.");
    await t.connectorJobs.deliverReplies();
    const last = fake.posted.at(-1)!;
    expect(last.body).toMatchObject({ visibility: "public" });
    expect(String(last.body.status)).toMatch(/^@ana@social\.example /);
    expect(last.body.in_reply_to_id).toBeTruthy();
  });
});
