import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPerson, createTestApp, type TestApp } from "../../../test/support/app.js";
import { testBackend } from "../../../test/support/database.js";
import { manualClock } from "../../platform/clock.js";
import { channel } from "../conversations/schema.js";
import type { InboxDeps } from "../conversations/workflow.js";
import { department, member } from "../organizations/schema.js";
import { detectSlaBreaches } from "./slaBreachDetector.js";

const minute = 60_000;
const neutralPost = "Wann fährt morgen der erste Zug nach Kiel?";
const angryPost =
  "SCHON WIEDER ausgefallen!!! Seit Stunden warte ich am Bahnsteig, keine Antwort vom Service. Frechheit, ich will SOFORT mein Geld zurück!!";

const clock = manualClock("2026-03-02T08:00:00Z");
let t: TestApp;
let deps: InboxDeps;
let owner: Awaited<ReturnType<typeof createPerson>>;
let agent: Awaited<ReturnType<typeof createPerson>>;
let lead: Awaited<ReturnType<typeof createPerson>>;
let agentMemberId: string;
let leadMemberId: string;
let departmentId: string;
let channelId: string;

async function memberIdOf(userId: string) {
  const [row] = await t.db.select({ id: member.id }).from(member).where(eq(member.userId, userId));
  return row!.id;
}

