import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPerson, createTestApp, type TestApp } from "../support/app.js";
import { testBackend } from "../support/database.js";
import { waitFor } from "../support/webhookReceiver.js";
import { samplePost } from "./scenario.js";

let t: TestApp;
let owner: Awaited<ReturnType<typeof createPerson>>;

beforeAll(async () => {
  t = await createTestApp({ withPipeline: true });
  owner = await createPerson(t, { role: "owner", orgName: "Nordbahn Themen" });
});
afterAll(async () => t?.close());

const api = (method: "GET" | "POST", url: string, payload?: object) =>
  t.app.inject({ method, url, headers: owner.headers, payload });
const range = () =>
  `from=${new Date(Date.now() - 3_600_000).toISOString()}&to=${new Date(Date.now() + 60_000).toISOString()}`;

describe(`what people talk about (${testBackend})`, () => {
  it("checks a query expression without saving it, with the error's position and a hint", async () => {
    const bad = await api("POST", "/api/v1/listening/queries/validate", {
      expression: "nordbahn AND (zug OR bahn",
    });
    expect(bad.statusCode).toBe(200);
    expect(bad.json()).toMatchObject({ valid: false, error: { code: "unclosed_parenthesis" } });
    expect(bad.json().error.position).toBe(13);
    expect(bad.json().error.hint.length).toBeGreaterThan(0);
    const good = await api("POST", "/api/v1/listening/queries/validate", {
      expression: 'nordbahn "zug fällt aus" lang:de',
    });
    expect(good.json()).toMatchObject({ valid: true });
    expect(good.json().description).toContain("AND");
    const queries = await api("GET", "/api/v1/listening/queries");
    expect(queries.json()).toEqual([]);
  });

  it("a repeated complaint shows as a keyphrase and as one topic cluster", async () => {
    const posts = [
      ...Array.from({ length: 6 }, (_, i) =>
        samplePost(
          `Nordbahn: Die Klimaanlage im Zug ist schon wieder kaputt, Wagen ${i + 1} ist eine Sauna.`,
          {
            languageHint: "de",
          },
        ),
      ),
      samplePost("Nordbahn Kundenservice war heute sehr freundlich am Telefon.", { languageHint: "de" }),
      samplePost("Nordbahn Kundenservice sehr freundlich, danke für die schnelle Hilfe.", {
        languageHint: "de",
      }),
    ];
    expect((await api("POST", "/api/v1/ingest/posts", { posts })).statusCode).toBe(202);
    await waitFor(
      async () =>
        (await api("GET", "/api/v1/mentions?limit=50")).json().mentions.length === 8 ? true : undefined,
      "the posts as mentions",
    );

    const cloud = (await api("GET", `/api/v1/listening/keyphrases?${range()}`)).json();
    expect(cloud.sampled).toBe(8);
    expect(cloud.phrases.length).toBeGreaterThan(0);
    const top = cloud.phrases[0];
    expect(top.mentions).toBeGreaterThanOrEqual(2);
    expect(top.negative + top.neutral + top.positive).toBe(top.mentions);

    const clusters = (await api("GET", `/api/v1/listening/topics?${range()}`)).json();
    expect(clusters.sampled).toBe(8);
    const largest = clusters.topics[0];
    expect(largest.size).toBeGreaterThanOrEqual(5);
    expect(largest.label.toLowerCase()).toMatch(/klimaanlage|kaputt|sauna|zug/);
    expect(largest.examples.length).toBeGreaterThan(0);
    expect(largest.examples[0].text).toContain("Klimaanlage");

    // A range without mentions reads nothing.
    const past = (
      await api("GET", `/api/v1/listening/topics?from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z`)
    ).json();
    expect(past).toEqual({ sampled: 0, topics: [] });
  });
});
