/**
 * Ingest benchmark, side by side in one run, appended to RESULTS.md:
 *   1. posts/s into PostgreSQL through the real pipeline (gateway → bus → batches → analysis →
 *      ingestPosts → alert evaluation) beside a raw COPY of the same rows into the same table, and
 *      the analysis alone, so the reader sees where the time goes;
 *   2. the same pipeline into embedded PGlite;
 *   3. NATS JetStream with one and two `konversa worker` processes;
 *   4. alert latency (post stored → webhook received) while posts arrive at a steady rate;
 *   5. dashboard and search p95 over a seeded mention table (10 million rows by default).
 *
 *   npm run bench:ingest                          (full run, about half an hour on 2 cores)
 *   npm run bench:ingest -- --posts 20000 --mentions 200000     (quick run)
 *   npm run bench:ingest -- --only postgres,dashboards          (some sections)
 */
import { randomBytes } from "node:crypto";
import { appendFileSync } from "node:fs";
import os from "node:os";
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import { socialIdentity } from "../../src/modules/contacts/schema.js";
import {
  shareOfVoice,
  topAspects,
  topAuthors,
  volumeOverTime,
} from "../../src/modules/listening/dashboards.js";
import { type MentionPage, searchMentions } from "../../src/modules/listening/mentions.js";
import { alertRule } from "../../src/modules/listening/schema.js";
import { analyzePost } from "../../src/pipeline/postAnalyzer.js";
import type { PostAnalysis } from "../../src/pipeline/postIngester.js";
import { createQueryMatcher } from "../../src/pipeline/queryMatcher.js";
import { createIngestGateway } from "../../src/pipeline/runtime.js";
import { createBus } from "../../src/platform/bus/index.js";
import {
  deleteStreams,
  natsTestServerProblem,
  natsTestUrl,
} from "../../src/platform/bus/testing/natsTestServer.js";
import { encryptSecret } from "../../src/platform/crypto/secrets.js";
import { type Database, sqlRows } from "../../src/platform/db/client.js";
import { startWebhookReceiver } from "../../test/support/webhookReceiver.js";
import { describeMachine, today } from "../support/machine.js";
import { createBenchOrganization, createPgliteDatabase, createPostgresDatabase } from "./database.js";
import { type CopyRow, copyMentions } from "./mentionCopier.js";
import { seedMentions } from "./mentionSeeder.js";
import { benchSecretsKey, ingestAll } from "./pipelineDriver.js";
import { generatePosts } from "./posts.js";
import { startWorkers } from "./workerProcesses.js";

const sections = ["postgres", "pglite", "jetstream", "alerts", "dashboards"] as const;
type Section = (typeof sections)[number];

const { values: args } = parseArgs({
  options: {
    posts: { type: "string", default: "100000" },
    mentions: { type: "string", default: "10000000" },
    rate: { type: "string", default: "5000" },
    "alert-seconds": { type: "string", default: "30" },
    only: { type: "string", default: sections.join(",") },
    "no-write": { type: "boolean", default: false },
    /** Keeps the seeded dashboards database (for EXPLAIN by hand); drop it yourself afterwards. */
    "keep-db": { type: "boolean", default: false },
  },
});
const postCount = Number(args.posts);
const mentionCount = Number(args.mentions);
const alertRate = Number(args.rate);
const alertSeconds = Number(args["alert-seconds"]);
const only = new Set(args.only.split(",").map((s) => s.trim()) as Section[]);
for (const s of only)
  if (!sections.includes(s)) throw new Error(`Unknown section "${s}": ${sections.join(", ")}`);

