import { Readable } from "node:stream";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { company, contact, socialIdentity } from "../../src/modules/contacts/schema.js";
import { deliverContactWebhooks } from "../../src/modules/crm/contactWebhookDeliverer.js";
import { contactWebhookDelivery } from "../../src/modules/crm/schema.js";
import { auditLog } from "../../src/platform/audit/schema.js";
import { manualClock } from "../../src/platform/clock.js";
import { createPerson, createTestApp, type TestApp } from "../support/app.js";
import { testBackend } from "../support/database.js";
import { startWebhookReceiver, waitFor } from "../support/webhookReceiver.js";

let t: TestApp;
let owner: Awaited<ReturnType<typeof createPerson>>;
let orgId: string;

beforeAll(async () => {
  t = await createTestApp();
  owner = await createPerson(t, { role: "owner", orgName: "CRM Exchange GmbH" });
  orgId = owner.organizationId;
});
afterAll(async () => t?.close());

const api = (method: string, url: string, payload?: object) =>
  t.app.inject({ method: method as "GET", url, headers: owner.headers, payload });

async function upload(csv: string | Readable, fileName = "kunden.csv") {
  return t.app.inject({
    method: "POST",
    url: `/api/v1/crm/imports?fileName=${encodeURIComponent(fileName)}`,
    headers: { ...owner.headers, "content-type": "text/csv" },
    payload: csv,
  });
}

async function runToEnd(importId: string, mapping: object) {
  const started = await api("POST", `/api/v1/crm/imports/${importId}/run`, mapping);
  expect(started.statusCode, started.body).toBe(202);
  return waitFor(
    async () => {
      const job = (await api("GET", `/api/v1/crm/imports/${importId}`)).json();
      return job.status === "completed" || job.status === "failed" ? job : undefined;
    },
    "the import to finish",
    120_000,
  );
}

