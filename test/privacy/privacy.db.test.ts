import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contact, socialIdentity } from "../../src/modules/contacts/schema.js";
import { authorRollup, everyMention } from "../../src/modules/listening/schema.js";
import { normalizeEmail, normalizePhone } from "../../src/modules/privacy/audienceExporter.js";
import { contactEnrichment, pseudonymKey } from "../../src/modules/privacy/schema.js";
import { sha256Hex } from "../../src/platform/crypto/pseudonyms.js";
import { createPerson, createTestApp, type TestApp } from "../support/app.js";
import { testBackend } from "../support/database.js";

let t: TestApp;
let owner: Awaited<ReturnType<typeof createPerson>>;
let orgId: string;

const as = (headers: Record<string, string>) => (method: string, url: string, payload?: object) =>
  t.app.inject({ method: method as "GET", url, headers, payload });
let api: ReturnType<typeof as>;

async function newContact(values: { displayName: string; email?: string; phone?: string }) {
  const [row] = await t.db
    .insert(contact)
    .values({ organizationId: orgId, ...values })
    .returning();
  return row!;
}

beforeAll(async () => {
  t = await createTestApp();
  owner = await createPerson(t, { role: "owner" });
  orgId = owner.organizationId;
  api = as(owner.headers);
});
afterAll(async () => t?.close());

describe(`consent ledger (${testBackend})`, () => {
  it("gives and withdraws with the same call; the current state is the newest decision; history stays", async () => {
    const c = await newContact({ displayName: "Ole Consent", email: "ole@example.org" });
    const give = await api("PUT", `/api/v1/contacts/${c.id}/consents/marketing`, {
      state: "given",
      source: "opt_in_link",
      wording: "Ja, schickt mir Angebote.",
    });
    expect(give.statusCode, give.body).toBe(201);
    const withdraw = await api("PUT", `/api/v1/contacts/${c.id}/consents/marketing`, {
      state: "withdrawn",
      source: "web_chat_checkbox",
    });
    expect(withdraw.statusCode).toBe(201);
    const list = (await api("GET", `/api/v1/contacts/${c.id}/consents`)).json();
    expect(list.current.find((p: { purpose: string }) => p.purpose === "marketing").state).toBe("withdrawn");
    expect(list.current.find((p: { purpose: string }) => p.purpose === "service").state).toBe("none");
    expect(list.history.map((h: { state: string }) => h.state)).toEqual(["given", "withdrawn"]);
    expect(list.history[0]).toMatchObject({ legalBasis: "consent", wording: "Ja, schickt mir Angebote." });
  });

  it("refuses a consent without its wording and an agent's record without evidence", async () => {
    const c = await newContact({ displayName: "Pia Proof" });
    const noWording = await api("PUT", `/api/v1/contacts/${c.id}/consents/marketing`, {
      state: "given",
      source: "import",
    });
    expect(noWording.statusCode).toBe(400);
    expect(noWording.json().error.message).toMatch(/wording/);
    const noEvidence = await api("PUT", `/api/v1/contacts/${c.id}/consents/marketing`, {
      state: "given",
      source: "agent",
      wording: "Newsletter?",
    });
    expect(noEvidence.statusCode).toBe(400);
    expect(noEvidence.json().error.message).toMatch(/evidence/);
  });
});

describe(`the data protection officer and the access log (${testBackend})`, () => {
  it("records every contact read, and shows the log to the DPO but not to an agent", async () => {
    const c = await newContact({ displayName: "Rita Read" });
    const agent = await createPerson(t, { role: "agent", organizationId: orgId });
    const dpo = await createPerson(t, { role: "dpo", organizationId: orgId });
    expect((await as(agent.headers)("GET", `/api/v1/contacts/${c.id}`)).statusCode).toBe(200);
    expect((await as(agent.headers)("GET", "/api/v1/contacts?q=Rita")).statusCode).toBe(200);
    const log = await as(dpo.headers)("GET", `/api/v1/privacy/access-log?contactId=${c.id}`);
    expect(log.statusCode).toBe(200);
    expect(log.json().entries).toEqual([
      expect.objectContaining({ contactId: c.id, actorUserId: agent.userId, via: "list" }),
      expect.objectContaining({ contactId: c.id, actorUserId: agent.userId, via: "detail" }),
    ]);
    expect((await as(agent.headers)("GET", "/api/v1/privacy/access-log")).statusCode).toBe(403);
    // The DPO handles requests but does not change the organization's data-use mode.
    expect((await as(dpo.headers)("GET", "/api/v1/privacy/requests")).statusCode).toBe(200);
    expect((await as(dpo.headers)("PUT", "/api/v1/privacy/data-use-mode", { mode: "full" })).statusCode).toBe(
      403,
    );
  });
});

