// npm run bench:api — requests/s and p99 latency of Konversa's authenticated GET /api/v1/me and
// /healthz beside a bare Fastify hello-world, in one run, each server in its own process.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { appendFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { describeMachine, today } from "../support/machine.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const duration = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);

function start(script: string, port: number): Promise<{ child: ChildProcess; line: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(here, script), String(port)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    child.stdout!.once("data", (d) => resolve({ child, line: String(d).trim() }));
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

interface Row {
  name: string;
  url: string;
  headers: Record<string, string>;
  rps: number[];
  p50: number[];
  p99: number[];
}

// The servers are measured in turns (hello, healthz, me, hello, …) so a noisy neighbour on this
// shared machine slows all of them alike; the ratio is taken per round and the median reported.
async function measureRound(row: Row, seconds: number) {
  const result = await autocannon({ url: row.url, connections, duration: seconds, headers: row.headers });
  if (result.non2xx > 0) throw new Error(`${row.name}: ${result.non2xx} answers were not 2xx`);
  row.rps.push(result.requests.average);
  row.p50.push(result.latency.p50);
  row.p99.push(result.latency.p99);
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

// Both servers run as plain JavaScript under Node, Konversa from its tsc build as `npm start` runs it.
process.stderr.write("building the server (npm run build:server) …\n");
if (spawnSync("npm", ["run", "build:server", "--silent"], { stdio: "inherit" }).status !== 0) {
  throw new Error("npm run build:server failed");
}
const hello = await start("hello.mjs", 3901);
const konversa = await start("konversa.mjs", 3902);
const { cookie } = JSON.parse(konversa.line) as { cookie: string };
try {
  // Warm both up so JIT and caches are in the same state.
  await autocannon({ url: "http://127.0.0.1:3901/", connections: 10, duration: 2 });
  await autocannon({
    url: "http://127.0.0.1:3902/api/v1/me",
    connections: 10,
    duration: 2,
    headers: { cookie },
  });
  const row = (name: string, url: string, headers: Record<string, string> = {}): Row => ({
    name,
    url,
    headers,
    rps: [],
    p50: [],
    p99: [],
  });
  const rows = [
    row("bare Fastify hello-world", "http://127.0.0.1:3901/"),
    row("Konversa /healthz", "http://127.0.0.1:3902/healthz"),
    row("Konversa GET /api/v1/me (session cookie)", "http://127.0.0.1:3902/api/v1/me", { cookie }),
  ];
  for (let round = 1; round <= rounds; round++) {
    for (const r of rows) {
      process.stderr.write(`round ${round}/${rounds}: ${r.name} for ${duration} s …\n`);
      await measureRound(r, duration);
    }
  }
  const base = rows[0]!;
  const share = (r: Row) => median(r.rps.map((rps, i) => rps / base.rps[i]!));
  const table = [
    `\n## ${today()}\n`,
    `Machine: ${describeMachine()}  `,
    `autocannon: ${connections} connections; ${rounds} rounds of ${duration} s per endpoint, taken in turns; servers in separate processes, logging off.\n`,
    "| endpoint | requests/s (median) | p50 ms | p99 ms | share of bare Fastify (median of rounds) |",
    "|---|---:|---:|---:|---:|",
    ...rows.map(
      (r) =>
        `| ${r.name} | ${Math.round(median(r.rps))} | ${median(r.p50)} | ${median(r.p99)} | ${(share(r) * 100).toFixed(0)} % |`,
    ),
    "",
    `Target: authenticated route ≥ 50 % of the bare hello-world → ${share(rows[2]!) >= 0.5 ? "met" : "NOT met"}.`,
    "",
  ].join("\n");
  appendFileSync(path.join(here, "RESULTS.md"), table);
  process.stdout.write(table);
} finally {
  hello.child.kill();
  konversa.child.kill();
}
