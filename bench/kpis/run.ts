// npm run bench:kpis — the KPI dashboard for a year of a large organization, on PostgreSQL.
// Organization A gets its KPI rollups seeded directly at full size (a year × 20 departments × 6
// channels, summed from 1 M conversations' and 10 M mentions' worth of counts and response-time
// histograms); the dashboard is measured against it. Organization B gets a scaled raw set
// (conversations with messages, mentions) that the real rollup job rolls up, to time that job.
// Konversa runs in its own process (as `serve`); the results are appended to RESULTS.md.
//   --raw-conversations N   raw conversations of organization B (default 20,000; --full: 1,000,000)
//   --raw-mentions N        raw mentions of organization B (default 200,000; --full: 10,000,000)
//   --full                  the raw set at full size too (hours on a small machine)
//   --requests N            requests per measurement and client (default 60)
//   --keep                  keep the database afterwards (prints its name)
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import { channel } from "../../src/modules/conversations/schema.js";
import { createGoal } from "../../src/modules/kpis/goals.js";
import { rollUpKpis, sumAllChannels, sumPeriods } from "../../src/modules/kpis/kpiRollupBuilder.js";
import { noDepartment } from "../../src/modules/kpis/schema.js";
import { createOrganization } from "../../src/modules/organizations/organizationCreator.js";
import { department, member } from "../../src/modules/organizations/schema.js";
import { createUser } from "../../src/modules/organizations/userCreator.js";
import type { OrgContext } from "../../src/platform/auth/context.js";
import { seedInbox } from "../inbox/inboxSeeder.js";
import { createPostgresDatabase } from "../ingest/database.js";
import { describeMachine, today } from "../support/machine.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    "raw-conversations": { type: "string" },
    "raw-mentions": { type: "string" },
    full: { type: "boolean", default: false },
    requests: { type: "string", default: "60" },
    keep: { type: "boolean", default: false },
  },
});
const rawConversations = Number(args["raw-conversations"] ?? (args.full ? 1_000_000 : 20_000));
const rawMentions = Number(args["raw-mentions"] ?? (args.full ? 10_000_000 : 200_000));
const requests = Number(args.requests);
const conversationsPerYear = 1_000_000;
const mentionsPerYear = 10_000_000;
const departmentCount = 20;
const channels = ["bluesky", "mastodon", "email", "webchat", "x", "instagram"];
const port = 3941;
const base = `http://127.0.0.1:${port}`;
const log = (message: string) => process.stderr.write(`${message}\n`);
const password = "bench-password-1";
const day = 86_400_000;

function quantile(values: number[], q: number) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

