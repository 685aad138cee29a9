/**
 * Linear classifiers over hashed features: training (logistic regression with AdaGrad and L2),
 * Int8 quantisation with one scale per label, and scoring.
 */
import { type FeatureCounts, featureScale, featureValue, type SparseVector } from "./features.js";
import { seededRandom, shuffleInPlace } from "./random.js";

/** softmax: exactly one label per text; sigmoid: any number of labels (multi-label). */
export type HeadKind = "softmax" | "sigmoid";

export interface LinearHead {
  kind: HeadKind;
  labels: string[];
  /** Feature-major: the weight of bucket b for label c is weights[b * labels.length + c] * scale[c]. */
  weights: Int8Array;
  scale: number[];
  bias: number[];
  /** Calibration learnt on held-out folds: logits are divided by it before softmax/sigmoid. */
  temperature: number;
  /** Per label probability at which a sigmoid label counts as present (tuned on held-out folds). */
  thresholds: number[];
}

export interface TrainingOptions {
  epochs: number;
  learningRate: number;
  l2: number;
  seed: number;
  /** Exponent of the class-balancing weights: 0 = none, 1 = fully balanced. */
  classBalance: number;
  /**
   * Naive-Bayes feature scaling (NB-LR, Wang & Manning 2012): each feature is multiplied per label by
   * its log-count ratio, interpolated with 1 by this weight (0 = plain logistic regression).
   */
  naiveBayes: number;
  /** Average the weights over the last epochs' updates (smoother, better generalising). */
  averaged: boolean;
}

export const defaultTrainingOptions: TrainingOptions = {
  epochs: 12,
  learningRate: 0.2,
  l2: 1e-6,
  seed: 17,
  classBalance: 0.5,
  naiveBayes: 0,
  averaged: false,
};

export interface HeadTrainingSet {
  kind: HeadKind;
  labels: string[];
  bits: number;
  vectors: readonly SparseVector[];
  /** One row per text: 1 where the label applies. */
  targets: readonly Uint8Array[];
  /** Weight of a positive example per label (class balancing); 1 when absent. */
  labelWeights?: readonly number[];
}

export interface FloatHead {
  kind: HeadKind;
  labels: string[];
  weights: Float32Array;
  bias: Float64Array;
}

/** Per (bucket, label) log-count ratios of "texts with the label" against "texts without". */
function naiveBayesScale(set: HeadTrainingSet, interpolation: number): Float32Array {
  const c = set.labels.length;
  const size = (1 << set.bits) * c;
  const positive = new Float32Array(size);
  const totals = new Float32Array(1 << set.bits);
  const positiveSums = new Float64Array(c);
  let allSum = 0;
  for (let d = 0; d < set.vectors.length; d++) {
    const { index, value } = set.vectors[d];
    const y = set.targets[d];
    for (let i = 0; i < index.length; i++) {
      totals[index[i]] += value[i];
      allSum += value[i];
      for (let k = 0; k < c; k++)
        if (y[k]) {
          positive[index[i] * c + k] += value[i];
          positiveSums[k] += value[i];
        }
    }
  }
  const alpha = 1;
  const scale = new Float32Array(size);
  for (let b = 0; b < totals.length; b++) {
    for (let k = 0; k < c; k++) {
      const j = b * c + k;
      const p = (positive[j] + alpha) / (positiveSums[k] + alpha);
      const q = (totals[b] - positive[j] + alpha) / (allSum - positiveSums[k] + alpha);
      scale[j] = 1 - interpolation + interpolation * Math.abs(Math.log(p / q));
    }
  }
  return scale;
}

