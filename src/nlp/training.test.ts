import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { toTrainingLine } from "./datasets.js";
import { evaluateModel } from "./evaluation.js";
import { decodeModel, encodeModel } from "./modelFile.js";
import { trainModel } from "./models.js";
import { syntheticFixture, syntheticRelevanceExamples, trainSyntheticFixture } from "./syntheticData.js";

const fixturePath = new URL(`./models/${syntheticFixture.file}`, import.meta.url);

describe("training is reproducible", () => {
  it("gives the same bytes twice for the same data and seed", () => {
    const a = encodeModel(trainSyntheticFixture());
    const b = encodeModel(trainSyntheticFixture());
    expect(Buffer.compare(Buffer.from(a), Buffer.from(b))).toBe(0);
  });

  it("re-creates the committed fixture model byte for byte", () => {
    const committed = readFileSync(fixturePath);
    const rebuilt = Buffer.from(encodeModel(trainSyntheticFixture()));
    expect(rebuilt.length).toBe(committed.length);
    expect(Buffer.compare(rebuilt, committed)).toBe(0);
  });

  it("gives different weights for a different seed", () => {
    const examples = syntheticRelevanceExamples(100);
    const features = { bits: 12, charMin: 2, charMax: 5, wordBigrams: true };
    const a = encodeModel(trainModel({ task: "relevance", examples, features, training: { seed: 1 } }));
    const b = encodeModel(trainModel({ task: "relevance", examples, features, training: { seed: 2 } }));
    expect(Buffer.compare(Buffer.from(a), Buffer.from(b))).not.toBe(0);
  });

  it("survives encoding and decoding unchanged", () => {
    const model = trainSyntheticFixture();
    const decoded = decodeModel(encodeModel(model));
    expect(decoded.name).toBe(model.name);
    expect(Buffer.compare(Buffer.from(encodeModel(decoded)), Buffer.from(encodeModel(model)))).toBe(0);
  });

  it("learns the synthetic task it was given", () => {
    const report = evaluateModel(trainSyntheticFixture(), syntheticRelevanceExamples(100, 99));
    expect(report.main?.accuracy).toBe(1);
  });

  const data = "../shared/data/germeval2018/train.jsonl";
  it.skipIf(!existsSync(data))(
    "trains the same offensive model twice from a slice of GermEval 2018 (skipped without ../shared/data)",
    () => {
      const examples = readFileSync(data, "utf8")
        .split("\n")
        .slice(0, 300)
        .filter((l) => l.trim())
        .map((l) => toTrainingLine("germeval2018-offensive", JSON.parse(l)))
        .filter((e) => e !== null);
      const features = { bits: 14, charMin: 2, charMax: 5, wordBigrams: true };
      const train = () => Buffer.from(encodeModel(trainModel({ task: "offensive", examples, features })));
      expect(Buffer.compare(train(), train())).toBe(0);
    },
  );
});