const bench = await createPostgresDatabase("kpis", 4);
let server: ChildProcess | undefined;
try {
  const db = bench.database.db;
  const email = `kpis-${randomBytes(4).toString("hex")}@example.test`;
  const owner = await createUser(db, { email, name: "Bench", password });
  const orgA = await createOrganization(db, { name: "Nordbahn KPI (rollups)", ownerUserId: owner.id });
  const orgB = await createOrganization(db, { name: "Nordbahn KPI (raw)", ownerUserId: owner.id });
  for (const org of [orgA, orgB]) {
    await db.delete(department).where(sql`${department.organizationId} = ${org.id}`);
    await db.insert(department).values(
      Array.from({ length: departmentCount }, (_, i) => ({
        organizationId: org.id,
        key: `abteilung-${i + 1}`,
        name: `Abteilung ${i + 1}`,
      })),
    );
  }
  const departmentsOf = async (orgId: string) =>
    (
      await db
        .select({ id: department.id })
        .from(department)
        .where(sql`${department.organizationId} = ${orgId}`)
    ).map((d) => d.id);
  const departmentsA = await departmentsOf(orgA.id);
  const yearEnd = new Date(Math.floor(Date.now() / day) * day + day);
  const yearStart = new Date(yearEnd.getTime() - 365 * day);

  // (1) Organization A: rollups at full size, straight in SQL.
  log(`seeding a year of rollups for ${departmentCount} departments × ${channels.length} channels …`);
  const seedStarted = Date.now();
  const keys = [...departmentsA, noDepartment];
  const perRow = conversationsPerYear / 365 / keys.length / channels.length;
  const deptArray = sql.raw(`ARRAY[${keys.map((k) => `'${k}'`).join(",")}]::uuid[]`);
  const channelArray = sql.raw(`ARRAY[${channels.map((c) => `'${c}'`).join(",")}]::text[]`);
  await db.execute(sql`
    insert into kpi_service_rollup (organization_id, grain, period_start, department_key, channel,
      conversations_opened, conversations_breached, questions, answered, answered_within_sla, first_questions,
      first_answered, first_answered_within_sla, csat_answers, csat_sum, csat_satisfied, positive, neutral, negative)
    select ${orgA.id}, 'day', d, dept, ch, c, (c * 0.1)::int, (c * 1.4)::int, (c * 1.26)::int, (c * 0.95)::int, c,
      (c * 0.92)::int, (c * 0.72)::int, (c * 0.2)::int, (c * 0.2 * 4.1)::int, (c * 0.15)::int, (c * 0.3)::int,
      (c * 0.45)::int, c - (c * 0.3)::int - (c * 0.45)::int
    from (
      -- random() in the select list: evaluated per row (in a lateral subquery it would run once).
      select d, dept, ch, greatest(1, round(${perRow} * (0.5 + random())))::int as c
      from generate_series(${yearStart.toISOString()}::timestamptz, ${new Date(yearEnd.getTime() - day).toISOString()}::timestamptz, interval '1 day') d,
        unnest(${deptArray}) dept, unnest(${channelArray}) ch
    ) x`);
  // Response times: log-normal around 45 minutes (first) and 30 minutes (all), bucketed as histogram.ts does.
  for (const [kind, median, field] of [
    ["first", 45, "first_answered"],
    ["all", 30, "answered"],
  ] as const) {
    await db.execute(sql`
      insert into kpi_response_histogram (organization_id, grain, period_start, department_key, channel, kind, bucket, responses)
      select organization_id, 'day', period_start, department_key, channel, ${kind},
        case when m < 120 then floor(m) else least(32000, 120 + floor(ln(m / 120) / ln(1.05))) end::smallint as bucket,
        count(*)
      from (
        select r.organization_id, r.period_start, r.department_key, r.channel,
          exp(ln(${median}) + 1.3 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())) as m
        from kpi_service_rollup r, lateral generate_series(1, r.${sql.raw(field)}) g
        where r.organization_id = ${orgA.id} and r.grain = 'day'
      ) samples
      group by 1, 2, 3, 4, 5, 6, 7`);
  }
  const mentionsPerRow = mentionsPerYear / 365 / channels.length;
  await db.execute(sql`
    insert into kpi_mention_rollup (organization_id, grain, period_start, channel, mentions, positive, neutral, negative,
      brand_mentions, competitor_mentions, own_posts, own_post_comments, own_post_shares, own_post_likes)
    select ${orgA.id}, 'day', d, ch, n, (n * 0.3)::bigint, (n * 0.45)::bigint, n - (n * 0.3)::bigint - (n * 0.45)::bigint,
      (n * 0.6)::bigint, (n * 0.3)::bigint, 20, 20 * 14, 20 * 3, 20 * 50
    from (
      select d, ch, round(${mentionsPerRow} * (0.5 + random()))::bigint as n
      from generate_series(${yearStart.toISOString()}::timestamptz, ${new Date(yearEnd.getTime() - day).toISOString()}::timestamptz, interval '1 day') d,
        unnest(${channelArray}) ch
    ) x`);
  await sumAllChannels(db, orgA.id, { from: yearStart, to: yearEnd });
  await sumPeriods(db, orgA.id, { from: yearStart, to: yearEnd });
  await db.execute(
    sql`analyze kpi_service_rollup; analyze kpi_response_histogram; analyze kpi_mention_rollup`,
  );
  const counted = (
    (await db.execute(sql`
      select (select sum(conversations_opened) from kpi_service_rollup where grain = 'day' and channel = '*' and department_key = 'ffffffff-ffff-ffff-ffff-ffffffffffff' and organization_id = ${orgA.id})::bigint as conversations,
        (select sum(mentions) from kpi_mention_rollup where grain = 'day' and organization_id = ${orgA.id})::bigint as mentions,
        (select count(*) from kpi_service_rollup)::bigint as service_rows,
        (select count(*) from kpi_response_histogram)::bigint as histogram_rows`)) as unknown as {
      rows: Array<Record<string, string>>;
    }
  ).rows[0]!;
  const seedSeconds = (Date.now() - seedStarted) / 1000;
  log(`rollups: ${JSON.stringify(counted)} in ${seedSeconds.toFixed(0)} s`);
  const [ownerMember] = await db.select().from(member).where(sql`${member.organizationId} = ${orgA.id}`);
  const ctx: OrgContext = {
    organizationId: orgA.id,
    userId: owner.id,
    memberId: ownerMember!.id,
    role: "owner",
    departmentIds: [],
  };
  for (const [i, departmentId] of [null, ...departmentsA.slice(0, 4)].entries()) {
    await createGoal(db, ctx, {
      departmentId,
      kpi: i % 2 === 0 ? "response_rate_within_sla" : "first_response_median",
      target: i % 2 === 0 ? 0.65 : 60,
      period: i < 3 ? "week" : "month",
    });
  }

  // (2) Organization B: a scaled raw set, rolled up by the real job.
  log(
    `seeding the raw set: ${rawConversations.toLocaleString("en")} conversations, ${rawMentions.toLocaleString("en")} mentions …`,
  );
  const departmentsB = await departmentsOf(orgB.id);
  const [channelB] = await db
    .insert(channel)
    .values({ organizationId: orgB.id, type: "email", name: "Service" })
    .returning();
  await seedInbox({
    url: bench.url,
    organizationId: orgB.id,
    channelId: channelB!.id,
    departmentIds: departmentsB,
    conversations: rawConversations,
    messagesPerConversation: 4,
    longConversationMessages: 10,
    progress: log,
  });
  const spread = Math.round((yearEnd.getTime() - yearStart.getTime()) / 1000);
  for (let done = 0; done < rawMentions; done += 1_000_000) {
    const batch = Math.min(1_000_000, rawMentions - done);
    await db.execute(sql`
      insert into mention (organization_id, network, external_id, text, language, sentiment, sentiment_score,
        offensive_score, urgency, has_pii, aspects, keyphrases, matched_query_ids, posted_at, received_at)
      select ${orgB.id}, (${channelArray})[1 + i % ${sql.raw(String(channels.length))}], 'raw-' || i, 'Nordbahn Beitrag ' || i, 'de',
        (array['negative','neutral','positive'])[1 + i % 3], 0.8, 0, 0, false, '[]'::jsonb, '{}'::text[], '{}'::uuid[],
        ${yearStart.toISOString()}::timestamptz + (i::bigint * 7919 % ${sql.raw(String(spread))}) * interval '1 second', now()
      from generate_series(${sql.raw(String(done + 1))}, ${sql.raw(String(done + batch))}) i`);
    log(`  mentions: ${(done + batch).toLocaleString("en")}`);
  }
  await db.execute(sql`analyze`);
  const rollupStarted = Date.now();
  const firstRun = await rollUpKpis(db, { organizationId: orgB.id, now: new Date() });
  const firstRunSeconds = (Date.now() - rollupStarted) / 1000;
  const tickStarted = Date.now();
  await rollUpKpis(db, { organizationId: orgB.id, now: new Date() });
  const tickSeconds = (Date.now() - tickStarted) / 1000;
  log(
    `rollup job: first run ${firstRun.days} days in ${firstRunSeconds.toFixed(1)} s; idle tick ${tickSeconds.toFixed(2)} s`,
  );

  // (3) The dashboard, over HTTP, against organization A (the user's first organization).
  server = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      path.join(here, "..", "inbox", "server.ts"),
      String(port),
      bench.url,
      email,
      password,
    ],
    {
      stdio: ["pipe", "pipe", "inherit"],
    },
  );
  const signedIn = JSON.parse(
    await new Promise<string>((resolve, reject) => {
      let buffer = "";
      server!.stdout!.on("data", (d: Buffer) => {
        buffer += String(d);
        if (buffer.includes("\n")) resolve(buffer.slice(0, buffer.indexOf("\n")));
      });
      server!.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
    }),
  ) as { cookie: string; origin: string };
  const switched = await fetch(`${base}/api/v1/me/organization`, {
    method: "PUT",
    headers: { cookie: signedIn.cookie, "content-type": "application/json", origin: signedIn.origin },
    body: JSON.stringify({ organizationId: orgA.id }),
  });
  if (!switched.ok) throw new Error(`switching organization: ${switched.status} ${await switched.text()}`);
  const cookie = [signedIn.cookie, ...switched.headers.getSetCookie().map((c) => c.split(";")[0])].join("; ");
  const year = `from=${yearStart.toISOString()}&to=${yearEnd.toISOString()}`;
  const last28 = `from=${new Date(yearEnd.getTime() - 28 * day).toISOString()}&to=${yearEnd.toISOString()}`;
  const cases = [
    {
      name: "a year, all departments and channels (weekly trend, 20-department table, goals)",
      url: `/api/v1/kpis?${year}`,
    },
    { name: "a year, one department", url: `/api/v1/kpis?${year}&departmentId=${departmentsA[3]}` },
    { name: "a year, one channel", url: `/api/v1/kpis?${year}&channel=email` },
    { name: "a year, monthly trend", url: `/api/v1/kpis?${year}&interval=month` },
    { name: "last 28 days (daily trend)", url: `/api/v1/kpis?${last28}` },
  ];
  const check = await fetch(`${base}${cases[0]!.url}`, { headers: { cookie } });
  const checked = (await check.json()) as { overall: Record<string, number>; departments: unknown[] };
  if (!check.ok) throw new Error(`dashboard: ${check.status} ${JSON.stringify(checked)}`);
  log(
    `dashboard answers: ${checked.overall.conversations} conversations, ${checked.overall.mentions} mentions, ${checked.departments.length} department rows`,
  );
  const loadBefore = os.loadavg()[0]!.toFixed(1);
  const results: Array<{
    name: string;
    mode: string;
    clients: number;
    n: number;
    p50: number;
    p95: number;
    max: number;
  }> = [];
  // Cold: every request a range of its own (`from` moved by a second: the same days, a new cache
  // key), so each answer is computed from the rollups. Warm: the same request again, as a team
  // reloading the dashboard between two rollup runs (answers are cached until the next run).
  const shifted = (url: string, seconds: number) =>
    url.replace(
      /from=([^&]+)/,
      (_, from: string) => `from=${new Date(new Date(from).getTime() + seconds * 1000).toISOString()}`,
    );
  let counter = 0;
  for (const mode of ["cold", "warm"] as const) {
    for (const clients of [1, 4]) {
      for (const c of cases) {
        const times: number[] = [];
        await Promise.all(
          Array.from({ length: clients }, async () => {
            for (let i = 0; i < requests; i += 1) {
              counter += 1;
              const url = mode === "cold" ? shifted(c.url, counter) : c.url;
              const started = performance.now();
              const response = await fetch(`${base}${url}`, { headers: { cookie } });
              await response.arrayBuffer();
              if (!response.ok) throw new Error(`${url}: ${response.status}`);
              times.push(performance.now() - started);
            }
          }),
        );
        results.push({
          name: c.name,
          mode,
          clients,
          n: times.length,
          p50: quantile(times, 0.5),
          p95: quantile(times, 0.95),
          max: Math.max(...times),
        });
        log(
          `${mode} ${c.name}, ${clients} client(s): p50 ${quantile(times, 0.5).toFixed(1)} ms, p95 ${quantile(times, 0.95).toFixed(1)} ms`,
        );
      }
    }
  }
  const worstCold = Math.max(...results.filter((r) => r.mode === "cold").map((r) => r.p95));
  const worstWarm = Math.max(...results.filter((r) => r.mode === "warm").map((r) => r.p95));
  const lines = [
    "",
    `## ${today()} — rollups at full size, raw set ${rawConversations.toLocaleString("en")} conversations / ${rawMentions.toLocaleString("en")} mentions`,
    "",
    `Machine: ${describeMachine()}  `,
    `Load average before measuring: ${loadBefore}. PostgreSQL on the same machine; Konversa (\`serve\`) in its own process.`,
    "",
    `Organization A (dashboard): a year of rollups seeded directly in SQL at full size — ${Number(counted.conversations).toLocaleString("en")} conversations and ${Number(counted.mentions).toLocaleString("en")} mentions' worth of counts, ${departmentCount} departments (+ none) × ${channels.length} channels; ${Number(counted.service_rows).toLocaleString("en")} service rows and ${Number(counted.histogram_rows).toLocaleString("en")} histogram rows (day, week and month grains, both organizations), seeded in ${seedSeconds.toFixed(0)} s. Five goals.`,
    `Organization B (rollup job): a scaled raw set of ${rawConversations.toLocaleString("en")} conversations × 4 messages and ${rawMentions.toLocaleString("en")} mentions; the real job's first run rolled up ${firstRun.days} days in ${firstRunSeconds.toFixed(1)} s, an idle 5-minute tick took ${tickSeconds.toFixed(2)} s.`,
    "",
    "| dashboard request | cache | clients | requests | p50 ms | p95 ms | max ms |",
    "|---|---|---:|---:|---:|---:|---:|",
    ...results.map(
      (r) =>
        `| ${r.name} | ${r.mode} | ${r.clients} | ${r.n} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.max.toFixed(1)} |`,
    ),
    "",
    `Target p95 ≤ 300 ms — computed from the rollups (cold): ${worstCold <= 300 ? "met" : "NOT met"} (worst p95 ${worstCold.toFixed(1)} ms); repeated (warm): ${worstWarm <= 300 ? "met" : "NOT met"} (worst p95 ${worstWarm.toFixed(1)} ms).`,
  ];
  appendFileSync(path.join(here, "RESULTS.md"), `${lines.join("\n")}\n`);
  process.stdout.write(`${lines.join("\n")}\n`);
} finally {
  server?.kill();
  if (args.keep) log(`kept ${bench.url}`);
  else await bench.drop();
}