export function progress(message: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`);
}

const fmt = (n: number) => Math.round(n).toLocaleString("en");
const perSecond = (count: number, ms: number) => count / (ms / 1000);
const verdict = (met: boolean) => (met ? "met" : "**not met**");

const report: string[] = [];
const cleanups: Array<() => Promise<void>> = [];

async function truncateListening(database: Database) {
  await database.exec(
    "TRUNCATE mention, mention_rollup_hourly, aspect_rollup_daily, author_rollup_daily, social_identity, alert, alert_delivery, notification, dead_letter",
  );
}

// ---------- 1. PostgreSQL: pipeline vs COPY vs analysis alone ----------
async function postgresSection() {
  progress(`1. PostgreSQL: ${fmt(postCount)} posts through the pipeline, then the same rows by COPY`);
  const bench = await createPostgresDatabase("ingest");
  cleanups.push(bench.drop);
  const { database } = bench;
  const org = await createBenchOrganization(database);
  const organizationId = org.ctx.organizationId;

  // Warm-up: models, JIT, connections, query cache.
  await ingestAll(database, organizationId, generatePosts({ count: 3_000, seed: 1, idPrefix: "warm" }));
  await truncateListening(database);

  const posts = generatePosts({ count: postCount, seed: 7, idPrefix: "pg" });
  const analyses: PostAnalysis[] = [];
  let started = performance.now();
  for (const post of posts) analyses.push(analyzePost(post));
  const analysisMs = performance.now() - started;
  const matcher = createQueryMatcher(database.db);
  const matched: string[][] = [];
  started = performance.now();
  for (let i = 0; i < posts.length; i += 1)
    matched.push(await matcher.match(organizationId, posts[i]!, analyses[i]!));
  const matchMs = performance.now() - started;
  progress(
    `   analysis alone ${fmt(perSecond(postCount, analysisMs))} posts/s, matching alone ${fmt(perSecond(postCount, matchMs))} posts/s`,
  );

  await database.exec("CHECKPOINT");
  const pipeline = await ingestAll(database, organizationId, posts);
  progress(`   pipeline ${fmt(perSecond(postCount, pipeline.ms))} posts/s`);

  const identities = new Map(
    (
      await database.db
        .select({ id: socialIdentity.id, network: socialIdentity.network, handle: socialIdentity.handle })
        .from(socialIdentity)
    ).map((i) => [`${i.network}:${i.handle}`, i.id]),
  );
  const rows: CopyRow[] = posts.map((post, i) => ({
    organizationId,
    post,
    analysis: analyses[i]!,
    matchedQueryIds: matched[i]!,
    identityId: identities.get(`${post.network}:${post.author.handle.toLowerCase()}`) ?? null,
  }));
  await database.exec("TRUNCATE mention");
  await database.exec("CHECKPOINT");
  const copyMs = await copyMentions(bench.url, rows);
  progress(`   COPY ${fmt(perSecond(postCount, copyMs))} rows/s`);
  await bench.drop();

  const pipelineRate = perSecond(postCount, pipeline.ms);
  const copyRate = perSecond(postCount, copyMs);
  const analysisRate = perSecond(postCount, analysisMs);
  const ratio = pipelineRate / copyRate;
  report.push(
    `### 1. PostgreSQL: pipeline beside raw COPY (${fmt(postCount)} posts)\n`,
    "| path | posts/s | share of COPY | target |",
    "|---|---:|---:|---|",
    `| raw \`COPY mention … FROM STDIN\` (pg-copy-streams, CSV, analysis precomputed) | ${fmt(copyRate)} | 100 % | |`,
    `| pipeline: gateway → in-memory bus → batches of 500 → analysis + matching → \`ingestPosts\` → alert evaluation | ${fmt(pipelineRate)} | ${(ratio * 100).toFixed(0)} % | ≥ 50 % of COPY: ${verdict(ratio >= 0.5)}; ≥ 10,000/s: ${verdict(pipelineRate >= 10_000)} |`,
    `| analysis alone (\`analyzePost\`, one core, no storage) | ${fmt(analysisRate)} | | |`,
    `| query matching alone (3 demo queries) | ${fmt(perSecond(postCount, matchMs))} | | |`,
    "",
    `Time per post: pipeline ${((1000 / pipelineRate) * 1000).toFixed(0)} µs, of which analysis ${((1000 / analysisRate) * 1000).toFixed(0)} µs (${((pipelineRate / analysisRate) * 100).toFixed(0)} %); COPY ${((1000 / copyRate) * 1000).toFixed(0)} µs. Dead letters: ${pipeline.deadLetters}.`,
    "",
  );
}

