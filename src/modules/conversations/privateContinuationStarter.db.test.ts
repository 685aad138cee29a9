import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPerson, createTestApp, type TestApp } from "../../../test/support/app.js";
import { testBackend } from "../../../test/support/database.js";
import { findPii } from "../../nlp/index.js";
import { contact } from "../contacts/schema.js";
import { channel, conversation } from "./schema.js";

const iban = "DE89 3704 0044 0532 0130 00";
const post = `@nordbahn Bitte erstatten Sie mir die Fahrkarte auf mein Konto ${iban}, danke! Jana Schulz`;

let t: TestApp;
let owner: Awaited<ReturnType<typeof createPerson>>;
let publicChannelId: string;
let privateChannelId: string;
let conversationId: string;

beforeAll(async () => {
  t = await createTestApp();
  owner = await createPerson(t, { role: "owner", orgName: "Nordbahn Privat" });
  const [publicChannel, privateChannel] = await t.db
    .insert(channel)
    .values([
      { organizationId: owner.organizationId, type: "bluesky", name: "@nordbahn.bsky.social" },
      {
        organizationId: owner.organizationId,
        type: "email",
        name: "service@nordbahn.example",
        isPrivate: true,
      },
    ])
    .returning();
  publicChannelId = publicChannel!.id;
  privateChannelId = privateChannel!.id;
  const [customer] = await t.db
    .insert(contact)
    .values({ organizationId: owner.organizationId, displayName: "Jana Schulz" })
    .returning();
  const received = await t.app.inject({
    method: "POST",
    url: `/api/v1/channels/${publicChannelId}/incoming`,
    headers: owner.headers,
    payload: { authorName: "Jana Schulz", text: post },
  });
  expect(received.statusCode, received.body).toBe(201);
  conversationId = received.json().conversationId;
  await t.db.update(conversation).set({ contactId: customer!.id }).where(eq(conversation.id, conversationId));
});
afterAll(async () => t?.close());

describe(`public to private (${testBackend})`, () => {
  it("a public post with an IBAN is flagged, and so is a draft reply that repeats it", async () => {
    const detail = (
      await t.app.inject({
        method: "GET",
        url: `/api/v1/conversations/${conversationId}`,
        headers: owner.headers,
      })
    ).json();
    const incoming = detail.messages.find((m: { direction: string }) => m.direction === "incoming");
    expect(incoming.hasPii).toBe(true);
    const check = await t.app.inject({
      method: "POST",
      url: `/api/v1/conversations/${conversationId}/pii-check`,
      headers: owner.headers,
      payload: { messageId: incoming.id },
    });
    expect(check.statusCode, check.body).toBe(200);
    expect(check.json()).toMatchObject({ containsPersonalData: true, isPublic: true });
    expect(check.json().spans.map((s: { type: string }) => s.type)).toContain("iban");
    expect(check.body).not.toContain("3704");
    const draft = await t.app.inject({
      method: "POST",
      url: `/api/v1/conversations/${conversationId}/pii-check`,
      headers: owner.headers,
      payload: { text: `Wir überweisen auf ${iban}.` },
    });
    expect(draft.json().containsPersonalData).toBe(true);
    const refused = await t.app.inject({
      method: "POST",
      url: `/api/v1/conversations/${conversationId}/replies`,
      headers: owner.headers,
      payload: { body: `Wir überweisen auf ${iban}.` },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.message).toMatch(/personal data/);
  });

  it("refuses a public reply template that names the customer", async () => {
    const template = await t.app.inject({
      method: "POST",
      url: "/api/v1/canned-responses",
      headers: owner.headers,
      payload: {
        shortcut: "dm-named",
        title: "DM named",
        body: "Hallo {{contact.first_name}}, wir schreiben Ihnen privat.",
      },
    });
    expect(template.statusCode, template.body).toBe(201);
    const refused = await t.app.inject({
      method: "POST",
      url: `/api/v1/conversations/${conversationId}/continue-privately`,
      headers: owner.headers,
      payload: { channelId: privateChannelId, cannedResponseId: template.json().id },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.message).toMatch(/contact\.first_name/);
    const onPublic = await t.app.inject({
      method: "POST",
      url: `/api/v1/conversations/${conversationId}/continue-privately`,
      headers: owner.headers,
      payload: { channelId: publicChannelId },
    });
    expect(onPublic.statusCode).toBe(400);
    expect(onPublic.json().error.message).toMatch(/public channel/);
  });

  it("continues privately: a public reply without personal data and a linked private conversation", async () => {
    const response = await t.app.inject({
      method: "POST",
      url: `/api/v1/conversations/${conversationId}/continue-privately`,
      headers: owner.headers,
      payload: { channelId: privateChannelId },
    });
    expect(response.statusCode, response.body).toBe(201);
    const { privateConversationId, publicReply } = response.json();
    expect(findPii(publicReply.body)).toEqual([]);
    for (const personal of ["Jana", "Schulz", "3704", "DE89"])
      expect(publicReply.body).not.toContain(personal);

    const original = (
      await t.app.inject({
        method: "GET",
        url: `/api/v1/conversations/${conversationId}`,
        headers: owner.headers,
      })
    ).json();
    expect(original.linkedConversationId).toBe(privateConversationId);
    expect(original.firstResponseDueAt).toBeNull();
    expect(original.messages.at(-1)).toMatchObject({ direction: "outgoing", body: publicReply.body });

    const continued = (
      await t.app.inject({
        method: "GET",
        url: `/api/v1/conversations/${privateConversationId}`,
        headers: owner.headers,
      })
    ).json();
    expect(continued).toMatchObject({
      isPublic: false,
      linkedConversationId: conversationId,
      channel: { id: privateChannelId },
      contact: { id: original.contact.id },
    });
    const again = await t.app.inject({
      method: "POST",
      url: `/api/v1/conversations/${conversationId}/continue-privately`,
      headers: owner.headers,
      payload: { channelId: privateChannelId },
    });
    expect(again.statusCode).toBe(409);
  });
});
