// npm run bench:inbox — the unified inbox under load on PostgreSQL: (a) the inbox list filtered by
// status and department, sorted by due time; (b) one conversation with 200 messages; both with
// autocannon at 200 concurrent clients; (c) realtime fan-out: how long 500 connected event-stream
// clients of one organization take to see a customer's message. Konversa, autocannon's target and
// the stream clients each run in their own process; the results are appended to RESULTS.md.
//   --conversations N   (default 1,000,000; 10 messages each: 10 M messages)
//   --messages N        messages per conversation (default 10)
//   --keep              keep the database (prints its URL) instead of dropping it
//   --database URL      measure again on a database a --keep run left (no seeding; the server
//                       applies new migrations, e.g. an index, so before/after is one data set)
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { eq, sql } from "drizzle-orm";
import { channel } from "../../src/modules/conversations/schema.js";
import { createOrganization } from "../../src/modules/organizations/organizationCreator.js";
import { department, organization } from "../../src/modules/organizations/schema.js";
import { createUser } from "../../src/modules/organizations/userCreator.js";
import { user } from "../../src/platform/auth/schema.js";
import { openDatabase, sqlRows } from "../../src/platform/db/client.js";
import { type BenchDatabase, createPostgresDatabase } from "../ingest/database.js";
import { describeMachine, today } from "../support/machine.js";
import { longConversationId, seedInbox } from "./inboxSeeder.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    conversations: { type: "string", default: "1000000" },
    messages: { type: "string", default: "10" },
    keep: { type: "boolean", default: false },
    database: { type: "string" },
  },
});
const conversations = Number(args.conversations);
const messagesPerConversation = Number(args.messages);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 200);
const streamClients = Number(process.env.BENCH_STREAM_CLIENTS ?? 500);
const posts = Number(process.env.BENCH_POSTS ?? 20);
const port = 3931;
const base = `http://127.0.0.1:${port}`;
const log = (message: string) => process.stderr.write(`${message}\n`);

function spawnScript(script: string, scriptArgs: string[]) {
  return spawn(process.execPath, ["--import", "tsx", path.join(here, script), ...scriptArgs], {
    stdio: ["pipe", "pipe", "inherit"],
  });
}

function firstLine(child: ChildProcess, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = "";
    const onData = (d: Buffer) => {
      buffer += String(d);
      const end = buffer.indexOf("\n");
      if (end < 0) return;
      child.stdout!.off("data", onData);
      child.off("exit", onExit);
      resolve(buffer.slice(0, end).trim());
    };
    const onExit = (code: number | null) => reject(new Error(`${what} exited with ${code}`));
    child.stdout!.on("data", onData);
    child.once("exit", onExit);
  });
}

function quantile(values: number[], q: number) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

const password = "bench-password-1";

/** A kept database of an earlier run: its organization, channel, departments and user. */
async function reuse(url: string): Promise<BenchDatabase> {
  const database = await openDatabase({ url, poolSize: 2 });
  return {
    name: new URL(url).pathname.slice(1),
    url,
    database,
    drop: () => database.close(),
  };
}

