import { readFileSync } from "node:fs";
import path from "node:path";
import { eq, like } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectors } from "../../src/connectors/registry.js";
import { pollDueAccounts } from "../../src/modules/channels/channelPoller.js";
import { channelAccount } from "../../src/modules/channels/schema.js";
import { mention } from "../../src/modules/listening/schema.js";
import { createIngestGateway } from "../../src/pipeline/runtime.js";
import { manualClock } from "../../src/platform/clock.js";
import { isPrivateAddress } from "../../src/platform/net/safeFetch.js";
import { createPerson, createTestApp, type TestApp } from "../support/app.js";
import { testBackend } from "../support/database.js";
import { startHttpPeer } from "../support/httpPeer.js";
import { waitFor } from "../support/webhookReceiver.js";

const here = path.dirname(new URL(import.meta.url).pathname);
const files: Record<string, { type: string; body: string }> = {
  "/rss.xml": { type: "application/rss+xml", body: readFileSync(path.join(here, "feeds/rss.xml"), "utf8") },
  "/atom.xml": {
    type: "application/atom+xml",
    body: readFileSync(path.join(here, "feeds/atom.xml"), "utf8"),
  },
  "/feed.json": {
    type: "application/feed+json",
    body: readFileSync(path.join(here, "feeds/feed.json"), "utf8"),
  },
};
const extraItem = `<item><title>Neu: Nordbahn-App</title><link>https://bahnblog.example/app</link><guid isPermaLink="false">bahnblog-103</guid><description>Tickets im Handy.</description></item>`;

const clock = manualClock(new Date());
let t: TestApp;
let owner: Awaited<ReturnType<typeof createPerson>>;
let peer: Awaited<ReturnType<typeof startHttpPeer>>;
/** Whether the server answers 304 to a matching If-None-Match (off: a server that ignores validators). */
let honourEtag = true;
let rssVersion = 1;

beforeAll(async () => {
  peer = await startHttpPeer((request, response) => {
    const file = files[request.url];
    if (!file) return void response.writeHead(404).end("not here");
    const etag = `"${request.url}-v${request.url === "/rss.xml" ? rssVersion : 1}"`;
    if (honourEtag && request.headers["if-none-match"] === etag) return void response.writeHead(304).end();
    const body =
      request.url === "/rss.xml" && rssVersion > 1
        ? file.body.replace("</channel>", `${extraItem}</channel>`)
        : file.body;
    response
      .writeHead(200, { "content-type": file.type, etag, "last-modified": "Mon, 02 Mar 2026 08:00:00 GMT" })
      .end(body);
  });
  t = await createTestApp({ clock, withPipeline: true });
  owner = await createPerson(t, { role: "owner" });
});
afterAll(async () => {
  await t?.close();
  await peer?.close();
});

async function connectFeed(file: string, allowHosts: string[] = ["127.0.0.1"]) {
  return t.app.inject({
    method: "POST",
    url: "/api/v1/settings/channel-accounts",
    headers: owner.headers,
    payload: {
      network: "rss",
      name: file,
      settings: { url: `${peer.origin}${file}`, intervalMinutes: 5, allowHosts },
    },
  });
}

async function feedMentions() {
  return t.db
    .select()
    .from(mention)
    .where(like(mention.externalId, `${peer.origin}%`));
}

