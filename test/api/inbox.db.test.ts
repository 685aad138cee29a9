import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wakeSnoozedConversations } from "../../src/modules/conversations/conversationWaker.js";
import { channel } from "../../src/modules/conversations/schema.js";
import { department, member } from "../../src/modules/organizations/schema.js";
import { manualClock } from "../../src/platform/clock.js";
import { createPerson, createTestApp, type TestApp } from "../support/app.js";
import { testBackend } from "../support/database.js";

type Person = Awaited<ReturnType<typeof createPerson>>;
const clock = manualClock("2026-03-03T09:00:00Z");
let t: TestApp;
let owner: Person;
let agentA: Person;
let agentB: Person;
let analyst: Person;
let agentAMember: string;
let agentBMember: string;
let departmentA: string;
let departmentB: string;
let channelId: string;
const events: Array<{
  subject: string;
  data: { organizationId: string; action?: string } & Record<string, unknown>;
}> = [];

async function memberIdOf(person: Person) {
  const [row] = await t.db.select({ id: member.id }).from(member).where(eq(member.userId, person.userId));
  return row!.id;
}

function call(
  person: Person,
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
  url: string,
  payload?: object,
) {
  return t.app.inject({ method, url, headers: person.headers, payload });
}

async function incoming(text: string, extra: { conversationId?: string } = {}) {
  const response = await call(owner, "POST", `/api/v1/channels/${channelId}/incoming`, {
    authorName: "Jana Schulz",
    text,
    ...extra,
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { conversationId: string; reopened: boolean };
}

async function routedTo(departmentId: string, text: string) {
  const { conversationId } = await incoming(text);
  const routed = await call(owner, "PUT", `/api/v1/conversations/${conversationId}/assignment`, {
    departmentId,
  });
  expect(routed.statusCode, routed.body).toBe(200);
  return conversationId;
}

beforeAll(async () => {
  t = await createTestApp({ clock });
  owner = await createPerson(t, { role: "owner", orgName: "Inbox GmbH" });
  const departments = await t.db
    .select()
    .from(department)
    .where(eq(department.organizationId, owner.organizationId));
  departmentA = departments[0]!.id;
  departmentB = departments[1]!.id;
  agentA = await createPerson(t, {
    role: "agent",
    organizationId: owner.organizationId,
    departmentIds: [departmentA],
  });
  agentB = await createPerson(t, {
    role: "agent",
    organizationId: owner.organizationId,
    departmentIds: [departmentB],
  });
  analyst = await createPerson(t, { role: "analyst", organizationId: owner.organizationId });
  agentAMember = await memberIdOf(agentA);
  agentBMember = await memberIdOf(agentB);
  const [created] = await t.db
    .insert(channel)
    .values({ organizationId: owner.organizationId, type: "mastodon", name: "@nordbahn@social.example" })
    .returning();
  channelId = created!.id;
  for (const subject of [
    "events.conversations.changed",
    "events.notifications.created",
    "events.conversations.presence",
  ]) {
    t.bus.subscribe(subject, (data: { organizationId: string; action?: string } & Record<string, unknown>) =>
      events.push({ subject, data }),
    );
  }
});
afterAll(async () => t?.close());

describe(`inbox work on conversations (${testBackend})`, () => {
  it("agents see and work only their departments' conversations; analysts cannot write", async () => {
    const inB = await routedTo(departmentB, "Mein Fahrrad wurde im Zug beschädigt.");
    const inA = await routedTo(departmentA, "Die Klimaanlage im RE 5 ist kaputt.");
    expect((await call(agentA, "GET", `/api/v1/conversations/${inB}`)).statusCode).toBe(404);
    expect((await call(agentA, "GET", `/api/v1/conversations/${inA}`)).statusCode).toBe(200);
    const list = (await call(agentA, "GET", "/api/v1/conversations?limit=200")).json();
    const ids = list.conversations.map((c: { id: string }) => c.id);
    expect(ids).toContain(inA);
    expect(ids).not.toContain(inB);
    const resolveForeign = await call(agentA, "PUT", `/api/v1/conversations/${inB}/status`, {
      status: "resolved",
    });
    expect(resolveForeign.statusCode).toBe(404);
    const bulk = await call(agentA, "POST", "/api/v1/conversations/bulk", {
      conversationIds: [inA, inB],
      action: { type: "label", add: ["klima"] },
    });
    expect(bulk.statusCode, bulk.body).toBe(200);
    expect(bulk.json()).toMatchObject({
      succeeded: 1,
      failed: 1,
      results: [
        { conversationId: inA, ok: true },
        { conversationId: inB, ok: false, error: { code: "not_found" } },
      ],
    });
    for (const [method, url, payload] of [
      ["PUT", `/api/v1/conversations/${inA}/status`, { status: "resolved" }],
      ["POST", `/api/v1/conversations/${inA}/notes`, { body: "Analyst note" }],
      ["POST", "/api/v1/conversations/bulk", { conversationIds: [inA], action: { type: "resolve" } }],
    ] as const) {
      const refused = await call(analyst, method, url, payload);
      expect(refused.statusCode, url).toBe(403);
    }
    expect((await call(analyst, "GET", `/api/v1/conversations/${inA}`)).statusCode).toBe(200);
  });

  it("assigns only to colleagues who can work the conversation, and tells the new assignee", async () => {
    const id = await routedTo(departmentA, "Warum hat der Zug 20 Minuten Verspätung?");
    const analystMember = await memberIdOf(analyst);
    const toAnalyst = await call(owner, "PUT", `/api/v1/conversations/${id}/assignment`, {
      assigneeMemberId: analystMember,
    });
    expect(toAnalyst.statusCode).toBe(400);
    const outsideDepartment = await call(owner, "PUT", `/api/v1/conversations/${id}/assignment`, {
      assigneeMemberId: agentBMember,
    });
    expect(outsideDepartment.statusCode).toBe(400);
    expect(outsideDepartment.json().error.message).toMatch(/department/);
    events.length = 0;
    const assigned = await call(owner, "PUT", `/api/v1/conversations/${id}/assignment`, {
      assigneeMemberId: agentAMember,
    });
    expect(assigned.statusCode, assigned.body).toBe(200);
    expect(events.map((e) => e.subject)).toEqual([
      "events.conversations.changed",
      "events.notifications.created",
    ]);
    const notifications = (await call(agentA, "GET", "/api/v1/notifications?unread=true")).json();
    const note = notifications.find(
      (n: { kind: string; conversationId: string }) =>
        n.kind === "conversation.assigned" && n.conversationId === id,
    );
    expect(note).toMatchObject({ personal: true, link: `/inbox/${id}` });
    const mine = (await call(agentA, "GET", "/api/v1/conversations?assignee=me")).json();
    expect(mine.conversations.map((c: { id: string }) => c.id)).toEqual([id]);
    const unassigned = (
      await call(owner, "GET", "/api/v1/conversations?assignee=unassigned&limit=200")
    ).json();
    expect(unassigned.conversations.map((c: { id: string }) => c.id)).not.toContain(id);
    const read = await call(agentA, "POST", `/api/v1/notifications/${note.id}/read`);
    expect(read.statusCode).toBe(200);
    const stranger = await call(agentB, "POST", `/api/v1/notifications/${note.id}/read`);
    expect(stranger.statusCode).toBe(404);
  });

  it("a note @mentions colleagues, who are notified", async () => {
    const id = await routedTo(departmentA, "Ich habe meinen Rucksack im ICE 571 vergessen.");
    const response = await call(agentA, "POST", `/api/v1/conversations/${id}/notes`, {
      body: "@Person bitte Fundbüro Hamburg fragen",
      mentionedMemberIds: [agentBMember],
    });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json().notifiedMemberIds).toEqual([agentBMember]);
    const notifications = (await call(agentB, "GET", "/api/v1/notifications")).json();
    expect(notifications).toContainEqual(
      expect.objectContaining({ kind: "conversation.mentioned", conversationId: id, readAt: null }),
    );
    const detail = (await call(owner, "GET", `/api/v1/conversations/${id}`)).json();
    expect(detail.messages.find((m: { direction: string }) => m.direction === "note")).toMatchObject({
      mentionedMemberIds: [agentBMember],
    });
  });

  it("a snoozed conversation opens again when its time comes; a customer's message reopens a resolved one", async () => {
    const { conversationId: id } = await incoming("Gibt es ein Sparpreis-Ticket nach Sylt?");
    const tooEarly = await call(owner, "PUT", `/api/v1/conversations/${id}/status`, {
      status: "snoozed",
      snoozedUntil: new Date(clock.now().getTime() - 1000).toISOString(),
    });
    expect(tooEarly.statusCode).toBe(400);
    const snoozed = await call(owner, "PUT", `/api/v1/conversations/${id}/status`, {
      status: "snoozed",
      snoozedUntil: new Date(clock.now().getTime() + 3_600_000).toISOString(),
    });
    expect(snoozed.statusCode, snoozed.body).toBe(200);
    const deps = { db: t.db, clock, bus: t.bus };
    await wakeSnoozedConversations(deps);
    expect((await call(owner, "GET", `/api/v1/conversations/${id}`)).json().status).toBe("snoozed");
    clock.advance(3_600_000);
    await wakeSnoozedConversations(deps);
    expect((await call(owner, "GET", `/api/v1/conversations/${id}`)).json()).toMatchObject({
      status: "open",
      snoozedUntil: null,
    });

    const resolved = await call(owner, "PUT", `/api/v1/conversations/${id}/status`, { status: "resolved" });
    expect(resolved.statusCode).toBe(200);
    expect((await call(owner, "GET", `/api/v1/conversations/${id}`)).json().dueAt).toBeNull();
    const again = await incoming("Hallo? Noch jemand da?", { conversationId: id });
    expect(again.reopened).toBe(true);
    expect((await call(owner, "GET", `/api/v1/conversations/${id}`)).json().status).toBe("open");
  });

  it("bulk actions answer per conversation", async () => {
    const first = (await incoming("Ticket storniert, Geld nicht da.")).conversationId;
    const second = (await incoming("Ticket storniert, Erstattung fehlt.")).conversationId;
    const unknown = "00000000-0000-4000-8000-000000000000";
    const snooze = await call(owner, "POST", "/api/v1/conversations/bulk", {
      conversationIds: [first, second, unknown],
      action: { type: "snooze", until: new Date(clock.now().getTime() + 60_000).toISOString() },
    });
    expect(snooze.json()).toMatchObject({ succeeded: 2, failed: 1 });
    const resolve = await call(owner, "POST", "/api/v1/conversations/bulk", {
      conversationIds: [first, second],
      action: { type: "resolve" },
    });
    expect(resolve.json()).toMatchObject({ succeeded: 2, failed: 0 });
    const assign = await call(owner, "POST", "/api/v1/conversations/bulk", {
      conversationIds: [first, second],
      action: { type: "assign", departmentId: departmentA, assigneeMemberId: agentAMember },
    });
    expect(assign.json()).toMatchObject({ succeeded: 2 });
    const label = await call(owner, "POST", "/api/v1/conversations/bulk", {
      conversationIds: [first, second],
      action: { type: "label", add: ["Erstattung"] },
    });
    expect(label.json()).toMatchObject({ succeeded: 2 });
    const labelled = (
      await call(owner, "GET", "/api/v1/conversations?label=erstattung&status=resolved")
    ).json();
    expect(labelled.conversations.map((c: { id: string }) => c.id).sort()).toEqual([first, second].sort());
  });

  it("filters by sentiment and channel and finds words in any message", async () => {
    const { conversationId } = await incoming("Der Schaffner im IC 2024 war sehr freundlich.");
    await incoming("Noch eine Frage: gilt das Deutschlandticket im Fernbus?", { conversationId });
    const found = (await call(owner, "GET", "/api/v1/conversations?q=deutschlandticket")).json();
    expect(found.conversations.map((c: { id: string }) => c.id)).toEqual([conversationId]);
    const byChannel = (
      await call(owner, "GET", `/api/v1/conversations?channelId=${channelId}&limit=200`)
    ).json();
    expect(byChannel.conversations.length).toBeGreaterThan(3);
    const negative = (await call(owner, "GET", "/api/v1/conversations?sentiment=negative&limit=200")).json();
    expect(negative.conversations.every((c: { sentiment: string }) => c.sentiment === "negative")).toBe(true);
    const priority = await call(owner, "PUT", `/api/v1/conversations/${conversationId}/priority`, {
      priority: 2,
    });
    expect(priority.json()).toEqual({ id: conversationId, priority: 2 });
  });

  it("fills canned responses on the server and refuses unknown variables", async () => {
    const bad = await call(owner, "POST", "/api/v1/canned-responses", {
      shortcut: "bad",
      title: "Bad",
      body: "Hi {{contact.iban}}",
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/contact\.first_name/);
    const created = await call(agentA, "POST", "/api/v1/canned-responses", {
      shortcut: "danke",
      title: "Danke",
      body: "Hallo {{contact.first_name | zusammen}}, danke für Ihre Geduld! Viele Grüße, {{agent.name}}",
    });
    expect(created.statusCode, created.body).toBe(201);
    const duplicate = await call(agentA, "POST", "/api/v1/canned-responses", {
      shortcut: "danke",
      title: "Again",
      body: "x",
    });
    expect(duplicate.statusCode).toBe(409);
    const id = await routedTo(departmentA, "Wann kommt der Ersatzbus?");
    const rendered = await call(
      agentA,
      "POST",
      `/api/v1/conversations/${id}/canned-responses/${created.json().id}/render`,
    );
    expect(rendered.statusCode, rendered.body).toBe(200);
    const agentName = (await call(agentA, "GET", "/api/v1/me")).json().user.name;
    expect(rendered.json()).toEqual({
      shortcut: "danke",
      text: `Hallo Jana, danke für Ihre Geduld! Viele Grüße, ${agentName}`,
    });
    const found = (await call(agentA, "GET", "/api/v1/canned-responses?q=dan")).json();
    expect(found.map((c: { shortcut: string }) => c.shortcut)).toEqual(["danke"]);
  });

  it("tells colleagues who is viewing or typing, without any text, and only where the member may look", async () => {
    const id = await routedTo(departmentA, "Ist der ICE 578 heute pünktlich?");
    const typing = await call(agentA, "POST", `/api/v1/conversations/${id}/presence`, { state: "typing" });
    expect(typing.statusCode, typing.body).toBe(200);
    const announced = events.filter((e) => e.subject === "events.conversations.presence").at(-1)?.data;
    const agentName = (await call(agentA, "GET", "/api/v1/me")).json().user.name;
    expect(announced).toMatchObject({
      organizationId: owner.organizationId,
      conversationId: id,
      memberId: agentAMember,
      memberName: agentName,
      state: "typing",
    });
    expect(JSON.stringify(announced)).not.toContain("ICE 578");
    expect(
      (await call(agentB, "POST", `/api/v1/conversations/${id}/presence`, { state: "viewing" })).statusCode,
    ).toBe(404);
    expect(
      (await call(analyst, "POST", `/api/v1/conversations/${id}/presence`, { state: "viewing" })).statusCode,
    ).toBe(403);
    expect(
      (await call(agentA, "POST", `/api/v1/conversations/${id}/presence`, { state: "away" })).statusCode,
    ).toBe(400);
  });

  it("a reply on a channel without a connector shows as sent", async () => {
    const id = await routedTo(departmentA, "Fährt die S1 wieder?");
    expect(
      (await call(agentA, "POST", `/api/v1/conversations/${id}/replies`, { body: "Ja, seit 8 Uhr." }))
        .statusCode,
    ).toBe(201);
    const detail = (await call(agentA, "GET", `/api/v1/conversations/${id}`)).json();
    expect(detail.messages).toHaveLength(2);
    expect(
      detail.messages.map((m: { direction: string; deliveryState: string | null }) => [
        m.direction,
        m.deliveryState,
      ]),
    ).toEqual(
      // The manual clock gives both the same time, so the order is not fixed.
      expect.arrayContaining([
        ["incoming", null],
        ["outgoing", "sent"],
      ]),
    );
  });
});
