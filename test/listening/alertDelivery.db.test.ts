import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliverPendingAlerts } from "../../src/modules/listening/alerts/alertDeliverer.js";
import { alert, alertDelivery, alertRule } from "../../src/modules/listening/schema.js";
import { createPerson, createTestApp, type TestApp, testSecretKey } from "../support/app.js";
import { testBackend } from "../support/database.js";

let t: TestApp;
let organizationId: string;

beforeAll(async () => {
  t = await createTestApp();
  ({ organizationId } = await createPerson(t, { role: "owner", orgName: "Two Workers Alerts" }));
});
afterAll(async () => {
  await t?.close();
});

async function fireAlertWithWebhooks(count: number) {
  const [rule] = await t.db
    .insert(alertRule)
    .values({
      organizationId,
      name: "Storm",
      type: "storm",
      delivery: { inApp: true, emails: [], webhookUrl: "http://hooks.example.test/alerts" },
    })
    .returning();
  const [fired] = await t.db
    .insert(alert)
    .values({
      organizationId,
      ruleId: rule.id,
      type: "storm",
      title: "Storm",
      details: {},
      mentionIds: [],
      dedupeKey: `storm-${Date.now()}`,
    })
    .returning();
  return t.db
    .insert(alertDelivery)
    .values(
      Array.from({ length: count }, (_, i) => ({
        organizationId,
        alertId: fired.id,
        channel: "webhook",
        target: `http://hooks.example.test/alerts/${i}`,
      })),
    )
    .returning();
}

describe(`alert delivery with two workers (${testBackend})`, () => {
  it("each delivery is sent exactly once when two deliverers run at the same time", async () => {
    const deliveries = await fireAlertWithWebhooks(6);
    const calls: string[] = [];
    const slowReceiver: typeof fetch = async (url) => {
      calls.push(String(url));
      await new Promise((resolve) => setTimeout(resolve, 30));
      return new Response(null, { status: 204 });
    };
    const props = {
      secretsKey: Buffer.from(testSecretKey, "hex"),
      baseUrl: "http://localhost:3000",
      fetchImpl: slowReceiver,
    };
    const [a, b] = await Promise.all([deliverPendingAlerts(t.db, props), deliverPendingAlerts(t.db, props)]);

    expect(a.sent + b.sent).toBe(6);
    expect(calls.sort()).toEqual(deliveries.map((d) => d.target).sort());
    const stored = await t.db
      .select()
      .from(alertDelivery)
      .where(eq(alertDelivery.alertId, deliveries[0].alertId));
    expect(stored.every((d) => d.status === "sent" && d.attempts === 1 && d.leaseUntil === null)).toBe(true);
  });

  it("a delivery claimed by a worker that died is taken over once its lease has run out", async () => {
    const [delivery] = await fireAlertWithWebhooks(1);
    await t.db
      .update(alertDelivery)
      .set({ leaseUntil: new Date(Date.now() + 60_000) })
      .where(eq(alertDelivery.id, delivery.id));
    const props = {
      secretsKey: Buffer.from(testSecretKey, "hex"),
      baseUrl: "http://localhost:3000",
      fetchImpl: (async () => new Response(null, { status: 204 })) as typeof fetch,
    };
    expect((await deliverPendingAlerts(t.db, props)).sent).toBe(0);
    await t.db
      .update(alertDelivery)
      .set({ leaseUntil: new Date(Date.now() - 1000) })
      .where(eq(alertDelivery.id, delivery.id));
    expect((await deliverPendingAlerts(t.db, props)).sent).toBe(1);
  });
});
