/**
 * Runs one bench:connectors case in its own process (so memory is that connector's alone) and
 * prints one JSON line: items per second on one core, peak RSS and heap.
 *
 *   node --import tsx bench/connectors/case.ts <name> <seconds>
 */
import { cases } from "./cases.js";

const [name, secondsArg] = process.argv.slice(2);
const bench = cases.find((c) => c.name === name);
if (!bench) {
  console.error(`unknown case ${name}; known: ${cases.map((c) => c.name).join(", ")}`);
  process.exit(2);
}
const seconds = Number(secondsArg ?? 5);
const rssBase = process.memoryUsage().rss;
const payloads = await bench.inputs(200);
let peakRss = 0;
let peakHeap = 0;
const sample = () => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
};
const sampler = setInterval(sample, 50);

// Warm up, then measure whole passes over the payloads until the time is up.
for (const p of payloads.slice(0, 20)) await bench.normalise(p);
let items = 0;
let bytes = 0;
const started = performance.now();
const cpuStarted = process.cpuUsage();
while (performance.now() - started < seconds * 1000) {
  for (const p of payloads) {
    items += await bench.normalise(p);
    bytes += typeof p === "string" ? p.length : Buffer.isBuffer(p) ? p.length : 0;
  }
  await new Promise((resolve) => setImmediate(resolve));
}
const elapsed = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuStarted);
sample();
clearInterval(sampler);
console.log(
  JSON.stringify({
    name: bench.name,
    unit: bench.unit,
    perSecond: items / elapsed,
    // Items per CPU-second: what one core sustains even when the machine is shared.
    perCpuSecond: items / ((cpu.user + cpu.system) / 1e6),
    mbPerSecond: bytes / elapsed / 1e6,
    peakRssMb: peakRss / 2 ** 20,
    rssGrowthMb: (peakRss - rssBase) / 2 ** 20,
    peakHeapMb: peakHeap / 2 ** 20,
  }),
);
