import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { eq } from "drizzle-orm";
import ExcelJS from "exceljs";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { socialIdentity } from "../../src/modules/contacts/schema.js";
import { channel } from "../../src/modules/conversations/schema.js";
import { alert, alertRule, listeningQuery } from "../../src/modules/listening/schema.js";
import { department } from "../../src/modules/organizations/schema.js";
import { sendDueBriefings } from "../../src/modules/reports/briefingGenerator.js";
import { analyzePost } from "../../src/pipeline/postAnalyzer.js";
import { ingestPosts } from "../../src/pipeline/postIngester.js";
import { manualClock } from "../../src/platform/clock.js";
import type { NormalizedPost } from "../../src/platform/posts/normalizedPost.js";
import { createPerson, createTestApp, type TestApp, testBaseUrl } from "../support/app.js";
import { testBackend } from "../support/database.js";

/**
 * A week of demo-like data (Monday 2 March 2026): customers complain mostly about the app, some
 * about delays; the service department answers three of four questions within the SLA. The
 * briefing of that week is generated, printed as PDF (read back with pdftotext) and e-mailed to
 * the department's members through a real SMTP server on localhost.
 */
const clock = manualClock("2026-03-02T08:00:00Z");
let t: TestApp;
let owner: Awaited<ReturnType<typeof createPerson>>;
let departmentId: string;
let agentEmail: string;
const received: Array<Awaited<ReturnType<typeof simpleParser>>> = [];
let smtp: SMTPServer;
const run = promisify(execFile);

async function pdfText(pdf: Buffer): Promise<string> {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "konversa-pdf-")), "briefing.pdf");
  writeFileSync(file, pdf);
  const { stdout } = await run("pdftotext", ["-layout", file, "-"]);
  return stdout;
}
async function api(method: "GET" | "POST" | "PUT", url: string, payload?: unknown) {
  const response = await t.app.inject({ method, url, headers: owner.headers, payload: payload as object });
  expect(response.statusCode, `${method} ${url}: ${response.body}`).toBeLessThan(300);
  return response;
}

