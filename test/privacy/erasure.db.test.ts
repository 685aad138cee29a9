import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contact, socialIdentity } from "../../src/modules/contacts/schema.js";
import { channel, conversation, message, messageAttachment } from "../../src/modules/conversations/schema.js";
import { saveAlertRule } from "../../src/modules/listening/alerts/alertRules.js";
import {
  alert,
  authorRollup,
  deadLetter,
  everyMention,
  mention,
} from "../../src/modules/listening/schema.js";
import { notification } from "../../src/modules/notifications/schema.js";
import { member } from "../../src/modules/organizations/schema.js";
import { erasePerson } from "../../src/modules/privacy/personEraser.js";
import { auditLog } from "../../src/platform/audit/schema.js";
import type { OrgContext } from "../../src/platform/auth/context.js";
import { sqlRows } from "../../src/platform/db/client.js";
import { createTestApp, type TestApp } from "../support/app.js";
import { testBackend } from "../support/database.js";
import { createPopulatedOrganization } from "../support/fixtures.js";
import { startWebhookReceiver } from "../support/webhookReceiver.js";

let t: TestApp;
let org: Awaited<ReturnType<typeof createPopulatedOrganization>>;
let ctx: OrgContext;

const person = {
  name: "Wilhelmine Zaunkönig",
  email: "wilhelmine.zaunkoenig@example.org",
  phone: "+49 151 2345 6789",
  bluesky: "zaunkoenig.bsky.social",
  mastodon: "wzaunkoenig@norden.social",
  blueskyName: "Wilhe Zaunkö",
  postText: "Der Quarkstrudel-Express nach Husum war wieder zu spät",
  messageText: "Meine Kundennummer ist KX-99817, bitte prüfen",
};

const api = (method: string, url: string, payload?: object) =>
  t.app.inject({ method: method as "GET", url, headers: org.owner.headers, payload });

beforeAll(async () => {
  t = await createTestApp();
  org = await createPopulatedOrganization(t, "Erasure GmbH");
  const [m] = await t.db.select().from(member).where(eq(member.userId, org.owner.userId));
  ctx = {
    organizationId: org.owner.organizationId,
    userId: org.owner.userId,
    memberId: m!.id,
    role: "owner",
    departmentIds: [],
  };
});
afterAll(async () => t?.close());

/** Every text-like and id column of every table, from the catalogue, so new tables are covered. */
async function scanEveryTable(needles: string[], idNeedles: string[]) {
  const columns = await sqlRows<{ table_name: string; column_name: string; data_type: string }>(
    t.db,
    sql`select c.table_name, c.column_name, c.data_type from information_schema.columns c
        join information_schema.tables tb on tb.table_schema = c.table_schema and tb.table_name = c.table_name
        where c.table_schema = 'public' and tb.table_type = 'BASE TABLE'
          and c.data_type in ('text', 'character varying', 'character', 'jsonb', 'json', 'ARRAY', 'tsvector', 'uuid', 'USER-DEFINED', 'bytea')`,
  );
  const found: string[] = [];
  for (const col of columns) {
    const values = col.data_type === "uuid" ? idNeedles : [...needles, ...idNeedles];
    for (const needle of values) {
      const rows = await sqlRows<{ n: number }>(
        t.db,
        col.data_type === "bytea"
          ? // Stored files (attachments) are searched as the bytes they hold.
            sql`select count(*)::int as n from ${sql.identifier(col.table_name)} where encode(${sql.identifier(col.column_name)}, 'escape') ilike ${`%${needle}%`}`
          : sql`select count(*)::int as n from ${sql.identifier(col.table_name)} where ${sql.identifier(col.column_name)}::text ilike ${`%${needle}%`}`,
      );
      if (rows[0]!.n > 0) found.push(`${col.table_name}.${col.column_name} holds "${needle}"`);
    }
  }
  return { found, columns: columns.length };
}

