/**
 * bench:connectors — how many network events each connector's inbound path turns into posts or
 * inbox messages per core (raw payload → parse → NormalizedPost / inbound message), with memory,
 * side by side in one run. Each case runs in its own process, in two interleaved rounds; the
 * table reports the better round per case. Appends to bench/connectors/RESULTS.md.
 *
 *   npm run bench:connectors            (-- --seconds 5 per case and round, -- --only rss,email)
 */
import { execFileSync } from "node:child_process";
import { appendFileSync } from "node:fs";
import { describeMachine, today } from "../support/machine.js";
import { cases } from "./cases.js";

const argument = (flag: string) => {
  const i = process.argv.indexOf(flag);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const seconds = Number(argument("--seconds") ?? 5);
const only = argument("--only")?.split(",");
const names = cases.map((c) => c.name).filter((n) => !only || only.includes(n));

interface Result {
  name: string;
  unit: string;
  perSecond: number;
  perCpuSecond: number;
  mbPerSecond: number;
  peakRssMb: number;
  rssGrowthMb: number;
  peakHeapMb: number;
}

const best = new Map<string, Result>();
for (let round = 1; round <= 2; round++) {
  for (const name of names) {
    const out = execFileSync(
      process.execPath,
      ["--import", "tsx", "bench/connectors/case.ts", name, String(seconds)],
      { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
    );
    const result = JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as Result;
    process.stderr.write(`round ${round} ${name}: ${Math.round(result.perCpuSecond)} ${result.unit}/CPU-s\n`);
    const previous = best.get(name);
    if (!previous || result.perCpuSecond > previous.perCpuSecond) best.set(name, result);
  }
}

const rows = names.map((name) => {
  const r = best.get(name) as Result;
  return `| ${name} | ${Math.round(r.perCpuSecond).toLocaleString("en")} ${r.unit} | ${Math.round(r.perSecond).toLocaleString("en")} | ${r.mbPerSecond.toFixed(1)} | ${r.peakRssMb.toFixed(0)} | ${r.peakHeapMb.toFixed(0)} |`;
});
const report = [
  "",
  `## ${today()}`,
  "",
  `Machine: ${describeMachine()}; load ${(await import("node:os"))
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}; ${seconds} s per case and round, better of 2 rounds.`,
  "",
  "| connector | per CPU-second (one core) | per wall-second | input MB/s | peak RSS MiB | peak heap MiB |",
  "|---|---:|---:|---:|---:|---:|",
  ...rows,
  "",
].join("\n");
appendFileSync("bench/connectors/RESULTS.md", report);
console.log(report);