export function trainFloatHead(set: HeadTrainingSet, options: TrainingOptions): FloatHead {
  const c = set.labels.length;
  const size = (1 << set.bits) * c;
  const scale = options.naiveBayes > 0 ? naiveBayesScale(set, options.naiveBayes) : null;
  const weights = new Float32Array(size);
  const averagedWeights = options.averaged ? new Float64Array(size) : null;
  const averagedBias = new Float64Array(c);
  let averagedSteps = 0;
  const averageFrom = Math.floor(options.epochs / 2);
  const gradSquares = new Float32Array(size);
  const bias = new Float64Array(c);
  const biasSquares = new Float64Array(c);
  const logits = new Float64Array(c);
  const grads = new Float64Array(c);
  const random = seededRandom(options.seed);
  const order = Array.from({ length: set.vectors.length }, (_, i) => i);
  const { learningRate, l2 } = options;
  const labelWeights = set.labelWeights ?? new Array<number>(c).fill(1);
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    shuffleInPlace(order, random);
    for (const doc of order) {
      const x = set.vectors[doc];
      const y = set.targets[doc];
      linearLogits({ weights, bias, labels: c, x, out: logits, scale });
      if (set.kind === "softmax") {
        softmaxInPlace(logits);
        let weight = 1;
        for (let k = 0; k < c; k++) if (y[k]) weight = labelWeights[k];
        for (let k = 0; k < c; k++) grads[k] = (logits[k] - y[k]) * weight;
      } else {
        for (let k = 0; k < c; k++) {
          const p = 1 / (1 + Math.exp(-logits[k]));
          grads[k] = (p - y[k]) * (y[k] ? labelWeights[k] : 1);
        }
      }
      for (let k = 0; k < c; k++) {
        const g = grads[k];
        biasSquares[k] += g * g;
        bias[k] -= (learningRate * g) / Math.sqrt(biasSquares[k] + 1e-8);
      }
      const { index, value } = x;
      for (let i = 0; i < index.length; i++) {
        const base = index[i] * c;
        const v = value[i];
        for (let k = 0; k < c; k++) {
          const j = base + k;
          const g = grads[k] * v * (scale ? scale[j] : 1) + l2 * weights[j];
          if (g === 0) continue;
          gradSquares[j] += g * g;
          weights[j] -= (learningRate * g) / Math.sqrt(gradSquares[j] + 1e-8);
        }
      }
    }
    if (averagedWeights && epoch >= averageFrom) {
      // Averaging per epoch (not per step) keeps it cheap and still smooths the last epochs' noise.
      for (let j = 0; j < size; j++) averagedWeights[j] += weights[j];
      for (let k = 0; k < c; k++) averagedBias[k] += bias[k];
      averagedSteps++;
    }
  }
  if (averagedWeights) {
    for (let j = 0; j < size; j++) weights[j] = averagedWeights[j] / averagedSteps;
    for (let k = 0; k < c; k++) bias[k] = averagedBias[k] / averagedSteps;
  }
  // The scaling folds into the weights, so prediction stays a plain dot product.
  if (scale) for (let j = 0; j < size; j++) weights[j] *= scale[j];
  return { kind: set.kind, labels: [...set.labels], weights, bias };
}

function linearLogits(args: {
  weights: Float32Array;
  bias: Float64Array;
  labels: number;
  x: SparseVector;
  out: Float64Array;
  scale?: Float32Array | null;
}): void {
  const { weights, bias, labels, x, out, scale } = args;
  for (let k = 0; k < labels; k++) out[k] = bias[k];
  const { index, value } = x;
  for (let i = 0; i < index.length; i++) {
    const base = index[i] * labels;
    const v = value[i];
    if (scale) for (let k = 0; k < labels; k++) out[k] += weights[base + k] * scale[base + k] * v;
    else for (let k = 0; k < labels; k++) out[k] += weights[base + k] * v;
  }
}

export function floatHeadLogits(head: FloatHead, x: SparseVector): Float64Array {
  const out = new Float64Array(head.labels.length);
  linearLogits({ weights: head.weights, bias: head.bias, labels: head.labels.length, x, out });
  return out;
}

export function softmaxInPlace(z: Float64Array): void {
  let max = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < z.length; k++) if (z[k] > max) max = z[k];
  let sum = 0;
  for (let k = 0; k < z.length; k++) {
    z[k] = Math.exp(z[k] - max);
    sum += z[k];
  }
  for (let k = 0; k < z.length; k++) z[k] /= sum;
}