// ---------- 2. PGlite ----------
async function pgliteSection() {
  const count = Math.max(1_000, Math.round(postCount / 2));
  progress(`2. PGlite: ${fmt(count)} posts through the pipeline`);
  const database = await createPgliteDatabase();
  try {
    const org = await createBenchOrganization(database);
    await ingestAll(
      database,
      org.ctx.organizationId,
      generatePosts({ count: 2_000, seed: 1, idPrefix: "warm" }),
    );
    await truncateListening(database);
    const posts = generatePosts({ count, seed: 8, idPrefix: "pglite" });
    const result = await ingestAll(database, org.ctx.organizationId, posts);
    const rate = perSecond(count, result.ms);
    progress(`   PGlite pipeline ${fmt(rate)} posts/s`);
    report.push(
      `### 2. Embedded PGlite (${fmt(count)} posts, in memory)\n`,
      "| path | posts/s | target |",
      "|---|---:|---|",
      `| pipeline into PGlite (same path as above) | ${fmt(rate)} | ≥ 5,000: ${verdict(rate >= 5_000)} |`,
      "",
    );
  } finally {
    await database.close();
  }
}

// ---------- 3. NATS JetStream with 1 and 2 worker processes ----------
async function countMentions(database: Database): Promise<number> {
  const rows = await sqlRows<{ n: string }>(database.db, sql`SELECT count(*) AS n FROM mention`);
  return Number(rows[0]!.n);
}

