import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPerson, createTestApp, type TestApp } from "../../../test/support/app.js";
import { testBackend } from "../../../test/support/database.js";
import { manualClock } from "../../platform/clock.js";
import { channelAccount } from "../channels/schema.js";
import { socialIdentity } from "../contacts/schema.js";
import { channel, conversation, message } from "../conversations/schema.js";
import { listeningQuery, mention } from "../listening/schema.js";
import { department } from "../organizations/schema.js";
import { businessMinutesBetween } from "../sla/businessTime.js";
import { detectSlaBreaches } from "../sla/slaBreachDetector.js";

/**
 * A hand-made fortnight whose every KPI is worked out on paper (docs/kpis.md has the definitions).
 * Business hours Mon–Fri 9–18 Europe/Berlin (CET, UTC+1 in early March); e-mail targets: first
 * answer 60, next 90 business minutes; Bluesky: 30/30 minutes around the clock.
 *
 *  C1 e-mail  Service  Fri 17:50 CET question → Mon 09:10 answer: 20 business minutes (first).
 *  C2 e-mail  Service  60 min (first), 90 min, resolved, CSAT 5, reopened by a new question → 110 min.
 *  C3 Bluesky Billing  never answered (breached).
 *  C4 Bluesky Billing  two messages, one answer after 40 minutes (first, breached).
 *  C5 e-mail  —        a failed delivery after 2 min, the real answer after 5 min (first).
 */
const clock = manualClock("2026-03-02T08:00:00Z");
let t: TestApp;
let owner: Awaited<ReturnType<typeof createPerson>>;
const ids: Record<string, string> = {};

async function api(method: "GET" | "POST" | "PUT" | "PATCH", url: string, payload?: unknown) {
  const response = await t.app.inject({ method, url, headers: owner.headers, payload: payload as object });
  expect(response.statusCode, `${method} ${url}: ${response.body}`).toBeLessThan(300);
  return response.json();
}
// biome-ignore lint/suspicious/noExplicitAny: JSON answers of the API
async function at(time: string, step: () => Promise<any>) {
  clock.set(time);
  return step();
}
const incoming = (channelId: string, text: string, conversationId?: string) =>
  api("POST", `/api/v1/channels/${channelId}/incoming`, { authorName: "Kundin", text, conversationId });
const reply = (conversationId: string) =>
  api("POST", `/api/v1/conversations/${conversationId}/replies`, { body: "Wir kümmern uns darum." });
const breaches = () => detectSlaBreaches({ db: t.db, clock, bus: t.bus });

