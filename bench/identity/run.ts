import { appendFileSync, existsSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { defaultCertainty, resolveIdentities } from "../../src/modules/contacts/identityMatching.js";
import { describeMachine, today } from "../support/machine.js";
import { generatePopulation, measure } from "./population.js";

/**
 * bench:identity — identity resolution on 10,000 generated contacts and 50,000 social authors with
 * known truth: precision and recall at several certainties, time and memory. Appends a dated
 * section to bench/identity/RESULTS.md.
 */
const contacts = Number(process.env.CONTACTS ?? 10_000);
const authors = Number(process.env.AUTHORS ?? 50_000);
const here = path.dirname(fileURLToPath(import.meta.url));
const results = path.join(here, "RESULTS.md");

const log = (line: string) => process.stderr.write(`${line}\n`);
log(`Generating ${contacts.toLocaleString("en")} contacts and ${authors.toLocaleString("en")} authors …`);
const population = generatePopulation({ contacts, authors });
global.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const rssBefore = process.memoryUsage().rss;
let peakHeap = heapBefore;
const sampler = setInterval(() => {
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
}, 20);
log("Resolving …");
const started = performance.now();
const cpuStarted = process.cpuUsage();
const candidates = resolveIdentities(population.contacts, population.authors);
const cpu = process.cpuUsage(cpuStarted);
const seconds = (performance.now() - started) / 1000;
peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
clearInterval(sampler);
const rssAfter = process.memoryUsage().rss;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

const rows = [0.6, 0.7, defaultCertainty, 0.9, 0.95].map((certainty) => {
  const q = measure(population, candidates, certainty);
  return `| ${certainty.toFixed(2)}${certainty === defaultCertainty ? " (default)" : ""} | ${q.precision.toFixed(4)} | ${q.recall.toFixed(4)} | ${q.predicted.toLocaleString("en")} | ${q.correct.toLocaleString("en")} |`;
});
const atDefault = measure(population, candidates, defaultCertainty);
const section = [
  `## ${today()}`,
  "",
  `Machine: ${describeMachine()}`,
  `Load average at the end of the run (1, 5, 15 min): ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(", ")}`,
  "",
  `${contacts.toLocaleString("en")} contacts, ${authors.toLocaleString("en")} social authors, of which ${atDefault.customerAccounts.toLocaleString("en")} are customers' accounts (the truth); ${candidates.length.toLocaleString("en")} candidates scored ≥ 0.3.`,
  "",
  "| measure | value |",
  "| --- | --- |",
  `| precision at the default certainty ${defaultCertainty} | ${atDefault.precision.toFixed(4)} (target ≥ 0.98) |`,
  `| recall at the default certainty | ${atDefault.recall.toFixed(4)} |`,
  `| time to resolve (wall) | ${seconds.toFixed(1)} s |`,
  `| CPU time | ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s |`,
  `| heap used: before → peak | ${mib(heapBefore)} → ${mib(peakHeap)} |`,
  `| resident memory: before → after | ${mib(rssBefore)} → ${mib(rssAfter)} |`,
  "",
  "| certainty | precision | recall | likely links | correct |",
  "| --- | --- | --- | --- | --- |",
  ...rows,
  "",
].join("\n");
if (!existsSync(results)) {
  writeFileSync(
    results,
    "# Identity-resolution benchmark results\n\n`npm run bench:identity` (`node --import tsx bench/identity/run.ts`) appends one dated section per run. The population is generated (bench/identity/population.ts, fixed seed): German and English names, typos, nicknames, handles derived from names, household e-mails, and strangers who share customers' common names.\n\n",
  );
}
appendFileSync(results, `${section}\n`);
process.stdout.write(`${section}\n`);
