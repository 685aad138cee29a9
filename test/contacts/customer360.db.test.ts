import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { socialIdentity } from "../../src/modules/contacts/schema.js";
import { channel, conversation, message } from "../../src/modules/conversations/schema.js";
import { mention } from "../../src/modules/listening/schema.js";
import { optInLink } from "../../src/modules/privacy/schema.js";
import { auditLog } from "../../src/platform/audit/schema.js";
import { createPerson, createTestApp, type TestApp } from "../support/app.js";
import { testBackend } from "../support/database.js";

let t: TestApp;
let owner: Awaited<ReturnType<typeof createPerson>>;
let agent: Awaited<ReturnType<typeof createPerson>>;
let orgId: string;

const as = (headers: Record<string, string>) => (method: string, url: string, payload?: object) =>
  t.app.inject({ method: method as "GET", url, headers, payload });
let api: ReturnType<typeof as>;
let agentApi: ReturnType<typeof as>;

async function ok<T = Record<string, unknown>>(
  response: Promise<{ statusCode: number; body: string; json: () => unknown }>,
  status = 200,
): Promise<T> {
  const r = await response;
  expect(r.statusCode, r.body).toBe(status);
  return r.json() as T;
}

async function identity(values: {
  network: string;
  handle: string;
  displayName?: string;
  profile?: Record<string, unknown>;
}) {
  const [row] = await t.db
    .insert(socialIdentity)
    .values({ organizationId: orgId, ...values })
    .returning();
  return row!;
}

beforeAll(async () => {
  t = await createTestApp();
  owner = await createPerson(t, { role: "owner" });
  orgId = owner.organizationId;
  agent = await createPerson(t, { role: "agent", organizationId: orgId });
  api = as(owner.headers);
  agentApi = as(agent.headers);
});
afterAll(async () => t?.close());

describe(`contacts, companies and segments (${testBackend})`, () => {
  it("keeps attributes, tags, owner and company; segments list their members by tag, attribute, company, owner, consent and channel", async () => {
    const acme = await ok<{ id: string }>(api("POST", "/api/v1/companies", { name: "Nordwind AG" }), 201);
    const jana = await ok<{ id: string; tags: string[] }>(
      agentApi("POST", "/api/v1/contacts", {
        displayName: "Jana Segmentis",
        email: "jana@segment.example",
        attributes: { customer_number: "KN-1001", plan: "gold" },
        tags: ["VIP ", "hamburg"],
        ownerUserId: agent.userId,
        companyId: acme.id,
      }),
      201,
    );
    expect(jana.tags).toEqual(["vip", "hamburg"]);
    const other = await ok<{ id: string }>(
      api("POST", "/api/v1/contacts", { displayName: "Olaf Segmentis", tags: ["hamburg"] }),
      201,
    );
    const badOwner = await api("PATCH", `/api/v1/contacts/${other.id}`, { ownerUserId: "nobody" });
    expect(badOwner.statusCode).toBe(400);
    expect(badOwner.json().error.message).toMatch(/owner must be a member/);
    await ok(
      api("PUT", `/api/v1/contacts/${jana.id}/consents/marketing`, {
        state: "given",
        source: "web_chat_checkbox",
        wording: "Ja, Angebote per Mail.",
      }),
      201,
    );
    await ok(
      api("POST", `/api/v1/contacts/${jana.id}/identities`, {
        network: "email",
        handle: "jana@segment.example",
      }),
      201,
    );

    const members = async (filter: object) => {
      const created = await ok<{ id: string }>(
        api("POST", "/api/v1/segments", { name: `S ${Math.random()}`, filter }),
        201,
      );
      const list = await ok<{ total: number; contacts: Array<{ id: string }> }>(
        api("GET", `/api/v1/segments/${created.id}/members`),
      );
      return list.contacts.map((c) => c.id).filter((id) => id === jana.id || id === other.id);
    };
    expect(await members({ tags: ["hamburg"] })).toEqual([jana.id, other.id]);
    expect(await members({ tags: ["hamburg", "vip"] })).toEqual([jana.id]);
    expect(await members({ attributes: { plan: "gold" } })).toEqual([jana.id]);
    expect(await members({ companyId: acme.id })).toEqual([jana.id]);
    expect(await members({ ownerUserId: agent.userId })).toEqual([jana.id]);
    expect(await members({ consent: { purpose: "marketing", state: "given" } })).toEqual([jana.id]);
    expect(await members({ tags: ["hamburg"], consent: { purpose: "marketing", state: "none" } })).toEqual([
      other.id,
    ]);
    expect(await members({ channel: "email" })).toEqual([jana.id]);
    const byQuery = await ok<{ contacts: Array<{ id: string }> }>(
      api("GET", "/api/v1/contacts?tag=hamburg&attribute=plan:gold&consent=marketing:given"),
    );
    expect(byQuery.contacts.map((c) => c.id)).toEqual([jana.id]);
    const companies = await ok<{ companies: Array<{ id: string; contacts: number }> }>(
      api("GET", "/api/v1/companies"),
    );
    expect(companies.companies.find((c) => c.id === acme.id)?.contacts).toBe(1);
    const detail = await ok<{ company: { name: string }; identities: Array<{ handle: string }> }>(
      agentApi("GET", `/api/v1/contacts/${jana.id}`),
    );
    expect(detail.company.name).toBe("Nordwind AG");
    expect(detail.identities.map((i) => i.handle)).toEqual(["jana@segment.example"]);
    // Opening the contact is personal-data access, in the DPO's log.
    const opened = await t.db
      .select()
      .from(auditLog)
      .where(
        and(
          eq(auditLog.action, "contact.accessed"),
          eq(auditLog.entityId, jana.id),
          eq(auditLog.actorUserId, agent.userId),
        ),
      );
    expect(opened.length).toBeGreaterThan(0);
  });
});

