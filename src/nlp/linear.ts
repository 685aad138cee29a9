/**
 * Linear classifiers over hashed features: training (logistic regression with AdaGrad and L2),
 * Int8 quantisation with one scale per label, and scoring.
 */
import type { SparseVector } from "./features.js";
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
 */
export class FusedHeads {
  private readonly table: Int8Array;
  private readonly width: number;
  private readonly used: number;
  private readonly offsets: number[];
  private readonly scratch: Float64Array;

  constructor(
    readonly heads: readonly LinearHead[],
    bits: number,
  ) {
    const used = heads.reduce((s, h) => s + h.labels.length, 0);
    // Rows padded to a power of two up to 64 bytes never straddle two cache lines (large buffers are page-aligned).
    this.used = used;
    this.width = used <= 32 ? 2 ** Math.ceil(Math.log2(Math.max(used, 1))) : Math.ceil(used / 64) * 64;
    this.offsets = [];
    const buckets = 1 << bits;
    this.table = new Int8Array(buckets * this.width);
    let offset = 0;
    for (const head of heads) {
      this.offsets.push(offset);
      const c = head.labels.length;
      for (let b = 0; b < buckets; b++) {
        const from = b * c;
        const to = b * this.width + offset;
        for (let k = 0; k < c; k++) this.table[to + k] = head.weights[from + k];
      }
      offset += c;
    }
    this.scratch = new Float64Array(this.width);
  }

  /** Logits of every head, in the order given to the constructor. */
  logits(x: SparseVector): Float64Array[] {
    const w = this.width;
    const acc = this.scratch;
    acc.fill(0);
    const { table } = this;
    const { index, value } = x;
    const used = this.used;
    for (let i = 0; i < index.length; i++) {
      const base = index[i] * w;
      const v = value[i];
      for (let r = 0; r < used; r++) acc[r] += table[base + r] * v;
    }
    return this.heads.map((head, h) => {
      const c = head.labels.length;
      const out = new Float64Array(c);
      const offset = this.offsets[h];
      for (let k = 0; k < c; k++) out[k] = acc[offset + k] * head.scale[k] + head.bias[k];
      return out;
    });
  }
}
