/**
 * Log-scale latency histogram kept in the counters, so percentiles of a province-year come from a
 * few hundred integers instead of a million rows. Bucket 0 holds values ≤ 0 (a dispatch inside
 * the hub arrives in the same write), bucket 1 holds (0, 1 s], bucket k ≥ 2 holds
 * (1 s·2^((k−2)/4), 1 s·2^((k−1)/4)]: four buckets per doubling, so a bucket's upper bound is at
 * most 2^(1/4) ≈ 1.19 times its lower bound. Bounds are integer milliseconds computed once, and
 * values are placed by integer comparison, so placing is exact and the same everywhere.
 */
export const HISTOGRAM_BUCKETS = 130;
/** Ratio between a bucket's upper and lower bound (k ≥ 2), up to the rounding to whole ms. */
export const HISTOGRAM_RESOLUTION = 2 ** 0.25;

/** UPPER[k] = largest value in bucket k (ms); the last bucket is open (Infinity). */
const UPPER: number[] = Array.from({ length: HISTOGRAM_BUCKETS }, (_, k) =>
  k === 0
    ? 0
    : k === HISTOGRAM_BUCKETS - 1
      ? Number.POSITIVE_INFINITY
      : Math.ceil(1000 * 2 ** ((k - 1) / 4)),
);

/** The bucket holding a latency in ms (first bucket whose upper bound is ≥ it). */
export function bucketOf(ms: number): number {
  let lo = 0;
  let hi = HISTOGRAM_BUCKETS - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (UPPER[mid]! >= ms) hi = mid;
    else lo = mid + 1;
  }

  return lo;
}

/** Bounds of a bucket: values v with lower < v ≤ upper (null lower: −∞; null upper: +∞). */
export function bucketBounds(k: number): { lower: number | null; upper: number | null } {
  const upper = UPPER[k]!;

  return {
    lower: k === 0 ? null : UPPER[k - 1]!,
    upper: Number.isFinite(upper) ? upper : null,
  };
}

export type Histogram = Record<string, number>;

export type ApproxPercentile = {
  /** The bucket's upper bound (the exact nearest-rank value is ≤ it and > lower). */
  value: number | null;
  lower: number | null;
  upper: number | null;
};

/**
 * Nearest-rank percentile (rank ⌈p·n/100⌉, as the exact path) located in the histogram: the
 * answer is the bucket holding the value of that rank, reported by its bounds.
 */
export function histogramPercentile(h: Histogram, n: number, p: number): ApproxPercentile {
  if (n <= 0) return { value: null, lower: null, upper: null };
  const rank = Math.ceil((p * n) / 100);
  const keys = Object.keys(h)
    .map(Number)
    .filter((k) => (h[String(k)] ?? 0) > 0)
    .sort((a, b) => a - b);
  let seen = 0;
  for (const k of keys) {
    seen += h[String(k)]!;
    if (seen >= rank) {
      const b = bucketBounds(k);

      return { value: b.upper ?? b.lower, ...b };
    }
  }

  return { value: null, lower: null, upper: null };
}

/** Number of values in a histogram. */
export function histogramCount(h: Histogram): number {
  return Object.values(h).reduce((a, b) => a + b, 0);
}