/** Int8 with one scale per label: a quarter of the size of Float32, quality loss measured in the cards. */
export function quantizeHead(head: FloatHead): LinearHead {
  const c = head.labels.length;
  const maxAbs = new Array<number>(c).fill(0);
  for (let j = 0; j < head.weights.length; j++) {
    const a = Math.abs(head.weights[j]);
    if (a > maxAbs[j % c]) maxAbs[j % c] = a;
  }
  const scale = maxAbs.map((m) => Math.fround(m > 0 ? m / 127 : 1));
  const weights = new Int8Array(head.weights.length);
  for (let j = 0; j < head.weights.length; j++) weights[j] = Math.round(head.weights[j] / scale[j % c]);
  return {
    kind: head.kind,
    labels: [...head.labels],
    weights,
    scale,
    bias: Array.from(head.bias, (b) => Math.fround(b)),
    temperature: 1,
    thresholds: new Array<number>(c).fill(0.5),
  };
}

/** Raw logits of a quantised head. */
export function headLogits(head: LinearHead, x: SparseVector): Float64Array {
  const c = head.labels.length;
  const out = new Float64Array(c);
  const { weights } = head;
  const { index, value } = x;
  if (c === 1) {
    let s = 0;
    for (let i = 0; i < index.length; i++) s += weights[index[i]] * value[i];
    out[0] = s;
  } else {
    for (let i = 0; i < index.length; i++) {
      const base = index[i] * c;
      const v = value[i];
      for (let k = 0; k < c; k++) out[k] += weights[base + k] * v;
    }
  }
  for (let k = 0; k < c; k++) out[k] = out[k] * head.scale[k] + head.bias[k];
  return out;
}

/** Calibrated probabilities: a distribution (softmax) or independent per-label probabilities (sigmoid). */
export function probabilitiesFromLogits(
  head: Pick<LinearHead, "kind" | "temperature">,
  logits: Float64Array,
): Float64Array {
  const p = new Float64Array(logits.length);
  for (let k = 0; k < logits.length; k++) p[k] = logits[k] / head.temperature;
  if (head.kind === "softmax") softmaxInPlace(p);
  else for (let k = 0; k < p.length; k++) p[k] = 1 / (1 + Math.exp(-p[k]));
  return p;
}

export function headProbabilities(head: LinearHead, x: SparseVector): Float64Array {
  return probabilitiesFromLogits(head, headLogits(head, x));
}

/** Temperature minimising the log-loss of held-out logits (grid search: robust and deterministic). */
export function fitTemperature(args: {
  kind: HeadKind;
  logits: readonly Float64Array[];
  targets: readonly Uint8Array[];
}): number {
  let best = 1;
  let bestLoss = Number.POSITIVE_INFINITY;
  for (let t = 0.3; t <= 4.001; t += 0.05) {
    const temperature = Math.round(t * 100) / 100;
    let loss = 0;
    for (let i = 0; i < args.logits.length; i++) {
      const p = probabilitiesFromLogits({ kind: args.kind, temperature }, args.logits[i]);
      const y = args.targets[i];
      for (let k = 0; k < p.length; k++) {
        if (args.kind === "softmax") {
          if (y[k]) loss -= Math.log(Math.max(p[k], 1e-12));
        } else {
          loss -= Math.log(Math.max(y[k] ? p[k] : 1 - p[k], 1e-12));
        }
      }
    }
    if (loss < bestLoss) {
      bestLoss = loss;
      best = temperature;
    }
  }
  return best;
}

/**
 * Several heads over the same features in one table, bucket-major: one cache line per feature
 * serves every head, instead of one cache miss per model. Built once when an analyzer starts.
 *
 * Each row holds the heads' Int8 weights offset by 128 (0…255), four to a 32-bit word, so the
 * features seen once (most of them) are summed four weights at a time in 16-bit lanes. The sums
 * are integers and the feature values Float32, so every partial sum is exact in a double: the
 * logits are bit for bit those of `headLogits`, whatever the order of summation.
 */
