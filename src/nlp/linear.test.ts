import { describe, expect, it } from "vitest";
import { countFeatures, featurize } from "./features.js";
import { FusedHeads, headLogits, type LinearHead } from "./linear.js";
import { seededRandom } from "./random.js";
import { prepareText } from "./text.js";

function randomHead(labels: number, bits: number, random: () => number): LinearHead {
  const weights = new Int8Array((1 << bits) * labels);
  for (let j = 0; j < weights.length; j++) weights[j] = Math.floor(random() * 256) - 128;
  return {
    kind: "softmax",
    labels: Array.from({ length: labels }, (_, k) => `l${k}`),
    weights,
    scale: Array.from({ length: labels }, () => Math.fround(random() / 100)),
    bias: Array.from({ length: labels }, () => Math.fround(random() - 0.5)),
    temperature: 1,
    thresholds: new Array<number>(labels).fill(0.5),
  };
}

describe("fused heads", () => {
  it("give bit for bit the logits of each head on its own, for short and long texts", () => {
    const random = seededRandom(3);
    const config = { bits: 12, charMin: 2, charMax: 5, wordBigrams: true };
    const texts = [
      "",
      "Der Zug ist schon wieder zu spät!!!",
      "@united worst flight ever, lost my bag again #fail",
      "Bahn ".repeat(400) + "Ende der Fahrt, alle aussteigen bitte. ".repeat(30),
      // Over a thousand distinct features seen once: the 16-bit lanes fill and are emptied several times.
      Array.from({ length: 600 }, () => Math.floor(random() * 1e9).toString(36)).join(" "),
    ];
    // One narrow table (≤ 4 weights per row) and one wide (two blocks of 32).
    for (const sizes of [[3], [3, 1, 19, 3, 1, 30]]) {
      const heads = sizes.map((n) => randomHead(n, config.bits, random));
      const fused = new FusedHeads(heads, config.bits);
      for (const text of texts) {
        const tokens = prepareText(text).tokens;
        const expected = heads.map((h) => Array.from(headLogits(h, featurize(tokens, config))));
        const actual = fused.logitsOf(countFeatures(tokens, config)).map((l) => Array.from(l));
        expect(actual).toEqual(expected);
      }
    }
  });
});
