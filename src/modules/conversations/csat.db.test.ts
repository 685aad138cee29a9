import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPerson, createTestApp, type TestApp } from "../../../test/support/app.js";
import { testBackend } from "../../../test/support/database.js";
import { manualClock } from "../../platform/clock.js";
import { csatQuestion, csatScoreIn } from "./csat.js";
import { channel } from "./schema.js";

const day = 86_400_000;
const clock = manualClock("2026-03-02T08:00:00Z");
let t: TestApp;
let owner: Awaited<ReturnType<typeof createPerson>>;
let askingChannelId: string;
let silentChannelId: string;

beforeAll(async () => {
  t = await createTestApp({ clock });
  owner = await createPerson(t, { role: "owner", orgName: "Nordbahn CSAT" });
  const [asking, silent] = await t.db
    .insert(channel)
    .values([
      {
        organizationId: owner.organizationId,
        type: "email",
        name: "service@nordbahn.example",
        isPrivate: true,
      },
      { organizationId: owner.organizationId, type: "bluesky", name: "@nordbahn.bsky.social" },
    ])
    .returning();
  askingChannelId = asking!.id;
  silentChannelId = silent!.id;
  const enabled = await t.app.inject({
    method: "PUT",
    url: `/api/v1/channels/${askingChannelId}/csat`,
    headers: owner.headers,
    payload: { enabled: true },
  });
  expect(enabled.statusCode, enabled.body).toBe(200);
  expect(enabled.json()).toEqual({ id: askingChannelId, csatEnabled: true });
});
afterAll(async () => t?.close());

async function incoming(channelId: string, text: string, conversationId?: string) {
  const response = await t.app.inject({
    method: "POST",
    url: `/api/v1/channels/${channelId}/incoming`,
    headers: owner.headers,
    payload: { authorName: "Jana Schulz", text, ...(conversationId ? { conversationId } : {}) },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { conversationId: string; reopened: boolean };
}

async function resolve(conversationId: string) {
  const response = await t.app.inject({
    method: "PUT",
    url: `/api/v1/conversations/${conversationId}/status`,
    headers: owner.headers,
    payload: { status: "resolved" },
  });
  expect(response.statusCode, response.body).toBe(200);
}

async function detail(conversationId: string) {
  const response = await t.app.inject({
    method: "GET",
    url: `/api/v1/conversations/${conversationId}`,
    headers: owner.headers,
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

describe(`customer satisfaction (${testBackend})`, () => {
  it("reads the first digit 1–5 of an answer", () => {
    expect(csatScoreIn("5")).toBe(5);
    expect(csatScoreIn("Ich gebe 4 von 5")).toBe(4);
    expect(csatScoreIn("sehr gut")).toBeUndefined();
    expect(csatScoreIn("0 Punkte")).toBeUndefined();
    expect(csatQuestion("de")).toMatch(/zufrieden/);
    expect(csatQuestion(null)).toMatch(/satisfied/);
  });

  it("asks on resolving, stores the answer without reopening, and counts it", async () => {
    const { conversationId } = await incoming(askingChannelId, "Mein Zug ist ausgefallen, was nun?");
    clock.advance(60_000);
    await resolve(conversationId);
    const asked = await detail(conversationId);
    expect(asked.csatRequestedAt).toBe(clock.now().toISOString());
    const question = asked.messages.at(-1);
    expect(question.direction).toBe("outgoing");
    expect(question.body).toBe(csatQuestion(asked.language));
    clock.advance(day);
    const answered = await incoming(askingChannelId, "4 – danke!", conversationId);
    expect(answered.reopened).toBe(false);
    const after = await detail(conversationId);
    expect(after).toMatchObject({
      status: "resolved",
      csatScore: 4,
      csatAnsweredAt: clock.now().toISOString(),
    });
    // Resolving again does not ask twice.
    await incoming(askingChannelId, "Noch eine Frage", conversationId);
    await resolve(conversationId);
    const again = await detail(conversationId);
    expect(again.messages.filter((m: { authorName: string }) => m.authorName === "Konversa")).toHaveLength(1);
    const stats = await t.app.inject({
      method: "GET",
      url: "/api/v1/conversations/csat/stats",
      headers: owner.headers,
    });
    expect(stats.statusCode, stats.body).toBe(200);
    expect(stats.json()).toMatchObject({ answers: 1, averageScore: 4 });
  });

  it("a late answer or one without a digit reopens and withdraws the question; other channels are not asked", async () => {
    const late = await incoming(askingChannelId, "Where is my refund?");
    await resolve(late.conversationId);
    clock.advance(8 * day);
    expect((await incoming(askingChannelId, "5", late.conversationId)).reopened).toBe(true);
    expect((await detail(late.conversationId)).csatScore).toBeNull();
    expect((await detail(late.conversationId)).csatRequestedAt).toBeNull();

    const wordy = await incoming(askingChannelId, "Where is my ticket?");
    await resolve(wordy.conversationId);
    expect((await incoming(askingChannelId, "still waiting", wordy.conversationId)).reopened).toBe(true);
    // Resolved again: asked again, and now the answer counts.
    await resolve(wordy.conversationId);
    expect((await incoming(askingChannelId, "3", wordy.conversationId)).reopened).toBe(false);
    expect((await detail(wordy.conversationId)).csatScore).toBe(3);

    const quiet = await incoming(silentChannelId, "Danke für nichts");
    await resolve(quiet.conversationId);
    const seen = await detail(quiet.conversationId);
    expect(seen.csatRequestedAt).toBeNull();
    expect(seen.messages.every((m: { direction: string }) => m.direction === "incoming")).toBe(true);
  });
});