async function waitForMentions(database: Database, count: number, timeoutMs = 900_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const n = await countMentions(database);
    if (n >= count) return;
    if (Date.now() > deadline) throw new Error(`Timed out: ${n} of ${count} mentions stored.`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function withJetStream<T>(
  label: string,
  work: (env: {
    bench: Awaited<ReturnType<typeof createPostgresDatabase>>;
    org: Awaited<ReturnType<typeof createBenchOrganization>>;
    gateway: ReturnType<typeof createIngestGateway>;
    prefix: string;
  }) => Promise<T>,
): Promise<T> {
  const prefix = `KBENCH_${label}_${randomBytes(4).toString("hex")}`.toUpperCase();
  const bench = await createPostgresDatabase(label);
  const bus = await createBus({ natsUrl: natsTestUrl, streamPrefix: prefix, onDeadLetter: async () => {} });
  try {
    const org = await createBenchOrganization(bench.database);
    return await work({ bench, org, gateway: createIngestGateway(bus), prefix });
  } finally {
    await bus.close();
    await deleteStreams(prefix).catch(() => {});
    await bench.drop();
  }
}

async function jetstreamSection() {
  progress(`3. NATS JetStream: ${fmt(postCount)} posts, 1 then 2 \`konversa worker\` processes`);
  const problem = await natsTestServerProblem();
  if (problem) throw new Error(problem);
  const rates = await withJetStream("jetstream", async ({ bench, org, gateway, prefix }) => {
    const result: Array<{ workers: number; rate: number }> = [];
    for (const workers of [1, 2]) {
      await truncateListening(bench.database);
      const processes = startWorkers({
        count: workers,
        databaseUrl: bench.url,
        natsUrl: natsTestUrl,
        natsPrefix: prefix,
      });
      try {
        await processes.ready;
        await gateway.submitPosts(
          org.ctx.organizationId,
          generatePosts({ count: 2_000, seed: 1, idPrefix: `warm${workers}` }),
        );
        await waitForMentions(bench.database, 2_000);
        await truncateListening(bench.database);
        await bench.database.exec("CHECKPOINT");
        const posts = generatePosts({ count: postCount, seed: 20 + workers, idPrefix: `js${workers}` });
        const started = performance.now();
        for (let i = 0; i < posts.length; i += 5_000)
          await gateway.submitPosts(org.ctx.organizationId, posts.slice(i, i + 5_000));
        await waitForMentions(bench.database, postCount);
        const rate = perSecond(postCount, performance.now() - started);
        progress(`   ${workers} worker(s): ${fmt(rate)} posts/s`);
        result.push({ workers, rate });
      } finally {
        await processes.stop();
      }
    }
    return result;
  });
  const [one, two] = rates;
  report.push(
    `### 3. NATS JetStream, \`konversa worker\` processes on PostgreSQL (${fmt(postCount)} posts each)\n`,
    "| workers | posts/s | ratio to one worker |",
    "|---:|---:|---:|",
    `| 1 | ${fmt(one!.rate)} | 1.00 |`,
    `| 2 | ${fmt(two!.rate)} | ${(two!.rate / one!.rate).toFixed(2)} |`,
    "",
    "Timed from the first publish to the last mention stored (polled every 100 ms); the publisher, both workers and PostgreSQL share the machine's cores.",
    "",
  );
}

// ---------- 4. Alert latency under load ----------
async function alertsSection() {
  progress(`4. Alert latency: ${fmt(alertRate)} posts/s for ${alertSeconds} s, keyword probes, two workers`);
  const secret = "bench-webhook-secret";
  const receiver = await startWebhookReceiver(secret);
  try {
    const outcome = await withJetStream("alerts", async ({ bench, org, gateway, prefix }) => {
      await bench.database.db.insert(alertRule).values({
        organizationId: org.ctx.organizationId,
        name: "Probe keyword",
        type: "keyword",
        config: { keywords: ["alarmprobe"] },
        cooldownMinutes: 0,
        delivery: {
          inApp: false,
          emails: [],
          webhookUrl: receiver.url,
          webhookSecretEncrypted: encryptSecret(benchSecretsKey, secret),
        },
      });
      const processes = startWorkers({
        count: 2,
        databaseUrl: bench.url,
        natsUrl: natsTestUrl,
        natsPrefix: prefix,
      });
      try {
        await processes.ready;
        await gateway.submitPosts(
          org.ctx.organizationId,
          generatePosts({ count: 2_000, seed: 1, idPrefix: "warm" }),
        );
        await waitForMentions(bench.database, 2_000);
        receiver.received.length = 0;
        const total = alertRate * alertSeconds;
        const posts = generatePosts({ count: total, seed: 30, idPrefix: "alerts", hours: 0.1 });
        // One probe every 250 ms of the stream.
        const probeEvery = Math.max(1, Math.round(alertRate / 4));
        const submittedAt = new Map<string, number>();
        for (let i = probeEvery - 1; i < posts.length; i += probeEvery) {
          const post = posts[i]!;
          posts[i] = { ...post, text: `${post.text} alarmprobe ${i}` };
        }
        const started = Date.now();
        let sent = 0;
        while (sent < total) {
          const due = Math.min(total, Math.floor(((Date.now() - started) / 1000) * alertRate));
          if (due > sent) {
            const slice = posts.slice(sent, due);
            const now = Date.now();
            for (const p of slice) if (p.text.includes("alarmprobe")) submittedAt.set(p.externalId, now);
            await gateway.submitPosts(org.ctx.organizationId, slice);
            sent = due;
          }
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        const submitSeconds = (Date.now() - started) / 1000;
        await waitForMentions(bench.database, 2_000 + total);
        const drainedSeconds = (Date.now() - started) / 1000;
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        const probes = await sqlRows<{ id: string; external_id: string; received_at: Date }>(
          bench.database.db,
          sql`SELECT id, external_id, received_at FROM mention WHERE text LIKE '%alarmprobe%'`,
        );
        const deliveredAt = new Map<string, number>();
        for (const hook of receiver.received)
          for (const id of hook.json.mentionIds as string[])
            if (!deliveredAt.has(id)) deliveredAt.set(id, hook.receivedAt);
        const fromStored: number[] = [];
        const fromSubmitted: number[] = [];
        for (const p of probes) {
          const at = deliveredAt.get(p.id);
          if (at === undefined) continue;
          fromStored.push(at - new Date(p.received_at).getTime());
          fromSubmitted.push(at - submittedAt.get(p.external_id)!);
        }
        return {
          probes: probes.length,
          delivered: fromStored.length,
          fromStored,
          fromSubmitted,
          offeredRate: total / submitSeconds,
          achievedRate: total / drainedSeconds,
        };
      } finally {
        await processes.stop();
      }
    });
    const stored95 = percentile(outcome.fromStored, 0.95);
    progress(`   p95 stored → delivered ${stored95.toFixed(0)} ms over ${outcome.delivered} probes`);
    report.push(
      `### 4. Alert latency while ingesting (two workers on JetStream, keyword rule, HMAC webhook to a local receiver)\n`,
      `Offered ${fmt(outcome.offeredRate)} posts/s for ${alertSeconds} s; the workers stored them at ${fmt(outcome.achievedRate)} posts/s on average (until the last was stored). ${outcome.delivered} of ${outcome.probes} probe posts reached the webhook.\n`,
      "| latency | p50 ms | p95 ms | max ms | target |",
      "|---|---:|---:|---:|---|",
      `| post stored (mention.received_at, start of its transaction) → webhook received | ${percentile(outcome.fromStored, 0.5).toFixed(0)} | ${stored95.toFixed(0)} | ${Math.max(...outcome.fromStored).toFixed(0)} | p95 ≤ 2,000: ${verdict(stored95 <= 2_000 && outcome.delivered === outcome.probes)} |`,
      `| post published to the bus → webhook received (includes queueing) | ${percentile(outcome.fromSubmitted, 0.5).toFixed(0)} | ${percentile(outcome.fromSubmitted, 0.95).toFixed(0)} | ${Math.max(...outcome.fromSubmitted).toFixed(0)} | |`,
      "",
    );
  } finally {
    await receiver.close();
  }
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

// ---------- 5. Dashboards and search over many mentions ----------
async function dashboardsSection() {
  progress(`5. Dashboards and search over ${fmt(mentionCount)} mentions`);
  const bench = await createPostgresDatabase("dashboards");
  if (args["keep-db"]) progress(`   keeping database ${bench.name}`);
  else cleanups.push(bench.drop);
  const org = await createBenchOrganization(bench.database, [
    { name: "Deutsche Bahn (Wettbewerb)", kind: "competitor", expression: '"deutsche bahn" OR @db_bahn' },
  ]);
  const queries = {
    brand: org.queryIds.get("Nordbahn")!,
    competitor: org.queryIds.get("Südexpress (Wettbewerb)")!,
    competitor2: org.queryIds.get("Deutsche Bahn (Wettbewerb)")!,
    campaign: org.queryIds.get("Kampagne #NordbahnSommer")!,
  };
  const seeded = await seedMentions({
    url: bench.url,
    organizationId: org.ctx.organizationId,
    queries,
    mentions: mentionCount,
    progress,
  });
  progress(`   seeded in ${seeded.seconds.toFixed(0)} s, ${(seeded.sizeBytes / 2 ** 30).toFixed(1)} GiB`);
  const db = bench.database.db;
  const ctx = org.ctx;
  const now = new Date();
  const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
  const month = { from: daysAgo(30), to: now };
  const year = { from: daysAgo(366), to: now };
  const page = async (filters: Omit<MentionPage, "limit">) => {
    const first = await searchMentions(db, ctx, { ...filters, limit: 50 });
    return first;
  };
  const nextPage = async (filters: Omit<MentionPage, "limit">) => {
    const first = await searchMentions(db, ctx, { ...filters, limit: 50 });
    return searchMentions(db, ctx, { ...filters, limit: 50, cursor: first.nextCursor });
  };
  const cases: Array<{ name: string; run: () => Promise<unknown> }> = [
    { name: "volume per day, 30 days", run: () => volumeOverTime(db, ctx, { ...month, interval: "day" }) },
    {
      name: "volume per hour, 30 days, brand",
      run: () => volumeOverTime(db, ctx, { ...month, interval: "hour", queryId: queries.brand }),
    },
    {
      name: "volume + sentiment per day, a year",
      run: () => volumeOverTime(db, ctx, { ...year, interval: "day" }),
    },
    { name: "share of voice, 30 days", run: () => shareOfVoice(db, ctx, month) },
    { name: "share of voice, a year", run: () => shareOfVoice(db, ctx, year) },
    { name: "top aspects, 30 days", run: () => topAspects(db, ctx, { ...month, limit: 10 }) },
    {
      name: "top aspects, a year, brand",
      run: () => topAspects(db, ctx, { ...year, queryId: queries.brand, limit: 10 }),
    },
    { name: "top authors, 30 days", run: () => topAuthors(db, ctx, { ...month, limit: 20 }) },
    {
      name: "top authors, a year, brand",
      run: () => topAuthors(db, ctx, { ...year, queryId: queries.brand, limit: 20 }),
    },
    { name: "search: newest 50, no filter", run: () => page({}) },
    { name: 'search: "verspätung"', run: () => page({ q: "verspätung" }) },
    {
      name: 'search: "klimaanlage" + negative + bluesky, page 2',
      run: () => nextPage({ q: "klimaanlage", sentiment: "negative", network: "bluesky" }),
    },
    { name: 'search: "wifi" + en + 30 days', run: () => page({ q: "wifi", language: "en", ...month }) },
    {
      name: 'search: "toiletten" + brand query + aspect, page 2',
      run: () => nextPage({ q: "toiletten", queryId: queries.brand, aspect: "toilets" }),
    },
    {
      name: 'search: "flensburg anschluss" (two rarer words)',
      run: () => page({ q: "flensburg anschluss" }),
    },
    {
      name: "search: competitor + positive, 30 days, page 2",
      run: () => nextPage({ queryId: queries.competitor, sentiment: "positive", ...month }),
    },
    { name: "search: offensive, a year", run: () => page({ offensive: true, ...year }) },
  ];
  const rounds = 15;
  const results: Array<{ name: string; p50: number; p95: number; max: number }> = [];
  const all: number[] = [];
  for (const c of cases) {
    await c.run();
    await c.run();
    const times: number[] = [];
    for (let i = 0; i < rounds; i += 1) {
      const started = performance.now();
      await c.run();
      times.push(performance.now() - started);
    }
    all.push(...times);
    results.push({
      name: c.name,
      p50: percentile(times, 0.5),
      p95: percentile(times, 0.95),
      max: Math.max(...times),
    });
    progress(`   ${c.name}: p95 ${percentile(times, 0.95).toFixed(1)} ms`);
  }
  if (!args["keep-db"]) await bench.drop();
  else await bench.database.close();
  const p95 = percentile(all, 0.95);
  const slowest = Math.max(...results.map((r) => r.p95));
  report.push(
    `### 5. Dashboards and search over ${fmt(mentionCount)} mentions (PostgreSQL)\n`,
    `Seeded in SQL in ${(seeded.seconds / 60).toFixed(1)} min (${(seeded.sizeBytes / 2 ** 30).toFixed(1)} GiB): one organization, 4 queries, a year of posts, German and English text from combined phrases, then rollups derived and ANALYZE. Each call: 2 warm-up runs, then ${rounds} timed runs of the real functions (\`volumeOverTime\`, \`shareOfVoice\`, \`topAspects\`, \`topAuthors\`, \`searchMentions\`).\n`,
    "| call | p50 ms | p95 ms | max ms |",
    "|---|---:|---:|---:|",
    ...results.map((r) => `| ${r.name} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.max.toFixed(1)} |`),
    "",
    `p95 over all calls: ${p95.toFixed(1)} ms; slowest call's p95: ${slowest.toFixed(1)} ms. Target p95 ≤ 200 ms: ${verdict(slowest <= 200)} (judged on the slowest call).`,
    "",
  );
}

const runners: Record<Section, () => Promise<void>> = {
  postgres: postgresSection,
  pglite: pgliteSection,
  jetstream: jetstreamSection,
  alerts: alertsSection,
  dashboards: dashboardsSection,
};

const startedAt = Date.now();
try {
  for (const section of sections) if (only.has(section)) await runners[section]();
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup().catch((e) => progress(`cleanup: ${e}`));
}
const load = os.loadavg().map((l) => l.toFixed(2));
const text = [
  `\n## ${today()}\n`,
  `Machine: ${describeMachine()}  `,
  `Run: \`npm run bench:ingest${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}\` in ${((Date.now() - startedAt) / 60_000).toFixed(1)} min; load average at the end (1, 5, 15 min): ${load.join(", ")}. PostgreSQL 15 on the same machine, default settings (shared_buffers 128 MB).\n`,
  ...report,
].join("\n");
process.stdout.write(text);
if (!args["no-write"]) appendFileSync(new URL("./RESULTS.md", import.meta.url), text);
