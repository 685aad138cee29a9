import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { routeMentions } from "../../src/modules/automation/routingRuleRunner.js";
import { channel } from "../../src/modules/conversations/schema.js";
import { organization } from "../../src/modules/organizations/schema.js";
import { auditLog } from "../../src/platform/audit/schema.js";
import { systemClock } from "../../src/platform/clock.js";
import { createTestApp, type TestApp } from "../support/app.js";
import { testBackend } from "../support/database.js";
import { coreTeamOrganization, storeMention } from "./support.js";

let t: TestApp;
let org: Awaited<ReturnType<typeof coreTeamOrganization>>;

beforeAll(async () => {
  t = await createTestApp();
  org = await coreTeamOrganization(t, "Kernteam AG");
  // The organization runs its own Bluesky account: posts there are on its own channel.
  await t.db
    .insert(channel)
    .values({ organizationId: org.organizationId, type: "bluesky", name: "@kernteam" });
});
afterAll(async () => t?.close());

const actions = async (entityId: string) =>
  (await t.db.select().from(auditLog).where(eq(auditLog.entityId, entityId))).map((e) => e.action);

describe(`insights (${testBackend})`, () => {
  it("the core team forwards a mention to R&D; R&D works it through its states; the core team sees them across departments", async () => {
    const crash = await storeMention(t, org.organizationId, {
      text: "Die App stürzt ab",
      sentiment: "negative",
    });
    const forwarded = await org.coreTeam.api("POST", "/api/v1/insights", {
      departmentId: org.departments.rnd.id,
      mentionId: crash.id,
      note: "Dritter Absturz-Bericht heute – bitte prüfen",
    });
    expect(forwarded.statusCode, forwarded.body).toBe(201);
    const id = forwarded.json().id;
    // R&D hears about it and sees it; Sales does not.
    const rndNotes = (await org.rnd.api("GET", "/api/v1/notifications")).json();
    expect(rndNotes[0]).toMatchObject({ kind: "insight.forwarded", link: `/insights/${id}` });
    const rndList = (await org.rnd.api("GET", "/api/v1/insights")).json();
    expect(rndList.map((i: { id: string }) => i.id)).toContain(id);
    expect(rndList[0]).toMatchObject({
      note: "Dritter Absturz-Bericht heute – bitte prüfen",
      source: { type: "mention", text: "Die App stürzt ab" },
    });
    expect((await org.sales.api("GET", "/api/v1/insights")).json()).toEqual([]);
    expect((await org.sales.api("GET", `/api/v1/insights/${id}`)).statusCode).toBe(404);
    expect((await org.sales.api("PUT", `/api/v1/insights/${id}/state`, { state: "done" })).statusCode).toBe(
      404,
    );
    // States move along, with history; a jump back to "new" is refused.
    for (const state of ["acknowledged", "in_progress"]) {
      const moved = await org.rnd.api("PUT", `/api/v1/insights/${id}/state`, {
        state,
        comment: `→ ${state}`,
      });
      expect(moved.statusCode, moved.body).toBe(200);
    }
    const back = await org.rnd.api("PUT", `/api/v1/insights/${id}/state`, { state: "new" });
    expect(back.statusCode).toBe(400);
    expect(back.json().error.message).toMatch(/can move to/);
    const detail = (await org.coreTeam.api("GET", `/api/v1/insights/${id}`)).json();
    expect(detail.state).toBe("in_progress");
    expect(detail.history.map((h: { toState: string }) => h.toState)).toEqual([
      "new",
      "acknowledged",
      "in_progress",
    ]);
    const overview = (await org.coreTeam.api("GET", "/api/v1/insights/overview")).json();
    expect(
      overview.find((d: { departmentId: string }) => d.departmentId === org.departments.rnd.id),
    ).toMatchObject({
      states: { new: 0, acknowledged: 0, in_progress: 1, done: 0 },
      total: 1,
    });
    // The forwarder hears about progress; all of it is audited.
    const coreNotes = (await org.coreTeam.api("GET", "/api/v1/notifications")).json();
    expect(coreNotes.map((n: { kind: string }) => n.kind)).toContain("insight.state_changed");
    expect(await actions(id)).toEqual(expect.arrayContaining(["insight.forwarded", "insight.state_changed"]));
    // Viewers and analysts cannot change it; viewers cannot even read it.
    expect((await org.viewer.api("GET", "/api/v1/insights")).statusCode).toBe(403);
    expect(
      (
        await org.viewer.api("POST", "/api/v1/insights", {
          departmentId: org.departments.rnd.id,
          mentionId: crash.id,
          note: "x",
        })
      ).statusCode,
    ).toBe(403);
  });

  it("a conversation can be forwarded too; a rule creates a lead for Sales", async () => {
    const incoming = await org.owner.api("POST", "/api/v1/settings/channel-accounts", {
      network: "log",
      name: "Mail",
    });
    const received = await org.owner.api("POST", `/api/v1/channels/${incoming.json().channelId}/incoming`, {
      authorName: "Kim",
      text: "Wir möchten 40 Lizenzen für unser Team kaufen",
    });
    const forwarded = await org.coreTeam.api("POST", "/api/v1/insights", {
      departmentId: org.departments.hr.id,
      conversationId: received.json().conversationId,
      note: "Arbeitgeber-Thema",
    });
    expect(forwarded.statusCode, forwarded.body).toBe(201);
    const both = await org.coreTeam.api("POST", "/api/v1/insights", {
      departmentId: org.departments.hr.id,
      note: "x",
    });
    expect(both.statusCode).toBe(400);
    const rule = await org.coreTeam.api("POST", "/api/v1/automation/rules", {
      name: "Kaufinteresse",
      appliesTo: "mention",
      conditions: [{ type: "keywords", keywords: ["kaufen", "Angebot"] }],
      actions: [{ type: "create_lead", note: "Kaufinteresse" }],
    });
    expect(rule.statusCode, rule.body).toBe(201);
    const buyer = await storeMention(t, org.organizationId, {
      text: "Ich will das Jahresabo kaufen, wo gibt es ein Angebot?",
    });
    await routeMentions(
      { db: t.db, clock: systemClock },
      { organizationId: org.organizationId, mentionIds: [buyer.id] },
    );
    const leads = (await org.sales.api("GET", "/api/v1/insights?kind=lead")).json();
    expect(leads).toHaveLength(1);
    expect(leads[0]).toMatchObject({
      kind: "lead",
      departmentId: org.departments.sales.id,
      mentionId: buyer.id,
      createdByMemberId: null,
    });
    await org.coreTeam.api("DELETE", `/api/v1/automation/rules/${rule.json().id}`);
  });
});

