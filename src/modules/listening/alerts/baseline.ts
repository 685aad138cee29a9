/**
 * Baselines for alert rules that learn daily and weekly seasonality, so that a normal Monday
 * morning is no alarm but a storm at 2 a.m. on a Sunday is.
 *
 * Input is a series of hourly counts ending with the hour being judged. The expected count for that
 * hour is the median of the same hour on the previous weeks (weekly seasonality); with fewer than two
 * weeks of history it falls back to the same hour on previous days. The expectation is scaled by the
 * recent level (how the last day compared to its own seasonal expectation), and the spread is the
 * larger of Poisson noise and the seasonal samples' median absolute deviation.
 */

const hoursPerDay = 24;
const hoursPerWeek = 168;

export interface SpikeJudgement {
  observed: number;
  expected: number;
  /** How many spreads above the expectation the observed count lies. */
  z: number;
  spike: boolean;
}

export interface SpikeRule {
  /** z-score from which it is a spike (default 4). */
  threshold?: number;
  /** Fewer mentions than this are never a spike, however quiet the usual hour (default 10). */
  minCount?: number;
}

export function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = values.toSorted((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The counts at the same position one, two, … periods back. */
function seasonalSamples(hourly: number[], index: number, period: number, max: number): number[] {
  const samples: number[] = [];
  for (let back = index - period; back >= 0 && samples.length < max; back -= period)
    samples.push(hourly[back]!);
  return samples;
}

function seasonalExpectation(hourly: number[], index: number): { expected: number; samples: number[] } {
  const weekly = seasonalSamples(hourly, index, hoursPerWeek, 4);
  const samples = weekly.length >= 2 ? weekly : seasonalSamples(hourly, index, hoursPerDay, 7);
  return { expected: median(samples), samples };
}

/** Judges the last hour of `hourly` (oldest first) against its seasonal baseline. */
export function judgeLastHour(hourly: number[], rule: SpikeRule = {}): SpikeJudgement {
  const threshold = rule.threshold ?? 4;
  const minCount = rule.minCount ?? 10;
  const index = hourly.length - 1;
  const observed = hourly[index] ?? 0;
  const { expected: seasonal, samples } = seasonalExpectation(hourly, index);
  // Recent level: did the last day run above or below its own seasonal expectation?
  let actual = 0;
  let predicted = 0;
  for (let i = Math.max(0, index - hoursPerDay); i < index; i += 1) {
    actual += hourly[i]!;
    predicted += seasonalExpectation(hourly, i).expected;
  }
  const level = predicted > 0 ? Math.min(3, Math.max(1 / 3, actual / predicted)) : 1;
  const expected = seasonal * level;
  const mad = median(samples.map((s) => Math.abs(s - seasonal))) * 1.4826;
  const spread = Math.max(1, Math.sqrt(expected), mad);
  const z = (observed - expected) / spread;
  return { observed, expected, z, spike: observed >= minCount && z >= threshold };
}

export interface ShareJudgement {
  share: number;
  baselineShare: number;
  z: number;
  spike: boolean;
}

/**
 * Whether the share of negative mentions in the window is far above its usual share (a one-sided
 * z-test of proportions). This is the storm early warning: many people angry at once.
 */
export function judgeNegativeShare(props: {
  negative: number;
  total: number;
  baselineNegative: number;
  baselineTotal: number;
  threshold?: number;
  minCount?: number;
  minShare?: number;
}): ShareJudgement {
  const threshold = props.threshold ?? 3;
  const share = props.total === 0 ? 0 : props.negative / props.total;
  // A little prior keeps a quiet history from making every negative post look like a storm.
  const baselineShare = (props.baselineNegative + 1) / (props.baselineTotal + 4);
  const standardError = Math.sqrt((baselineShare * (1 - baselineShare)) / Math.max(1, props.total));
  const z = (share - baselineShare) / standardError;
  return {
    share,
    baselineShare,
    z,
    spike: props.negative >= (props.minCount ?? 10) && share >= (props.minShare ?? 0.5) && z >= threshold,
  };
}