describe(`the timeline of a contact (${testBackend})`, () => {
  it("merges mentions, messages, conversations, consent, identity links, notes and CRM events newest first, page by page", async () => {
    await ok(api("PUT", "/api/v1/privacy/data-use-mode", { mode: "full" }));
    const c = await ok<{ id: string }>(
      api("POST", "/api/v1/contacts", { displayName: "Tim Eline", attributes: { customer_number: "T-1" } }),
      201,
    );
    const at = (minutes: number) => new Date(Date.UTC(2026, 0, 1, 10, minutes));
    await ok(
      api("PUT", `/api/v1/contacts/${c.id}/consents/service`, {
        state: "given",
        source: "agent",
        wording: "Dürfen wir Ihr Konto verknüpfen?",
        evidence: "Telefonat",
      }),
      201,
    );
    const bsky = await identity({
      network: "bluesky",
      handle: "tim-eline.bsky.social",
      displayName: "Tim Eline",
    });
    await ok(
      api("POST", `/api/v1/contacts/${c.id}/identity-decisions`, {
        identityId: bsky.id,
        decision: "confirm",
        reason: "He told us his handle on the phone",
      }),
      201,
    );
    const [chat] = await t.db
      .insert(channel)
      .values({ organizationId: orgId, type: "webchat", name: "Chat", isPrivate: true })
      .returning();
    const [talk] = await t.db
      .insert(conversation)
      .values({
        organizationId: orgId,
        channelId: chat!.id,
        contactId: c.id,
        subject: "Ticket",
        createdAt: at(1),
      })
      .returning();
    // Three messages in the same millisecond: paging must neither repeat nor skip them.
    await t.db.insert(message).values(
      [1, 2, 3].map((n) => ({
        organizationId: orgId,
        conversationId: talk!.id,
        direction: "incoming" as const,
        authorName: "Tim",
        body: `Nachricht ${n}`,
        sentAt: at(2),
      })),
    );
    await t.db.insert(mention).values({
      organizationId: orgId,
      network: "bluesky",
      externalId: `tl-${Date.now()}`,
      identityId: bsky.id,
      text: "Öffentlicher Post von Tim",
      language: "de",
      sentiment: "neutral",
      sentimentScore: 0,
      offensiveScore: 0,
      urgency: 0,
      hasPii: false,
      aspects: [],
      keyphrases: [],
      matchedQueryIds: [],
      postedAt: at(3),
    });
    await ok(api("POST", `/api/v1/contacts/${c.id}/notes`, { body: "Wünscht Rückruf" }), 201);
    await ok(api("PATCH", `/api/v1/contacts/${c.id}`, { tags: ["callback"] }));

    const all: Array<{ kind: string; key: string; at: string }> = [];
    let before: string | undefined;
    for (let page = 0; page < 10; page += 1) {
      const result = await ok<{ events: typeof all; nextBefore?: string }>(
        api(
          "GET",
          `/api/v1/contacts/${c.id}/timeline?limit=2${before ? `&before=${encodeURIComponent(before)}` : ""}`,
        ),
      );
      all.push(...result.events);
      before = result.nextBefore;
      if (!before) break;
    }
    const kinds = new Set(all.map((e) => e.kind));
    expect([...kinds].sort()).toEqual([
      "consent",
      "conversation",
      "crm",
      "identity_link",
      "mention",
      "message",
      "note",
    ]);
    expect(new Set(all.map((e) => e.key)).size).toBe(all.length);
    expect(all.filter((e) => e.kind === "message")).toHaveLength(3);
    const times = all.map((e) => new Date(e.at).getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(all.filter((e) => e.kind === "crm").length).toBeGreaterThanOrEqual(2); // created, updated

    // In mode `linked` social data stays separate: no mentions in the customer's timeline.
    await ok(api("PUT", "/api/v1/privacy/data-use-mode", { mode: "linked" }));
    const linked = await ok<{ omitted: string[]; events: Array<{ kind: string }> }>(
      api("GET", `/api/v1/contacts/${c.id}/timeline?limit=100`),
    );
    expect(linked.omitted).toEqual(["mention"]);
    expect(linked.events.some((e) => e.kind === "mention")).toBe(false);
    const detail = await ok<{ identities: Array<{ handle: string; profile: unknown }> }>(
      api("GET", `/api/v1/contacts/${c.id}`),
    );
    expect(detail.identities).toEqual([expect.objectContaining({ handle: bsky.handle, profile: null })]);
    // Switching to `none` (preview first) unlinks social identities from the record, in the timeline.
    const preview = await ok<{ removes: { identityLinks: number } }>(
      api("GET", "/api/v1/privacy/data-use-mode/preview?mode=none"),
    );
    expect(preview.removes.identityLinks).toBeGreaterThanOrEqual(1);
    await ok(api("PUT", "/api/v1/privacy/data-use-mode", { mode: "none" }));
    const none = await ok<{ identities: unknown[] }>(api("GET", `/api/v1/contacts/${c.id}`));
    expect(none.identities).toEqual([]);
    const [unlinked] = await t.db.select().from(socialIdentity).where(eq(socialIdentity.id, bsky.id));
    expect(unlinked!.contactId).toBeNull();
    const after = await ok<{ events: Array<{ kind: string; decision?: string; source?: string }> }>(
      api("GET", `/api/v1/contacts/${c.id}/timeline?limit=100`),
    );
    expect(after.events).toContainEqual(
      expect.objectContaining({ kind: "identity_link", decision: "unlinked", source: "data_use_mode" }),
    );
  });
});

describe(`identity resolution with a legal basis (${testBackend})`, () => {
  it("proposes candidates with evidence, refuses links without mode or consent, records confirmations and rejections", async () => {
    await ok(api("PUT", "/api/v1/privacy/data-use-mode", { mode: "none" }));
    const c = await ok<{ id: string }>(
      api("POST", "/api/v1/contacts", { displayName: "Henrike Zaunkönig", email: "henrike@zaun.example" }),
      201,
    );
    const byMail = await identity({
      network: "mastodon",
      handle: "hzaun@norden.social",
      profile: { email: "Henrike@zaun.example" },
    });
    const byName = await identity({
      network: "bluesky",
      handle: "henrike-zaunkoenig.bsky.social",
      displayName: "Henrike Zaunkoenig",
    });
    const stranger = await identity({
      network: "bluesky",
      handle: "kaffeeliebe77.bsky.social",
      displayName: "Kaffee",
    });

    const refused = await api("GET", `/api/v1/contacts/${c.id}/identity-candidates`);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.message).toMatch(/data-use mode is "none"/);
    const queue = await ok<{ notice: string; candidates: unknown[] }>(
      api("GET", "/api/v1/identity-candidates"),
    );
    expect(queue.candidates).toEqual([]);
    expect(queue.notice).toMatch(/switched off/);

    await ok(api("PUT", "/api/v1/privacy/data-use-mode", { mode: "linked" }));
    const found = await ok<{
      candidates: Array<{
        identityId: string;
        score: number;
        likely: boolean;
        evidence: Array<{ kind: string }>;
      }>;
    }>(api("GET", `/api/v1/contacts/${c.id}/identity-candidates`));
    const mail = found.candidates.find((x) => x.identityId === byMail.id)!;
    expect(mail.likely).toBe(true);
    expect(mail.evidence.map((e) => e.kind)).toContain("email_exact");
    const name = found.candidates.find((x) => x.identityId === byName.id)!;
    expect(name.evidence.map((e) => e.kind)).toEqual(
      expect.arrayContaining(["name_similarity", "handle_similarity"]),
    );
    expect(found.candidates.some((x) => x.identityId === stranger.id)).toBe(false);

    // No consent yet: the link is refused with what to do.
    const noBasis = await api("POST", `/api/v1/contacts/${c.id}/identity-decisions`, {
      identityId: byMail.id,
      decision: "confirm",
      reason: "same e-mail",
    });
    expect(noBasis.statusCode).toBe(403);
    expect(noBasis.json().error.message).toMatch(/has not consented to "service".*opt-in link/);

    await ok(
      api("PUT", `/api/v1/contacts/${c.id}/consents/service`, {
        state: "given",
        source: "agent",
        wording: "Dürfen wir Ihre Konten verknüpfen?",
        evidence: "E-Mail vom 3. März",
      }),
      201,
    );
    const noReason = await api("POST", `/api/v1/contacts/${c.id}/identity-decisions`, {
      identityId: byMail.id,
      decision: "confirm",
    });
    expect(noReason.statusCode).toBe(400);
    const confirmed = await ok<{ decision: string; score: number; decidedByUserId: string; reason: string }>(
      agentApi("POST", `/api/v1/contacts/${c.id}/identity-decisions`, {
        identityId: byMail.id,
        decision: "confirm",
        reason: "Same e-mail address in the profile",
      }),
      201,
    );
    expect(confirmed).toMatchObject({ decision: "confirmed", decidedByUserId: agent.userId });
    expect(confirmed.score).toBeGreaterThan(0.8);
    const rejected = await ok<{ decision: string }>(
      agentApi("POST", `/api/v1/contacts/${c.id}/identity-decisions`, {
        identityId: byName.id,
        decision: "reject",
        reason: "Different person, lives in Bremen",
      }),
      201,
    );
    expect(rejected.decision).toBe("rejected");
    const again = await ok<{ candidates: Array<{ identityId: string }> }>(
      api("GET", `/api/v1/contacts/${c.id}/identity-candidates`),
    );
    expect(again.candidates.map((x) => x.identityId)).not.toContain(byName.id);
    const [linked] = await t.db.select().from(socialIdentity).where(eq(socialIdentity.id, byMail.id));
    expect(linked!.contactId).toBe(c.id);
    const timeline = await ok<{ events: Array<{ kind: string; decision?: string; reason?: string }> }>(
      api("GET", `/api/v1/contacts/${c.id}/timeline`),
    );
    expect(timeline.events.filter((e) => e.kind === "identity_link").map((e) => e.decision)).toEqual([
      "rejected",
      "confirmed",
    ]);
    const audited = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "identity.linked"), eq(auditLog.entityId, c.id)));
    expect(audited).toHaveLength(1);
  });

  it("links automatically only at or above the configured certainty and only with the legal basis", async () => {
    await ok(api("PUT", "/api/v1/privacy/data-use-mode", { mode: "linked" }));
    const off = await ok<{ linked: number }>(api("POST", "/api/v1/identity-candidates/auto-link"));
    expect(off.linked).toBe(0);
    const tooLow = await api("PUT", "/api/v1/settings/identity-resolution", {
      certainty: 0.8,
      autoLinkCertainty: 0.7,
      customerNumberAttribute: "customer_number",
    });
    expect(tooLow.statusCode).toBe(400);
    await ok(
      api("PUT", "/api/v1/settings/identity-resolution", {
        certainty: 0.8,
        autoLinkCertainty: 0.95,
        customerNumberAttribute: "customer_number",
      }),
    );
    const withConsent = await ok<{ id: string }>(
      api("POST", "/api/v1/contacts", { displayName: "Auto Linkmann", email: "auto@linkmann.example" }),
      201,
    );
    await ok(
      api("POST", "/api/v1/contacts", { displayName: "Nora Ohnezustimmung", email: "nora@ohne.example" }),
      201,
    );
    await ok(
      api("PUT", `/api/v1/contacts/${withConsent.id}/consents/service`, {
        state: "given",
        source: "import",
        wording: "Kontoverknüpfung erlaubt",
      }),
      201,
    );
    const a = await identity({
      network: "x",
      handle: "autolinkmann",
      displayName: "Auto Linkmann",
      profile: { email: "auto@linkmann.example" },
    });
    const b = await identity({
      network: "x",
      handle: "noraohne",
      displayName: "Nora Ohnezustimmung",
      profile: { email: "nora@ohne.example" },
    });
    const onlyName = await identity({ network: "x", handle: "autolinkmann2", displayName: "Auto Linkmann" });
    const result = await ok<{ linked: number; withoutLegalBasis: number }>(
      api("POST", "/api/v1/identity-candidates/auto-link"),
    );
    expect(result.linked).toBe(1);
    expect(result.withoutLegalBasis).toBeGreaterThanOrEqual(1);
    const state = async (id: string) =>
      (await t.db.select().from(socialIdentity).where(eq(socialIdentity.id, id)))[0]!.contactId;
    expect(await state(a.id)).toBe(withConsent.id);
    expect(await state(b.id)).toBeNull();
    expect(await state(onlyName.id)).toBeNull();
    await ok(
      api("PUT", "/api/v1/settings/identity-resolution", {
        certainty: 0.8,
        autoLinkCertainty: null,
        customerNumberAttribute: "customer_number",
      }),
    );
  });
});

