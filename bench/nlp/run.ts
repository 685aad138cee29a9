/**
 * Text-analysis benchmark: model load time and memory, full `analyze` throughput on tweet-length
 * and 2,000-character texts, and the lexicon libraries (AFINN `sentiment`, `vader-sentiment`,
 * `@nlpjs/sentiment`) on the same texts, with their quality beside ours (English airline tweets;
 * ours measured by 5-fold cross-validation, theirs have no training). Appends to RESULTS.md.
 *
 *   npm run bench:nlp            (add -- --no-cv to skip the cross-validation, ~1 min)
 */
import { execSync } from "node:child_process";
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import { type DatasetName, toTrainingLine } from "../../src/nlp/datasets.js";
import { crossValidate } from "../../src/nlp/evaluation.js";
import { loadDefaultModels, TextAnalyzer } from "../../src/nlp/index.js";
import { classificationReport } from "../../src/nlp/metrics.js";
import { describeMachine, today } from "../support/machine.js";

const require = createRequire(import.meta.url);
const dataDir = process.env.KONVERSA_DATA_DIR ?? "../shared/data";
const withCv = !process.argv.includes("--no-cv");

function readJsonl(file: string): Record<string, unknown>[] {
  return readFileSync(`${dataDir}/${file}`, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function progress(message: string): void {
  process.stderr.write(`${message}\n`);
}

function throughput(label: string, texts: string[], fn: (t: string) => unknown, minSeconds = 2): number {
  for (let i = 0; i < Math.min(texts.length, 500); i++) fn(texts[i]);
  let n = 0;
  const started = performance.now();
  while (performance.now() - started < minSeconds * 1000) {
    for (const t of texts) fn(t);
    n += texts.length;
  }
  const perSecond = n / ((performance.now() - started) / 1000);
  progress(`  ${label}: ${Math.round(perSecond).toLocaleString("en")} docs/s`);
  return perSecond;
}

if (!existsSync(dataDir)) {
  console.error(`The datasets are not at ${dataDir}; set KONVERSA_DATA_DIR.`);
  process.exit(1);
}

// ---------- load ----------
const rssBefore = process.memoryUsage().rss;
const loadStarted = performance.now();
const models = loadDefaultModels();
const loadMs = performance.now() - loadStarted;
const analyzer = new TextAnalyzer(models);
const rssModels = process.memoryUsage().rss - rssBefore;
const modelBytes = [
  models.sentiment.de,
  models.sentiment.en,
  models.offensive.de,
  models.aspects.de,
  models.relevance,
]
  .flatMap((m) => (m ? Object.values(m.heads) : []))
  .reduce((s, h) => s + h.weights.byteLength, 0);
progress(`models loaded in ${loadMs.toFixed(0)} ms (${(modelBytes / 2 ** 20).toFixed(1)} MiB of weights)`);

// ---------- texts ----------
const airline = readJsonl("airline-tweets/train.jsonl");
const germeval2018 = readJsonl("germeval2018/train.jsonl");
const germeval2017 = [
  ...readJsonl("germeval2017/dev.jsonl"),
  ...readJsonl("germeval2017/test_diachronic.jsonl"),
];
const tweets = [...airline.slice(0, 2500), ...germeval2018.slice(0, 2500)].map((r) => String(r.text));
const englishTweets = airline.map((r) => String(r.text));
const longTexts: string[] = [];
{
  let buffer = "";
  for (const r of germeval2017) {
    buffer += `${r.text} `;
    if (buffer.length >= 2000) {
      longTexts.push(buffer.slice(0, 2000));
      buffer = "";
      if (longTexts.length >= 500) break;
    }
  }
}
const meanTweet = tweets.reduce((s, t) => s + t.length, 0) / tweets.length;

// ---------- speed ----------
progress("throughput (one core):");
const oursTweets = throughput("analyze, tweets (de+en)", tweets, (t) => analyzer.analyze(t));
const oursLong = throughput("analyze, 2,000 chars", longTexts, (t) => analyzer.analyze(t));
const oursEnglish = throughput("analyze, English tweets", englishTweets, (t) => analyzer.analyze(t));
const rssAfter = process.memoryUsage().rss - rssBefore;

const Sentiment = require("sentiment") as new () => { analyze(t: string): { score: number } };
const afinn = new Sentiment();
const vader = require("vader-sentiment") as {
  SentimentIntensityAnalyzer: { polarity_scores(t: string): { compound: number } };
};
const { SentimentAnalyzer } = require("@nlpjs/sentiment") as {
  SentimentAnalyzer: new (
    settings?: object,
  ) => {
    container: { use(plugin: unknown): void };
    process(input: { locale: string; text: string }): Promise<{ sentiment: { score: number; vote: string } }>;
  };
};
const nlpjs = new SentimentAnalyzer();
let nlpjsDictionary = "none (no @nlpjs/lang-en installed: every text scores 0)";
try {
  const langEn = require("@nlpjs/lang-en-min") as { LangEn: unknown };
  nlpjs.container.use(langEn.LangEn);
  nlpjsDictionary = "@nlpjs/lang-en-min";
} catch {
  // Optional: without the language package @nlpjs/sentiment has no English dictionary.
}

const afinnSpeed = throughput("AFINN sentiment, English tweets", englishTweets, (t) => afinn.analyze(t));
const vaderSpeed = throughput("vader-sentiment, English tweets", englishTweets, (t) =>
  vader.SentimentIntensityAnalyzer.polarity_scores(t),
);
// @nlpjs/sentiment is asynchronous; measured sequentially, awaiting each text.
let nlpjsSpeed = 0;
{
  const started = performance.now();
  let n = 0;
  while (performance.now() - started < 2000) {
    for (const t of englishTweets.slice(0, 2000)) await nlpjs.process({ locale: "en", text: t });
    n += 2000;
  }
  nlpjsSpeed = n / ((performance.now() - started) / 1000);
  progress(`  @nlpjs/sentiment, English tweets: ${Math.round(nlpjsSpeed).toLocaleString("en")} docs/s`);
}

// ---------- quality on English airline tweets ----------
const gold = airline.map((r) => String(r.sentiment));
const label = (score: number, neutralBand: number) =>
  score > neutralBand ? "positive" : score < -neutralBand ? "negative" : "neutral";
const afinnReport = classificationReport(
  gold,
  englishTweets.map((t) => label(afinn.analyze(t).score, 0)),
);
const vaderReport = classificationReport(
  gold,
  englishTweets.map((t) => label(vader.SentimentIntensityAnalyzer.polarity_scores(t).compound, 0.05)),
);
const nlpjsLabels: string[] = [];
for (const t of englishTweets)
  nlpjsLabels.push(label((await nlpjs.process({ locale: "en", text: t })).sentiment.score, 0));
const nlpjsReport = classificationReport(gold, nlpjsLabels);

function examplesOf(dataset: DatasetName, rows: Record<string, unknown>[]) {
  return rows.map((r) => toTrainingLine(dataset, r)).filter((e) => e !== null);
}

let cvEnglish: { accuracy: number; macroF1: number } | null = null;
let cvGerman: { accuracy: number; macroF1: number } | null = null;
if (withCv) {
  progress("5-fold cross-validation of our sentiment models …");
  const en = crossValidate({
    task: "sentiment",
    lang: "en",
    folds: 5,
    examples: examplesOf("airline-sentiment", airline),
  });
  cvEnglish = en.main && { accuracy: en.main.accuracy, macroF1: en.main.macroF1 };
  const de = crossValidate({
    task: "sentiment",
    lang: "de",
    folds: 5,
    examples: examplesOf("germeval2017-sentiment", germeval2017),
  });
  cvGerman = de.main && { accuracy: de.main.accuracy, macroF1: de.main.macroF1 };
}

// ---------- report ----------
const f = (x: number) => x.toFixed(3);
const n = (x: number) => Math.round(x).toLocaleString("en");
const uname = execSync("uname -a").toString().trim();
// Other work on the machine slows every number here; the load average says how much there was.
const load = os
  .loadavg()
  .map((l) => l.toFixed(2))
  .join(", ");
const section = `
## ${today()}

Machine: ${describeMachine()}
\`${uname}\`
Load average at the end of the run (1, 5, 15 min): ${load}

| measure | value | target |
|---|---|---|
| model load (all shipped models) | ${loadMs.toFixed(0)} ms | < 1 s |
| weights in memory | ${(modelBytes / 2 ** 20).toFixed(1)} MiB | |
| resident memory added by models | ${(rssModels / 2 ** 20).toFixed(0)} MiB (after the speed runs: ${(rssAfter / 2 ** 20).toFixed(0)} MiB) | < 300 MB |
| full analyze, tweets (de+en, mean ${meanTweet.toFixed(0)} chars) | ${n(oursTweets)} posts/s | ≥ 20,000 |
| full analyze, 2,000-char texts | ${n(oursLong)} posts/s | ≥ 2,000 |

English airline tweets (${englishTweets.length}), same texts, same run, one core:

| system | what it does | docs/s | ratio to our full analyze | accuracy | macro-F1 |
|---|---|---|---|---|---|
| Konversa \`analyze\` (all tasks) | language, sentiment, offensive, aspects, relevance, PII, urgency, keyphrases | ${n(oursEnglish)} | 1.00 | ${cvEnglish ? `${f(cvEnglish.accuracy)} (5-fold CV)` : "–"} | ${cvEnglish ? f(cvEnglish.macroF1) : "–"} |
| AFINN \`sentiment\` | sentiment score (label: sign) | ${n(afinnSpeed)} | ${(afinnSpeed / oursEnglish).toFixed(2)} | ${f(afinnReport.accuracy)} | ${f(afinnReport.macroF1)} |
| \`vader-sentiment\` | compound score (label: ±0.05) | ${n(vaderSpeed)} | ${(vaderSpeed / oursEnglish).toFixed(2)} | ${f(vaderReport.accuracy)} | ${f(vaderReport.macroF1)} |
| \`@nlpjs/sentiment\` (dictionary: ${nlpjsDictionary}) | sentiment score, async | ${n(nlpjsSpeed)} | ${(nlpjsSpeed / oursEnglish).toFixed(2)} | ${f(nlpjsReport.accuracy)} | ${f(nlpjsReport.macroF1)} |

German sentiment (GermEval 2017, ${germeval2017.length} docs): ours ${cvGerman ? `micro-F1 ${f(cvGerman.accuracy)}, macro-F1 ${f(cvGerman.macroF1)} (5-fold CV)` : "not measured in this run (--no-cv)"}; the three lexicon libraries have no German lexicon.
`;
appendFileSync(new URL("./RESULTS.md", import.meta.url), section);
process.stdout.write(section);
