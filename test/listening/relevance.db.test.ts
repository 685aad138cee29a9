import { and, count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadRelevanceModels, predictRelevance } from "../../src/modules/listening/relevanceTrainer.js";
import { listeningQuery, mention } from "../../src/modules/listening/schema.js";
import { createPerson, createTestApp, type TestApp } from "../support/app.js";
import { testBackend } from "../support/database.js";
import { waitFor } from "../support/webhookReceiver.js";

/*
 * "Nordbahn" is a regional rail company here, and also a crossword answer, a cycle path in
 * Wuppertal, a quarter of Vienna and a railway of 1837. The query `nordbahn` matches all of them;
 * the query's own model learns from people's labels which ones the company cares about.
 */
const cities = [
  "Kiel",
  "Husum",
  "Flensburg",
  "Neumünster",
  "Elmshorn",
  "Heide",
  "Itzehoe",
  "Rendsburg",
  "Schleswig",
  "Pinneberg",
  "Lübeck",
];
type Fill = { city: string; n: number; m: number; k: number; h: number };
const aboutTheCompany: Array<(f: Fill) => string> = [
  (f) =>
    `Nordbahn RE${f.n} nach ${f.city} schon wieder ${f.m} Minuten Verspätung, ich verpasse meinen Anschluss.`,
  (f) => `Danke an die Zugbegleiterin der Nordbahn im Zug nach ${f.city}, super freundlich und hilfsbereit!`,
  (f) =>
    `Warum zeigt die Nordbahn-App keine Ersatzbusse ab ${f.city} an? Stehe seit ${f.m} Minuten am Bahnsteig.`,
  (f) => `Gilt das Deutschlandticket auch im Nordbahn RE${f.n} nach ${f.city}?`,
  (f) =>
    `Zugausfall bei der Nordbahn zwischen ${f.city} und Hamburg, kein Ersatzverkehr in Sicht (Tag ${f.n}).`,
  (f) => `Nordbahn train to ${f.city} cancelled again, no announcement on the platform for ${f.m} minutes.`,
  (f) =>
    `Shoutout to the Nordbahn conductor on the ${f.city} line, very helpful with my bike (train ${f.n}).`,
  (f) =>
    `Does anyone know if the Nordbahn ticket machine in ${f.city} takes cards? Train leaves in ${f.m} minutes.`,
  (f) => `Fahrplanwechsel bei der Nordbahn: RE${f.n} hält ab Montag nicht mehr in ${f.city}.`,
  (f) => `Klimaanlage im Nordbahn-Zug nach ${f.city} wieder kaputt, ${f.m} Grad im Wagen.`,
  (f) =>
    `Die Nordbahn-Hotline hat mir die Fahrgastrechte für ${f.m} Minuten Verspätung in ${f.city} erstattet.`,
  (f) => `Nordbahn delay of ${f.m} minutes at ${f.city} station this morning, missed my connection again.`,
];
const aboutSomethingElse: Array<(f: Fill) => string> = [
  (f) => `Kreuzworträtsel Nr. ${f.n}, ${f.m} senkrecht: Nordbahn? Passt leider nicht.`,
  (f) => `Schöne Radtour auf der Nordbahn-Trasse in Wuppertal, ${f.m} km bei Sonnenschein.`,
  (f) => `Neue Wohnung im Nordbahn-Viertel in Wien, ${f.k} Zimmer mit Balkon zum Park (Nr. ${f.n}).`,
  (f) => `Buchtipp: die Geschichte der Kaiser-Ferdinands-Nordbahn von 1837, Kapitel ${f.n} ist spannend.`,
  (f) => `Flohmarkt am Sonntag in der Nordbahn-Straße, Stand ${f.n} mit alten Schallplatten.`,
  (f) => `Crossword clue ${f.n} across: Nordbahn, ${f.m} letters, any ideas?`,
  (f) => `Cycling the Nordbahn-Trasse in Wuppertal today, ${f.m} km of old tunnels and viaducts.`,
  (f) => `Our new flat in the Nordbahn quarter of Vienna has ${f.k} rooms and a park view (block ${f.n}).`,
  (f) => `Konzert heute Abend in der Nordbahn-Halle in Wien, Einlass ab ${f.h} Uhr, Reihe ${f.n}.`,
  (f) => `Joggingrunde durch den Park am Nordbahn-Viertel, ${f.m} km geschafft.`,
  (f) => `Rätselheft Seite ${f.n}: Lösungswort Nordbahn, ich habe gewonnen!`,
  (f) => `History podcast episode ${f.n}: the Emperor Ferdinand Nordbahn and Vienna in 1838.`,
];
function generate(templates: Array<(f: Fill) => string>, total: number): string[] {
  return Array.from({ length: total }, (_, i) =>
    templates[i % templates.length]!({
      city: cities[i % cities.length]!,
      n: i + 3,
      m: ((i * 7) % 40) + 5,
      k: 2 + (i % 4),
      h: 18 + (i % 3),
    }),
  );
}
const relevantTexts = generate(aboutTheCompany, 40);
const irrelevantTexts = generate(aboutSomethingElse, 40);
/** Labelled by people and used to train; the last 12 of each kind are never stored nor seen. */
const labelledCount = 28;

