/**
 * Spike detection on a bucketed series: each bucket against the median of its trailing window,
 * scaled by the window's median absolute deviation. Median and MAD, unlike mean and standard
 * deviation, are not dragged by the spikes they are looking for; the floor keeps a flat window
 * (MAD 0) from turning every small wobble into an infinite z-score.
 */

/** Options of {@link detectSpikes}. */
export interface SpikeOptions {
  /** Buckets of trailing history each bucket is compared with. */
  window: number;
  /** z-score at or above which a bucket is reported. */
  sensitivity: number;
  /** The smallest scale allowed for bucket `index` whose window median is `expected`. */
  floor: (expected: number, index: number) => number;
  /** Whether bucket `index` is big enough to report at all. @default always */
  eligible?: (index: number) => boolean;
  /** First index that may be reported; earlier buckets are history only. @default 0 */
  start?: number;
  /** Index past the last one that may be reported (e.g. the first future bucket). @default series length */
  end?: number;
}

/** A bucket found far above its trailing window. */
export interface Spike {
  index: number;
  value: number;
  expected: number;
  z: number;
  /** Buckets of history the expectation used. */
  window: number;
}

/** MAD × this estimates the standard deviation of normally distributed data. */
const MAD_TO_SD = 1.4826;

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Finds upward spikes. Null values are missing (too little data in that bucket to say): they are
 * never reported and never part of a window. A bucket needs at least a third of its window (and at
 * least three buckets) of history, so the first buckets of a series are not judged on nothing.
 */
export function detectSpikes(series: readonly (number | null)[], options: SpikeOptions): Spike[] {
  const minHistory = Math.max(3, Math.ceil(options.window / 3));
  const spikes: Spike[] = [];
  const end = Math.min(options.end ?? series.length, series.length);
  for (let i = Math.max(0, options.start ?? 0); i < end; i++) {
    const value = series[i];
    if (value === null || value === undefined) continue;
    if (options.eligible && !options.eligible(i)) continue;
    const history = series.slice(Math.max(0, i - options.window), i).filter((v): v is number => v !== null);
    if (history.length < minHistory) continue;
    const expected = median(history);
    const mad = median(history.map((v) => Math.abs(v - expected)));
    const scale = Math.max(MAD_TO_SD * mad, options.floor(expected, i), Number.EPSILON);
    const z = (value - expected) / scale;
    if (z >= options.sensitivity) spikes.push({ index: i, value, expected, z, window: history.length });
  }
  return spikes;
}
