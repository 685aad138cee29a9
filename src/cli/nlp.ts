/**
 * `konversa nlp …`: prepare training lines from the public datasets, train and evaluate models,
 * classify JSON Lines, and rebuild every shipped model.
 */
import { createReadStream, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { type Command, InvalidArgumentError, Option } from "commander";
import { z } from "zod";
import { type DatasetName, datasetNames, shippedModelRecipes, toTrainingLine } from "../nlp/datasets.js";
import { crossValidate, type EvaluationReport, evaluateModel } from "../nlp/evaluation.js";
import {
  type Analysis,
  detectLanguage,
  encodeModel,
  findPii,
  type LabelledText,
  loadDefaultModels,
  loadModelFile,
  prepareText,
  type TaskModel,
  TextAnalyzer,
  type TrainableTask,
  trainableTasks,
  trainModel,
} from "../nlp/index.js";
import { formatConfusion } from "../nlp/metrics.js";
import {
  logitsFrom,
  predictAspects,
  predictOffensive,
  predictRelevance,
  predictSentiment,
  taskDefaults,
  vectorize,
} from "../nlp/models.js";
import { syntheticFixture, trainSyntheticFixture } from "../nlp/syntheticData.js";

const classifyTasks = [
  "language",
  "sentiment",
  "offensive",
  "aspects",
  "relevance",
  "pii",
  "urgency",
] as const;
type ClassifyTask = (typeof classifyTasks)[number];

const inputLine = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  text: z.string(),
  lang: z.string().optional(),
});

const trainingLine = z.object({
  text: z.string(),
  label: z.union([z.string(), z.boolean(), z.null()]).optional(),
  labels: z.array(z.object({ category: z.string(), polarity: z.string().optional() })).optional(),
  lang: z.string().optional(),
});