let t: TestApp;
let owner: Awaited<ReturnType<typeof createPerson>>;
let agent: Awaited<ReturnType<typeof createPerson>>;
let analyst: Awaited<ReturnType<typeof createPerson>>;
let token: string;
let queryId: string;
const mentionIdByText = new Map<string, string>();
let sequence = 0;

const api = (method: "GET" | "POST" | "PUT", url: string, payload?: object) =>
  t.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, payload });

function post(text: string) {
  sequence += 1;
  return {
    network: "bluesky",
    externalId: `at://did:plc:relevance/app.bsky.feed.post/${sequence}`,
    text,
    author: { handle: `fahrgast${sequence % 9}.bsky.social`, followers: 50 + sequence },
    postedAt: new Date(Date.now() - sequence * 60_000).toISOString(),
  };
}

async function label(texts: string[], relevant: boolean) {
  for (const text of texts) {
    const response = await api("PUT", `/api/v1/mentions/${mentionIdByText.get(text)}/relevance`, {
      relevant,
    });
    expect(response.statusCode, response.body).toBe(200);
  }
}

const train = (headers: Record<string, string>) =>
  t.app.inject({ method: "POST", url: `/api/v1/listening/queries/${queryId}/relevance/train`, headers });

beforeAll(async () => {
  t = await createTestApp({ withPipeline: true });
  owner = await createPerson(t, { role: "owner", orgName: "Nordbahn Relevanz" });
  agent = await createPerson(t, { role: "agent", organizationId: owner.organizationId });
  analyst = await createPerson(t, { role: "analyst", organizationId: owner.organizationId });
  token = (
    await t.app.inject({
      method: "POST",
      url: "/api/v1/api-tokens",
      headers: owner.headers,
      payload: { name: "ingest" },
    })
  ).json().token;
  queryId = (
    await api("POST", "/api/v1/listening/queries", {
      name: "Nordbahn",
      kind: "brand",
      expression: "nordbahn",
    })
  ).json().id;
  const stored = [...relevantTexts.slice(0, labelledCount), ...irrelevantTexts.slice(0, labelledCount)];
  const accepted = await api("POST", "/api/v1/ingest/posts", { posts: stored.map(post) });
  expect(accepted.json()).toMatchObject({ accepted: stored.length, rejected: [] });
  await waitFor(async () => {
    const [row] = await t.db
      .select({ n: count() })
      .from(mention)
      .where(eq(mention.organizationId, owner.organizationId));
    return row!.n === stored.length ? true : undefined;
  }, "the posts");
  const listed = (await api("GET", `/api/v1/mentions?queryId=${queryId}&limit=200`)).json().mentions;
  for (const m of listed as Array<{ id: string; text: string }>) mentionIdByText.set(m.text, m.id);
  // Every post, whichever Nordbahn it means, matches the keyword query.
  expect(mentionIdByText.size).toBe(stored.length);
});
afterAll(async () => t?.close());