beforeAll(async () => {
  t = await createTestApp({ clock });
  owner = await createPerson(t, { role: "owner", orgName: "Nordbahn KPI" });
  const org = owner.organizationId;
  const [service, billing] = await t.db
    .insert(department)
    .values([
      { organizationId: org, key: "kpi-service", name: "Kundenservice KPI" },
      { organizationId: org, key: "kpi-billing", name: "Abrechnung KPI" },
    ])
    .returning();
  ids.service = service!.id;
  ids.billing = billing!.id;
  const [email, bluesky] = await t.db
    .insert(channel)
    .values([
      { organizationId: org, type: "email", name: "service@nordbahn.example", isPrivate: true },
      { organizationId: org, type: "bluesky", name: "@nordbahn.bsky.social" },
    ])
    .returning();
  ids.email = email!.id;
  ids.bluesky = bluesky!.id;
  await api("PUT", `/api/v1/channels/${ids.email}/csat`, { enabled: true });
  const hours = await api("POST", "/api/v1/sla/business-hours", {
    name: "Büro",
    timezone: "Europe/Berlin",
    weeklyRanges: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: "09:00", end: "18:00" })),
  });
  await api("POST", "/api/v1/sla/policies", {
    name: "Standard",
    channelId: null,
    firstResponseMinutes: 60,
    nextResponseMinutes: 90,
    immediateResponseMinutes: 15,
    urgencyThreshold: 0.99,
    businessHoursId: hours.id,
  });
  await api("POST", "/api/v1/sla/policies", {
    name: "Bluesky",
    channelId: ids.bluesky,
    firstResponseMinutes: 30,
    nextResponseMinutes: 30,
    immediateResponseMinutes: 15,
    urgencyThreshold: 0.99,
    businessHoursId: null,
  });

  // Week 1 (Monday 2 March 2026).
  const c2 = await at("2026-03-02T09:00:00Z", () => incoming(ids.email!, "Mein Ticket fehlt in der App"));
  ids.c2 = c2.conversationId;
  await at("2026-03-02T10:00:00Z", () => reply(ids.c2!));
  await at("2026-03-02T12:00:00Z", () => incoming(ids.email!, "Und die Rechnung?", ids.c2));
  await at("2026-03-02T13:30:00Z", () => reply(ids.c2!));
  await at("2026-03-02T13:31:00Z", () =>
    api("PUT", `/api/v1/conversations/${ids.c2}/status`, { status: "resolved" }),
  );
  await at("2026-03-02T14:00:00Z", () => incoming(ids.email!, "5", ids.c2));
  const reopened = await at("2026-03-03T09:00:00Z", () => incoming(ids.email!, "Noch eine Frage", ids.c2));
  expect(reopened.reopened).toBe(true);
  const c3 = await at("2026-03-03T10:00:00Z", () => incoming(ids.bluesky!, "Abbuchung doppelt!"));
  ids.c3 = c3.conversationId;
  await at("2026-03-03T10:45:00Z", breaches);
  await at("2026-03-03T10:50:00Z", () => reply(ids.c2!));
  const c4 = await at("2026-03-03T11:00:00Z", () => incoming(ids.bluesky!, "Wo ist meine Erstattung?"));
  ids.c4 = c4.conversationId;
  await at("2026-03-03T11:20:00Z", () => incoming(ids.bluesky!, "Hallo??", ids.c4));
  await at("2026-03-03T11:35:00Z", breaches);
  await at("2026-03-03T11:40:00Z", () => reply(ids.c4!));
  const c5 = await at("2026-03-04T08:00:00Z", () => incoming(ids.email!, "Wie ändere ich mein Passwort?"));
  ids.c5 = c5.conversationId;
  await t.db.insert(message).values({
    organizationId: org,
    conversationId: ids.c5!,
    direction: "outgoing",
    authorName: "Agent",
    body: "Versuch",
    sentAt: new Date("2026-03-04T08:02:00Z"),
    deliveryState: "failed",
  });
  await at("2026-03-04T08:05:00Z", () => reply(ids.c5!));
  const c1 = await at("2026-03-06T16:50:00Z", () => incoming(ids.email!, "Zug fällt aus, was nun?"));
  ids.c1 = c1.conversationId;
  // Week 2: Monday 09:10 CET.
  await at("2026-03-09T08:10:00Z", () => reply(ids.c1!));
  await at("2026-03-09T08:20:00Z", breaches);
  for (const [key, departmentId] of [
    ["c1", ids.service],
    ["c2", ids.service],
    ["c3", ids.billing],
    ["c4", ids.billing],
  ] as const) {
    await api("PUT", `/api/v1/conversations/${ids[key]}/assignment`, { departmentId });
  }
  // Sentiment comes from the text analysis; fixed here so the shares are known.
  for (const [key, sentiment] of [
    ["c1", "negative"],
    ["c2", "positive"],
    ["c3", "negative"],
    ["c4", "neutral"],
    ["c5", "positive"],
  ] as const) {
    await t.db.update(conversation).set({ sentiment }).where(eq(conversation.id, ids[key]!));
  }

  // Listening: five brand mentions (two of them the organization's own posts), one competitor's.
  const [brand, competitor] = await t.db
    .insert(listeningQuery)
    .values([
      { organizationId: org, name: "Nordbahn", kind: "brand", expression: "nordbahn" },
      { organizationId: org, name: "Südexpress", kind: "competitor", expression: "südexpress" },
    ])
    .returning();
  const [own] = await t.db
    .insert(socialIdentity)
    .values({ organizationId: org, network: "bluesky", handle: "nordbahn.bsky.social" })
    .returning();
  await t.db.insert(channelAccount).values({
    organizationId: org,
    channelId: ids.bluesky!,
    network: "bluesky",
    displayName: "@nordbahn.bsky.social",
    credentials: "v1:test",
  });
  const post = (
    n: number,
    sentiment: string,
    queryId: string,
    extra: Partial<typeof mention.$inferInsert> = {},
  ) => ({
    organizationId: org,
    network: "bluesky",
    externalId: `kpi-${n}`,
    text: `Beitrag ${n}`,
    language: "de",
    sentiment,
    sentimentScore: 0,
    offensiveScore: 0,
    urgency: 0,
    hasPii: false,
    aspects: [],
    keyphrases: [],
    matchedQueryIds: [queryId],
    postedAt: new Date(`2026-03-0${2 + (n % 4)}T12:00:00Z`),
    ...extra,
  });
  await t.db
    .insert(mention)
    .values([
      post(1, "positive", brand!.id),
      post(2, "positive", brand!.id),
      post(3, "negative", brand!.id),
      post(4, "neutral", competitor!.id),
      post(5, "neutral", brand!.id, { identityId: own!.id, replies: 4, reposts: 3 }),
      post(6, "neutral", brand!.id, { identityId: own!.id, replies: 2, reposts: 1 }),
    ]);
  clock.set("2026-03-09T12:00:00Z");
  const refreshed = await api("POST", "/api/v1/kpis/rollups/refresh", {});
  expect(refreshed.days).toBeGreaterThanOrEqual(8);
});
afterAll(async () => t?.close());

const range = "from=2026-03-02T00:00:00Z&to=2026-03-10T00:00:00Z";

