import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { channelAccount } from "../../src/modules/channels/schema.js";
import { conversation, message } from "../../src/modules/conversations/schema.js";
import { signWebhook } from "../../src/platform/crypto/webhookSignature.js";
import { createPerson, createTestApp, type TestApp } from "../support/app.js";
import { testBackend } from "../support/database.js";

const secret = "inbound-webhook-secret-0123456789";
let t: TestApp;
let owner: Awaited<ReturnType<typeof createPerson>>;
let agent: Awaited<ReturnType<typeof createPerson>>;
let channelId: string;
let accountId: string;

beforeAll(async () => {
  t = await createTestApp();
  owner = await createPerson(t, { role: "owner" });
  agent = await createPerson(t, { role: "agent", organizationId: owner.organizationId });
  const created = await t.app.inject({
    method: "POST",
    url: "/api/v1/settings/channel-accounts",
    headers: owner.headers,
    payload: { network: "webhook", name: "Shop", credentials: { secret } },
  });
  expect(created.statusCode, created.body).toBe(201);
  ({ channelId, id: accountId } = created.json() as { channelId: string; id: string });
});
afterAll(async () => t?.close());

function signed(body: string, key = secret, timestamp = String(Math.floor(Date.now() / 1000))) {
  return {
    "content-type": "application/json",
    "x-konversa-timestamp": timestamp,
    "x-konversa-signature": signWebhook(key, timestamp, body),
  };
}

async function hook(payload: unknown, headers?: Record<string, string>) {
  const body = typeof payload === "string" ? payload : JSON.stringify(payload);
  return t.app.inject({
    method: "POST",
    url: `/api/v1/hooks/${channelId}`,
    headers: headers ?? signed(body),
    payload: body,
  });
}

describe(`channel accounts in the settings (${testBackend})`, () => {
  it("an admin lists accounts with health and never sees the credentials; an agent may not", async () => {
    const list = await t.app.inject({
      method: "GET",
      url: "/api/v1/settings/channel-accounts",
      headers: owner.headers,
    });
    expect(list.statusCode).toBe(200);
    expect(list.json()).toMatchObject([
      { id: accountId, network: "webhook", name: "Shop", health: "healthy" },
    ]);
    expect(list.body).not.toContain(secret);
    const [stored] = await t.db.select().from(channelAccount).where(eq(channelAccount.id, accountId));
    expect(stored!.credentials).toMatch(/^v1:/);
    expect(stored!.credentials).not.toContain(secret);
    const asAgent = await t.app.inject({
      method: "GET",
      url: "/api/v1/settings/channel-accounts",
      headers: agent.headers,
    });
    expect(asAgent.statusCode).toBe(403);
  });

  it("invalid settings are refused before anything is saved, with what to fix", async () => {
    const weak = await t.app.inject({
      method: "POST",
      url: "/api/v1/settings/channel-accounts/validate",
      headers: owner.headers,
      payload: { network: "webhook", credentials: { secret: "short" } },
    });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().error.message).toContain("credentials.secret must be at least 16 characters");
    const unknown = await t.app.inject({
      method: "POST",
      url: "/api/v1/settings/channel-accounts",
      headers: owner.headers,
      payload: { network: "myspace", name: "Old" },
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.message).toContain('no connector for "myspace"');
  });

  it("disconnecting deletes the account and keeps the channel's conversations", async () => {
    const created = await t.app.inject({
      method: "POST",
      url: "/api/v1/settings/channel-accounts",
      headers: owner.headers,
      payload: { network: "log", name: "Temp" },
    });
    const { id } = created.json() as { id: string };
    const deleted = await t.app.inject({
      method: "DELETE",
      url: `/api/v1/settings/channel-accounts/${id}`,
      headers: owner.headers,
    });
    expect(deleted.statusCode).toBe(204);
    const again = await t.app.inject({
      method: "DELETE",
      url: `/api/v1/settings/channel-accounts/${id}`,
      headers: owner.headers,
    });
    expect(again.statusCode).toBe(404);
  });
});