describe(`opt-in links (${testBackend})`, () => {
  it("records the identity link and the consent together, once; wrong numbers, reuse and expiry are refused", async () => {
    await ok(api("PUT", "/api/v1/privacy/data-use-mode", { mode: "linked" }));
    const c = await ok<{ id: string }>(
      api("POST", "/api/v1/contacts", {
        displayName: "Olga Optin",
        attributes: { customer_number: "KX 4711" },
      }),
      201,
    );
    const insta = await identity({ network: "instagram", handle: "olga.optin", displayName: "Olga" });
    const link = await ok<{ token: string; url: string }>(
      agentApi("POST", `/api/v1/contacts/${c.id}/opt-in-links`, { identityId: insta.id, locale: "de" }),
      201,
    );
    expect(link.url).toMatch(/\/opt-in\/kvo_/);
    const [stored] = await t.db.select().from(optInLink).where(eq(optInLink.contactId, c.id));
    expect(stored!.tokenHash).not.toContain(link.token);

    const anonymous = as({});
    const shown = await ok<{ state: string; identity: { handle: string }; wording: string }>(
      anonymous("GET", `/api/v1/opt-in/${link.token}`),
    );
    expect(shown).toMatchObject({ state: "open", identity: { handle: "olga.optin" } });
    expect(shown.wording).toMatch(/verknüpft/);
    const wrong = await anonymous("POST", `/api/v1/opt-in/${link.token}`, {
      customerNumber: "KX 0000",
      consent: true,
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.message).toMatch(/does not match.*4 attempts left/);
    const noTick = await anonymous("POST", `/api/v1/opt-in/${link.token}`, {
      customerNumber: "KX4711",
      consent: false,
    });
    expect(noTick.statusCode).toBe(400);
    await ok(anonymous("POST", `/api/v1/opt-in/${link.token}`, { customerNumber: "kx-4711", consent: true }));

    const consents = await ok<{ history: Array<{ purpose: string; source: string; wording: string }> }>(
      api("GET", `/api/v1/contacts/${c.id}/consents`),
    );
    expect(consents.history).toEqual([
      expect.objectContaining({ purpose: "service", source: "opt_in_link", wording: shown.wording }),
    ]);
    const [linked] = await t.db.select().from(socialIdentity).where(eq(socialIdentity.id, insta.id));
    expect(linked!.contactId).toBe(c.id);

    const reused = await anonymous("POST", `/api/v1/opt-in/${link.token}`, {
      customerNumber: "KX4711",
      consent: true,
    });
    expect(reused.statusCode).toBe(409);
    expect(reused.json().error.message).toMatch(/used already/);
    expect(
      (await ok<{ state: string; identity: unknown }>(anonymous("GET", `/api/v1/opt-in/${link.token}`)))
        .state,
    ).toBe("used");

    const insta2 = await identity({ network: "instagram", handle: "olga.zwei" });
    const late = await ok<{ token: string }>(
      api("POST", `/api/v1/contacts/${c.id}/opt-in-links`, { identityId: insta2.id, expiresInDays: 1 }),
      201,
    );
    await t.db
      .update(optInLink)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(and(eq(optInLink.contactId, c.id), eq(optInLink.identityId, insta2.id)));
    const expired = await ok<{ state: string; identity: unknown }>(
      anonymous("GET", `/api/v1/opt-in/${late.token}`),
    );
    expect(expired).toMatchObject({ state: "expired", identity: null });
    const tooLate = await anonymous("POST", `/api/v1/opt-in/${late.token}`, {
      customerNumber: "KX4711",
      consent: true,
    });
    expect(tooLate.statusCode).toBe(409);
    expect(tooLate.json().error.message).toMatch(/expired/);

    // A campaign creates many personal links at once; in mode none, no link can be created at all.
    const insta3 = await identity({ network: "instagram", handle: "olga.drei" });
    const campaign = await ok<{ links: unknown[]; skipped: unknown[] }>(
      api("POST", "/api/v1/opt-in-campaigns", {
        campaign: "Frühjahr 2026",
        recipients: [
          { contactId: c.id, identityId: insta3.id },
          { contactId: c.id, identityId: insta.id },
        ],
      }),
      201,
    );
    expect(campaign.links).toHaveLength(1);
    expect(campaign.skipped).toHaveLength(1);
    await ok(api("PUT", "/api/v1/privacy/data-use-mode", { mode: "none" }));
    const refused = await api("POST", `/api/v1/contacts/${c.id}/opt-in-links`, { identityId: insta3.id });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.message).toMatch(/data-use mode is "none"/);
  });
});
