// npm run bench:api — requests/s and p99 latency of Konversa's authenticated GET /api/v1/me and
// /healthz beside a bare Fastify hello-world, in one run, each server in its own process.
import { type ChildProcess, spawn } from "node:child_process";
import { appendFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { describeMachine, today } from "../support/machine.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const duration = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);

function start(script: string, port: number): Promise<{ child: ChildProcess; line: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(here, script), String(port)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    child.stdout!.once("data", (d) => resolve({ child, line: String(d).trim() }));
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

async function measure(name: string, url: string, headers: Record<string, string> = {}) {
  process.stderr.write(`measuring ${name} for ${duration} s …\n`);
  const result = await autocannon({ url, connections, duration, headers });
  if (result.non2xx > 0) throw new Error(`${name}: ${result.non2xx} answers were not 2xx`);
  return { name, rps: result.requests.average, p99: result.latency.p99, p50: result.latency.p50 };
}

const hello = await start("hello.ts", 3901);
const konversa = await start("konversa.ts", 3902);
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
  const rows = [
    await measure("bare Fastify hello-world", "http://127.0.0.1:3901/"),
    await measure("Konversa /healthz", "http://127.0.0.1:3902/healthz"),
    await measure("Konversa GET /api/v1/me (session cookie)", "http://127.0.0.1:3902/api/v1/me", { cookie }),
  ];
  const base = rows[0]!.rps;
  const table = [
    `\n## ${today()}\n`,
    `Machine: ${describeMachine()}  `,
    `autocannon: ${connections} connections, ${duration} s each, servers in separate processes, logging off.\n`,
    "| endpoint | requests/s | p50 ms | p99 ms | share of bare Fastify |",
    "|---|---:|---:|---:|---:|",
    ...rows.map(
      (r) =>
        `| ${r.name} | ${Math.round(r.rps)} | ${r.p50} | ${r.p99} | ${((r.rps / base) * 100).toFixed(0)} % |`,
    ),
    "",
    `Target: authenticated route ≥ 50 % of the bare hello-world → ${rows[2]!.rps / base >= 0.5 ? "met" : "NOT met"}.`,
    "",
  ].join("\n");
  appendFileSync(path.join(here, "RESULTS.md"), table);
  process.stdout.write(table);
} finally {
  hello.child.kill();
  konversa.child.kill();
}