/** Demo posts: [text, sentiment, aspect, polarity, day of March]. */
const posts: Array<[string, "negative" | "neutral" | "positive", string, string, number]> = [
  ...Array.from(
    { length: 12 },
    (_, i) =>
      [
        `Die Nordbahn-App stürzt schon wieder ab (${i})`,
        "negative",
        "app_and_website",
        "negative",
        2 + (i % 5),
      ] as [string, "negative", string, string, number],
  ),
  ...Array.from(
    { length: 5 },
    (_, i) =>
      [
        `Nordbahn: 40 Minuten Verspätung in Köln (${i})`,
        "negative",
        "punctuality",
        "negative",
        3 + (i % 3),
      ] as [string, "negative", string, string, number],
  ),
  ...Array.from(
    { length: 6 },
    (_, i) =>
      [`Freundliches Personal bei der Nordbahn (${i})`, "positive", "staff", "positive", 4] as [
        string,
        "positive",
        string,
        string,
        number,
      ],
  ),
  // The week before: quieter and friendlier.
  ...Array.from(
    { length: 2 },
    (_, i) =>
      [`Nordbahn-App hängt (${i})`, "negative", "app_and_website", "negative", -3] as [
        string,
        "negative",
        string,
        string,
        number,
      ],
  ),
];

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    onData(stream, _session, callback) {
      simpleParser(stream).then((mail) => {
        received.push(mail);
        callback();
      }, callback);
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  const port = (smtp.server.address() as AddressInfo).port;

  t = await createTestApp({ clock });
  owner = await createPerson(t, { role: "owner", orgName: "Nordbahn Briefing" });
  const org = owner.organizationId;
  const [service] = await t.db
    .insert(department)
    .values({ organizationId: org, key: "service-briefing", name: "Kundenservice Nord" })
    .returning();
  departmentId = service!.id;
  const agent = await createPerson(t, { role: "agent", organizationId: org, departmentIds: [departmentId] });
  agentEmail = agent.email;
  await api("PUT", "/api/v1/settings/smtp", {
    host: "127.0.0.1",
    port,
    secure: false,
    username: null,
    fromAddress: "konversa@nordbahn.example",
  });

  const [brand] = await t.db
    .insert(listeningQuery)
    .values({ organizationId: org, name: "Nordbahn", kind: "brand", expression: "nordbahn" })
    .returning();
  const normalized = posts.map(
    ([text, , , , day], i): NormalizedPost => ({
      network: "bluesky",
      externalId: `demo-${i}`,
      text,
      languageHint: "de",
      author: { handle: i % 4 === 0 ? "reisebloggerin.bsky.social" : `fahrgast${i}.bsky.social` },
      postedAt: new Date(Date.UTC(2026, 2, day, 10, i)),
      isPublic: true,
      engagement: { likes: 0, reposts: 0, replies: 0 },
    }),
  );
  const byText = new Map(posts.map((p) => [p[0], p]));
  await ingestPosts(
    t.db,
    normalized.map((post) => ({ organizationId: org, post })),
    {
      // The real analysis, with sentiment and aspect fixed so the expected top issue is known.
      analyze: (post) => {
        const [, sentiment, category, polarity] = byText.get(post.text)!;
        return { ...analyzePost(post), sentiment, aspects: [{ category, polarity, score: 0.9 }] };
      },
      matchQueries: () => [brand!.id],
    },
  );
  await t.db
    .update(socialIdentity)
    .set({ isVip: true })
    .where(eq(socialIdentity.handle, "reisebloggerin.bsky.social"));
  const [rule] = await t.db
    .insert(alertRule)
    .values({ organizationId: org, name: "App-Sturm", type: "storm", delivery: { inApp: true, emails: [] } })
    .returning();
  await t.db.insert(alert).values({
    organizationId: org,
    ruleId: rule!.id,
    type: "storm",
    title: "App-Sturm: 9 negative von 10 Erwähnungen",
    details: {},
    mentionIds: [],
    dedupeKey: "storm-2026-03-03",
    firedAt: new Date("2026-03-03T11:00:00Z"),
  });

  // Service: four questions, answered after 10, 20 and 30 minutes; one stays open.
  const [email] = await t.db
    .insert(channel)
    .values({ organizationId: org, type: "email", name: "service@nordbahn.example", isPrivate: true })
    .returning();
  for (const [start, minutes] of [
    ["2026-03-02T09:00:00Z", 10],
    ["2026-03-03T09:00:00Z", 20],
    ["2026-03-04T09:00:00Z", 30],
    ["2026-03-05T09:00:00Z", null],
  ] as const) {
    clock.set(start);
    const opened = await api("POST", `/api/v1/channels/${email!.id}/incoming`, {
      authorName: "Kunde",
      text: "Meine App zeigt das Ticket nicht an",
    });
    const conversationId = opened.json().conversationId;
    await api("PUT", `/api/v1/conversations/${conversationId}/assignment`, { departmentId });
    if (minutes === null) continue;
    clock.set(new Date(new Date(start).getTime() + minutes * 60_000));
    await api("POST", `/api/v1/conversations/${conversationId}/replies`, {
      body: "Bitte App neu installieren.",
    });
  }
  await api("POST", "/api/v1/kpis/goals", {
    departmentId,
    kpi: "response_rate_within_sla",
    target: 0.65,
    period: "week",
  });
  clock.set("2026-03-10T07:00:00Z");
  await api("POST", "/api/v1/kpis/rollups/refresh", {});
});
afterAll(async () => {
  await t?.close();
  await new Promise<void>((resolve) => smtp?.close(() => resolve()));
});