describe(`feeds (${testBackend})`, () => {
  it("refuses a feed on a private or loopback address unless an admin allow-listed the host", async () => {
    const refused = await connectFeed("/rss.xml", []);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.message).toContain("127.0.0.1 is a private or local address");
    for (const address of [
      "10.1.2.3",
      "127.0.0.1",
      "169.254.169.254",
      "192.168.1.1",
      "::1",
      "fe80::1",
      "::ffff:127.0.0.1",
      "fd00::1",
    ]) {
      expect(isPrivateAddress(address), address).toBe(true);
    }
    expect(isPrivateAddress("93.184.216.34")).toBe(false);
    expect(isPrivateAddress("2a00:1450:4001:82a::200e")).toBe(false);
  });

  it("RSS, Atom and JSON Feed items become mentions as plain text; an unchanged feed (304) adds nothing", async () => {
    for (const file of ["/rss.xml", "/atom.xml", "/feed.json"]) {
      const created = await connectFeed(file);
      expect(created.statusCode, created.body).toBe(201);
    }
    await t.connectorJobs.pollAccounts();
    const stored = await waitFor(async () => {
      const rows = await feedMentions();
      return rows.length === 4 ? rows : undefined;
    }, "four feed mentions");
    const texts = stored.map((m) => m.text).sort();
    expect(texts).toContain("Nordbahn: neue Taktung ab März\n\nDie Nordbahn fährt öfter.");
    expect(texts).toContain("Nordbahn WLAN geht wieder\n\nEndlich stabil im ICE.");
    expect(texts).toContain("Folge 12: Mit der Nordbahn an die See\n\nWir testen die Nordbahn .");
    for (const text of texts) expect(text).not.toMatch(/[<>]|alert/);

    const before = peer.received.length;
    await t.connectorJobs.pollAccounts();
    expect(peer.received.length).toBe(before); // not due: each feed waits its interval
    clock.advance(5 * 60_000);
    await t.connectorJobs.pollAccounts();
    const conditional = peer.received.slice(before);
    expect(conditional).toHaveLength(3);
    for (const r of conditional) expect(r.headers["if-none-match"]).toMatch(/-v1"$/);
    expect((await feedMentions()).length).toBe(4);
  });

  it("items arrive exactly once across a restart, even from a server that ignores ETags", async () => {
    honourEtag = false;
    rssVersion = 2;
    const [rss] = await t.db
      .select()
      .from(channelAccount)
      .where(like(channelAccount.displayName, "Bahnblog"));
    // A restarted worker: nothing in memory, only what is stored (cursor) and a fresh connector set.
    const restarted = {
      db: t.db,
      clock,
      secretsKey: t.secretsKey,
      connectors: { ...connectors },
      bus: t.bus,
      submitPosts: createIngestGateway(t.bus).submitPosts,
    };
    clock.advance(5 * 60_000);
    const results = await pollDueAccounts(restarted, { channelId: rss!.channelId });
    expect(results).toEqual([{ channelId: rss!.channelId, received: 0, posts: 1 }]);
    await waitFor(async () => ((await feedMentions()).length === 5 ? true : undefined), "the new item");

    // A crash after handing items on but before the cursor was saved: the batch repeats, nothing doubles.
    await t.db.update(channelAccount).set({ cursor: null }).where(eq(channelAccount.id, rss!.id));
    clock.advance(5 * 60_000);
    const repeated = await pollDueAccounts(restarted, { channelId: rss!.channelId });
    expect(repeated[0]!.posts).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const all = await feedMentions();
    expect(all).toHaveLength(5);
    expect(new Set(all.map((m) => m.externalId)).size).toBe(5);
  });

  it("a feed larger than the size cap is refused, not read to the end", async () => {
    files["/huge.xml"] = {
      type: "application/rss+xml",
      body: `<rss version="2.0"><channel><title>Huge</title>${"<item><title>x</title></item>".repeat(200_000)}</channel></rss>`,
    };
    const refused = await connectFeed("/huge.xml");
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.message).toContain("larger than 5242880 bytes");
  });

  it("a feed that stops answering marks the account failing with the reason", async () => {
    const created = await connectFeed("/feed.json");
    const { id } = created.json() as { id: string };
    delete files["/feed.json"];
    clock.advance(10 * 60_000);
    await t.connectorJobs.pollAccounts();
    const [row] = await t.db.select().from(channelAccount).where(eq(channelAccount.id, id));
    expect(row!.health).toBe("failing");
    expect(row!.lastError).toBe("feed answered 404: not here");
  });
});
