/**
 * Hashed sparse features shared by every trained model: word uni- and bigrams (with negation
 * scope marked) and character n-grams, log-scaled counts, L2-normalised.
 * Hashing straight from char codes keeps analysis allocation-light and the model size fixed.
 */
import type { Token } from "./text.js";

export interface FeatureConfig {
  /** log2 of the number of hash buckets. */
  bits: number;
  /** Smallest and largest character n-gram length (0 disables character n-grams). */
  charMin: number;
  charMax: number;
  wordBigrams: boolean;
}

export const defaultFeatureConfig: FeatureConfig = { bits: 18, charMin: 2, charMax: 5, wordBigrams: true };

export function sameFeatureConfig(a: FeatureConfig, b: FeatureConfig): boolean {
  return (
    a.bits === b.bits && a.charMin === b.charMin && a.charMax === b.charMax && a.wordBigrams === b.wordBigrams
  );
}

export interface SparseVector {
  index: Int32Array;
  value: Float32Array;
}

const negators = new Set([
  "nicht",
  "kein",
  "keine",
  "keinen",
  "keinem",
  "keiner",
  "keines",
  "nie",
  "niemals",
  "nichts",
  "weder",
  "not",
  "no",
  "never",
  "nothing",
  "nor",
  "cannot",
  "without",
]);
const negationScope = 3;

const fnvPrime = 16777619;
const wordSeed = 0x811c9dc5;
const negatedSeed = 0x2f1b3c4d;
const charSeed = 0x6a09e667;
const bigramMix = 0x9e3779b1;

function hashString(seed: number, s: string): number {
  let h = seed;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), fnvPrime);
  return h;
}

function finalize(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h;
}

/** 1 + ln(count) for small counts, so the common case needs no Math.log. */
const logCount = new Float32Array(256);
for (let c = 1; c < 256; c++) logCount[c] = 1 + Math.log(c);

/** Scratch space reused between calls; analysis is synchronous so one per bucket size suffices. */
class Accumulator {
  readonly counts: Uint16Array;
  touched: Int32Array;
  n = 0;
  constructor(size: number) {
    this.counts = new Uint16Array(size);
    this.touched = new Int32Array(1024);
  }
  add(bucket: number): void {
    const c = this.counts[bucket];
    if (c === 0) {
      if (this.n === this.touched.length) {
        const bigger = new Int32Array(this.touched.length * 2);
        bigger.set(this.touched);
        this.touched = bigger;
      }
      this.touched[this.n++] = bucket;
    }
    if (c < 65535) this.counts[bucket] = c + 1;
  }
  drain(): SparseVector {
    const n = this.n;
    const index = new Int32Array(n);
    const value = new Float32Array(n);
    let norm = 0;
    for (let i = 0; i < n; i++) {
      const b = this.touched[i];
      const c = this.counts[b];
      const v = c < 256 ? logCount[c] : 1 + Math.log(c);
      this.counts[b] = 0;
      index[i] = b;
      value[i] = v;
      norm += v * v;
    }
    if (norm > 0) {
      const inv = 1 / Math.sqrt(norm);
      for (let i = 0; i < n; i++) value[i] *= inv;
    }
    this.n = 0;
    return { index, value };
  }
}

const accumulators = new Map<number, Accumulator>();
function accumulatorFor(bits: number): Accumulator {
  let acc = accumulators.get(bits);
  if (!acc) {
    acc = new Accumulator(1 << bits);
    accumulators.set(bits, acc);
  }
  return acc;
}

export function isNegator(norm: string): boolean {
  return negators.has(norm) || norm.endsWith("n't");
}

export function featurize(tokens: readonly Token[], config: FeatureConfig): SparseVector {
  const mask = (1 << config.bits) - 1;
  const acc = accumulatorFor(config.bits);
  let previous = 0;
  let negated = 0;
  for (const token of tokens) {
    if (token.kind === "punct") {
      // Sentence punctuation ends a negation scope and a bigram chain; "!" and "?" still count.
      if (token.norm[0] === "!" || token.norm[0] === "?")
        acc.add(finalize(hashString(wordSeed, token.norm)) & mask);
      negated = 0;
      previous = 0;
      continue;
    }
    let h = hashString(negated > 0 ? negatedSeed : wordSeed, token.norm);
    if (negated > 0) negated--;
    acc.add(finalize(h) & mask);
    if (token.kind === "hashtag") acc.add(finalize(hashString(wordSeed, "#")) & mask);
    else if (token.kind === "user") acc.add(finalize(hashString(wordSeed, "<user>")) & mask);
    if (config.wordBigrams && previous !== 0)
      acc.add(finalize(Math.imul(previous ^ bigramMix, fnvPrime) ^ h) & mask);
    if (isNegator(token.norm)) negated = negationScope;
    previous = h | 1;
    h = 0;
  }
  if (config.charMin > 0) addCharNgrams(tokens, config, acc, mask);
  return acc.drain();
}

/**
 * Character n-grams cover the first this many characters of the words; words cover everything.
 * Keeps long texts affordable (the models learnt mostly from texts shorter than this).
 */
export const maxCharNgramChars = 1000;

let charStream = new Uint16Array(4096);

/** Character n-grams over the words joined by single spaces, so they also span word boundaries. */
function addCharNgrams(
  tokens: readonly Token[],
  config: FeatureConfig,
  acc: Accumulator,
  mask: number,
): void {
  const { charMin, charMax } = config;
  // The stream " w1 w2 … wn " as char codes, built once, then hashed position by position.
  let length = 0;
  if (charStream.length < maxCharNgramChars + 64) charStream = new Uint16Array(maxCharNgramChars + 64);
  const stream = charStream;
  stream[length++] = 32;
  for (const token of tokens) {
    if (token.kind === "url" || token.kind === "user" || token.kind === "punct") continue;
    if (length + token.norm.length + 1 > maxCharNgramChars) break;
    const s = token.norm;
    for (let i = 0; i < s.length; i++) stream[length++] = s.charCodeAt(i);
    stream[length++] = 32;
  }
  for (let start = 0; start < length; start++) {
    let h = charSeed;
    const last = Math.min(start + charMax, length);
    for (let end = start; end < last; end++) {
      h = Math.imul(h ^ stream[end], fnvPrime);
      if (end - start + 1 >= charMin) acc.add(finalize(h) & mask);
    }
  }
}