describe(`moderation (${testBackend})`, () => {
  it("hiding cites a published house rule and keeps the public reason; removing needs a justification; the queue sorts by score", async () => {
    const rule = await org.coreTeam.api("POST", "/api/v1/moderation/house-rules", {
      title: "Respektvoller Umgang",
      publicText: "Beleidigungen entfernen wir (Hausregel 1).",
    });
    expect(rule.statusCode, rule.body).toBe(201);
    const draft = await org.coreTeam.api("POST", "/api/v1/moderation/house-rules", {
      title: "Entwurf",
      publicText: "Noch nicht veröffentlicht",
      isPublished: false,
    });
    const mild = await storeMention(t, org.organizationId, { text: "Ihr seid Idioten", offensiveScore: 0.7 });
    const worst = await storeMention(t, org.organizationId, {
      text: "[sehr beleidigend]",
      offensiveScore: 0.97,
    });
    const elsewhere = await storeMention(t, org.organizationId, {
      network: "mastodon",
      text: "Idioten!",
      offensiveScore: 0.99,
    });
    await storeMention(t, org.organizationId, { text: "Freundlich", offensiveScore: 0.1 });
    const queue = (await org.rnd.api("GET", "/api/v1/moderation/queue")).json();
    expect(queue.map((q: { id: string }) => q.id)).toEqual([worst.id, mild.id]);
    expect(queue[0]).toMatchObject({ offensiveScore: 0.97, state: "unreviewed" });

    const post = (mentionId: string, body: object, api = org.coreTeam.api) =>
      api("POST", `/api/v1/mentions/${mentionId}/moderation`, body);
    const noRule = await post(mild.id, { action: "hide" });
    expect(noRule.statusCode).toBe(400);
    expect(noRule.json().error.message).toMatch(/house rule/);
    const unpublished = await post(mild.id, { action: "hide", houseRuleId: draft.json().id });
    expect(unpublished.json().error.message).toMatch(/not published/);
    const notOwn = await post(elsewhere.id, { action: "hide", houseRuleId: rule.json().id });
    expect(notOwn.json().error.message).toMatch(/own channels/);
    const hidden = await post(mild.id, { action: "hide", houseRuleId: rule.json().id }, org.rnd.api);
    expect(hidden.statusCode, hidden.body).toBe(201);
    expect(hidden.json()).toMatchObject({
      state: "hidden",
      publicReason: "Beleidigungen entfernen wir (Hausregel 1).",
    });

    const agentRemoves = await post(
      worst.id,
      { action: "remove", houseRuleId: rule.json().id, justification: "x".repeat(30) },
      org.rnd.api,
    );
    expect(agentRemoves.statusCode).toBe(403);
    const unjustified = await post(worst.id, {
      action: "remove",
      houseRuleId: rule.json().id,
      justification: "weil",
    });
    expect(unjustified.statusCode).toBe(400);
    expect(unjustified.json().error.message).toMatch(/exceptional cases/);
    const removed = await post(worst.id, {
      action: "remove",
      houseRuleId: rule.json().id,
      publicReason: "Entfernt: Volksverhetzung",
      justification: "Strafbarer Inhalt; Ausblenden genügt nicht, Anzeige erstattet.",
    });
    expect(removed.statusCode, removed.body).toBe(201);
    expect((await org.rnd.api("GET", "/api/v1/moderation/queue")).json()).toEqual([]);
    const decisions = (
      await org.coreTeam.api("GET", `/api/v1/moderation/decisions?mentionId=${worst.id}`)
    ).json();
    expect(decisions[0]).toMatchObject({
      state: "removed",
      houseRuleTitle: "Respektvoller Umgang",
      publicReason: "Entfernt: Volksverhetzung",
      justification: "Strafbarer Inhalt; Ausblenden genügt nicht, Anzeige erstattet.",
    });
    expect(await actions(mild.id)).toContain("post.hidden");
    expect(await actions(worst.id)).toContain("post.removed");
    // The published rules are public (drafts are not).
    const [{ slug }] = (await t.db
      .select({ slug: organization.slug })
      .from(organization)
      .where(eq(organization.id, org.organizationId))) as [{ slug: string }];
    const publicRules = await t.app.inject({ method: "GET", url: `/api/v1/public/${slug}/house-rules` });
    expect(publicRules.statusCode).toBe(200);
    expect(publicRules.json()).toEqual([
      { title: "Respektvoller Umgang", publicText: "Beleidigungen entfernen wir (Hausregel 1)." },
    ]);
    expect(
      (await t.app.inject({ method: "GET", url: "/api/v1/public/no-such-org/house-rules" })).statusCode,
    ).toBe(404);
    // Changing house rules is for the core team and admins.
    expect(
      (await org.rnd.api("POST", "/api/v1/moderation/house-rules", { title: "x", publicText: "y" }))
        .statusCode,
    ).toBe(403);
  });

  it("a routing rule holds an offensive post for review; it stays in the queue until a person decides", async () => {
    const hold = await org.coreTeam.api("POST", "/api/v1/automation/rules", {
      name: "Beleidigungen zurückhalten",
      appliesTo: "mention",
      conditions: [{ type: "offensive", min: 0.8 }],
      actions: [{ type: "hide_pending_review" }],
    });
    const insult = await storeMention(t, org.organizationId, {
      text: "Ihr Vollpfosten",
      offensiveScore: 0.91,
    });
    await routeMentions(
      { db: t.db, clock: systemClock },
      { organizationId: org.organizationId, mentionIds: [insult.id] },
    );
    const queue = (await org.coreTeam.api("GET", "/api/v1/moderation/queue")).json();
    expect(queue.find((q: { id: string }) => q.id === insult.id)).toMatchObject({ state: "pending_review" });
    const rules = (await org.coreTeam.api("GET", "/api/v1/moderation/house-rules")).json();
    const published = rules.find((r: { isPublished: boolean }) => r.isPublished);
    await org.coreTeam.api("POST", `/api/v1/mentions/${insult.id}/moderation`, {
      action: "hide",
      houseRuleId: published.id,
    });
    expect(
      (await org.coreTeam.api("GET", "/api/v1/moderation/queue")).json().map((q: { id: string }) => q.id),
    ).not.toContain(insult.id);
    await org.coreTeam.api("DELETE", `/api/v1/automation/rules/${hold.json().id}`);
  });
});

