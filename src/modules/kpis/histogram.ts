/**
 * Response-time buckets: whole minutes below two hours (exact to the minute), then buckets 5 %
 * wide. A percentile read from summed buckets is the lower edge of its minute bucket, or the
 * middle of a wider bucket (at most 2.5 % off).
 */
const exactMinutes = 120;
const growth = 1.05;
const maxBucket = 32_000;

export function bucketOf(minutes: number): number {
  const m = Math.max(0, minutes);
  if (m < exactMinutes) return Math.floor(m);
  const b = exactMinutes + Math.floor(Math.log(m / exactMinutes) / Math.log(growth));
  return Math.min(b, maxBucket);
}

export function bucketValue(bucket: number): number {
  if (bucket < exactMinutes) return bucket;
  return exactMinutes * growth ** (bucket - exactMinutes + 0.5);
}

/**
 * The nearest-rank percentile (`p` in 0–1) of a histogram: the smallest value with at least
 * ⌈p·n⌉ responses at or below it. null without responses.
 */
export function percentile(histogram: Map<number, number>, p: number): number | null {
  let total = 0;
  for (const n of histogram.values()) total += n;
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (const bucket of [...histogram.keys()].sort((a, b) => a - b)) {
    seen += histogram.get(bucket)!;
    if (seen >= rank) return bucketValue(bucket);
  }
  return null;
}