describe(`KPIs on a hand-made dataset (${testBackend})`, () => {
  it("counts business minutes across a weekend: Friday 17:50 to Monday 09:10 is 20 minutes", () => {
    const schedule = {
      timezone: "Europe/Berlin",
      weeklyRanges: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: "09:00", end: "18:00" })),
      holidays: [],
    };
    const between = (from: string, to: string) =>
      businessMinutesBetween(new Date(from), new Date(to), schedule);
    expect(between("2026-03-06T16:50:00Z", "2026-03-09T08:10:00Z")).toBe(20);
    expect(between("2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z")).toBe(60);
    expect(between("2026-03-09T08:10:00Z", "2026-03-06T16:50:00Z")).toBe(0);
  });

  it("computes every KPI of the organization", async () => {
    const kpis = await api("GET", `/api/v1/kpis?${range}`);
    expect(kpis.overall).toEqual({
      first_response_median: 20,
      first_response_p90: 60,
      response_median: 40,
      response_p90: 110,
      response_rate: 6 / 7,
      response_rate_within_sla: 4 / 7,
      sla_attainment: 2 / 5,
      csat_average: 5,
      csat_satisfied_share: 1,
      conversations: 5,
      questions: 7,
      mentions: 6,
      positive_share: 2 / 6,
      negative_share: 1 / 6,
      net_sentiment: 1 / 6,
      share_of_voice: 5 / 6,
      own_posts: 2,
      comments_per_own_post: 3,
      shares_per_own_post: 2,
      // No insight was forwarded in this dataset.
      insights_handled: 0,
    });
  });

  it("splits them by department, including the reopened conversation's new question", async () => {
    const kpis = await api("GET", `/api/v1/kpis?${range}`);
    const byName = (name: string) => kpis.departments.find((d: { name: string }) => d.name === name).values;
    expect(byName("Kundenservice KPI")).toMatchObject({
      questions: 4,
      response_rate: 1,
      response_rate_within_sla: 3 / 4,
      first_response_median: 20,
      first_response_p90: 60,
      response_median: 60,
      response_p90: 110,
      sla_attainment: 0.5,
      csat_average: 5,
      net_sentiment: 0,
      mentions: null,
    });
    expect(byName("Abrechnung KPI")).toMatchObject({
      questions: 2,
      response_rate: 0.5,
      response_rate_within_sla: 0,
      first_response_median: 40,
      sla_attainment: 0,
      net_sentiment: -0.5,
    });
    const service = await api("GET", `/api/v1/kpis?${range}&departmentId=${ids.service}`);
    expect(service.overall).toEqual(byName("Kundenservice KPI"));
  });

  it("filters by channel and time", async () => {
    const email = await api("GET", `/api/v1/kpis?${range}&channel=email`);
    expect(email.overall).toMatchObject({
      questions: 5,
      response_rate: 1,
      response_rate_within_sla: 4 / 5,
      mentions: 0,
    });
    // Monday and Tuesday only: C2's three questions, C3 and C4.
    const early = await api(
      "GET",
      "/api/v1/kpis?from=2026-03-02T00:00:00Z&to=2026-03-04T00:00:00Z&interval=day",
    );
    expect(early.overall).toMatchObject({ questions: 5, conversations: 3, response_rate: 4 / 5 });
    expect(early.trend.map((p: { values: { questions: number } }) => p.values.questions)).toEqual([2, 3]);
  });

  it("shows a goal's target against the actual of each week", async () => {
    const goal = await api("POST", "/api/v1/kpis/goals", {
      departmentId: ids.service,
      kpi: "response_rate_within_sla",
      target: 0.65,
      period: "week",
    });
    const kpis = await api("GET", `/api/v1/kpis?${range}`);
    const progress = kpis.goals.find((g: { goal: { id: string } }) => g.goal.id === goal.id);
    expect(progress.trend.at(-2)).toMatchObject({
      periodStart: "2026-03-02T00:00:00.000Z",
      actual: 0.75,
      met: true,
    });
    expect(progress.actual).toBeNull();
  });

  it("picks up a reassignment on the next rollup run", async () => {
    await api("PUT", `/api/v1/conversations/${ids.c5}/assignment`, { departmentId: ids.billing });
    clock.set("2026-03-09T12:05:00Z");
    await api("POST", "/api/v1/kpis/rollups/refresh", {});
    const kpis = await api("GET", `/api/v1/kpis?${range}`);
    const billing = kpis.departments.find(
      (d: { departmentId: string }) => d.departmentId === ids.billing,
    ).values;
    expect(billing).toMatchObject({ questions: 3, response_rate: 2 / 3, first_response_median: 5 });
    expect(kpis.overall.questions).toBe(7);
  });

  it("counts the insights a department marked done in the period", async () => {
    const forwarded = await at("2026-03-03T10:00:00Z", () =>
      api("POST", "/api/v1/insights", {
        departmentId: ids.service,
        conversationId: ids.c2,
        note: "Kunden fragen nach der Tarifänderung",
      }),
    );
    const insightId = (forwarded.insight ?? forwarded).id as string;
    await at("2026-03-04T11:00:00Z", () =>
      api("PUT", `/api/v1/insights/${insightId}/state`, { state: "done" }),
    );
    await api("POST", "/api/v1/kpis/rollups/refresh", {});
    const service = await api("GET", `/api/v1/kpis?${range}&departmentId=${ids.service}`);
    expect(service.overall.insights_handled).toBe(1);
    const billing = await api("GET", `/api/v1/kpis?${range}&departmentId=${ids.billing}`);
    expect(billing.overall.insights_handled).toBe(0);
  });
});