describe(`data-use modes (${testBackend})`, () => {
  it("in mode none, enrichment and audience export are refused with a sentence that says why", async () => {
    await api("PUT", "/api/v1/privacy/data-use-mode", { mode: "none" });
    const c = await newContact({ displayName: "Nora None" });
    const enrich = await api("POST", `/api/v1/contacts/${c.id}/enrichment`);
    expect(enrich.statusCode).toBe(403);
    expect(enrich.json().error.message).toMatch(/data-use mode is "none"/);
    const audience = await api("POST", "/api/v1/privacy/audiences", {});
    expect(audience.statusCode).toBe(403);
    expect(audience.json().error.message).toMatch(/Audience export is switched off.*"none"/);
  });

  it("switching full → linked previews, then removes the enrichment data", async () => {
    await api("PUT", "/api/v1/privacy/data-use-mode", { mode: "full" });
    const c = await newContact({ displayName: "Fritz Full" });
    await t.db.insert(socialIdentity).values({
      organizationId: orgId,
      network: "bluesky",
      handle: "fritz.bsky.social",
      followers: 900,
      contactId: c.id,
    });
    const refused = await api("POST", `/api/v1/contacts/${c.id}/enrichment`);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.message).toMatch(/consent/);
    await api("PUT", `/api/v1/contacts/${c.id}/consents/profile_enrichment`, {
      state: "given",
      source: "web_chat_checkbox",
      wording: "Profil übernehmen?",
    });
    const enriched = await api("POST", `/api/v1/contacts/${c.id}/enrichment`);
    expect(enriched.statusCode, enriched.body).toBe(200);
    expect(enriched.json().entries[0].data).toMatchObject({ handle: "fritz.bsky.social", followers: 900 });

    const preview = await api("GET", "/api/v1/privacy/data-use-mode/preview?mode=linked");
    expect(preview.json()).toEqual({
      from: "full",
      to: "linked",
      removes: { enrichmentEntries: 1, contactsAffected: 1, identityLinks: 0 },
      stops: ["profile enrichment"],
    });
    expect(
      await t.db.select().from(contactEnrichment).where(eq(contactEnrichment.contactId, c.id)),
    ).toHaveLength(1);
    const switched = await api("PUT", "/api/v1/privacy/data-use-mode", { mode: "linked" });
    expect(switched.json().removed).toEqual({ enrichmentEntries: 1, identityLinks: 0 });
    expect(
      await t.db.select().from(contactEnrichment).where(eq(contactEnrichment.organizationId, orgId)),
    ).toEqual([]);
  });

  it("exports an audience of hashed, normalised e-mails and phones of consenting contacts only", async () => {
    await api("PUT", "/api/v1/privacy/data-use-mode", { mode: "linked" });
    const yes = await newContact({
      displayName: "Ada Audience",
      email: "  Ada@Example.ORG ",
      phone: "0151 / 234 567-89",
    });
    const withdrew = await newContact({ displayName: "Wim Withdrew", email: "wim@example.org" });
    await newContact({ displayName: "Nils Never", email: "nils@example.org" });
    const give = (id: string, state: string) =>
      api("PUT", `/api/v1/contacts/${id}/consents/audience_matching`, {
        state,
        source: "opt_in_link",
        wording: "Für passende Werbung abgleichen?",
      });
    await give(yes.id, "given");
    await give(withdrew.id, "given");
    await give(withdrew.id, "withdrawn");
    const audience = await api("POST", "/api/v1/privacy/audiences", {});
    expect(audience.statusCode, audience.body).toBe(200);
    expect(audience.json().members).toEqual([
      { emailSha256: sha256Hex("ada@example.org"), phoneSha256: sha256Hex("+4915123456789") },
    ]);
  });

  it("normalises like the ad networks ask", () => {
    expect(normalizeEmail(" Max.Muster@Example.com ")).toBe("max.muster@example.com");
    expect(normalizeEmail("no address")).toBeUndefined();
    expect(normalizePhone("+49 (0) 30 1234567")).toBe("+49301234567");
    expect(normalizePhone("0049 151 2345678")).toBe("+491512345678");
    expect(normalizePhone("030/1234567")).toBe("+49301234567");
    expect(normalizePhone("(202) 555-0143", "1")).toBe("+12025550143");
    expect(normalizePhone("12")).toBeUndefined();
  });

  it("shows unlinked top authors under a keyed pseudonym outside mode full, linked contacts by name", async () => {
    const c = await newContact({ displayName: "Linda Linked" });
    const [stranger, linked] = await t.db
      .insert(socialIdentity)
      .values([
        {
          organizationId: orgId,
          network: "bluesky",
          handle: "stranger.bsky.social",
          displayName: "Stra Nger",
        },
        { organizationId: orgId, network: "bluesky", handle: "linda.bsky.social", contactId: c.id },
      ])
      .returning();
    const day = new Date(Date.now() - 3_600_000);
    await t.db.insert(authorRollup).values([
      { organizationId: orgId, queryId: everyMention, day, identityId: stranger!.id, mentions: 5 },
      { organizationId: orgId, queryId: everyMention, day, identityId: linked!.id, mentions: 3 },
    ]);
    const range = `from=${new Date(Date.now() - 86_400_000).toISOString()}&to=${new Date(Date.now() + 60_000).toISOString()}`;
    await api("PUT", "/api/v1/privacy/data-use-mode", { mode: "linked" });
    const hidden = (await api("GET", `/api/v1/listening/authors?${range}`)).json();
    expect(hidden[0]).toMatchObject({ identityId: stranger!.id, displayName: null, pseudonymised: true });
    expect(hidden[0].handle).toMatch(/^author-[0-9a-f]{16}$/);
    expect(JSON.stringify(hidden)).not.toContain("stranger");
    expect(hidden[1]).toMatchObject({ handle: "linda.bsky.social", pseudonymised: false });
    const again = (await api("GET", `/api/v1/listening/authors?${range}`)).json();
    expect(again[0].handle).toBe(hidden[0].handle);
    const [key] = await t.db.select().from(pseudonymKey).where(eq(pseudonymKey.organizationId, orgId));
    expect(key!.keyEncrypted).toMatch(/^v1:/);
    await api("PUT", "/api/v1/privacy/data-use-mode", { mode: "full" });
    const shown = (await api("GET", `/api/v1/listening/authors?${range}`)).json();
    expect(shown[0]).toMatchObject({ handle: "stranger.bsky.social", pseudonymised: false });
  });
});