function say(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** Lines of a file or stdin, numbered from 1. */
async function* lines(path: string | undefined): AsyncGenerator<{ n: number; line: string }> {
  const input = path ? createReadStream(path, "utf8") : process.stdin;
  const reader = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let n = 0;
  for await (const line of reader) {
    n++;
    yield { n, line };
  }
}

function readTrainingFiles(paths: string[]): LabelledText[] {
  const examples: LabelledText[] = [];
  for (const path of paths) {
    readFileSync(path, "utf8")
      .split("\n")
      .forEach((line, i) => {
        if (!line.trim()) return;
        let parsed: unknown;
        try {
          parsed = JSON.parse(line);
        } catch {
          throw new InvalidArgumentError(`${path} line ${i + 1}: not valid JSON.`);
        }
        const result = trainingLine.safeParse(parsed);
        if (!result.success)
          throw new InvalidArgumentError(`${path} line ${i + 1}: needs "text" and "label" (or "labels").`);
        examples.push(result.data as LabelledText);
      });
  }
  return examples;
}

function majorityLang(examples: readonly LabelledText[], fallback: string): string {
  const counts = new Map<string, number>();
  for (const e of examples) if (e.lang) counts.set(e.lang, (counts.get(e.lang) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? fallback;
}

function trainableTask(value: string): TrainableTask {
  if (!(trainableTasks as readonly string[]).includes(value))
    throw new InvalidArgumentError(`choose one of ${trainableTasks.join(", ")}`);
  return value as TrainableTask;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 2 || n > 20)
    throw new InvalidArgumentError("give a whole number from 2 to 20");
  return n;
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}

// ---------- classify ----------

interface Classifier {
  analyzer: TextAnalyzer | null;
  model: TaskModel | null;
}

function classifyOne(args: { task: ClassifyTask; classifier: Classifier; text: string; lang?: string }): {
  label: unknown;
  scores: Record<string, number>;
  extra?: Record<string, unknown>;
} {
  const { task, classifier, text, lang } = args;
  if (task === "language") {
    const r = detectLanguage(prepareText(text).tokens);
    return { label: r.code, scores: r.scores, extra: { confidence: r.confidence } };
  }
  if (task === "pii") {
    return { label: findPii(prepareText(text).text), scores: {} };
  }
  const model = classifier.model;
  if (model) {
    const x = logitsFrom(model, vectorize(text, model.features));
    if (task === "sentiment") {
      const r = predictSentiment(model, x);
      return { label: r.label, scores: r.scores };
    }
    if (task === "offensive") {
      const r = predictOffensive(model, x);
      return { label: r.type ?? "none", scores: { offensive: r.probability, ...r.typeScores } };
    }
    if (task === "aspects") {
      const p = predictAspects(model, x);
      return { label: p, scores: Object.fromEntries(p.map((a) => [a.category, a.score])) };
    }
    if (task === "relevance") {
      const r = predictRelevance(model, x);
      return { label: r.relevant, scores: { relevant: r.probability } };
    }
  }
  const analysis: Analysis = classifier.analyzer!.analyze(text, { lang });
  switch (task) {
    case "sentiment":
      return analysis.sentiment
        ? { label: analysis.sentiment.label, scores: analysis.sentiment.scores }
        : { label: null, scores: {} };
    case "offensive":
      return analysis.offensive
        ? {
            label: analysis.offensive.offensive ? (analysis.offensive.type ?? "offensive") : "none",
            scores: { offensive: analysis.offensive.probability, ...analysis.offensive.typeScores },
          }
        : { label: null, scores: {} };
    case "aspects":
      return {
        label: analysis.aspects,
        scores: Object.fromEntries(analysis.aspects.map((a) => [a.category, a.score])),
      };
    case "relevance":
      return analysis.relevance
        ? { label: analysis.relevance.relevant, scores: { relevant: analysis.relevance.probability } }
        : { label: null, scores: {} };
    default: {
      const u = analysis.urgency;
      return {
        label: u.score >= 0.5 ? "urgent" : "normal",
        scores: { urgency: u.score },
        extra: { reasons: u.reasons },
      };
    }
  }
}

function roundScores(scores: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(scores).map(([k, v]) => [k, round(v)]));
}

async function classifyCommand(options: {
  task: ClassifyTask;
  model?: string;
  input?: string;
}): Promise<void> {
  const needsModels = !["language", "pii"].includes(options.task);
  const model = options.model ? loadModelFile(options.model) : null;
  if (model && model.task !== options.task && needsModels)
    throw new InvalidArgumentError(
      `The model ${options.model} is a ${model.task} model, not ${options.task}.`,
    );
  const classifier: Classifier = {
    model,
    analyzer:
      needsModels && (!model || options.task === "urgency") ? new TextAnalyzer(loadDefaultModels()) : null,
  };
  if (options.task === "urgency" && model) classifier.model = null;
  let bad = 0;
  const out: string[] = [];
  for await (const { n, line } of lines(options.input)) {
    if (!line.trim()) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      say(`line ${n}: not valid JSON; expected {"id": "...", "text": "..."}`);
      bad++;
      continue;
    }
    const input = inputLine.safeParse(parsed);
    if (!input.success) {
      say(`line ${n}: needs a string "text" and an "id"`);
      bad++;
      continue;
    }
    const { id, text, lang } = input.data;
    const r = classifyOne({ task: options.task, classifier, text, lang });
    const label = Array.isArray(r.label)
      ? r.label.map((l) => ("score" in l ? { ...l, score: round(l.score) } : l))
      : r.label;
    out.push(JSON.stringify({ id, label, scores: roundScores(r.scores), ...r.extra }));
    if (out.length >= 512) {
      process.stdout.write(`${out.join("\n")}\n`);
      out.length = 0;
    }
  }
  if (out.length) process.stdout.write(`${out.join("\n")}\n`);
  if (bad > 0) {
    say(`${bad} input line(s) could not be read.`);
    process.exitCode = 1;
  }
}

// ---------- eval ----------

