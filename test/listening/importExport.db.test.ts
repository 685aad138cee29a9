import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mention } from "../../src/modules/listening/schema.js";
import { createPerson, createTestApp, type TestApp } from "../support/app.js";
import { testBackend } from "../support/database.js";
import { waitFor } from "../support/webhookReceiver.js";
import { samplePost } from "./scenario.js";

let t: TestApp;
let owner: Awaited<ReturnType<typeof createPerson>>;
let token: string;

/** A whole CSV document per RFC 4180, parsed independently of the code under test. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      record.push(field);
      field = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      record.push(field);
      records.push(record);
      record = [];
      field = "";
      i++;
    } else field += c;
  }
  if (field || record.length > 0) records.push([...record, field]);
  return records;
}

const get = (url: string, headers: Record<string, string> = { authorization: `Bearer ${token}` }) =>
  t.app.inject({ method: "GET", url, headers });

/** 2,100 mentions of one day, 300 of them at the very same instant (ties across page borders). */
const bulkDay = new Date("2024-05-01T12:00:00.000Z");
const bulkSize = 2_100;

beforeAll(async () => {
  t = await createTestApp({ withPipeline: true });
  owner = await createPerson(t, { role: "owner", orgName: "Nordbahn Export" });
  token = (
    await t.app.inject({
      method: "POST",
      url: "/api/v1/api-tokens",
      headers: owner.headers,
      payload: { name: "export" },
    })
  ).json().token;

  const rows = Array.from({ length: bulkSize }, (_, i) => ({
    organizationId: owner.organizationId,
    network: "forum",
    externalId: `bulk-${i}`,
    text: `Beitrag ${i} über Nordbahn`,
    language: "de",
    sentiment: i % 3 === 0 ? "negative" : "neutral",
    sentimentScore: i % 3 === 0 ? -0.6 : 0,
    offensiveScore: 0,
    urgency: 0.1,
    hasPii: false,
    aspects: [],
    keyphrases: [],
    matchedQueryIds: [],
    postedAt: i < 300 ? bulkDay : new Date(bulkDay.getTime() - i * 1000),
  }));
  for (let i = 0; i < rows.length; i += 500) await t.db.insert(mention).values(rows.slice(i, i + 500));

  // Posts whose text a spreadsheet would run as a formula, and text that needs RFC 4180 quoting.
  const tricky = [
    '=HYPERLINK("http://evil.example","klick")',
    "+49 170 1234567 ruft nicht zurück",
    "-1 Stern für die Nordbahn",
    "@nordbahn wo bleibt der Zug?",
    'Sie sagte "Verspätung", schon wieder,\nzweite Zeile',
  ];
  const response = await t.app.inject({
    method: "POST",
    url: "/api/v1/ingest/posts",
    headers: { authorization: `Bearer ${token}` },
    payload: {
      posts: tricky.map((text, i) =>
        samplePost(text, {
          network: "mastodon",
          externalId: `tricky-${i}`,
          postedAt: "2024-06-01T08:00:00Z",
        }),
      ),
    },
  });
  expect(response.statusCode).toBe(202);
  await waitFor(
    async () =>
      (await get("/api/v1/mentions/count?network=mastodon")).json().count === 5 ? true : undefined,
    "the tricky posts",
  );
});
afterAll(async () => t?.close());