describe(`data-subject requests over HTTP (${testBackend})`, () => {
  it("an erasure request is answered once, by its own route, and keeps only the proof", async () => {
    const dpo = await createPerson(t, { role: "dpo", organizationId: orgId });
    const asDpo = as(dpo.headers);
    const c = await newContact({ displayName: "Edda Erase", email: "edda@example.org" });
    const opened = await asDpo("POST", "/api/v1/privacy/requests", { type: "erasure", contactId: c.id });
    expect(opened.statusCode, opened.body).toBe(201);
    const id = opened.json().id as string;
    const wrongType = await asDpo("POST", `/api/v1/privacy/requests/${id}/export`);
    expect(wrongType.statusCode).toBe(409);
    const erased = await asDpo("POST", `/api/v1/privacy/requests/${id}/erasure`);
    expect(erased.statusCode, erased.body).toBe(200);
    expect(erased.json().request).toMatchObject({
      status: "completed",
      subjectContactId: null,
      completedByUserId: dpo.userId,
      proof: { counts: { contact: 1 } },
    });
    expect(await t.db.select().from(contact).where(eq(contact.id, c.id))).toEqual([]);
    expect((await asDpo("POST", `/api/v1/privacy/requests/${id}/erasure`)).statusCode).toBe(409);
    const list = (await asDpo("GET", "/api/v1/privacy/requests")).json();
    expect(list.requests.map((r: { id: string }) => r.id)).toContain(id);
  });
});
