import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contact, socialIdentity } from "../../src/modules/contacts/schema.js";
import { channel, conversation, message } from "../../src/modules/conversations/schema.js";
import {
  contactWebhook,
  contactWebhookDelivery,
  crmImport,
  crmImportChunk,
} from "../../src/modules/crm/schema.js";
import {
  authorRollup,
  deadLetter,
  everyMention,
  mention,
  mentionRollup,
} from "../../src/modules/listening/schema.js";
import { notification } from "../../src/modules/notifications/schema.js";
import { organizationPseudonymKey } from "../../src/modules/privacy/authorPseudonymiser.js";
import { privacyRequest } from "../../src/modules/privacy/schema.js";
import { runDueRetention } from "../../src/modules/retention/retentionSchedule.js";
import { retentionRun } from "../../src/modules/retention/schema.js";
import { auditLog } from "../../src/platform/audit/schema.js";
import { manualClock } from "../../src/platform/clock.js";
import { pseudonymOf } from "../../src/platform/crypto/pseudonyms.js";
import { createPerson, createTestApp, type TestApp } from "../support/app.js";
import { testBackend } from "../support/database.js";

const clock = manualClock("2026-06-01T03:00:00Z");
const daysAgo = (n: number) => new Date(clock.now().getTime() - n * 86_400_000);
let t: TestApp;
let owner: Awaited<ReturnType<typeof createPerson>>;
let orgId: string;

beforeAll(async () => {
  t = await createTestApp({ clock });
  owner = await createPerson(t, { role: "owner", orgName: "Retention GmbH" });
  orgId = owner.organizationId;
});
afterAll(async () => t?.close());

const api = (method: string, url: string, payload?: object) =>
  t.app.inject({ method: method as "GET", url, headers: owner.headers, payload });

function post(identityId: string, externalId: string, postedAt: Date) {
  return {
    organizationId: orgId,
    network: "bluesky",
    externalId,
    identityId,
    text: `Post ${externalId}`,
    language: "de",
    sentiment: "neutral",
    sentimentScore: 0,
    offensiveScore: 0,
    urgency: 0,
    hasPii: false,
    aspects: [],
    keyphrases: [],
    matchedQueryIds: [],
    postedAt,
    receivedAt: postedAt,
  };
}