describe(`erasure of one person (${testBackend})`, () => {
  it("erases a person with three channels, mentions, conversations, consents and alerts; every table is clean; the export held it all", async () => {
    const orgId = org.owner.organizationId;
    expect((await api("PUT", "/api/v1/privacy/data-use-mode", { mode: "full" })).statusCode).toBe(200);
    const [subject] = await t.db
      .insert(contact)
      .values({ organizationId: orgId, displayName: person.name, email: person.email, phone: person.phone })
      .returning();
    const identities = await t.db
      .insert(socialIdentity)
      .values([
        {
          organizationId: orgId,
          network: "bluesky",
          handle: person.bluesky,
          displayName: person.blueskyName,
          contactId: subject!.id,
          profile: { bio: "Husum" },
        },
        { organizationId: orgId, network: "mastodon", handle: person.mastodon, contactId: subject!.id },
        { organizationId: orgId, network: "email", handle: person.email, contactId: subject!.id },
      ])
      .returning();
    const [other] = await t.db
      .insert(socialIdentity)
      .values({ organizationId: orgId, network: "bluesky", handle: "somebody-else.bsky.social" })
      .returning();
    const post = (identityId: string, externalId: string, text: string) => ({
      organizationId: orgId,
      network: "bluesky",
      externalId,
      identityId,
      text,
      language: "de",
      sentiment: "negative",
      sentimentScore: -0.8,
      offensiveScore: 0,
      urgency: 0.2,
      hasPii: false,
      aspects: [],
      keyphrases: text.includes("Quarkstrudel") ? ["quarkstrudel-express"] : [],
      matchedQueryIds: [org.ids.queryId!],
      postedAt: new Date(),
    });
    const mentions = await t.db
      .insert(mention)
      .values([
        post(identities[0]!.id, `er-1-${Date.now()}`, person.postText),
        post(identities[1]!.id, `er-2-${Date.now()}`, `${person.postText} (Mastodon)`),
        post(other!.id, `er-3-${Date.now()}`, "Der Zug war pünktlich"),
      ])
      .returning();
    const day = new Date(new Date().toISOString().slice(0, 10));
    await t.db.insert(authorRollup).values([
      {
        organizationId: orgId,
        queryId: everyMention,
        day,
        identityId: identities[0]!.id,
        mentions: 1,
        negative: 1,
      },
      {
        organizationId: orgId,
        queryId: everyMention,
        day,
        identityId: identities[1]!.id,
        mentions: 1,
        negative: 1,
      },
    ]);
    const rule = await saveAlertRule(t.db, ctx, {
      input: { name: "VIPs", type: "vip_mention" },
      secretsKey: Buffer.alloc(32),
    });
    const [onlyHers, shared] = await t.db
      .insert(alert)
      .values([
        {
          organizationId: orgId,
          ruleId: rule.id,
          type: "vip_mention",
          title: `VIPs: VIP @${person.bluesky} mentioned us`,
          details: { vips: [person.bluesky], summary: "A VIP author wrote about us." },
          mentionIds: [mentions[0]!.id],
          dedupeKey: "er-a",
        },
        {
          organizationId: orgId,
          ruleId: rule.id,
          type: "storm",
          title: `Storm with @${person.mastodon}`,
          details: { summary: `Led by ${person.mastodon}` },
          mentionIds: [mentions[1]!.id, mentions[2]!.id],
          dedupeKey: "er-b",
        },
      ])
      .returning();
    await t.db.insert(notification).values([
      {
        organizationId: orgId,
        kind: "alert.vip_mention",
        title: onlyHers!.title,
        body: "",
        link: `/listening/alerts/${onlyHers!.id}`,
      },
      {
        organizationId: orgId,
        kind: "alert.storm",
        title: shared!.title,
        body: "",
        link: `/listening/alerts/${shared!.id}`,
      },
    ]);
    await t.db.insert(deadLetter).values({
      organizationId: orgId,
      subject: "ingest.posts",
      messageId: "er-dl",
      payload: { author: { handle: person.bluesky }, text: person.postText },
      error: "boom",
      attempts: 8,
    });
    const [chat] = await t.db
      .insert(channel)
      .values({ organizationId: orgId, type: "webchat", name: "Web chat", isPrivate: true })
      .returning();
    const [talk] = await t.db
      .insert(conversation)
      .values({
        organizationId: orgId,
        channelId: chat!.id,
        contactId: subject!.id,
        subject: "Kundennummer KX-99817",
      })
      .returning();
    const [incoming] = await t.db
      .insert(message)
      .values([
        {
          organizationId: orgId,
          conversationId: talk!.id,
          direction: "incoming",
          authorName: person.name,
          body: person.messageText,
        },
        {
          organizationId: orgId,
          conversationId: talk!.id,
          direction: "outgoing",
          authorName: "Service",
          body: `Hallo ${person.name}!`,
        },
      ])
      .returning();
    // A file the person sent (an e-mail attachment): its name and content are personal too.
    await t.db.insert(messageAttachment).values({
      organizationId: orgId,
      messageId: incoming!.id,
      fileName: "Zaunkoenig-Fahrkarte.pdf",
      contentType: "application/pdf",
      sizeBytes: 20,
      content: Buffer.from("KX-99817 Fahrkarte"),
    });
    // A CRM hears about contact changes: its outbox holds events about the person until delivered.
    const crmSecret = "erasure-test-webhook-secret";
    const receiver = await startWebhookReceiver(crmSecret);
    const hook = await api("POST", "/api/v1/crm/webhooks", {
      name: "CRM",
      url: receiver.url,
      secret: crmSecret,
      events: ["consent.changed", "contact.deleted"],
      allowHosts: ["127.0.0.1"],
    });
    expect(hook.statusCode, hook.body).toBe(201);
    // An uploaded import, not run yet, that names the person.
    const upload = await t.app.inject({
      method: "POST",
      url: "/api/v1/crm/imports?fileName=kunden.csv",
      headers: { ...org.owner.headers, "content-type": "text/csv" },
      payload: `name,email\r\n${person.name},${person.email}\r\nJemand Anders,anders@example.org\r\n`,
    });
    expect(upload.statusCode, upload.body).toBe(201);
    // Consent history through the API: given, withdrawn, and given by an agent with evidence.
    const consent = (purpose: string, body: object) =>
      api("PUT", `/api/v1/contacts/${subject!.id}/consents/${purpose}`, body);
    expect(
      (
        await consent("marketing", {
          state: "given",
          source: "web_chat_checkbox",
          wording: "Ja, Angebote per Mail.",
        })
      ).statusCode,
    ).toBe(201);
    expect((await consent("marketing", { state: "withdrawn", source: "opt_in_link" })).statusCode).toBe(201);
    expect(
      (
        await consent("profile_enrichment", {
          state: "given",
          source: "agent",
          wording: "Dürfen wir Ihr öffentliches Profil übernehmen?",
          evidence: `Chat: "Ja gern" – ${person.name}`,
        })
      ).statusCode,
    ).toBe(201);
    expect((await api("POST", `/api/v1/contacts/${subject!.id}/enrichment`)).statusCode).toBe(200);
    // Customer 360: a note, a rejected identity candidate and an opt-in link are about them too.
    const note = await api("POST", `/api/v1/contacts/${subject!.id}/notes`, {
      body: `${person.name} rief an: Kundennummer KX-99817`,
    });
    expect(note.statusCode, note.body).toBe(201);
    const rejected = await api("POST", `/api/v1/contacts/${subject!.id}/identity-decisions`, {
      identityId: other!.id,
      decision: "reject",
      reason: "Not Wilhelmine Zaunkönig, a namesake",
    });
    expect(rejected.statusCode, rejected.body).toBe(201);
    const optIn = await api("POST", `/api/v1/contacts/${subject!.id}/opt-in-links`, {
      identityId: other!.id,
      wording: "Ich bestätige, dass das Konto mir gehört.",
    });
    expect(optIn.statusCode, optIn.body).toBe(201);
    expect((await api("GET", `/api/v1/contacts/${subject!.id}`)).statusCode).toBe(200);

    // Export first: it must hold every record the erasure removes.
    const exportRequest = await api("POST", "/api/v1/privacy/requests", {
      type: "export",
      contactId: subject!.id,
    });
    expect(exportRequest.statusCode).toBe(201);
    const exported = await api("POST", `/api/v1/privacy/requests/${exportRequest.json().id}/export`);
    expect(exported.statusCode, exported.body).toBe(200);
    const exportJson = JSON.stringify(exported.json().export);
    expect(exported.json().summary).toContain(person.name);
    expect(exported.json().request.status).toBe("completed");

    const erasureRequest = await api("POST", "/api/v1/privacy/requests", {
      type: "erasure",
      contactId: subject!.id,
    });
    const requestId = erasureRequest.json().id as string;
    expect(erasureRequest.json().dueAt).toBe(
      new Date(new Date(erasureRequest.json().receivedAt).getTime() + 30 * 86_400_000).toISOString(),
    );
    const result = await erasePerson(t.db, ctx, { requestId });
    for (const [table, ids] of Object.entries(result.removed)) {
      expect(ids.length, `nothing removed from ${table}`).toBeGreaterThan(0);
      for (const id of ids) {
        const inExport = table === "audit_log" ? exportJson.includes(`"id":${id},`) : exportJson.includes(id);
        expect(inExport, `${table} ${id} was erased but not exported`).toBe(true);
      }
    }

    // The erasure told the CRM (GDPR Art. 19) with the id alone; the delivered event forgets the id.
    expect(result.discardedUploads).toBe(1);
    await t.housekeepingJobs.deliverContactWebhooks();
    await receiver.close();
    expect(receiver.received.map((r) => r.json)).toEqual([
      expect.objectContaining({ event: "contact.deleted", contact: { id: subject!.id }, reason: "erasure" }),
    ]);
    expect(receiver.received[0]!.signatureValid).toBe(true);
    const discarded = await api("GET", `/api/v1/crm/imports/${upload.json().import.id}`);
    expect(discarded.json()).toMatchObject({ status: "failed" });

    const { found, columns } = await scanEveryTable(
      [
        person.name,
        person.email,
        person.phone,
        person.bluesky,
        person.mastodon,
        person.blueskyName,
        "Quarkstrudel",
        "KX-99817",
        "Zaunk",
      ],
      [subject!.id, ...identities.map((i) => i.id), talk!.id, mentions[0]!.id, mentions[1]!.id],
    );
    expect(columns).toBeGreaterThan(50);
    expect(found).toEqual([]);

    // What stays: the other person's mention in the shared alert, and the proof.
    const [left] = await t.db.select().from(alert).where(eq(alert.id, shared!.id));
    expect(left!.mentionIds).toEqual([mentions[2]!.id]);
    expect(await t.db.select().from(alert).where(eq(alert.id, onlyHers!.id))).toEqual([]);
    const proof = await api("GET", `/api/v1/privacy/requests/${requestId}`);
    expect(proof.json()).toMatchObject({
      status: "completed",
      subjectContactId: null,
      proof: {
        counts: {
          contact: 1,
          social_identity: 3,
          mention: 2,
          conversation: 1,
          message: 2,
          message_attachment: 1,
          consent_record: 3,
        },
      },
    });
    expect(proof.json().proof.auditEntriesReduced).toBeGreaterThan(3);
    const erased = await t.db.select().from(auditLog).where(eq(auditLog.action, "person.erased"));
    expect(erased.map((e) => e.entityId)).toContain(requestId);
    const reduced = await t.db.select().from(auditLog).where(eq(auditLog.action, "consent.given"));
    expect(
      reduced.filter((e) => e.organizationId === org.owner.organizationId).map((e) => e.details),
    ).toContainEqual({
      erased: true,
    });
  });

  it("the audit log stays append-only outside the sanctioned erasure path, and erasure cannot delete entries", async () => {
    await expect(
      t.db.execute(sql`update audit_log set action = 'x' where id = (select min(id) from audit_log)`),
    ).rejects.toThrow();
    await expect(
      t.db.transaction(async (tx) => {
        await tx.execute(sql`select set_config('konversa.audit_maintenance', 'erasure', true)`);
        await tx.execute(sql`delete from audit_log where id = (select min(id) from audit_log)`);
      }),
    ).rejects.toThrow();
    await expect(
      t.db.transaction(async (tx) => {
        await tx.execute(sql`select set_config('konversa.audit_maintenance', 'erasure', true)`);
        await tx.execute(
          sql`update audit_log set action = 'rewritten' where id = (select min(id) from audit_log)`,
        );
      }),
    ).rejects.toThrow();
  });
});
