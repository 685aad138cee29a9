import { existsSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cleanText, letterCase, normalizeWord, tokenize, tokenizeByPattern } from "./text.js";

/** The rule as documented, without the fast paths. */
function referenceNorm(word: string): string {
  return word
    .toLowerCase()
    .replace(/ä/g, "ae")
    .replace(/ö/g, "oe")
    .replace(/ü/g, "ue")
    .replace(/ß/g, "ss")
    .replace(/’/g, "'")
    .replace(/(.)\1{2,}/gu, "$1$1");
}

const letters = fc.constantFrom(...[..."aAbBeEsSzZ0_-'’äÄöÖüÜßéÉçÇ×÷ÿµİıΣσ😀"]);
const words = fc.array(letters, { minLength: 1, maxLength: 8 }).map((a) => a.join(""));

describe("normalising words", () => {
  it("gives the documented normal form, fast path or not", () => {
    fc.assert(
      fc.property(words, (w) => {
        expect(normalizeWord(w)).toBe(referenceNorm(w));
      }),
      { numRuns: 2000 },
    );
    expect(normalizeWord("Sooooo")).toBe("soo");
    expect(normalizeWord("Grüße")).toBe("gruesse");
  });

  it("tells letter case as toUpperCase and toLowerCase would", () => {
    fc.assert(
      fc.property(words, (w) => {
        expect(letterCase(w)).toEqual({ upper: w === w.toUpperCase(), hasUpper: w !== w.toLowerCase() });
      }),
    );
  });
});

const tokenChars = fc.constantFrom(
  ...[..."aZ09_ -'’:;()DPp/.,!?@#<>\"\t\nhttps:/www.äßéÄÿ×÷ªµº¹©®¡²½٣\u00a0\u2003\u0301😀🇩🇪\ud800"],
  "http://",
  "https://",
  "www.",
  ":-)",
);

describe("tokenising", () => {
  it("finds exactly the tokens of the pattern, ASCII fast path or not", () => {
    fc.assert(
      fc.property(fc.array(tokenChars, { maxLength: 30 }), (parts) => {
        const text = parts.join("");
        expect(tokenize(text)).toEqual(tokenizeByPattern(text));
      }),
      { numRuns: 5000 },
    );
  });

  it("finds exactly the tokens of the pattern in real posts (skipped without ../shared/data)", () => {
    const files = ["airline-tweets/train.jsonl", "germeval2017/dev.jsonl", "germeval2018/train.jsonl"];
    for (const file of files) {
      const path = `../shared/data/${file}`;
      if (!existsSync(path)) continue;
      for (const line of readFileSync(path, "utf8").split("\n").filter(Boolean)) {
        const { text } = cleanText(JSON.parse(line).text);
        expect(tokenize(text)).toEqual(tokenizeByPattern(text));
      }
    }
  });
});
