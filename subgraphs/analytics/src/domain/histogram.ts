/**
 * Latency histograms with log-spaced buckets, so percentiles can be merged across minutes,
 * operations and clients by adding counts, and stay within a known relative error.
 *
 * Bucket 0 holds durations up to 1 ms; bucket b ≥ 1 holds (R^(b-1), R^b] ms with R = 1.05
 * (the last bucket, MAX_BUCKET, also holds everything longer: ~3.4 days). A bucket is read
 * as its geometric middle R^(b-½) (0.5 ms for bucket 0), so a percentile read from the
 * histogram is within √R − 1 ≈ 2.47% of the exact one, or within 0.5 ms below 1 ms.
 */
export const BUCKET_RATIO = 1.05;
export const MAX_BUCKET = 400;
/** The stated accuracy (API docs, tests): relative, and absolute for sub-millisecond values. */
export const PERCENTILE_RELATIVE_ERROR = 0.025;
export const PERCENTILE_ABSOLUTE_ERROR_MS = 0.5;

const LOG_RATIO = Math.log(BUCKET_RATIO);

export function bucketOf(durationMs: number): number {
  if (!(durationMs > 1)) return 0;
  // The epsilon keeps an exact bucket bound (R^b) in bucket b despite rounding in log().
  return Math.min(MAX_BUCKET, Math.max(1, Math.ceil(Math.log(durationMs) / LOG_RATIO - 1e-9)));
}

/** The value a bucket stands for: its geometric middle. */
export function bucketValue(bucket: number): number {
  return bucket <= 0 ? 0.5 : BUCKET_RATIO ** (bucket - 0.5);
}

/** Bucket → count. */
export type Histogram = Map<number, number>;

export function addTo(histogram: Histogram, bucket: number, count: number): void {
  histogram.set(bucket, (histogram.get(bucket) ?? 0) + count);
}

/**
 * The nearest-rank percentile `p` (0 < p ≤ 1) read from a histogram: the value of the
 * bucket holding the ⌈p·N⌉-th smallest duration. Null for an empty histogram.
 */
export function percentile(histogram: Histogram, p: number): number | null {
  let total = 0;
  for (const count of histogram.values()) total += count;
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (const bucket of [...histogram.keys()].sort((a, b) => a - b)) {
    seen += histogram.get(bucket)!;
    if (seen >= rank) return round(bucketValue(bucket));
  }
  return round(bucketValue(MAX_BUCKET));
}

/** Three decimals: microseconds are noise here. */
const round = (ms: number) => Math.round(ms * 1000) / 1000;