describe(`CRM exchange (${testBackend})`, () => {
  it("imports a CSV with a column mapping, rejects bad lines with line number and reason, and updates or skips duplicates", async () => {
    // One contact is there already; the import must not lose what it holds.
    const existing = await api("POST", "/api/v1/crm/contacts", {
      displayName: "Greta Gründlich",
      email: "greta@example.org",
      phone: "+49 30 123456",
      tags: ["vip"],
      attributes: { plan: "gold" },
    });
    expect(existing.statusCode, existing.body).toBe(201);
    const csv = [
      "Vollständiger Name;E-Mail;Telefon;Sprache;Schlagworte;Firma;Kundennr;Notiz",
      "Anna Apfel;anna@example.org;+49 151 111;de;newsletter, b2b;Apfel AG;K-1;egal",
      ";nobody@example.org;;;;;K-2;",
      "Bernd Birne;bernd(at)example.org;;;;;K-3;",
      "Clara Kirsche;anna@example.org;;;;;K-4;",
      "Greta G.;GRETA@example.org;;en-GB;import;Apfel AG;K-5;",
      '"Dora ""Dattel"" Dreher";dora@example.org;030/987 654;;;;K-6;',
      "Emil Erbse;emil@example.org;;deutsch;;;K-7;",
      "Falk Feige;falk@example.org;;;;",
      "Gina Guave;;0171 222;;;Birnen GmbH;K-9;",
      "",
    ].join("\r\n");
    const uploaded = await upload(csv);
    expect(uploaded.statusCode, uploaded.body).toBe(201);
    const { import: job, preview, suggestedMapping } = uploaded.json();
    expect(job).toMatchObject({ status: "uploaded", fileName: "kunden.csv" });
    expect(job.headers).toEqual([
      "Vollständiger Name",
      "E-Mail",
      "Telefon",
      "Sprache",
      "Schlagworte",
      "Firma",
      "Kundennr",
      "Notiz",
    ]);
    expect(preview).toHaveLength(5);
    expect(preview[0]).toEqual([
      "Anna Apfel",
      "anna@example.org",
      "+49 151 111",
      "de",
      "newsletter, b2b",
      "Apfel AG",
      "K-1",
      "egal",
    ]);
    expect(suggestedMapping).toMatchObject({
      "Vollständiger Name": "displayName",
      "E-Mail": "email",
      Telefon: "phone",
      Sprache: "locale",
      Schlagworte: "tags",
      Firma: "company",
      Kundennr: "ignore",
    });
    const badMapping = await api("POST", `/api/v1/crm/imports/${job.id}/run`, {
      columns: { "E-Mail": "email", Nope: "phone" },
    });
    expect(badMapping.statusCode).toBe(400);
    expect(badMapping.json().error.message).toContain('The file has no column "Nope"');
    expect(badMapping.json().error.message).toContain("Map one column to the name");

    const done = await runToEnd(job.id, {
      columns: { ...suggestedMapping, Kundennr: "attribute:customerNumber", Notiz: "ignore" },
      onDuplicate: "update",
      tagSeparator: ",",
    });
    expect(done).toMatchObject({
      status: "completed",
      rowsRead: 9,
      created: 3,
      updated: 1,
      skipped: 0,
      rejected: 5,
    });
    const issues = (await api("GET", `/api/v1/crm/imports/${job.id}/issues`)).json().issues;
    expect(issues).toEqual([
      { line: 3, outcome: "rejected", reason: "missing_name", field: "displayName", duplicateOfLine: null },
      { line: 4, outcome: "rejected", reason: "invalid_email", field: "email", duplicateOfLine: null },
      { line: 5, outcome: "rejected", reason: "duplicate_in_file", field: "email", duplicateOfLine: 2 },
      { line: 8, outcome: "rejected", reason: "invalid_locale", field: "locale", duplicateOfLine: null },
      { line: 9, outcome: "rejected", reason: "malformed_row", field: null, duplicateOfLine: null },
    ]);
    // The report names lines and reasons, never the values.
    expect(JSON.stringify(issues)).not.toContain("bernd");

    const stored = await t.db.select().from(contact).where(eq(contact.organizationId, orgId));
    const byName = (name: string) => stored.find((c) => c.displayName === name);
    expect(byName("Anna Apfel")).toMatchObject({
      email: "anna@example.org",
      phone: "+49 151 111",
      locale: "de",
      tags: ["newsletter", "b2b"],
      attributes: { customerNumber: "K-1" },
    });
    expect(byName('Dora "Dattel" Dreher')).toMatchObject({ phone: "030/987 654" });
    // The duplicate by e-mail was filled in, nothing it held was lost.
    expect(byName("Greta G.")).toMatchObject({
      id: existing.json().id,
      email: "greta@example.org",
      phone: "+49 30 123456",
      locale: "en-GB",
      tags: ["vip", "import"],
      attributes: { plan: "gold", customerNumber: "K-5" },
    });
    const companies = await t.db.select().from(company).where(eq(company.organizationId, orgId));
    expect(companies.map((c) => c.name).sort()).toEqual(["Apfel AG", "Birnen GmbH"]);
    expect(byName("Anna Apfel")!.companyId).toBe(byName("Greta G.")!.companyId);
    // The file is gone once it has run; the import is audited with its counts.
    expect(
      (await t.database.db.execute(`select count(*)::int as n from crm_import_chunk`)) as unknown,
    ).toBeDefined();
    const [audited] = await t.db.select().from(auditLog).where(eq(auditLog.action, "contacts.imported"));
    expect(audited!.details).toEqual({ rows: 9, created: 3, updated: 1, skipped: 0, rejected: 5 });

    // The same file again with "skip": nothing changes, duplicates are reported as skipped.
    const again = await upload(csv);
    const skipped = await runToEnd(again.json().import.id, {
      columns: { "Vollständiger Name": "displayName", "E-Mail": "email" },
      onDuplicate: "skip",
    });
    expect(skipped).toMatchObject({ created: 2, updated: 0, skipped: 3, rejected: 4 });
    const twice = await api("POST", `/api/v1/crm/imports/${again.json().import.id}/run`, {
      columns: { "Vollständiger Name": "displayName" },
    });
    expect(twice.statusCode).toBe(409);
  });

  it("refuses a file without a usable header row, and a body that is not CSV", async () => {
    const duplicateHeader = await upload("name,email,Name\r\na,b,c\r\n");
    expect(duplicateHeader.statusCode).toBe(400);
    expect(duplicateHeader.json().error.message).toContain("appears twice");
    const empty = await upload("");
    expect(empty.statusCode).toBe(400);
    const json = await api("POST", "/api/v1/crm/imports", { name: "x" });
    expect(json.statusCode).toBe(415);
  });

  it("exports contacts as CSV and JSON with consents, identities only in mode full, audited", async () => {
    const [anna] = await t.db
      .select()
      .from(contact)
      .where(and(eq(contact.organizationId, orgId), eq(contact.displayName, "Anna Apfel")));
    const consent = await api("PUT", `/api/v1/contacts/${anna!.id}/consents/marketing`, {
      state: "given",
      source: "import",
      wording: "Ja, Angebote per Mail.",
    });
    expect(consent.statusCode).toBe(201);
    const linked = await api("POST", `/api/v1/crm/contacts/${anna!.id}/identities`, {
      network: "bluesky",
      handle: "@Anna.Apfel.bsky.social",
    });
    expect(linked.statusCode, linked.body).toBe(201);
    expect(linked.json()).toMatchObject({ handle: "anna.apfel.bsky.social", contactId: anna!.id });

    const csv = await api("GET", "/api/v1/crm/contacts/export?format=csv");
    expect(csv.statusCode).toBe(200);
    expect(csv.headers["content-type"]).toContain("text/csv");
    const lines = csv.body
      .replace(/^\uFEFF/, "")
      .trim()
      .split("\r\n");
    expect(lines[0]).toBe(
      "id,name,email,phone,locale,tags,company,createdAt,updatedAt,consent:service,consent:marketing,consent:profileEnrichment,consent:audienceMatching,identityCount,attr:customerNumber,attr:plan",
    );
    expect(lines).toHaveLength(1 + 6);
    const annaLine = lines.find((l) => l.startsWith(anna!.id))!;
    expect(annaLine).toContain(",Anna Apfel,anna@example.org,'+49 151 111,de,newsletter;b2b,Apfel AG,");
    expect(annaLine).toMatch(/,none,given,none,none,1,K-1,$/);
    // Mode "none": social handles stay out of the customer record.
    expect(csv.body).not.toContain("anna.apfel.bsky.social");

    expect((await api("PUT", "/api/v1/privacy/data-use-mode", { mode: "full" })).statusCode).toBe(200);
    const json = await api("GET", "/api/v1/crm/contacts/export?format=json");
    expect(json.statusCode).toBe(200);
    const document = json.json();
    expect(document).toMatchObject({ format: "konversa.contacts/v1", dataUseMode: "full" });
    expect(document.contacts).toHaveLength(6);
    expect(document.contacts.find((c: { id: string }) => c.id === anna!.id)).toMatchObject({
      displayName: "Anna Apfel",
      company: "Apfel AG",
      consents: { marketing: "given", service: "none" },
      identities: [{ network: "bluesky", handle: "anna.apfel.bsky.social" }],
    });
    expect((await api("PUT", "/api/v1/privacy/data-use-mode", { mode: "none" })).statusCode).toBe(200);

    // The exported CSV goes back in unchanged: same people, nothing new, the formula guard undone.
    const reimport = await upload(csv.body, "export.csv");
    expect(reimport.json().suggestedMapping).toMatchObject({
      name: "displayName",
      email: "email",
      phone: "phone",
      "attr:customerNumber": "attribute:customerNumber",
      id: "ignore",
    });
    const back = await runToEnd(reimport.json().import.id, {
      columns: reimport.json().suggestedMapping,
      onDuplicate: "update",
    });
    expect(back).toMatchObject({ rejected: 0, updated: 4, created: 2 });
    const [annaAfter] = await t.db.select().from(contact).where(eq(contact.id, anna!.id));
    expect(annaAfter!.phone).toBe("+49 151 111");

    const audits = await t.db.select().from(auditLog).where(eq(auditLog.action, "contacts.exported"));
    expect(audits.map((a) => a.details)).toEqual([
      { format: "csv", dataUseMode: "none", contacts: 6 },
      { format: "json", dataUseMode: "full", contacts: 6 },
    ]);
    // Agents may not export the whole contact base.
    const agent = await createPerson(t, { role: "agent", organizationId: orgId });
    const refused = await t.app.inject({
      method: "GET",
      url: "/api/v1/crm/contacts/export",
      headers: agent.headers,
    });
    expect(refused.statusCode).toBe(403);
  });

  it("sends signed webhooks on contact changes from the outbox, retries after a 500, and logs the deliveries", async () => {
    const secret = "a-shared-secret-of-enough-length";
    const receiver = await startWebhookReceiver(secret, { failFirst: 1 });
    try {
      const refused = await api("POST", "/api/v1/crm/webhooks", {
        name: "Intranet",
        url: "http://127.0.0.1:1/hook",
        events: ["contact.created"],
      });
      expect(refused.statusCode).toBe(201);
      const created = await api("POST", "/api/v1/crm/webhooks", {
        name: "Our CRM",
        url: receiver.url,
        secret,
        events: [
          "contact.created",
          "contact.updated",
          "contact.deleted",
          "identity.linked",
          "consent.changed",
        ],
        allowHosts: ["127.0.0.1"],
      });
      expect(created.statusCode, created.body).toBe(201);
      expect(created.json().secret).toBe(secret);
      const hookId = created.json().id;
      expect((await api("GET", "/api/v1/crm/webhooks")).json().webhooks[1]).not.toHaveProperty("secret");

      const person = await api("POST", "/api/v1/crm/contacts", {
        displayName: "Hanna Hook",
        email: "hanna@example.org",
        attributes: { crmId: "SF-0042" },
      });
      const hannaId = person.json().id;
      expect(
        (await api("PATCH", `/api/v1/crm/contacts/${hannaId}`, { phone: "+49 40 555" })).statusCode,
      ).toBe(200);
      expect(
        (
          await api("POST", `/api/v1/crm/contacts/${hannaId}/identities`, {
            network: "mastodon",
            handle: "hanna@norden.social",
          })
        ).statusCode,
      ).toBe(201);
      expect(
        (
          await api("PUT", `/api/v1/contacts/${hannaId}/consents/service`, {
            state: "given",
            legalBasis: "contract",
            source: "agent",
            wording: "Service",
            evidence: "Call",
          })
        ).statusCode,
      ).toBe(201);

      const clock = manualClock(new Date());
      const deps = { db: t.db, clock, secretsKey: t.secretsKey, random: () => 0 };
      // First pass: the private address is refused by the SSRF guard, the receiver answers 500 once.
      let outcomes = await deliverContactWebhooks(deps);
      expect(outcomes.filter((o) => o.status === "sent")).toHaveLength(3);
      const pending = outcomes.filter((o) => o.status === "pending");
      expect(pending).toHaveLength(2);
      expect(pending.map((o) => o.error).join(" ")).toMatch(/private or local address/);
      expect(pending.map((o) => o.error).join(" ")).toMatch(/answered 500/);
      // Not due again before its backoff …
      expect(await deliverContactWebhooks(deps)).toEqual([]);
      clock.advance(60_000);
      outcomes = await deliverContactWebhooks(deps);
      expect(outcomes.filter((o) => o.status === "sent")).toHaveLength(1);

      expect(receiver.received).toHaveLength(5);
      expect(receiver.received.every((r) => r.signatureValid)).toBe(true);
      expect(receiver.received[0]!.answered).toBe(500);
      // The retry is the same delivery (same id, so the receiver can drop a repeat).
      expect(receiver.received[0]!.headers["x-konversa-delivery"]).toBe(
        receiver.received[4]!.headers["x-konversa-delivery"],
      );
      const sent = receiver.received.filter((r) => r.answered === 200).map((r) => r.json);
      expect(sent.map((e) => e.event)).toEqual([
        "contact.updated",
        "identity.linked",
        "consent.changed",
        "contact.created",
      ]);
      const event = (name: string) => sent.find((e) => e.event === name)!;
      expect(event("contact.created")).toMatchObject({
        organizationId: orgId,
        contact: {
          id: hannaId,
          displayName: "Hanna Hook",
          email: "hanna@example.org",
          attributes: { crmId: "SF-0042" },
        },
      });
      // Mode "none": the identity's handle does not leave.
      expect(event("contact.updated").contact).toMatchObject({ phone: "+49 40 555" });
      expect(event("identity.linked").identity).toEqual({ id: expect.any(String), network: "mastodon" });
      expect(event("consent.changed").consent).toMatchObject({
        purpose: "service",
        state: "given",
        legalBasis: "contract",
      });

      expect((await api("DELETE", `/api/v1/crm/contacts/${hannaId}`)).statusCode).toBe(200);
      await deliverContactWebhooks(deps);
      expect(receiver.received.at(-1)!.json).toMatchObject({
        event: "contact.deleted",
        contact: { id: hannaId },
        reason: "deleted",
      });

      const log = await api("GET", `/api/v1/crm/webhooks/${hookId}/deliveries`);
      expect(log.statusCode).toBe(200);
      expect(log.json().deliveries).toHaveLength(5);
      expect(log.json().deliveries.every((d: { status: string }) => d.status === "sent")).toBe(true);
      expect(log.json().deliveries.find((d: { attempts: number }) => d.attempts === 2)).toMatchObject({
        lastStatusCode: 200,
      });
      // Done deliveries forget whom they were about.
      const rows = await t.db
        .select()
        .from(contactWebhookDelivery)
        .where(eq(contactWebhookDelivery.webhookId, hookId));
      expect(rows.every((r) => r.contactId === null)).toBe(true);
      // The private endpoint keeps failing with the guard's reason; its log says so.
      const privateLog = await api("GET", `/api/v1/crm/webhooks/${refused.json().id}/deliveries`);
      expect(privateLog.json().deliveries[0]).toMatchObject({ status: "pending", lastStatusCode: null });
      expect(privateLog.json().deliveries[0].lastError).toMatch(/private or local address/);
    } finally {
      await receiver.close();
    }
  });

  it("contacts created and changed on the contacts page reach the CRM's outbox too", async () => {
    const hook = await api("POST", "/api/v1/crm/webhooks", {
      name: "Second CRM",
      url: "https://crm.example.com/konversa",
      events: ["contact.created", "contact.updated"],
    });
    expect(hook.statusCode, hook.body).toBe(201);
    const created = await api("POST", "/api/v1/contacts", { displayName: "Paula Page" });
    expect(created.statusCode, created.body).toBe(201);
    const contactId = created.json().id as string;
    const changed = await api("PATCH", `/api/v1/contacts/${contactId}`, { tags: ["vip"] });
    expect(changed.statusCode, changed.body).toBe(200);
    const queued = await t.db
      .select({ event: contactWebhookDelivery.event })
      .from(contactWebhookDelivery)
      .where(
        and(
          eq(contactWebhookDelivery.webhookId, hook.json().id),
          eq(contactWebhookDelivery.contactId, contactId),
        ),
      );
    expect(queued.map((q) => q.event).sort()).toEqual(["contact.created", "contact.updated"]);
  });

  it("refuses an identity that is linked to somebody else, and answers not found for another organization's contact", async () => {
    const a = (await api("POST", "/api/v1/crm/contacts", { displayName: "Ida Eins" })).json();
    const b = (await api("POST", "/api/v1/crm/contacts", { displayName: "Ida Zwei" })).json();
    const first = await api("POST", `/api/v1/crm/contacts/${a.id}/identities`, {
      network: "bluesky",
      handle: "ida.bsky.social",
    });
    expect(first.statusCode).toBe(201);
    const second = await api("POST", `/api/v1/crm/contacts/${b.id}/identities`, {
      identityId: first.json().id,
    });
    expect(second.statusCode).toBe(409);
    const list = await api("GET", `/api/v1/crm/contacts/${a.id}/identities`);
    expect(list.json().identities.map((i: { handle: string }) => i.handle)).toEqual(["ida.bsky.social"]);
    expect(
      (await api("DELETE", `/api/v1/crm/contacts/${a.id}/identities/${first.json().id}`)).statusCode,
    ).toBe(200);
    const [unlinked] = await t.db.select().from(socialIdentity).where(eq(socialIdentity.id, first.json().id));
    expect(unlinked!.contactId).toBeNull();
    const duplicate = await api("POST", "/api/v1/crm/contacts", {
      displayName: "Copy",
      email: "ANNA@example.org",
    });
    expect(duplicate.statusCode).toBe(409);
    const invalid = await api("POST", "/api/v1/crm/contacts", { displayName: "X", email: "not-an-address" });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().error.message).toContain("e-mail address is not valid");
  });

  it("imports 50,000 rows streamed, within bounded memory, and reports the rejects", async () => {
    // An organization of its own, without webhooks, so the measurement is the import alone.
    const bulkOwner = await createPerson(t, { role: "owner", orgName: "Bulk Import AG" });
    const upload = (csv: Readable, fileName: string) =>
      t.app.inject({
        method: "POST",
        url: `/api/v1/crm/imports?fileName=${fileName}`,
        headers: { ...bulkOwner.headers, "content-type": "text/csv" },
        payload: csv,
      });
    const api = (method: string, url: string, payload?: object) =>
      t.app.inject({ method: method as "GET", url, headers: bulkOwner.headers, payload });
    const runToEnd = async (importId: string, mapping: object) => {
      expect((await api("POST", `/api/v1/crm/imports/${importId}/run`, mapping)).statusCode).toBe(202);
      return waitFor(
        async () => {
          const job = (await api("GET", `/api/v1/crm/imports/${importId}`)).json();
          return job.status === "completed" || job.status === "failed" ? job : undefined;
        },
        "the import to finish",
        120_000,
      );
    };
    const rows = 50_000;
    function* lines() {
      yield "name,email,phone,attr:segment\r\n";
      for (let i = 1; i <= rows; i += 1) {
        // Every 1000th row has a broken address, every 2500th repeats an earlier one.
        const email =
          i % 1000 === 0
            ? `person${i}-at-example.org`
            : i % 2500 === 1 && i > 1
              ? `bulk${i - 1}@example.org`
              : `bulk${i}@example.org`;
        yield `Bulk Person ${i},${email},+49 170 ${String(i).padStart(7, "0")},s${i % 7}\r\n`;
      }
    }
    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    }, 50);
    const started = Date.now();
    try {
      const uploaded = await upload(Readable.from(lines()), "bulk.csv");
      expect(uploaded.statusCode, uploaded.body).toBe(201);
      expect(uploaded.json().import.bytes).toBeGreaterThan(2_500_000);
      const done = await runToEnd(uploaded.json().import.id, {
        columns: uploaded.json().suggestedMapping,
        onDuplicate: "skip",
      });
      // 50 broken addresses; 10 of the 19 repeated addresses repeat a valid earlier line.
      expect(done).toMatchObject({ status: "completed", rowsRead: rows, rejected: 60, created: rows - 60 });
      const issues = (
        await api("GET", `/api/v1/crm/imports/${uploaded.json().import.id}/issues?limit=1000`)
      ).json().issues;
      expect(issues.filter((i: { reason: string }) => i.reason === "invalid_email")).toHaveLength(50);
      expect(issues.find((i: { reason: string }) => i.reason === "duplicate_in_file")).toMatchObject({
        line: 2502,
        duplicateOfLine: 2501,
      });
    } finally {
      clearInterval(sampler);
    }
    const growthMb = (peak - before) / 1024 / 1024;
    console.log(
      `50k-row import: ${((Date.now() - started) / 1000).toFixed(1)} s, heap growth ${growthMb.toFixed(0)} MB`,
    );
    expect(growthMb).toBeLessThan(150);
  }, 150_000);
});
