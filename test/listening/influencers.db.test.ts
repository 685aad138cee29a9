import { and, count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { socialIdentity } from "../../src/modules/contacts/schema.js";
import { mentionedHandles, trendOf } from "../../src/modules/listening/influencers.js";
import { mention } from "../../src/modules/listening/schema.js";
import { createPerson, createTestApp, type TestApp } from "../support/app.js";
import { testBackend } from "../support/database.js";
import { waitFor } from "../support/webhookReceiver.js";

let t: TestApp;
let owner: Awaited<ReturnType<typeof createPerson>>;
let analyst: Awaited<ReturnType<typeof createPerson>>;
let other: Awaited<ReturnType<typeof createPerson>>;
let token: string;
let queryId: string;

const dayMs = 86_400_000;
const now = Date.now();
let sequence = 0;

interface Author {
  handle: string;
  displayName: string;
  followers: number;
}

function post(
  author: Author,
  text: string,
  options: { daysAgo?: number; replyTo?: string; likes?: number; reposts?: number; replies?: number } = {},
) {
  sequence += 1;
  const handle = author.handle;
  return {
    network: "bluesky",
    externalId: `at://did:plc:${handle.split(".")[0]}/app.bsky.feed.post/${sequence.toString(36)}`,
    text,
    languageHint: "de",
    author,
    parentExternalId: options.replyTo,
    postedAt: new Date(now - (options.daysAgo ?? 0) * dayMs - sequence * 60_000).toISOString(),
    engagement: { likes: options.likes ?? 0, reposts: options.reposts ?? 0, replies: options.replies ?? 0 },
  };
}

const api = (method: "GET" | "POST" | "PUT", url: string, payload?: object) =>
  t.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, payload });

/** A train driver whose tips everybody answers, against a news ticker that nobody talks to. */
const maja: Author = {
  handle: "lokfuehrerin-maja.bsky.social",
  displayName: "Maja fährt Zug",
  followers: 800,
};
const ticker: Author = {
  handle: "bahnticker24.bsky.social",
  displayName: "Bahnticker 24",
  followers: 52_000,
};
const commuters: Author[] = [
  { handle: "pendlerin-kiel.bsky.social", displayName: "Pendlerin Kiel", followers: 340 },
  { handle: "jonas-hh.bsky.social", displayName: "Jonas", followers: 120 },
  { handle: "radundbahn.bsky.social", displayName: "Rad & Bahn", followers: 610 },
  { handle: "oma-gerda.bsky.social", displayName: "Gerda", followers: 95 },
  { handle: "studi-flensburg.bsky.social", displayName: "Studi FL", followers: 230 },
  { handle: "fahrgastverband-nord.bsky.social", displayName: "Fahrgastverband Nord", followers: 580 },
];
const fading: Author = { handle: "pendler-tom.bsky.social", displayName: "Tom", followers: 150 };
const newcomer: Author = { handle: "neu-im-zug.bsky.social", displayName: "Neu im Zug", followers: 60 };

