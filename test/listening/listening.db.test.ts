import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPerson, createTestApp, type TestApp } from "../support/app.js";
import { countRows, testBackend } from "../support/database.js";
import { waitFor } from "../support/webhookReceiver.js";
import { runListeningScenario, samplePost } from "./scenario.js";

let t: TestApp;
let owner: Awaited<ReturnType<typeof createPerson>>;
let token: string;

beforeAll(async () => {
  t = await createTestApp({ withPipeline: true });
  owner = await createPerson(t, { role: "owner", orgName: "Nordbahn Listening" });
  const created = await t.app.inject({
    method: "POST",
    url: "/api/v1/api-tokens",
    headers: owner.headers,
    payload: { name: "ingest" },
  });
  token = created.json().token;
});
afterAll(async () => t?.close());

const api = (method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE", url: string, payload?: object) =>
  t.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, payload });

describe(`listening end to end (${testBackend}, in-process bus)`, () => {
  it("refuses a query with a syntax error, saying where", async () => {
    const response = await api("POST", "/api/v1/listening/queries", {
      name: "Kaputt",
      kind: "brand",
      expression: "(nordbahn OR",
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toMatch(/position/);
    expect(response.json().error.details).toHaveProperty("position");
  });

  it("posts in through the ingest API → searchable with sentiment → counted → one storm alert by signed webhook → a conversation", async () => {
    await runListeningScenario({ api, stormSize: 40, countMentions: () => countRows(t, "mention") });
  });

  it("rejects malformed posts one by one and stores the rest of the batch", async () => {
    const good = samplePost("Nordbahn: Frage zum Deutschlandticket");
    const response = await api("POST", "/api/v1/ingest/posts", {
      posts: [
        good,
        { network: "bluesky", text: "no id", author: { handle: "x" }, postedAt: new Date().toISOString() },
        { ...samplePost("wrong types"), postedAt: "gestern", author: "nobody" },
        { ...samplePost("huge"), text: "x".repeat(10 * 1024 * 1024) },
        { ...good },
        "not even an object",
      ],
    });
    expect(response.statusCode).toBe(202);
    const body = response.json();
    expect(body.accepted).toBe(1);
    expect(body.rejected.map((r: { index: number }) => r.index)).toEqual([1, 2, 3, 4, 5]);
    expect(body.rejected[0].reasons.join(" ")).toMatch(/externalId/);
    expect(body.rejected[1].reasons.join(" ")).toMatch(/postedAt|author/);
    expect(body.rejected[2].reasons.join(" ")).toMatch(/longer than 100000/);
    expect(body.rejected[3].reasons.join(" ")).toMatch(/twice in this batch/);
    await waitFor(
      async () =>
        (await api("GET", "/api/v1/mentions?q=Deutschlandticket")).json().mentions.length === 1
          ? true
          : undefined,
      "the good post",
    );
  });
});
