import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type CliResult, runCli } from "../../test/support/cli.js";
import { syntheticFixture, syntheticRelevanceExamples } from "./syntheticData.js";

const fixture = `src/nlp/models/${syntheticFixture.file}`;

/** The real command line, as a user runs it from the repository root (six start at once, so be patient). */
const konversa = (args: string[], input?: string) => runCli(args, { input, timeoutMs: 110_000 });

const dir = mkdtempSync(join(tmpdir(), "konversa-nlp-"));
const trainingFile = join(dir, "train.jsonl");
const inputFile = join(dir, "input.jsonl");
const trainedModel = join(dir, "trained.kvnlp");
const runs: Record<string, CliResult> = {};

beforeAll(async () => {
  writeFileSync(
    trainingFile,
    syntheticRelevanceExamples(syntheticFixture.count)
      .map((e) => JSON.stringify({ text: e.text, label: e.label }))
      .join("\n"),
  );
  writeFileSync(
    inputFile,
    [
      JSON.stringify({ id: "a", text: "Der ICE hat wieder Verspätung am Hauptbahnhof" }),
      "{not json",
      JSON.stringify({ id: "b", text: "Das Konzert im Park war großartig" }),
      JSON.stringify({ id: "c" }),
      JSON.stringify({ id: 7, text: "", lang: "de" }),
    ].join("\n"),
  );
  // Spawned together: each start of the CLI costs seconds.
  const [train, classify, evaluation, sentiment, pii, language] = await Promise.all([
    konversa([
      "nlp",
      "train",
      "--task",
      "relevance",
      "--data",
      trainingFile,
      "--out",
      trainedModel,
      "--bits",
      String(syntheticFixture.bits),
      "--lang",
      "de",
      "--name",
      syntheticFixture.name,
    ]),
    konversa(["nlp", "classify", "--task", "relevance", "--model", fixture, "--input", inputFile]),
    konversa(["nlp", "eval", "--task", "relevance", "--model", fixture, "--data", trainingFile]),
    konversa(
      ["nlp", "classify", "--task", "sentiment"],
      [
        JSON.stringify({ id: "1", text: "Danke, die Zugbegleiterin war super freundlich!" }),
        JSON.stringify({ id: "2", text: "@united worst airline ever, lost my bag again", lang: "en" }),
      ].join("\n"),
    ),
    konversa(
      ["nlp", "classify", "--task", "pii"],
      JSON.stringify({ id: "p", text: "IBAN DE89 3704 0044 0532 0130 00" }),
    ),
    konversa(
      ["nlp", "classify", "--task", "language"],
      JSON.stringify({ id: "l", text: "Der Zug ist schon wieder zu spät" }),
    ),
  ]);
  Object.assign(runs, { train, classify, evaluation, sentiment, pii, language });
}, 120_000);

describe("konversa nlp on the command line", () => {
  it("train writes the same bytes as the committed fixture model", () => {
    expect(runs.train.stderr).toContain("training relevance");
    expect(runs.train.code).toBe(0);
    expect(Buffer.compare(readFileSync(trainedModel), readFileSync(fixture))).toBe(0);
  });

  it("classify writes one JSON line per good input and names bad lines on stderr", () => {
    const { code, stdout, stderr } = runs.classify;
    const out = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(out.map((o) => o.id)).toEqual(["a", "b", "7"]);
    expect(out[0]).toEqual({ id: "a", label: true, scores: { relevant: expect.any(Number) } });
    expect(out[1].label).toBe(false);
    expect(stderr).toMatch(/line 2: not valid JSON/);
    expect(stderr).toMatch(/line 4: needs a string "text"/);
    expect(code).not.toBe(0);
  });

  it("eval prints accuracy, micro-F1, macro-F1 and the confusion matrix", () => {
    const { code, stdout } = runs.evaluation;
    expect(code).toBe(0);
    expect(stdout).toMatch(/accuracy: 1\.0000/);
    expect(stdout).toMatch(/micro-F1: 1\.0000/);
    expect(stdout).toMatch(/macro-F1: 1\.0000/);
    expect(stdout).toMatch(/gold\\pred\s+false\s+true/);
    expect(stdout).toMatch(/false\s+100\s+0/);
  });

  it("classify uses the shipped models per language when no model is given", () => {
    expect(runs.sentiment.code).toBe(0);
    const out = runs.sentiment.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(out[0]).toMatchObject({ id: "1", label: "positive" });
    expect(out[1]).toMatchObject({ id: "2", label: "negative" });
    const s = out[1].scores;
    expect(s.negative + s.neutral + s.positive).toBeCloseTo(1, 3);
  });

  it("classify reports personal data as spans and the language with its scores", () => {
    expect(JSON.parse(runs.pii.stdout)).toEqual({
      id: "p",
      label: [{ type: "iban", start: 5, end: 32, text: "DE89 3704 0044 0532 0130 00" }],
      scores: {},
    });
    expect(JSON.parse(runs.language.stdout)).toMatchObject({ id: "l", label: "de" });
  });
});