export class FusedHeads {
  private readonly table: Int32Array;
  /** 32-bit words per row: 1 (up to four weights) or a multiple of 8 (32 weights, half a cache line). */
  private readonly words: number;
  private readonly offsets: number[];
  private readonly lanes = new Int32Array(16);
  private readonly sums: Float64Array;
  private readonly onceSums: Float64Array;
  /** Result of the warming loads, kept so the compiler cannot drop them. */
  warm = 0;

  constructor(
    readonly heads: readonly LinearHead[],
    bits: number,
  ) {
    const used = heads.reduce((s, h) => s + h.labels.length, 0);
    const width = used <= 4 ? 4 : Math.ceil(used / 32) * 32;
    this.words = width / 4;
    this.offsets = [];
    let offset = 0;
    for (const head of heads) {
      this.offsets.push(offset);
      offset += head.labels.length;
    }
    const buckets = 1 << bits;
    const row = new Uint8Array(width);
    this.table = new Int32Array(buckets * this.words);
    for (let b = 0; b < buckets; b++) {
      row.fill(128);
      heads.forEach((head, h) => {
        const c = head.labels.length;
        for (let k = 0; k < c; k++) row[this.offsets[h] + k] = head.weights[b * c + k] + 128;
      });
      for (let j = 0; j < this.words; j++) {
        const at = 4 * j;
        this.table[b * this.words + j] =
          row[at] | (row[at + 1] << 8) | (row[at + 2] << 16) | (row[at + 3] << 24);
      }
    }
    this.sums = new Float64Array(width);
    this.onceSums = new Float64Array(width);
  }

  /** Logits of every head, in the order given to the constructor, for counted features. */
  logitsOf(features: FeatureCounts): Float64Array[] {
    const { table, words, sums } = this;
    const { buckets, counts, size } = features;
    // Touch every row first: independent loads overlap their cache misses; the sums below then hit.
    let warm = 0;
    for (let i = 0; i < size; i++) warm |= table[buckets[i] * words];
    this.warm = warm;
    const scale = featureScale(features);
    sums.fill(0);
    // Features seen more than once are few: weight by weight, scaled by their value.
    let once = 0;
    let repeatedValues = 0;
    for (let i = 0; i < size; i++) {
      const c = counts[i];
      if (c === 1) {
        once++;
        continue;
      }
      const v = featureValue(c, scale);
      repeatedValues += v;
      const base = buckets[i] * words;
      for (let j = 0; j < words; j++) {
        const x = table[base + j];
        sums[4 * j] += (x & 0xff) * v;
        sums[4 * j + 1] += ((x >>> 8) & 0xff) * v;
        sums[4 * j + 2] += ((x >>> 16) & 0xff) * v;
        sums[4 * j + 3] += (x >>> 24) * v;
      }
    }
    const v1 = featureValue(1, scale);
    if (once > 0) {
      const ones = this.onceSums;
      ones.fill(0);
      if (words === 1) this.sumOnceNarrow(features, ones);
      else for (let block = 0; block < words; block += 8) this.sumOnceBlock(features, block, ones);
      // Remove the offset of 128 from both parts; integers and Float32 multiples, so all exact.
      for (let r = 0; r < sums.length; r++) sums[r] += (ones[r] - 128 * once) * v1;
    }
    for (let r = 0; r < sums.length; r++) sums[r] -= 128 * repeatedValues;
    return this.heads.map((head, h) => {
      const c = head.labels.length;
      const out = new Float64Array(c);
      const offset = this.offsets[h];
      for (let k = 0; k < c; k++) out[k] = sums[offset + k] * head.scale[k] + head.bias[k];
      return out;
    });
  }

  /** Integer weight sums over the features seen once, for rows of one word. */
  private sumOnceNarrow(features: FeatureCounts, into: Float64Array): void {
    const { table } = this;
    const { buckets, counts, size } = features;
    let a0 = 0;
    let a1 = 0;
    let pending = 0;
    for (let i = 0; i < size; i++) {
      if (counts[i] !== 1) continue;
      const x = table[buckets[i]];
      a0 = (a0 + (x & 0xff00ff)) | 0;
      a1 = (a1 + ((x >>> 8) & 0xff00ff)) | 0;
      // 256 values of at most 255 fill a 16-bit lane: move them to the wide sums.
      if (++pending === 256) {
        this.lanes[0] = a0;
        this.lanes[1] = a1;
        this.flushLanes(1, 0, into);
        a0 = a1 = pending = 0;
      }
    }
    this.lanes[0] = a0;
    this.lanes[1] = a1;
    this.flushLanes(1, 0, into);
  }