describe(`per-query relevance model (${testBackend})`, () => {
  it("says how many more labels of which kind it needs", async () => {
    await label(relevantTexts.slice(0, 5), true);
    await label(irrelevantTexts.slice(0, 3), false);
    const response = await train(agent.headers);
    expect(response.statusCode).toBe(400);
    const { message, details } = response.json().error;
    expect(message).toMatch(/5 more as relevant and 7 more as not relevant/);
    expect(details).toMatchObject({ relevant: 5, notRelevant: 3, required: 10 });
  });

  it("trains from the labels, measures itself on held-out labels, and separates unseen posts", async () => {
    await label(relevantTexts.slice(5, labelledCount), true);
    await label(irrelevantTexts.slice(3, labelledCount), false);
    expect((await train(analyst.headers)).statusCode).toBe(403);

    const response = await train(agent.headers);
    expect(response.statusCode, response.body).toBe(200);
    const result = response.json();
    expect(result).toMatchObject({ examples: 56, relevant: 28, notRelevant: 28 });
    expect(result.accuracy).toBeGreaterThanOrEqual(0.8);

    const [query] = await t.db.select().from(listeningQuery).where(eq(listeningQuery.id, queryId));
    expect(query!.relevanceAccuracy).toBe(result.accuracy);
    expect(query!.relevanceTrainedAt).toBeInstanceOf(Date);

    const models = await loadRelevanceModels(t.db, owner.organizationId);
    expect([...models.keys()]).toEqual([queryId]);
    const model = models.get(queryId)!;
    const unseenRelevant = relevantTexts.slice(labelledCount);
    const unseenIrrelevant = irrelevantTexts.slice(labelledCount);
    const pRelevant = unseenRelevant.map((text) => predictRelevance(model, text));
    const pIrrelevant = unseenIrrelevant.map((text) => predictRelevance(model, text));
    const right = pRelevant.filter((p) => p >= 0.5).length + pIrrelevant.filter((p) => p < 0.5).length;
    expect(right / (pRelevant.length + pIrrelevant.length)).toBeGreaterThanOrEqual(0.9);
    const mean = (ps: number[]) => ps.reduce((s, p) => s + p, 0) / ps.length;
    expect(mean(pRelevant) - mean(pIrrelevant)).toBeGreaterThan(0.4);
    // Phrasings it has never seen still land on the right side.
    expect(
      predictRelevance(model, "Nordbahn Zug nach Kiel fällt aus, wann kommt der nächste?"),
    ).toBeGreaterThan(0.5);
    expect(predictRelevance(model, "Kreuzworträtsel am Sonntag: Nordbahn mit acht Buchstaben")).toBeLessThan(
      0.5,
    );
  });

  it("trains deterministically and is audited", async () => {
    const [before] = await t.db.select().from(listeningQuery).where(eq(listeningQuery.id, queryId));
    const again = await train(owner.headers);
    expect(again.statusCode).toBe(200);
    const [after] = await t.db.select().from(listeningQuery).where(eq(listeningQuery.id, queryId));
    expect(after!.relevanceModel).toBe(before!.relevanceModel);
    expect(after!.relevanceAccuracy).toBe(before!.relevanceAccuracy);
    const audit = await t.app.inject({
      method: "GET",
      url: "/api/v1/audit?action=listening_query.relevance_trained",
      headers: owner.headers,
    });
    expect(audit.json().entries).toHaveLength(2);
    expect(audit.json().entries[0]).toMatchObject({
      entityId: queryId,
      details: { relevant: 28, notRelevant: 28 },
    });
  });

  it("another organization cannot train or read this query's model", async () => {
    const stranger = await createPerson(t, { role: "owner", orgName: "Fremde Bahn" });
    expect((await train(stranger.headers)).statusCode).toBe(404);
    expect((await loadRelevanceModels(t.db, stranger.organizationId)).size).toBe(0);
    const [still] = await t.db
      .select({ n: count() })
      .from(listeningQuery)
      .where(and(eq(listeningQuery.organizationId, stranger.organizationId)));
    expect(still!.n).toBe(0);
  });
});
