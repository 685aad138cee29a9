import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backoffMs } from "../../src/modules/channels/replyDeliverer.js";
import { message } from "../../src/modules/conversations/schema.js";
import { manualClock } from "../../src/platform/clock.js";
import { verifyWebhook } from "../../src/platform/crypto/webhookSignature.js";
import { createPerson, createTestApp, type TestApp } from "../support/app.js";
import { testBackend } from "../support/database.js";
import { json, type PeerRequest, startHttpPeer } from "../support/httpPeer.js";

const clock = manualClock(new Date());
const secret = "reply-webhook-secret-0123456789";
let t: TestApp;
let owner: Awaited<ReturnType<typeof createPerson>>;

beforeAll(async () => {
  t = await createTestApp({ clock });
  owner = await createPerson(t, { role: "owner" });
});
afterAll(async () => t?.close());

async function connect(body: Record<string, unknown>) {
  const response = await t.app.inject({
    method: "POST",
    url: "/api/v1/settings/channel-accounts",
    headers: owner.headers,
    payload: body,
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string; channelId: string };
}

/** A customer writes on the channel, an agent answers; returns the reply's message id. */
async function conversationWithReply(channelId: string, text = "Danke für die Hilfe!") {
  const incoming = await t.app.inject({
    method: "POST",
    url: `/api/v1/channels/${channelId}/incoming`,
    headers: owner.headers,
    payload: { authorName: "Kundin", text: "Mein Zug fiel aus", externalId: `in-${Math.random()}` },
  });
  expect(incoming.statusCode, incoming.body).toBe(201);
  const { conversationId } = incoming.json() as { conversationId: string };
  const reply = await t.app.inject({
    method: "POST",
    url: `/api/v1/conversations/${conversationId}/replies`,
    headers: owner.headers,
    payload: { body: text },
  });
  expect(reply.statusCode, reply.body).toBe(201);
  return { conversationId, messageId: (reply.json() as { id: string }).id };
}

async function stateOf(messageId: string) {
  const [row] = await t.db.select().from(message).where(eq(message.id, messageId));
  return row!;
}

describe(`outbound replies (${testBackend})`, () => {
  it("a reply on a log-only channel is marked sent, and the conversation shows it", async () => {
    const account = await connect({ network: "log", name: "Log" });
    const { conversationId, messageId } = await conversationWithReply(account.channelId);
    expect((await stateOf(messageId)).deliveryState).toBe("queued");
    await t.connectorJobs.deliverReplies();
    const detail = await t.app.inject({
      method: "GET",
      url: `/api/v1/conversations/${conversationId}`,
      headers: owner.headers,
    });
    const sent = (detail.json() as { messages: Array<{ id: string; deliveryState: string }> }).messages.find(
      (m) => m.id === messageId,
    );
    expect(sent?.deliveryState).toBe("sent");
  });

  it("a reply webhook answering 429, then 500, then 200 ends sent, posted with one idempotency key", async () => {
    const answers = [429, 500, 200];
    const peer = await startHttpPeer((_request, response) => {
      const status = answers.shift() ?? 200;
      if (status === 429) return json(response, 429, { error: "slow down" }, { "retry-after": "7" });
      if (status === 500) return json(response, 500, { error: "database hiccup" });
      return json(response, 200, { externalId: "sys-42" });
    });
    try {
      const account = await connect({
        network: "webhook",
        name: "Shop system",
        settings: { replyUrl: `${peer.origin}/replies`, allowHosts: ["127.0.0.1"] },
        credentials: { secret },
      });
      const { messageId } = await conversationWithReply(account.channelId);

      await t.connectorJobs.deliverReplies();
      let row = await stateOf(messageId);
      expect(row.deliveryState).toBe("queued");
      expect(row.deliveryError).toContain("429");
      // Retry-After: 7 seconds is honoured exactly.
      expect(row.nextAttemptAt!.getTime() - clock.now().getTime()).toBe(7_000);
      await t.connectorJobs.deliverReplies();
      expect(peer.received).toHaveLength(1); // not due yet

      clock.advance(7_000);
      await t.connectorJobs.deliverReplies();
      row = await stateOf(messageId);
      expect(row.deliveryState).toBe("queued");
      expect(row.deliveryError).toContain("database hiccup");
      const wait = row.nextAttemptAt!.getTime() - clock.now().getTime();
      expect(wait).toBeGreaterThanOrEqual(2_000 / 2);
      expect(wait).toBeLessThanOrEqual(4_000);

      clock.advance(wait);
      await t.connectorJobs.deliverReplies();
      row = await stateOf(messageId);
      expect(row.deliveryState).toBe("sent");
      expect(row.deliveryAttempts).toBe(3);
      expect(row.externalId).toBe("sys-42");
      expect(row.deliveryError).toBeNull();

      const keys = new Set(peer.received.map((r: PeerRequest) => r.headers["idempotency-key"]));
      expect(keys.size).toBe(1);
      for (const r of peer.received) {
        expect(
          verifyWebhook({
            secret,
            timestamp: r.headers["x-konversa-timestamp"] as string,
            signature: r.headers["x-konversa-signature"] as string,
            body: r.body,
            now: new Date(),
          }),
        ).toBe("valid");
      }
      expect(JSON.parse(peer.received[2]!.body)).toMatchObject({
        type: "reply",
        text: "Danke für die Hilfe!",
      });
      // Sent is final: another round posts nothing.
      clock.advance(60_000);
      await t.connectorJobs.deliverReplies();
      expect(peer.received).toHaveLength(3);
    } finally {
      await peer.close();
    }
  });

  it("a reply webhook answering 400 fails the reply with the receiver's reason, without retrying", async () => {
    const peer = await startHttpPeer((_request, response) =>
      json(response, 400, { error: { message: "Unknown customer thread" } }),
    );
    try {
      const account = await connect({
        network: "webhook",
        name: "CRM",
        settings: { replyUrl: `${peer.origin}/replies`, allowHosts: ["127.0.0.1"] },
        credentials: { secret },
      });
      const { messageId } = await conversationWithReply(account.channelId);
      await t.connectorJobs.deliverReplies();
      const row = await stateOf(messageId);
      expect(row.deliveryState).toBe("failed");
      expect(row.deliveryError).toBe("webhook answered 400: Unknown customer thread");
      clock.advance(3_600_000);
      await t.connectorJobs.deliverReplies();
      expect(peer.received).toHaveLength(1);
    } finally {
      await peer.close();
    }
  });

  it("backoff doubles per attempt with jitter in the upper half", () => {
    expect(backoffMs(1, () => 0)).toBe(1_000);
    expect(backoffMs(1, () => 1)).toBe(2_000);
    expect(backoffMs(4, () => 1)).toBe(16_000);
    expect(backoffMs(30, () => 1)).toBe(30 * 60_000);
  });
});