describe(`voice of the customer (${testBackend})`, () => {
  it("viewers read a pseudonymised, masked stream filtered by product and aspect, and nothing personal elsewhere", async () => {
    const query = await org.owner.api("POST", "/api/v1/listening/queries", {
      name: "Kernteam-App",
      kind: "brand",
      expression: "app",
    });
    const feedback = await storeMention(t, org.organizationId, {
      handle: "jana.schulz.bsky.social",
      text: "@jana.freundin Die App verliert meine Tickets. Ruft mich an: 0170 1234567 oder jana@example.com",
      sentiment: "negative",
      aspects: [{ category: "app", polarity: "negative", score: 0.9 }],
      matchedQueryIds: [query.json().id],
    });
    await storeMention(t, org.organizationId, { text: "Nicht geteilt" });
    expect((await org.rnd.api("POST", `/api/v1/mentions/${feedback.id}/voc`, {})).statusCode).toBe(403);
    const shared = await org.coreTeam.api("POST", `/api/v1/mentions/${feedback.id}/voc`, {
      note: "Produktfeedback",
    });
    expect(shared.statusCode, shared.body).toBe(201);
    expect((await org.coreTeam.api("POST", `/api/v1/mentions/${feedback.id}/voc`, {})).statusCode).toBe(409);

    const stream = await org.viewer.api("GET", "/api/v1/voc");
    expect(stream.statusCode).toBe(200);
    const [item] = stream.json();
    expect(item.text).toBe("@[person] Die App verliert meine Tickets. Ruft mich an: [phone] oder [email]");
    expect(item.authorPseudonym).toMatch(/^author-[0-9a-f]{16}$/);
    expect(item.products).toEqual([{ id: query.json().id, name: "Kernteam-App" }]);
    expect(stream.body).not.toMatch(/jana|0170|example\.com/i);
    expect(
      (await org.viewer.api("GET", `/api/v1/voc?aspect=app&queryId=${query.json().id}`)).json(),
    ).toHaveLength(1);
    expect((await org.viewer.api("GET", "/api/v1/voc?aspect=preis")).json()).toHaveLength(0);
    expect((await org.viewer.api("GET", "/api/v1/voc/facets")).json().aspects).toEqual(["app"]);
    // Nothing with personal data is open to viewers.
    for (const url of [
      "/api/v1/mentions",
      "/api/v1/conversations",
      "/api/v1/contacts",
      "/api/v1/members",
      "/api/v1/insights",
    ]) {
      expect((await org.viewer.api("GET", url)).statusCode, url).toBe(403);
    }
  });

  it("a viewer asks to join the public dialog; the responsible agent approves; others cannot decide", async () => {
    const item = (await org.viewer.api("GET", "/api/v1/voc")).json()[0];
    // With nobody assigned, the core team decides.
    const first = await org.viewer.api("POST", `/api/v1/voc/${item.id}/join-requests`, {
      reason: "Darf ich?",
    });
    expect(first.statusCode, first.body).toBe(201);
    expect(
      (await org.viewer.api("POST", `/api/v1/voc/${item.id}/join-requests`, { reason: "nochmal" }))
        .statusCode,
    ).toBe(409);
    expect((await org.coreTeam.api("GET", "/api/v1/notifications")).json()[0]).toMatchObject({
      kind: "voc.join_requested",
    });
    const declined = await org.coreTeam.api("PUT", `/api/v1/voc/join-requests/${first.json().id}`, {
      decision: "declined",
    });
    expect(declined.statusCode, declined.body).toBe(200);
    expect((await org.viewer.api("GET", "/api/v1/notifications")).json()[0]).toMatchObject({
      kind: "voc.join_declined",
    });

    // The team takes the post up: its conversation is assigned to the R&D agent, who now decides.
    const feedback = (await org.coreTeam.api("GET", "/api/v1/mentions?q=Tickets")).json().mentions[0];
    const opened = await org.coreTeam.api("POST", `/api/v1/mentions/${feedback.id}/conversation`, {
      departmentId: org.departments.rnd.id,
    });
    expect(opened.statusCode, opened.body).toBe(201);
    const conversationId = opened.json().id;
    const assigned = await org.coreTeam.api("PUT", `/api/v1/conversations/${conversationId}/assignment`, {
      assigneeMemberId: org.rnd.memberId,
    });
    expect(assigned.statusCode, assigned.body).toBe(200);
    const asked = await org.viewer.api("POST", `/api/v1/voc/${item.id}/join-requests`, {
      reason: "Ich entwickle die Ticket-Ansicht und kann erklären, was passiert ist.",
    });
    expect(asked.statusCode, asked.body).toBe(201);
    expect((await org.viewer.api("GET", "/api/v1/voc/join-requests")).json()[0]).toMatchObject({
      state: "pending",
      postUrl: null,
    });
    expect((await org.rnd.api("GET", "/api/v1/notifications")).json()[0]).toMatchObject({
      kind: "voc.join_requested",
    });
    const rndSees = (await org.rnd.api("GET", "/api/v1/voc/join-requests")).json();
    expect(rndSees.map((r: { id: string }) => r.id)).toContain(asked.json().id);
    const notResponsible = await org.sales.api("PUT", `/api/v1/voc/join-requests/${asked.json().id}`, {
      decision: "approved",
    });
    expect(notResponsible.statusCode).toBe(403);
    expect(
      (await org.viewer.api("PUT", `/api/v1/voc/join-requests/${asked.json().id}`, { decision: "approved" }))
        .statusCode,
    ).toBe(403);
    const approved = await org.rnd.api("PUT", `/api/v1/voc/join-requests/${asked.json().id}`, {
      decision: "approved",
      note: "Gern – bitte kurz mit mir abstimmen.",
    });
    expect(approved.statusCode, approved.body).toBe(200);
    expect((await org.viewer.api("GET", "/api/v1/voc/join-requests")).json()[0]).toMatchObject({
      state: "approved",
      decisionNote: "Gern – bitte kurz mit mir abstimmen.",
    });
    const thread = (await org.rnd.api("GET", `/api/v1/conversations/${conversationId}`)).json();
    expect(thread.messages.at(-1)).toMatchObject({
      direction: "note",
      body: expect.stringMatching(/joins this public dialog/),
    });
    const again = await org.rnd.api("PUT", `/api/v1/voc/join-requests/${asked.json().id}`, {
      decision: "declined",
    });
    expect(again.statusCode).toBe(409);
  });
});
