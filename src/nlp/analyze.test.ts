import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Analysis, analyze, loadDefaultModels, loadModelFile } from "./index.js";
import { maxAnalysedChars } from "./text.js";

const fixture = loadModelFile(
  new URL("./models/fixtures/synthetic-relevance.kvnlp", import.meta.url).pathname,
);

function expectWellFormed(a: Analysis, input: string): void {
  expect(() => JSON.stringify(a)).not.toThrow();
  expect(typeof a.language.code).toBe("string");
  expect(a.language.confidence).toBeGreaterThanOrEqual(0);
  expect(a.language.confidence).toBeLessThanOrEqual(1);
  expect(a.analysedLength).toBeLessThanOrEqual(Math.min(input.length, maxAnalysedChars) + 1);
  if (a.sentiment) {
    const s = a.sentiment.scores;
    expect(s.negative + s.neutral + s.positive).toBeCloseTo(1, 5);
    for (const v of Object.values(s)) expect(Number.isFinite(v)).toBe(true);
  }
  if (a.offensive) expect(a.offensive.probability).toBeGreaterThanOrEqual(0);
  for (const aspect of a.aspects) expect(aspect.score).toBeGreaterThanOrEqual(0);
  for (const span of a.pii) {
    expect(span.start).toBeGreaterThanOrEqual(0);
    expect(span.end).toBeGreaterThan(span.start);
  }
  expect(a.urgency.score).toBeGreaterThanOrEqual(0);
  expect(a.urgency.score).toBeLessThanOrEqual(1);
  expect(Array.isArray(a.keyphrases)).toBe(true);
}

describe("analysing a post", () => {
  it("loads the shipped models in under a second", () => {
    const started = performance.now();
    loadDefaultModels();
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("reads an angry German complaint about the train", () => {
    const a = analyze(
      "@DB_Bahn Schon wieder 40 Minuten Verspätung und die Klimaanlage ist kaputt!!! Unverschämt!",
    );
    expect(a.language).toMatchObject({ code: "de", source: "detected" });
    expect(a.sentiment?.label).toBe("negative");
    expect(a.relevance?.relevant).toBe(true);
    expect(a.aspects.length).toBeGreaterThan(0);
    expect(a.urgency.score).toBeGreaterThan(0.7);
    expect(a.urgency.reasons).toContain("cue:schon wieder");
    expect(a.keyphrases.length).toBeGreaterThan(0);
  });

  it("reads English praise and English complaints", () => {
    expect(analyze("@united thank you so much, the crew was amazing and friendly!").sentiment?.label).toBe(
      "positive",
    );
    const complaint = analyze(
      "@united my flight is delayed again and nobody tells us anything, terrible service",
    );
    expect(complaint.language.code).toBe("en");
    expect(complaint.sentiment?.label).toBe("negative");
  });

  it("flags an insult in German and profanity in English, and leaves criticism alone", () => {
    const insult = analyze("@user Du bist ein dummer Idiot und ein Vollpfosten");
    expect(insult.offensive?.offensive).toBe(true);
    expect(analyze("This airline is full of fucking idiots").offensive).toMatchObject({
      offensive: true,
      source: "lexicon",
    });
    expect(
      analyze("Der Service der Bahn ist leider schlecht, bitte verbessert das").offensive?.offensive,
    ).toBe(false);
  });

  it("detects other languages but does not classify them further", () => {
    const a = analyze("Merci beaucoup, le train est toujours en retard");
    expect(a.language.code).toBe("fr");
    expect(a.sentiment).toBeNull();
    expect(a.offensive).toBeNull();
    expect(a.relevance).toBeNull();
  });

  it("follows the organization's hints: language, taxonomy, relevance model, personal-data patterns", () => {
    const text = "Der Zug hat wieder Verspätung am Hauptbahnhof, Kundennummer KD-123456";
    const plain = analyze(text);
    const category = plain.aspects[0]?.category;
    expect(category).toBeDefined();
    const a = analyze(text, {
      lang: "de",
      relevanceModel: fixture,
      taxonomy: { [category!]: "Pünktlichkeit" },
      piiPatterns: [{ type: "customer_number", pattern: "KD-\\d{6}" }],
    });
    expect(a.language).toMatchObject({ code: "de", confidence: 1, source: "hint" });
    expect(a.relevance).toMatchObject({ relevant: true, model: "synthetic-relevance" });
    expect(a.aspects.map((x) => x.category)).toContain("Pünktlichkeit");
    expect(a.pii).toEqual([{ type: "customer_number", start: 60, end: 69, text: "KD-123456" }]);
    const hidden = analyze(text, { taxonomy: { [category!]: null } });
    expect(hidden.aspects.map((x) => x.category)).not.toContain(category);
  });
});

describe("bad input never throws", () => {
  it.each([
    ["empty", ""],
    ["only emoji", "😡😡😡🚆"],
    ["only URLs", "https://example.com/a http://t.co/xyz www.bahn.de"],
    ["lone surrogates", "Zug \uD83D kaputt \uDE00 heute"],
    ["HTML", "<p>Der <b>Zug</b> ist&nbsp;&amp; war <script>alert(1)</script> zu spät</p>&#0;&#xD800;"],
    ["mixed languages", "Der Zug ist late again, c'est la vie, immer noch kein WLAN"],
    ["control characters", "\u0000\u0001\u0007\u001b[31m rot"],
  ])("%s", (_, text) => {
    const a = analyze(text);
    expectWellFormed(a, text);
    expect(a.truncated).toBe(false);
  });

  it("analyses only the first 20,000 characters of a 1 MB text and says so", () => {
    const text = "Der Zug ist wieder zu spät. ".repeat(40_000);
    const started = performance.now();
    const a = analyze(text);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(a.truncated).toBe(true);
    expect(a.analysedLength).toBe(maxAnalysedChars);
    expectWellFormed(a, text);
  });

  it("says it is unsure when there are no words", () => {
    const a = analyze("😀 https://example.com");
    expect(a.language).toMatchObject({ code: "und", confidence: 0 });
    expect(a.sentiment).toBeNull();
  });

  it("gives well-formed output for random strings, lone surrogates included (fuzz)", () => {
    const codeUnits = fc
      .array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 300 })
      .map((units) => String.fromCharCode(...units));
    const text = fc.oneof(
      fc.string({ unit: "binary", maxLength: 300 }),
      fc.string({ maxLength: 300 }),
      codeUnits,
    );
    fc.assert(
      fc.property(text, fc.option(fc.constantFrom("de", "en", "fr", "xx", "")), (t, lang) => {
        expectWellFormed(analyze(t, lang === null ? {} : { lang }), t);
      }),
      { numRuns: 400, seed: 42 },
    );
  });
});