describe(`mention export (${testBackend})`, () => {
  it("counts the filtered set the same way the search filters it", async () => {
    expect((await get("/api/v1/mentions/count")).json()).toEqual({ count: bulkSize + 5 });
    expect((await get("/api/v1/mentions/count?network=forum&sentiment=negative")).json()).toEqual({
      count: bulkSize / 3,
    });
    expect((await get("/api/v1/mentions/count?from=2024-05-01T12:00:00Z")).json().count).toBe(300 + 5);
    const invalid = await get("/api/v1/mentions/count?sentiment=furious");
    expect(invalid.statusCode).toBe(400);
  });

  it("streams every mention of a large set once, newest first, across keyset pages with equal timestamps", async () => {
    const response = await get("/api/v1/mentions/export?format=jsonl&network=forum");
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toMatch(/^application\/x-ndjson/);
    expect(response.headers["content-disposition"]).toMatch(
      /^attachment; filename="mentions-\d{4}-\d{2}-\d{2}\.jsonl"$/,
    );
    const lines = response.body.trimEnd().split("\n");
    const mentions = lines.map((line) => JSON.parse(line));
    expect(mentions).toHaveLength(bulkSize);
    expect(new Set(mentions.map((m) => m.externalId)).size).toBe(bulkSize);
    const times = mentions.map((m) => Date.parse(m.postedAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    // The same shape as the search API returns.
    const first = (await get("/api/v1/mentions?network=forum&limit=1")).json().mentions[0];
    expect(mentions[0]).toEqual(first);
  });

  it("writes CSV with a header, RFC 4180 quoting and formulas neutralised, for the filter given", async () => {
    const response = await get("/api/v1/mentions/export?format=csv&network=mastodon");
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toMatch(/^text\/csv; charset=utf-8/);
    expect(response.headers["content-disposition"]).toMatch(/filename="mentions-\d{4}-\d{2}-\d{2}\.csv"/);
    expect(response.body.startsWith("\uFEFFid,network,externalId,postedAt,")).toBe(true);
    const [header, ...rows] = parseCsv(response.body.slice(1));
    expect(rows).toHaveLength(5);
    const text = (row: string[]) => row[header!.indexOf("text")];
    const byId = new Map(rows.map((row) => [row[header!.indexOf("externalId")], row]));
    expect(text(byId.get("tricky-0")!)).toBe(`'=HYPERLINK("http://evil.example","klick")`);
    expect(text(byId.get("tricky-1")!)).toBe("'+49 170 1234567 ruft nicht zurück");
    expect(text(byId.get("tricky-2")!)).toBe("'-1 Stern für die Nordbahn");
    expect(text(byId.get("tricky-3")!)).toBe("'@nordbahn wo bleibt der Zug?");
    expect(text(byId.get("tricky-4")!)).toBe('Sie sagte "Verspätung", schon wieder,\nzweite Zeile');
    for (const row of rows) {
      expect(row).toHaveLength(header!.length);
      expect(row[header!.indexOf("network")]).toBe("mastodon");
      expect(row[header!.indexOf("authorHandle")]).toMatch(/^kunde\d+\.bsky\.social$/);
    }
  });

  it("a filter that selects nothing gives the header alone", async () => {
    const response = await get("/api/v1/mentions/export?format=csv&q=gibtesnicht");
    expect(response.statusCode).toBe(200);
    expect(parseCsv(response.body.slice(1))).toHaveLength(1);
    expect((await get("/api/v1/mentions/count?q=gibtesnicht")).json()).toEqual({ count: 0 });
  });

  it("an analyst exports with the session cookie; GET needs no Origin", async () => {
    const analyst = await createPerson(t, { role: "analyst", organizationId: owner.organizationId });
    const response = await get("/api/v1/mentions/export?format=jsonl&network=mastodon", {
      cookie: analyst.cookie,
    });
    expect(response.statusCode).toBe(200);
    expect(response.body.trimEnd().split("\n")).toHaveLength(5);
  });

  it("another organization exports none of these mentions", async () => {
    const stranger = await createPerson(t, { role: "owner", orgName: "Andere Bahn" });
    const response = await get("/api/v1/mentions/export?format=jsonl", { cookie: stranger.cookie });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe("");
    expect((await get("/api/v1/mentions/count", { cookie: stranger.cookie })).json()).toEqual({ count: 0 });
  });

  it("refuses a request without a session or token with 401", async () => {
    for (const url of ["/api/v1/mentions/export?format=csv", "/api/v1/mentions/count"]) {
      const response = await get(url, {});
      expect(response.statusCode).toBe(401);
      expect(response.json().error.code).toBe("unauthorized");
    }
  });
});