  /** The same for eight words (32 weights) of wider rows, from word `block` on; unrolled into locals. */
  private sumOnceBlock(features: FeatureCounts, block: number, into: Float64Array): void {
    const { table, words, lanes } = this;
    const { buckets, counts, size } = features;
    let a0 = 0,
      a1 = 0,
      a2 = 0,
      a3 = 0,
      a4 = 0,
      a5 = 0,
      a6 = 0,
      a7 = 0;
    let a8 = 0,
      a9 = 0,
      a10 = 0,
      a11 = 0,
      a12 = 0,
      a13 = 0,
      a14 = 0,
      a15 = 0;
    let pending = 0;
    for (let i = 0; i <= size; i++) {
      if (i < size) {
        if (counts[i] !== 1) continue;
        const base = buckets[i] * words + block;
        let x = table[base];
        a0 = (a0 + (x & 0xff00ff)) | 0;
        a1 = (a1 + ((x >>> 8) & 0xff00ff)) | 0;
        x = table[base + 1];
        a2 = (a2 + (x & 0xff00ff)) | 0;
        a3 = (a3 + ((x >>> 8) & 0xff00ff)) | 0;
        x = table[base + 2];
        a4 = (a4 + (x & 0xff00ff)) | 0;
        a5 = (a5 + ((x >>> 8) & 0xff00ff)) | 0;
        x = table[base + 3];
        a6 = (a6 + (x & 0xff00ff)) | 0;
        a7 = (a7 + ((x >>> 8) & 0xff00ff)) | 0;
        x = table[base + 4];
        a8 = (a8 + (x & 0xff00ff)) | 0;
        a9 = (a9 + ((x >>> 8) & 0xff00ff)) | 0;
        x = table[base + 5];
        a10 = (a10 + (x & 0xff00ff)) | 0;
        a11 = (a11 + ((x >>> 8) & 0xff00ff)) | 0;
        x = table[base + 6];
        a12 = (a12 + (x & 0xff00ff)) | 0;
        a13 = (a13 + ((x >>> 8) & 0xff00ff)) | 0;
        x = table[base + 7];
        a14 = (a14 + (x & 0xff00ff)) | 0;
        a15 = (a15 + ((x >>> 8) & 0xff00ff)) | 0;
        if (++pending < 256) continue;
      }
      // Every 256 features (and at the end) the 16-bit lanes move to the wide sums.
      lanes[0] = a0;
      lanes[1] = a1;
      lanes[2] = a2;
      lanes[3] = a3;
      lanes[4] = a4;
      lanes[5] = a5;
      lanes[6] = a6;
      lanes[7] = a7;
      lanes[8] = a8;
      lanes[9] = a9;
      lanes[10] = a10;
      lanes[11] = a11;
      lanes[12] = a12;
      lanes[13] = a13;
      lanes[14] = a14;
      lanes[15] = a15;
      this.flushLanes(8, 4 * block, into);
      a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = a8 = a9 = a10 = a11 = a12 = a13 = a14 = a15 = pending = 0;
    }
  }

  /** Adds the packed lane sums of `words` words to the weight sums starting at `at`. */
  private flushLanes(words: number, at: number, into: Float64Array): void {
    const { lanes } = this;
    for (let j = 0; j < words; j++) {
      const low = lanes[2 * j];
      const high = lanes[2 * j + 1];
      into[at + 4 * j] += low & 0xffff;
      into[at + 4 * j + 2] += low >>> 16;
      into[at + 4 * j + 1] += high & 0xffff;
      into[at + 4 * j + 3] += high >>> 16;
    }
  }
}
