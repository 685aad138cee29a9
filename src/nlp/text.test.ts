import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { letterCase, normalizeWord } from "./text.js";

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
