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

function rawValue(count: number): number {
  return count < 256 ? logCount[count] : 1 + Math.log(count);
}

/**
 * The hashed features of one text before scaling: distinct buckets in the order first seen and
 * how often each occurred. Scratch memory, valid until the next text is counted.
 */
export interface FeatureCounts {
  /** Distinct buckets, first `size` entries. */
  readonly buckets: Int32Array;
  /** Occurrences of buckets[i], first `size` entries. */
  readonly counts: Uint16Array;
  readonly size: number;
}

/** The factor that L2-normalises the log-scaled counts (summed in first-seen order, as featurize does). */
export function featureScale(features: FeatureCounts): number {
  const { counts, size } = features;
  let norm = 0;
  for (let i = 0; i < size; i++) {
    const v = rawValue(counts[i]);
    norm += v * v;
  }
  return norm > 0 ? 1 / Math.sqrt(norm) : 1;
}

/** The value of a feature seen `count` times, exactly as stored in a SparseVector (Float32). */
export function featureValue(count: number, scale: number): number {
  return Math.fround(Math.fround(rawValue(count)) * scale);
}

/**
 * Scratch space reused between calls (analysis is synchronous). A small open-addressing table
 * maps a bucket to its position, so counting stays in the first-level cache for any bucket count.
 */
class Accumulator implements FeatureCounts {
  buckets = new Int32Array(1024);
  counts = new Uint16Array(1024);
  size = 0;
  /** Position + 1 of the bucket in this slot; 0 = empty. */
  private slots = new Int32Array(4096);
  /** The slot of each position, to empty the table quickly. */
  private slotOf = new Int32Array(1024);
  private shift = 32 - 12;

  /** Forgets the previous text's counts (only the slots it used). */
  clear(): void {
    const { slots, slotOf } = this;
    for (let i = 0; i < this.size; i++) slots[slotOf[i]] = 0;
    this.size = 0;
  }

  add(bucket: number): void {
    const { slots, buckets } = this;
    const mask = slots.length - 1;
    let slot = Math.imul(bucket, 0x9e3779b1) >>> this.shift;
    for (let at = slots[slot]; at !== 0; at = slots[slot]) {
      if (buckets[at - 1] === bucket) {
        const c = this.counts[at - 1];
        if (c < 65535) this.counts[at - 1] = c + 1;
        return;
      }
      slot = (slot + 1) & mask;
    }
    const position = this.size++;
    if (position === buckets.length) this.growArrays();
    this.buckets[position] = bucket;
    this.counts[position] = 1;
    this.slotOf[position] = slot;
    slots[slot] = position + 1;
    // At most half full, so probes stay short.
    if (2 * this.size > slots.length) this.growSlots();
  }

  private growArrays(): void {
    const n = this.buckets.length * 2;
    const buckets = new Int32Array(n);
    buckets.set(this.buckets);
    const counts = new Uint16Array(n);
    counts.set(this.counts);
    const slotOf = new Int32Array(n);
    slotOf.set(this.slotOf);
    this.buckets = buckets;
    this.counts = counts;
    this.slotOf = slotOf;
  }

  private growSlots(): void {
    const slots = new Int32Array(this.slots.length * 2);
    this.shift--;
    const mask = slots.length - 1;
    for (let i = 0; i < this.size; i++) {
      let slot = Math.imul(this.buckets[i], 0x9e3779b1) >>> this.shift;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = i + 1;
      this.slotOf[i] = slot;
    }
    this.slots = slots;
  }

  toVector(): SparseVector {
    const n = this.size;
    const index = this.buckets.slice(0, n);
    const value = new Float32Array(n);
    const scale = featureScale(this);
    for (let i = 0; i < n; i++) value[i] = featureValue(this.counts[i], scale);
    return { index, value };
  }
}

const accumulator = new Accumulator();

export function isNegator(norm: string): boolean {
  return negators.has(norm) || norm.endsWith("n't");
}

export function featurize(tokens: readonly Token[], config: FeatureConfig): SparseVector {
  return countFeatures(tokens, config).toVector();
}

/** The features of a text as counts in shared scratch memory: valid until the next call. */
export function countFeatures(
  tokens: readonly Token[],
  config: FeatureConfig,
): FeatureCounts & {
  toVector(): SparseVector;
} {
  const mask = (1 << config.bits) - 1;
  const acc = accumulator;
  acc.clear();
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
  return acc;
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