beforeAll(async () => {
  t = await createTestApp({ withPipeline: true });
  owner = await createPerson(t, { role: "owner", orgName: "Nordbahn Social Care" });
  analyst = await createPerson(t, { role: "analyst", organizationId: owner.organizationId });
  other = await createPerson(t, { role: "owner", orgName: "Südbahn Kommunikation" });
  const created = await t.app.inject({
    method: "POST",
    url: "/api/v1/api-tokens",
    headers: owner.headers,
    payload: { name: "ingest" },
  });
  token = created.json().token;
  const query = await api("POST", "/api/v1/listening/queries", {
    name: "Nordbahn",
    kind: "brand",
    expression: "nordbahn OR @nordbahn",
  });
  queryId = query.json().id;

  const majaTips = [
    post(maja, "Tipp für alle Nordbahn-Pendler: im RE7 ist der letzte Wagen morgens fast leer.", {
      likes: 40,
      reposts: 8,
      replies: 6,
    }),
    post(maja, "Nordbahn hat heute Weichenstörung bei Elmshorn, nehmt lieber die S-Bahn bis Pinneberg.", {
      likes: 25,
      reposts: 5,
      replies: 4,
    }),
    post(maja, "Ehrlich: die neuen Nordbahn-Triebwagen fahren sich super, die Klimaanlage endlich auch.", {
      likes: 30,
      reposts: 3,
      replies: 3,
    }),
  ];
  // Maja posted as much the week before, so her trend is steady.
  const majaEarlier = [
    "Nordbahn-Fahrplanwechsel: die erste Bahn nach Kiel fährt jetzt 5:12.",
    "Wer am Wochenende mit der Nordbahn fährt: Ersatzverkehr ab Neumünster.",
    "Kleiner Einblick aus dem Führerstand der Nordbahn, Sonnenaufgang über der Marsch.",
  ].map((text) => post(maja, text, { daysAgo: 9, likes: 12, replies: 2 }));
  const tickerPosts = Array.from({ length: 12 }, (_, i) =>
    post(
      ticker,
      `+++ Nordbahn: RE${70 + i} heute ${5 + i} Minuten verspätet +++ Alle Meldungen auf unserer Seite`,
      {
        likes: 1,
      },
    ),
  );
  const replies = commuters.map((c, i) =>
    post(c, `Danke, genau so! Die Nordbahn sollte dich als Fahrgastbeauftragte einstellen (${i + 1}).`, {
      replyTo: majaTips[i % majaTips.length]!.externalId,
      likes: 2,
    }),
  );
  const shoutOuts = commuters
    .slice(0, 4)
    .map((c) => post(c, `Wer die Nordbahn verstehen will, folgt @${maja.handle} – beste Infos im Norden.`));
  const sideTalk = post(commuters[0]!, "@jonas-hh.bsky.social fährst du morgen auch mit der Nordbahn?", {
    replyTo: replies[1]!.externalId,
  });
  const tomEarlier = [1, 2, 3, 4].map((i) =>
    post(fading, `Nordbahn wieder pünktlich, Tag ${i} in Folge. Respekt!`, { daysAgo: 8 + i }),
  );
  const newcomerPosts = [1, 2, 3, 4].map((i) =>
    post(newcomer, `Erste Woche mit der Nordbahn zur Arbeit, Fahrt Nummer ${i}.`),
  );
  const posts = [
    ...majaTips,
    ...majaEarlier,
    ...tickerPosts,
    ...replies,
    ...shoutOuts,
    sideTalk,
    ...tomEarlier,
    ...newcomerPosts,
  ];
  const accepted = await api("POST", "/api/v1/ingest/posts", { posts });
  expect(accepted.json()).toMatchObject({ accepted: posts.length, rejected: [] });
  await waitFor(async () => {
    const [row] = await t.db
      .select({ n: count() })
      .from(mention)
      .where(eq(mention.organizationId, owner.organizationId));
    return row!.n === posts.length ? true : undefined;
  }, `all ${posts.length} mentions`);
});
afterAll(async () => t?.close());

interface Listed {
  identityId: string;
  handle: string;
  isVip: boolean;
  score: number | null;
  mentions7d: number;
  mentionsPrev7d: number;
  trend: string;
}