describe(`generic webhook inbound (${testBackend})`, () => {
  it("a signed message opens a conversation; the same id again is stored once; an answer continues it", async () => {
    const first = await hook({
      externalId: "t-1",
      author: { handle: "kunde-7", name: "Kim" },
      text: "Paket fehlt",
    });
    expect(first.statusCode, first.body).toBe(202);
    expect(first.json()).toMatchObject({ received: 1 });
    expect(
      (await hook({ externalId: "t-1", author: { handle: "kunde-7" }, text: "Paket fehlt" })).json(),
    ).toMatchObject({
      received: 0,
    });
    await hook({
      externalId: "t-2",
      parentExternalId: "t-1",
      author: { handle: "kunde-7" },
      text: "Noch da?",
    });
    const conversations = await t.db.select().from(conversation).where(eq(conversation.channelId, channelId));
    expect(conversations).toHaveLength(1);
    expect(conversations[0]!.isPublic).toBe(false);
    const messages = await t.db
      .select()
      .from(message)
      .where(eq(message.conversationId, conversations[0]!.id));
    expect(messages.map((m) => m.body).sort()).toEqual(["Noch da?", "Paket fehlt"]);
  });

  it("a wrong, missing or stale signature is refused with 401 and counted, without storing anything", async () => {
    const before = await t.db.select().from(message);
    const body = JSON.stringify({ externalId: "evil", author: { handle: "x" }, text: "hi" });
    const wrongKey = await hook(body, signed(body, "another-secret-0123456789"));
    expect(wrongKey.statusCode).toBe(401);
    expect(wrongKey.json().error.code).toBe("unauthorized");
    const missing = await hook(body, { "content-type": "application/json" });
    expect(missing.statusCode).toBe(401);
    const stale = await hook(body, signed(body, secret, String(Math.floor(Date.now() / 1000) - 3600)));
    expect(stale.statusCode).toBe(401);
    expect((await t.db.select().from(message)).length).toBe(before.length);
    const metrics = await t.app.inject({ method: "GET", url: "/metrics" });
    expect(metrics.body).toMatch(/konversa_webhook_rejected_total\{reason="mismatch"\} 1/);
    expect(metrics.body).toMatch(/konversa_webhook_rejected_total\{reason="missing"\} 1/);
    expect(metrics.body).toMatch(/konversa_webhook_rejected_total\{reason="stale"\} 1/);
  });

  it("HTML and scripts in a message are stored as plain text", async () => {
    const response = await hook({
      externalId: "html-1",
      author: { handle: "kunde-8" },
      text: '<p>Hallo <b>Team</b>,<br>mein Zug &amp; ich</p><script>alert("x")</script><img src=x onerror=alert(1)>',
    });
    expect(response.statusCode, response.body).toBe(202);
    const [stored] = await t.db.select().from(message).where(eq(message.externalId, "html-1"));
    expect(stored!.body).toBe("Hallo Team ,\nmein Zug & ich");
    expect(stored!.body).not.toMatch(/[<>]|script|alert/);
  });

  it("an oversized call is refused with 413; a payload without text with 400; an unknown channel with 404", async () => {
    const huge = JSON.stringify({ externalId: "big", author: { handle: "x" }, text: "a".repeat(300_000) });
    const tooLarge = await hook(huge);
    expect(tooLarge.statusCode).toBe(413);
    const empty = await hook({ externalId: "e", author: { handle: "x" }, text: "<p></p>" });
    expect(empty.statusCode).toBe(400);
    const wrongShape = await hook({ externalId: "e2", text: "hi" });
    expect(wrongShape.statusCode).toBe(400);
    expect(wrongShape.json().error.message).toContain("author");
    const unknown = await t.app.inject({
      method: "POST",
      url: "/api/v1/hooks/00000000-0000-4000-8000-000000000000",
      headers: signed("{}"),
      payload: "{}",
    });
    expect(unknown.statusCode).toBe(404);
  });
});