describe(`retention (${testBackend})`, () => {
  it("validates periods by type, audits changes and shows defaults", async () => {
    const listed = await api("GET", "/api/v1/retention/policies");
    expect(listed.statusCode).toBe(200);
    expect(listed.json().policies).toContainEqual(
      expect.objectContaining({ dataType: "mentions", days: 365, isDefault: true, minDays: 30 }),
    );
    const tooShort = await api("PUT", "/api/v1/retention/policies", { periods: { audit_entries: 30 } });
    expect(tooShort.statusCode).toBe(400);
    expect(tooShort.json().error.message).toContain("audit_entries: keep between 365 and 3650 days");
    const unknown = await api("PUT", "/api/v1/retention/policies", { periods: { everything: 3 } });
    expect(unknown.statusCode).toBe(400);
    const changed = await api("PUT", "/api/v1/retention/policies", { periods: { conversations: 400 } });
    expect(changed.statusCode).toBe(200);
    expect(changed.json().policies).toContainEqual(
      expect.objectContaining({ dataType: "conversations", days: 400, isDefault: false }),
    );
    const [entry] = await t.db.select().from(auditLog).where(eq(auditLog.action, "retention.policy_changed"));
    expect(entry).toMatchObject({
      organizationId: orgId,
      actorUserId: owner.userId,
      details: { dataType: "conversations", from: 730, to: 400 },
    });
  });

  it("the daily run deletes and anonymises what is due, in batches, keeps rollups and what is still needed, and reports counts", async () => {
    const identities = await t.db
      .insert(socialIdentity)
      .values(
        [
          ["idle.author", "Idle Ida", null, daysAgo(200)],
          ["busy.author", "Busy Bert", null, daysAgo(200)],
          ["fresh.author", "Fresh Fritz", null, daysAgo(10)],
        ].map(([handle, displayName, contactId, lastSeenAt]) => ({
          organizationId: orgId,
          network: "bluesky",
          handle: handle as string,
          displayName: displayName as string,
          profileUrl: `https://bsky.app/profile/${handle}`,
          contactId: contactId as null,
          lastSeenAt: lastSeenAt as Date,
          firstSeenAt: daysAgo(500),
        })),
      )
      .returning();
    const [idle, busy, fresh] = identities;
    await t.db
      .insert(mention)
      .values([
        ...[1, 2, 3, 4, 5].map((i) => post(idle!.id, `old-${i}`, daysAgo(400 + i))),
        post(busy!.id, "busy-1", daysAgo(200)),
        post(fresh!.id, "fresh-1", daysAgo(10)),
      ]);
    const hour = new Date(daysAgo(401).toISOString().slice(0, 13) + ":00:00Z");
    await t.db.insert(mentionRollup).values({
      organizationId: orgId,
      queryId: everyMention,
      hour,
      network: "bluesky",
      sentiment: "neutral",
      mentions: 5,
    });
    await t.db
      .insert(authorRollup)
      .values({ organizationId: orgId, queryId: everyMention, day: hour, identityId: idle!.id, mentions: 5 });
    const [chan] = await t.db
      .insert(channel)
      .values({ organizationId: orgId, type: "bluesky", name: "Listening · bluesky" })
      .returning();
    const [oldResolved, openOne] = await t.db
      .insert(conversation)
      .values([
        {
          organizationId: orgId,
          channelId: chan!.id,
          subject: "old",
          status: "resolved",
          lastMessageAt: daysAgo(500),
          createdAt: daysAgo(510),
        },
        {
          organizationId: orgId,
          channelId: chan!.id,
          subject: "still open",
          status: "open",
          lastMessageAt: daysAgo(500),
          createdAt: daysAgo(510),
        },
      ])
      .returning();
    await t.db.insert(message).values([
      {
        organizationId: orgId,
        conversationId: oldResolved!.id,
        direction: "incoming",
        authorName: "x",
        body: "a",
      },
      {
        organizationId: orgId,
        conversationId: oldResolved!.id,
        direction: "outgoing",
        authorName: "y",
        body: "b",
      },
      // The open conversation came from busy's post: it needs the readable handle.
      {
        organizationId: orgId,
        conversationId: openOne!.id,
        direction: "incoming",
        authorName: "Busy Bert",
        externalId: "busy-1",
        body: "c",
      },
    ]);
    const [someone] = await t.db
      .insert(contact)
      .values({ organizationId: orgId, displayName: "Requester" })
      .returning();
    await t.db.insert(privacyRequest).values([
      {
        organizationId: orgId,
        type: "export",
        status: "completed",
        receivedAt: daysAgo(1200),
        dueAt: daysAgo(1170),
        completedAt: daysAgo(1190),
      },
      {
        organizationId: orgId,
        type: "export",
        subjectContactId: someone!.id,
        receivedAt: daysAgo(1200),
        dueAt: daysAgo(1170),
      },
    ]);
    await t.db.insert(auditLog).values([
      {
        organizationId: orgId,
        action: "contact.accessed",
        entityType: "contact",
        ip: "203.0.113.5",
        at: daysAgo(1200),
      },
      {
        organizationId: orgId,
        action: "person.erased",
        entityType: "privacy_request",
        ip: "203.0.113.6",
        at: daysAgo(1200),
      },
      {
        organizationId: orgId,
        action: "contact.accessed",
        entityType: "contact",
        ip: "203.0.113.7",
        at: daysAgo(5),
      },
    ]);
    await t.db.insert(deadLetter).values({
      organizationId: orgId,
      subject: "ingest.posts",
      messageId: "old",
      payload: { author: { handle: "idle.author" } },
      error: "x",
      attempts: 8,
      createdAt: daysAgo(100),
    });
    await t.db
      .insert(notification)
      .values({ organizationId: orgId, kind: "x", title: "old", body: "", createdAt: daysAgo(100) });
    const [upload] = await t.db
      .insert(crmImport)
      .values({ organizationId: orgId, fileName: "old.csv", status: "uploaded", createdAt: daysAgo(2) })
      .returning();
    await t.db.insert(crmImportChunk).values({ importId: upload!.id, seq: 0, data: "name\r\nIdle Ida\r\n" });
    const [hook] = await t.db
      .insert(contactWebhook)
      .values({
        organizationId: orgId,
        name: "CRM",
        url: "https://crm.example.com",
        secretEncrypted: "x",
        events: [],
      })
      .returning();
    await t.db.insert(contactWebhookDelivery).values([
      {
        organizationId: orgId,
        webhookId: hook!.id,
        event: "contact.created",
        status: "sent",
        nextAttemptAt: daysAgo(40),
        occurredAt: daysAgo(40),
      },
      {
        organizationId: orgId,
        webhookId: hook!.id,
        event: "contact.created",
        status: "sent",
        nextAttemptAt: daysAgo(3),
        occurredAt: daysAgo(3),
      },
    ]);

    const runs = await runDueRetention({ db: t.db, clock, secretsKey: t.secretsKey, batchSize: 2 });
    const run = runs.find((r) => r.organizationId === orgId)!;
    expect(run.status, run.error ?? "").toBe("completed");
    expect(run.counts).toMatchObject({
      mentions: { deleted: 5, anonymised: 0 },
      conversations: { deleted: 1 },
      messages: { deleted: 2 },
      author_handles: { anonymised: 1 },
      audit_entries: { deleted: 1, anonymised: 1 },
      privacy_requests: { deleted: 1 },
      dead_letters: { deleted: 1 },
      notifications: { deleted: 1 },
      crm_imports: { anonymised: 1 },
      webhook_deliveries: { deleted: 1 },
    });

    // Mentions are gone, the counts they made are not.
    const left = await t.db.select().from(mention).where(eq(mention.organizationId, orgId));
    expect(left.map((m) => m.externalId).sort()).toEqual(["busy-1", "fresh-1"]);
    expect(
      await t.db.select().from(mentionRollup).where(eq(mentionRollup.organizationId, orgId)),
    ).toHaveLength(1);
    // The idle author is a pseudonym now; its rollup still counts. Busy (open conversation) and fresh keep their handle.
    const key = await organizationPseudonymKey(t.db, { organizationId: orgId, secretsKey: t.secretsKey });
    const [idleNow] = await t.db.select().from(socialIdentity).where(eq(socialIdentity.id, idle!.id));
    expect(idleNow).toMatchObject({
      handle: pseudonymOf(key, "bluesky", "idle.author"),
      displayName: null,
      profileUrl: null,
    });
    expect(await t.db.select().from(authorRollup).where(eq(authorRollup.identityId, idle!.id))).toHaveLength(
      1,
    );
    const [busyNow] = await t.db.select().from(socialIdentity).where(eq(socialIdentity.id, busy!.id));
    expect(busyNow!.handle).toBe("busy.author");
    const [freshNow] = await t.db.select().from(socialIdentity).where(eq(socialIdentity.id, fresh!.id));
    expect(freshNow!.handle).toBe("fresh.author");
    // Resolved and old: gone. Open: kept however old.
    const conversations = await t.db
      .select()
      .from(conversation)
      .where(eq(conversation.organizationId, orgId));
    expect(conversations.map((c) => c.id)).toEqual([openOne!.id]);
    // Audit: the old access entry is gone, the proof of an erasure stays without the address.
    const audit = await t.db.select().from(auditLog).where(eq(auditLog.organizationId, orgId));
    expect(audit.find((a) => a.ip === "203.0.113.5")).toBeUndefined();
    expect(audit.find((a) => a.action === "person.erased")).toMatchObject({ ip: null });
    expect(audit.find((a) => a.ip === "203.0.113.7")).toBeDefined();
    // The open request stays; the uploaded file nobody ran is gone.
    expect(
      await t.db.select().from(privacyRequest).where(eq(privacyRequest.organizationId, orgId)),
    ).toHaveLength(1);
    expect(await t.db.select().from(crmImportChunk).where(eq(crmImportChunk.importId, upload!.id))).toEqual(
      [],
    );

    // The report, over the API.
    const listed = await api("GET", "/api/v1/retention/runs");
    expect(listed.statusCode).toBe(200);
    expect(listed.json().runs[0]).toMatchObject({ trigger: "daily", day: "2026-06-01", status: "completed" });
    expect(JSON.stringify(listed.json())).not.toContain("idle.author");

    // Once a day: a second look the same day does nothing, the next day runs again.
    expect(await runDueRetention({ db: t.db, clock, secretsKey: t.secretsKey })).toEqual([]);
    clock.advance(86_400_000);
    const next = await t.housekeepingJobs.runDueRetention();
    expect(next.find((r) => r.organizationId === orgId)).toMatchObject({
      day: "2026-06-02",
      status: "completed",
    });
    const days = await t.db
      .select({ day: retentionRun.day })
      .from(retentionRun)
      .where(eq(retentionRun.organizationId, orgId));
    expect(days.map((d) => d.day).sort()).toEqual(["2026-06-01", "2026-06-02"]);
  });

  it("an admin runs it by hand and sees the report; the audit log stays append-only outside maintenance", async () => {
    const run = await api("POST", "/api/v1/retention/runs");
    expect(run.statusCode).toBe(201);
    expect(run.json()).toMatchObject({ trigger: "manual", status: "completed", day: null });
    await expect(t.db.execute(sql`delete from audit_log where organization_id = ${orgId}`)).rejects.toThrow();
  });
});