describe(`influencers (${testBackend})`, () => {
  it("reads @handles as they are written on Bluesky and Mastodon", () => {
    expect(mentionedHandles("Hallo @maja.bsky.social. und @anna@chaos.social, mail an x@y.de")).toEqual([
      "maja.bsky.social",
      "anna@chaos.social",
    ]);
    expect(trendOf(5, 1)).toBe("rising");
    expect(trendOf(3, 3)).toBe("steady");
    expect(trendOf(11, 10)).toBe("steady");
    expect(trendOf(0, 4)).toBe("falling");
  });

  it("ranks the author the conversation turns to above a loud one-way poster with 65 times her followers", async () => {
    const response = await t.app.inject({
      method: "POST",
      url: "/api/v1/listening/influencers/recompute",
      headers: owner.headers,
    });
    expect(response.statusCode, response.body).toBe(200);
    const { ranking, authors } = response.json();
    expect(authors).toBe(2 + commuters.length + 2);
    // The ticker wins on reach and frequency (52,000 followers, 12 posts), but nobody replies to
    // it or names it; six people answer Maja and four recommend her by @handle. Centrality and her
    // posts' engagement outweigh reach and volume, so she ranks first.
    expect(ranking[0].handle).toBe(maja.handle);
    const majaRank = ranking[0];
    const tickerRank = ranking.find((r: { handle: string }) => r.handle === ticker.handle);
    expect(majaRank.components.centrality).toBe(1);
    expect(tickerRank.components.centrality).toBe(0);
    expect(tickerRank.components.reach).toBe(1);
    expect(tickerRank.components.frequency).toBe(1);
    expect(majaRank.score).toBeGreaterThan(tickerRank.score + 10);
    expect(majaRank.score).toBeLessThanOrEqual(100);
    for (const r of ranking) expect(r.score).toBeGreaterThanOrEqual(0);

    // Scores are stored on the identities.
    const [stored] = await t.db
      .select()
      .from(socialIdentity)
      .where(
        and(eq(socialIdentity.organizationId, owner.organizationId), eq(socialIdentity.handle, maja.handle)),
      );
    expect(stored!.influenceScore).toBe(majaRank.score);
    expect(stored!.influenceUpdatedAt).toBeInstanceOf(Date);
  });

  it("lists influencers with their 7-day trend, for the whole organization and for one query", async () => {
    const response = await t.app.inject({
      method: "GET",
      url: "/api/v1/listening/influencers?limit=50",
      headers: analyst.headers,
    });
    expect(response.statusCode, response.body).toBe(200);
    const listed: Listed[] = response.json();
    expect(listed[0]!.handle).toBe(maja.handle);
    const byHandle = new Map(listed.map((l) => [l.handle, l]));
    expect(byHandle.get(maja.handle)).toMatchObject({ mentions7d: 3, mentionsPrev7d: 3, trend: "steady" });
    expect(byHandle.get(newcomer.handle)).toMatchObject({
      mentions7d: 4,
      mentionsPrev7d: 0,
      trend: "rising",
    });
    expect(byHandle.get(fading.handle)).toMatchObject({ mentions7d: 0, mentionsPrev7d: 4, trend: "falling" });
    const scores = listed.map((l) => l.score ?? -1);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));

    const limited = await api("GET", `/api/v1/listening/influencers?queryId=${queryId}&limit=3`);
    expect(limited.statusCode, limited.body).toBe(200);
    expect(limited.json()).toHaveLength(3);
    expect(limited.json()[0].handle).toBe(maja.handle);
  });

  it("marks a VIP (audited), and only curators may", async () => {
    const listed: Listed[] = (await api("GET", "/api/v1/listening/influencers?limit=50")).json();
    const gerda = listed.find((l) => l.handle === "oma-gerda.bsky.social")!;
    const denied = await t.app.inject({
      method: "PUT",
      url: `/api/v1/listening/authors/${gerda.identityId}/vip`,
      headers: analyst.headers,
      payload: { isVip: true },
    });
    expect(denied.statusCode).toBe(403);
    const marked = await t.app.inject({
      method: "PUT",
      url: `/api/v1/listening/authors/${gerda.identityId}/vip`,
      headers: owner.headers,
      payload: { isVip: true },
    });
    expect(marked.statusCode, marked.body).toBe(200);
    expect(marked.json()).toMatchObject({ identityId: gerda.identityId, isVip: true });
    const after: Listed[] = (await api("GET", "/api/v1/listening/influencers?limit=50")).json();
    expect(after.find((l) => l.identityId === gerda.identityId)!.isVip).toBe(true);
    const audit = await t.app.inject({
      method: "GET",
      url: "/api/v1/audit?action=social_identity.vip_marked",
      headers: owner.headers,
    });
    expect(audit.json().entries).toHaveLength(1);
    expect(audit.json().entries[0]).toMatchObject({ entityId: gerda.identityId, actorUserId: owner.userId });
  });

  it("another organization sees none of it and gets 404 for its authors and queries", async () => {
    const listed: Listed[] = (await api("GET", "/api/v1/listening/influencers?limit=50")).json();
    const majaId = listed.find((l) => l.handle === maja.handle)!.identityId;
    const asOther = (method: "GET" | "POST" | "PUT", url: string, payload?: object) =>
      t.app.inject({ method, url, headers: other.headers, payload });

    const vip = await asOther("PUT", `/api/v1/listening/authors/${majaId}/vip`, { isVip: true });
    expect(vip.statusCode, vip.body).toBe(404);
    const train = await asOther("POST", `/api/v1/listening/queries/${queryId}/relevance/train`);
    expect(train.statusCode, train.body).toBe(404);
    const byQuery = await asOther("GET", `/api/v1/listening/influencers?queryId=${queryId}`);
    expect(byQuery.statusCode).toBe(404);
    const own = await asOther("GET", "/api/v1/listening/influencers");
    expect(own.statusCode).toBe(200);
    expect(own.json()).toEqual([]);
    const recompute = await asOther("POST", "/api/v1/listening/influencers/recompute");
    expect(recompute.json().authors).toBe(0);

    const [stillVip] = await t.db.select().from(socialIdentity).where(eq(socialIdentity.id, majaId));
    expect(stillVip!.isVip).toBe(false);
    expect(stillVip!.influenceScore).toBeGreaterThan(0);
  });
});