describe(`weekly briefing (${testBackend})`, () => {
  it("generates the department's briefing as a web page, a PDF and an e-mail with the PDF", async () => {
    const created = (
      await api("POST", "/api/v1/reports/briefings", { departmentId, week: "2026-03-04T00:00:00Z" })
    ).json();
    expect(created).toMatchObject({
      departmentId,
      weekStart: "2026-03-02T00:00:00.000Z",
      emailedTo: 1,
      emailError: null,
    });

    const page = (await api("GET", `/api/v1/reports/briefings/${created.id}`)).json();
    expect(page.content.topIssues[0]).toMatchObject({
      aspect: "app_and_website",
      negative: 12,
      previousNegative: 2,
    });
    expect(page.content.storms[0].title).toContain("App-Sturm");
    expect(page.content.vips[0]).toMatchObject({ handle: "reisebloggerin.bsky.social" });
    expect(page.content.goals[0]).toMatchObject({ kpi: "response_rate_within_sla", actual: 0.75, met: true });

    const pdf = await t.app.inject({
      method: "GET",
      url: `/api/v1/reports/briefings/${created.id}/pdf`,
      headers: owner.headers,
    });
    expect(pdf.headers["content-type"]).toBe("application/pdf");
    const text = await pdfText(pdf.rawPayload);
    expect(text).toContain("Wochenbriefing: Kundenservice Nord");
    expect(text).toContain("1. app_and_website: 12 negativ");
    expect(text).toContain("Antwortquote: 75 %");
    expect(text).toContain("Erste Antwortzeit, Median (Min.): 20 min");
    expect(text).toContain("Innerhalb des SLA beantwortet (Woche): 75 % / Ziel 65 % – erreicht");
    expect(text).toContain("App-Sturm");
    expect(text).toContain("Veränderung zur Vorwoche");

    const mail = received.find((m) => m.subject?.includes("Kundenservice Nord"));
    expect(mail).toBeDefined();
    expect((mail!.to as { text: string }).text).toContain(agentEmail);
    const attachment = mail!.attachments.find((a) => a.contentType === "application/pdf");
    expect(attachment).toBeDefined();
    expect(await pdfText(attachment!.content)).toContain("Antwortquote: 75 %");
  });

  it("sends every due briefing once from the weekly job", async () => {
    const deps = { db: t.db, secretsKey: t.secretsKey, baseUrl: testBaseUrl };
    const first = await sendDueBriefings(deps, new Date("2026-03-10T07:00:00Z"));
    // The organization's own briefing (the department's was generated above).
    expect(first.generated).toBeGreaterThanOrEqual(1);
    const again = await sendDueBriefings(deps, new Date("2026-03-10T07:05:00Z"));
    expect(again.generated).toBe(0);
    const list = (await api("GET", "/api/v1/reports/briefings")).json();
    const overall = list.find((b: { departmentId: string | null }) => b.departmentId === null);
    expect(overall).toMatchObject({ weekStart: "2026-03-02T00:00:00.000Z", emailError: null });
    expect(received.some((m) => m.subject?.includes("Gesamte Organisation"))).toBe(true);
  });

  it("exports an ad-hoc KPI report as CSV, XLSX and PDF", async () => {
    const range = "from=2026-03-02T00:00:00Z&to=2026-03-09T00:00:00Z";
    const csv = (await api("GET", `/api/v1/reports/kpis?${range}&format=csv`)).body;
    expect(csv).toContain("Kundenservice Nord");
    expect(csv.split("\r\n")[0]).toContain("Antwortquote");

    const xlsx = await t.app.inject({
      method: "GET",
      url: `/api/v1/reports/kpis?${range}&format=xlsx&locale=en`,
      headers: owner.headers,
    });
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const sheet = book.getWorksheet("KPIs")!;
    const header = sheet.getRow(2).values as unknown[];
    const rows = [3, 4, 5, 6, 7]
      .map((r) => sheet.getRow(r))
      .filter((r) => r.getCell(1).value === "Kundenservice Nord");
    expect(rows).toHaveLength(1);
    expect(rows[0]!.getCell(header.indexOf("Response rate")).value).toBe(0.75);

    const pdf = await t.app.inject({
      method: "GET",
      url: `/api/v1/reports/kpis?${range}&format=pdf`,
      headers: owner.headers,
    });
    const text = await pdfText(pdf.rawPayload);
    expect(text).toContain("KPI-Bericht");
    expect(text).toContain("Antwortquote: 75 %");
    expect(text).toContain("Erwähnungen: 23");
  });
});