async function receive(text: string) {
  const response = await t.app.inject({
    method: "POST",
    url: `/api/v1/channels/${channelId}/incoming`,
    headers: owner.headers,
    payload: { authorName: "Kim Kunde", text },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().conversationId as string;
}

async function conversationOf(id: string) {
  const response = await t.app.inject({
    method: "GET",
    url: `/api/v1/conversations/${id}`,
    headers: owner.headers,
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

beforeAll(async () => {
  t = await createTestApp({ clock });
  deps = { db: t.db, clock, bus: t.bus };
  owner = await createPerson(t, { role: "owner", orgName: "Nordbahn SLA" });
  const [first] = await t.db
    .select()
    .from(department)
    .where(eq(department.organizationId, owner.organizationId));
  departmentId = first!.id;
  agent = await createPerson(t, {
    role: "agent",
    organizationId: owner.organizationId,
    departmentIds: [departmentId],
  });
  lead = await createPerson(t, { role: "admin", organizationId: owner.organizationId });
  agentMemberId = await memberIdOf(agent.userId);
  leadMemberId = await memberIdOf(lead.userId);
  const setLead = await t.app.inject({
    method: "PATCH",
    url: `/api/v1/departments/${departmentId}`,
    headers: owner.headers,
    payload: { leadMemberId },
  });
  expect(setLead.statusCode, setLead.body).toBe(200);
  const [created] = await t.db
    .insert(channel)
    .values({ organizationId: owner.organizationId, type: "bluesky", name: "@nordbahn.bsky.social" })
    .returning();
  channelId = created!.id;
});
afterAll(async () => t?.close());

describe(`service-level clocks (${testBackend})`, () => {
  it("a neutral public post is due for a first answer in 24 hours; an angry one in 15 minutes", async () => {
    const neutral = await conversationOf(await receive(neutralPost));
    expect(new Date(neutral.firstResponseDueAt).getTime()).toBe(clock.now().getTime() + 24 * 60 * minute);
    expect(neutral.dueAt).toBe(neutral.firstResponseDueAt);
    const angry = await conversationOf(await receive(angryPost));
    expect(angry.urgency).toBeGreaterThan(0.7);
    expect(new Date(angry.firstResponseDueAt).getTime()).toBe(clock.now().getTime() + 15 * minute);
    const byDue = await t.app.inject({
      method: "GET",
      url: "/api/v1/conversations?sort=due",
      headers: owner.headers,
    });
    expect(
      byDue
        .json()
        .conversations.slice(0, 2)
        .map((c: { id: string }) => c.id),
    ).toEqual([angry.id, neutral.id]);
  });

  it("a missed due time breaches exactly once, notifies assignee and team lead, and is counted", async () => {
    const angryId = await receive(`${angryPost} Zug 17`);
    const assigned = await t.app.inject({
      method: "PUT",
      url: `/api/v1/conversations/${angryId}/assignment`,
      headers: owner.headers,
      payload: { departmentId, assigneeMemberId: agentMemberId },
    });
    expect(assigned.statusCode, assigned.body).toBe(200);

    clock.advance(14 * minute);
    expect((await detectSlaBreaches(deps)).breaches).toHaveLength(0);
    clock.advance(2 * minute);
    const first = await detectSlaBreaches(deps);
    const mine = first.breaches.filter((b) => b.conversationId === angryId);
    expect(mine).toEqual([expect.objectContaining({ target: "first_response" })]);
    // Again, and twice at once (as two workers would): nothing new.
    expect((await detectSlaBreaches(deps)).breaches).toHaveLength(0);
    const parallel = await Promise.all([detectSlaBreaches(deps), detectSlaBreaches(deps)]);
    expect(parallel.flatMap((r) => r.breaches)).toHaveLength(0);

    const detail = await conversationOf(angryId);
    expect(detail.breaches).toHaveLength(1);
    const stats = await t.app.inject({
      method: "GET",
      url: "/api/v1/sla/breaches/stats",
      headers: owner.headers,
    });
    expect(stats.statusCode, stats.body).toBe(200);
    expect(stats.json().byDepartment).toContainEqual({ departmentId, target: "first_response", breaches: 1 });

    for (const person of [agent, lead]) {
      const notifications = await t.app.inject({
        method: "GET",
        url: "/api/v1/notifications?unread=true",
        headers: person.headers,
      });
      const breached = notifications
        .json()
        .filter(
          (n: { kind: string; conversationId: string }) =>
            n.kind === "sla.breached" && n.conversationId === angryId,
        );
      expect(breached, person.email).toHaveLength(1);
    }
    const overdue = await t.app.inject({
      method: "GET",
      url: "/api/v1/conversations?slaBreached=true",
      headers: owner.headers,
    });
    expect(overdue.json().conversations.map((c: { id: string }) => c.id)).toContain(angryId);
  });

  it("an answer stops the clock; the customer's next message starts the next-response clock", async () => {
    const id = await receive("Ist der ICE 23 heute pünktlich?");
    const replied = await t.app.inject({
      method: "POST",
      url: `/api/v1/conversations/${id}/replies`,
      headers: owner.headers,
      payload: { body: "Ja, nach aktuellem Stand pünktlich." },
    });
    expect(replied.statusCode, replied.body).toBe(201);
    const answered = await conversationOf(id);
    expect(answered.firstResponseDueAt).toBeNull();
    expect(answered.firstRespondedAt).not.toBeNull();
    clock.advance(5 * minute);
    const again = await t.app.inject({
      method: "POST",
      url: `/api/v1/channels/${channelId}/incoming`,
      headers: owner.headers,
      payload: { conversationId: id, authorName: "Kim Kunde", text: "Und morgen?" },
    });
    expect(again.statusCode, again.body).toBe(201);
    const waiting = await conversationOf(id);
    expect(new Date(waiting.nextResponseDueAt).getTime()).toBe(clock.now().getTime() + 24 * 60 * minute);
  });

  it("an organization's policy sets its own targets and threshold", async () => {
    const policy = await t.app.inject({
      method: "POST",
      url: "/api/v1/sla/policies",
      headers: owner.headers,
      payload: { name: "Bluesky", channelId, firstResponseMinutes: 120, urgencyThreshold: 0.99 },
    });
    expect(policy.statusCode, policy.body).toBe(201);
    const angry = await conversationOf(await receive(`${angryPost} Zug 99`));
    // The angry post stays under the raised threshold: the channel's 2 hours apply.
    expect(new Date(angry.firstResponseDueAt).getTime()).toBe(clock.now().getTime() + 120 * minute);
    const removed = await t.app.inject({
      method: "DELETE",
      url: `/api/v1/sla/policies/${policy.json().id}`,
      headers: owner.headers,
    });
    expect(removed.statusCode).toBe(200);
  });
});