function printReport(report: EvaluationReport): void {
  const lines: string[] = [];
  if (report.main) {
    const r = report.main;
    lines.push(`texts: ${r.count}`);
    lines.push(`accuracy: ${r.accuracy.toFixed(4)}`);
    lines.push(`micro-F1: ${r.microF1.toFixed(4)}`);
    lines.push(`macro-F1: ${r.macroF1.toFixed(4)}`);
    lines.push("confusion matrix (rows: gold, columns: predicted):");
    lines.push(formatConfusion(r));
  }
  if (report.fine) {
    lines.push("", "offensive type (texts with a known type):");
    lines.push(
      `accuracy: ${report.fine.accuracy.toFixed(4)}  micro-F1: ${report.fine.microF1.toFixed(4)}  macro-F1: ${report.fine.macroF1.toFixed(4)}`,
    );
    lines.push(formatConfusion(report.fine));
  }
  if (report.categories) {
    const c = report.categories;
    lines.push(`texts: ${c.count}`);
    lines.push(`accuracy (exact label set): ${c.exactMatch.toFixed(4)}`);
    lines.push(
      `micro-F1: ${c.microF1.toFixed(4)}  (precision ${c.microPrecision.toFixed(4)}, recall ${c.microRecall.toFixed(4)})`,
    );
    lines.push(`macro-F1: ${c.macroF1.toFixed(4)}`);
    if (report.categoriesWithPolarity)
      lines.push(
        `category+polarity micro-F1: ${report.categoriesWithPolarity.microF1.toFixed(4)}  macro-F1: ${report.categoriesWithPolarity.macroF1.toFixed(4)}`,
      );
    lines.push("per category (one-vs-rest confusion):");
    lines.push(
      "category".padEnd(24) +
        "support".padStart(8) +
        "precision".padStart(11) +
        "recall".padStart(9) +
        "F1".padStart(8),
    );
    for (const [label, s] of Object.entries(c.perLabel))
      lines.push(
        label.padEnd(24) +
          String(s.support).padStart(8) +
          s.precision.toFixed(3).padStart(11) +
          s.recall.toFixed(3).padStart(9) +
          s.f1.toFixed(3).padStart(8),
      );
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}

async function evalCommand(options: {
  task: string;
  data: string[];
  model?: string;
  cv?: number;
  lang?: string;
  json?: boolean;
}): Promise<void> {
  const examples = readTrainingFiles(options.data);
  if (options.task === "language") {
    const gold: string[] = [];
    const predicted: string[] = [];
    for (const e of examples) {
      gold.push(String(e.label ?? e.lang));
      predicted.push(detectLanguage(prepareText(e.text).tokens).code);
    }
    const { classificationReport } = await import("../nlp/metrics.js");
    const report: EvaluationReport = {
      task: "sentiment",
      main: classificationReport(gold, predicted),
      fine: null,
      categories: null,
      categoriesWithPolarity: null,
    };
    if (options.json) process.stdout.write(`${JSON.stringify(report.main)}\n`);
    else printReport(report);
    return;
  }
  const task = trainableTask(options.task);
  const lang = options.lang ?? majorityLang(examples, "de");
  let report: EvaluationReport;
  if (options.cv) {
    say(`${options.cv}-fold cross-validation of ${task} on ${examples.length} texts …`);
    report = crossValidate({
      task,
      examples,
      folds: options.cv,
      lang,
      onFold: (f) => say(`  fold ${f + 1}/${options.cv} done`),
    });
  } else {
    let model: TaskModel | undefined;
    if (options.model) model = loadModelFile(options.model);
    else {
      const models = loadDefaultModels();
      model = task === "relevance" ? (models.relevance ?? undefined) : models[task][lang];
      if (!model)
        throw new InvalidArgumentError(`No shipped ${task} model for language ${lang}; give --model.`);
    }
    if (model.task !== task)
      throw new InvalidArgumentError(`The model is a ${model.task} model, not ${task}.`);
    report = evaluateModel(model, examples);
  }
  if (options.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else printReport(report);
}

// ---------- train, prepare, rebuild ----------

function trainCommand(options: {
  task: string;
  data: string[];
  out: string;
  lang?: string;
  name?: string;
  bits?: number;
}): void {
  const task = trainableTask(options.task);
  const examples = readTrainingFiles(options.data);
  const lang = options.lang ?? majorityLang(examples, "de");
  say(`training ${task} (${lang}) on ${examples.length} texts …`);
  const started = Date.now();
  const features = options.bits ? { ...taskDefaults[task].features, bits: options.bits } : undefined;
  const model = trainModel({ task, lang, name: options.name, examples, features });
  writeFileSync(options.out, encodeModel(model));
  say(`wrote ${options.out} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function prepareLines(dataset: DatasetName, inputs: string[]): LabelledText[] {
  const out: LabelledText[] = [];
  for (const path of inputs) {
    for (const line of readFileSync(path, "utf8").split("\n")) {
      if (!line.trim()) continue;
      const t = toTrainingLine(dataset, JSON.parse(line));
      if (t) out.push(t);
    }
  }
  return out;
}

/** Writes the model, or with `check` only compares it with the file already there. */
function emitModel(args: { path: string; bytes: Uint8Array; check: boolean }): boolean {
  if (!args.check) {
    writeFileSync(args.path, args.bytes);
    return true;
  }
  const same =
    existsSync(args.path) && Buffer.compare(readFileSync(args.path), Buffer.from(args.bytes)) === 0;
  say(`  ${args.path}: ${same ? "identical" : "DIFFERENT"}`);
  return same;
}

function rebuildCommand(options: {
  dataDir: string;
  outDir: string;
  only?: string[];
  check?: boolean;
}): void {
  const check = options.check === true;
  mkdirSync(join(options.outDir, "fixtures"), { recursive: true });
  let allSame = emitModel({
    path: join(options.outDir, syntheticFixture.file),
    bytes: encodeModel(trainSyntheticFixture()),
    check,
  });
  for (const recipe of shippedModelRecipes) {
    if (options.only && !options.only.includes(recipe.name)) continue;
    const examples = prepareLines(
      recipe.dataset,
      recipe.inputs.map((i) => join(options.dataDir, i)),
    );
    say(`training ${recipe.name} on ${examples.length} texts …`);
    const started = Date.now();
    const model = trainModel({ task: recipe.task, lang: recipe.lang, name: recipe.name, examples });
    allSame =
      emitModel({ path: join(options.outDir, recipe.file), bytes: encodeModel(model), check }) && allSame;
    say(`  ${recipe.file} trained in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  if (!allSame) {
    say("Some models differ from the committed ones.");
    process.exitCode = 1;
  }
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function registerNlpCommands(program: Command): void {
  const nlp = program.command("nlp").description("Text analysis: prepare data, train, evaluate, classify.");

  nlp
    .command("prepare")
    .description("Turn a public dataset into training lines ({text, label} or {text, labels}) on stdout.")
    .addOption(
      new Option("--dataset <name>", "which dataset the input is")
        .choices([...datasetNames])
        .makeOptionMandatory(),
    )
    .requiredOption("--input <file>", "dataset file in JSON Lines (repeatable)", collect)
    .action((options: { dataset: DatasetName; input: string[] }) => {
      for (const t of prepareLines(options.dataset, options.input))
        process.stdout.write(`${JSON.stringify(t)}\n`);
    });

  nlp
    .command("train")
    .description("Train a model from training lines; the same data always gives the same bytes.")
    .addOption(
      new Option("--task <task>", "what to learn").choices([...trainableTasks]).makeOptionMandatory(),
    )
    .requiredOption("--data <file>", "training lines in JSON Lines (repeatable)", collect)
    .requiredOption("--out <file>", "where to write the model")
    .option("--lang <code>", "language of the texts (default: the lines' lang, else de; mul for several)")
    .option("--name <name>", "model name (default: task-lang)")
    .option("--bits <n>", "log2 of the hash buckets (default 18; smaller for tiny models)", (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 8 || n > 22)
        throw new InvalidArgumentError("give a whole number from 8 to 22");
      return n;
    })
    .action((options) => trainCommand(options));

  nlp
    .command("classify")
    .description(
      "Classify JSON Lines {id, text, lang?} from a file or stdin; one JSON line per input on stdout.",
    )
    .addOption(
      new Option("--task <task>", "what to classify").choices([...classifyTasks]).makeOptionMandatory(),
    )
    .option("--model <file>", "a model file instead of the shipped one")
    .option("--input <file>", "JSON Lines input (default: stdin)")
    .action((options) => classifyCommand(options));

  nlp
    .command("eval")
    .description("Measure accuracy, micro-/macro-F1 and the confusion matrix on labelled training lines.")
    .addOption(
      new Option("--task <task>", "what to measure")
        .choices(["language", ...trainableTasks])
        .makeOptionMandatory(),
    )
    .requiredOption("--data <file>", "labelled lines in JSON Lines (repeatable)", collect)
    .option("--model <file>", "a model file instead of the shipped one")
    .option("--cv <folds>", "k-fold cross-validation: train k models on the data itself", positiveInt)
    .option("--lang <code>", "language of the texts (default: the lines' lang, else de)")
    .option("--json", "print the report as JSON")
    .action((options) => evalCommand(options));

  nlp
    .command("rebuild")
    .description("Rebuild every shipped model from the public datasets (deterministic).")
    .option("--data-dir <dir>", "folder with the datasets", "../shared/data")
    .option("--out-dir <dir>", "where the models go", "src/nlp/models")
    .option("--only <name>", "rebuild only this model (repeatable)", collect)
    .option("--check", "do not write: compare the rebuilt bytes with the committed models")
    .action((options) => rebuildCommand(options));
}