const bench = args.database ? await reuse(args.database) : await createPostgresDatabase("inbox", 4);
let server: ChildProcess | undefined;
let streams: ChildProcess | undefined;
try {
  const db = bench.database.db;
  let email: string;
  let seedSeconds = 0;
  if (args.database) {
    email = (await db.select({ email: user.email }).from(user).limit(1))[0]!.email;
    log(`bench:inbox — measuring again on ${bench.name} (no seeding)`);
  } else {
    email = `inbox-${randomBytes(4).toString("hex")}@example.test`;
    log(
      `bench:inbox — ${conversations.toLocaleString("en")} conversations × ${messagesPerConversation} messages`,
    );
  }
  const [org] = args.database
    ? await db.select({ id: organization.id }).from(organization).limit(1)
    : [
        await createOrganization(db, {
          name: "Nordbahn Inbox",
          ownerUserId: (await createUser(db, { email, name: "Bench", password })).id,
        }),
      ];
  const departments = await db.select().from(department).where(eq(department.organizationId, org!.id));
  const [logChannel] = args.database
    ? await db.select().from(channel).where(eq(channel.organizationId, org!.id)).limit(1)
    : await db
        .insert(channel)
        .values({ organizationId: org!.id, type: "webhook", name: "Service inbox" })
        .returning();
  if (!args.database) {
    log(`seeding ${bench.name} …`);
    const seedStarted = Date.now();
    await seedInbox({
      url: bench.url,
      organizationId: org!.id,
      channelId: logChannel!.id,
      departmentIds: departments.map((d) => d.id),
      conversations,
      messagesPerConversation,
      longConversationMessages: 200,
      progress: log,
    });
    seedSeconds = (Date.now() - seedStarted) / 1000;
  }
  const counted = args.database
    ? await sqlRows<{ conversations: number; messages: number }>(
        db,
        sql`select (select count(*)::int from conversation) as conversations, (select count(*)::int from message) as messages`,
      )
    : undefined;
  const dataLine = counted
    ? `Data: the kept database of an earlier run (${Number(counted[0]!.conversations).toLocaleString("en")} conversations, ${Number(counted[0]!.messages).toLocaleString("en")} messages), migrated by the server before measuring.`
    : `Data: ${conversations.toLocaleString("en")} conversations × ${messagesPerConversation} messages (+1 conversation with 200), one organization, ${departments.length} departments; seeded and analysed in ${seedSeconds.toFixed(0)} s.`;

  server = spawnScript("server.ts", [String(port), bench.url, email, password]);
  const { cookie, origin } = JSON.parse(await firstLine(server, "server")) as {
    cookie: string;
    origin: string;
  };
  const headers = { cookie };
  const listUrl = `${base}/api/v1/conversations?status=open&departmentId=${departments[0]!.id}&sort=due`;
  const detailUrl = `${base}/api/v1/conversations/${longConversationId}`;
  for (const url of [listUrl, detailUrl]) {
    const check = await fetch(url, { headers });
    if (!check.ok) throw new Error(`${url}: ${check.status} ${await check.text()}`);
  }
  const listed = (await (await fetch(listUrl, { headers })).json()) as { conversations: unknown[] };
  const detail = (await (await fetch(detailUrl, { headers })).json()) as { messages: unknown[] };
  log(
    `list answers ${listed.conversations.length} rows; the long conversation ${detail.messages.length} messages`,
  );

  interface Measured {
    name: string;
    mode: string;
    rps: number;
    p50: number;
    p99: number;
    max: number;
    failed: number;
  }
  const measured: Measured[] = [];
  async function measure(name: string, url: string, rate?: number) {
    const mode = rate
      ? `${connections} clients, ${rate} req/s in all`
      : `${connections} clients, closed loop`;
    log(`${name}: ${mode}, ${seconds} s …`);
    const result = await autocannon({
      url,
      connections,
      duration: seconds,
      headers,
      ...(rate ? { overallRate: rate } : {}),
    });
    // Failures (timeouts after 10 s, 500s when the database pool is exhausted) are reported, not hidden.
    measured.push({
      failed: result.non2xx + result.errors + result.timeouts,
      name,
      mode,
      rps: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      max: result.latency.max,
    });
  }
  // The machine may be shared: say how busy it was.
  const loadBefore = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" / ");
  // Warm-up: JIT, connection pool and PostgreSQL's cache.
  await autocannon({ url: listUrl, connections: 10, duration: 3, headers });
  await autocannon({ url: detailUrl, connections: 10, duration: 3, headers });
  // Closed loop: 200 clients each sending the next request as soon as the answer is in (the
  // saturation point). Paced: 200 clients sending one request per second each (an inbox that
  // 200 agents keep open and refresh), which is what an agent feels.
  await measure("(a) list: status=open, one department, sort=due", listUrl);
  await measure("(a) list: status=open, one department, sort=due", listUrl, connections);
  await measure("(b) conversation with 200 messages", detailUrl);
  await measure("(b) conversation with 200 messages", detailUrl, connections);

  // (c) Realtime fan-out.
  log(`(c) connecting ${streamClients} event-stream clients …`);
  streams = spawnScript("sseClients.ts", [`${base}/api/v1/events`, cookie, String(streamClients)]);
  const ready = await firstLine(streams, "stream clients");
  if (ready !== "ready") throw new Error(`stream clients: ${ready}`);
  const sentAt = new Map<string, number>();
  for (let i = 0; i < posts; i++) {
    const started = performance.timeOrigin + performance.now();
    const response = await fetch(`${base}/api/v1/channels/${logChannel!.id}/incoming`, {
      method: "POST",
      headers: { ...headers, origin, "content-type": "application/json" },
      body: JSON.stringify({ authorName: "Jana Schulz", text: `Mein Zug Nummer ${i} fällt aus, was nun?` }),
    });
    if (response.status !== 201) throw new Error(`incoming: ${response.status} ${await response.text()}`);
    sentAt.set(((await response.json()) as { conversationId: string }).conversationId, started);
    await new Promise((r) => setTimeout(r, 500));
  }
  await new Promise((r) => setTimeout(r, 2000));
  const reportLine = firstLine(streams, "stream clients");
  streams.stdin!.write("report\n");
  const seen = JSON.parse(await reportLine) as Record<string, number[]>;
  const delays: number[] = [];
  let missing = 0;
  for (const [id, started] of sentAt) {
    const times = seen[id] ?? [];
    missing += streamClients - times.length;
    for (const at of times) delays.push(at - started);
  }
  const fanout = {
    p50: quantile(delays, 0.5),
    p95: quantile(delays, 0.95),
    max: Math.max(...delays),
    missing,
  };

  const listRows = measured.filter((m) => m.name.startsWith("(a)"));
  const detailRows = measured.filter((m) => m.name.startsWith("(b)"));
  const verdict = (rows: Measured[]) =>
    rows
      .map((r) => `${r.mode.includes("closed") ? "closed loop" : "paced"} ${r.p99 <= 50 ? "met" : "NOT met"}`)
      .join(", ");
  const table = [
    `\n## ${today()}\n`,
    `Machine: ${describeMachine()} · load average before measuring ${loadBefore}  `,
    `${dataLine} Konversa, autocannon and the stream clients in separate processes, logging off, inbox timers on; ${seconds} s per measurement.\n`,
    "| measurement | load | requests/s | p50 ms | p99 ms | max ms | failed |",
    "|---|---|---:|---:|---:|---:|---:|",
    ...measured.map(
      (m) =>
        `| ${m.name} | ${m.mode} | ${Math.round(m.rps)} | ${m.p50} | ${m.p99} | ${m.max} | ${m.failed} |`,
    ),
    "",
    `| (c) realtime fan-out | ${streamClients} stream clients, ${posts} incoming messages | p50 ${fanout.p50.toFixed(1)} ms | p95 ${fanout.p95.toFixed(1)} ms | max ${fanout.max.toFixed(1)} ms | ${fanout.missing} events missed |`,
    "",
    `Targets: p99 ≤ 50 ms — list: ${verdict(listRows)}; conversation: ${verdict(detailRows)}. Fan-out p95 ≤ 500 ms: ${fanout.p95 <= 500 && fanout.missing === 0 ? "met" : "NOT met"}.`,
    "",
  ].join("\n");
  appendFileSync(path.join(here, "RESULTS.md"), table);
  process.stdout.write(table);
} finally {
  streams?.kill();
  server?.kill();
  if (args.keep) {
    await bench.database.close();
    log(`kept ${bench.url}`);
  } else {
    await bench.drop();
  }
}
