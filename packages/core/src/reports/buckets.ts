import { bucketStart } from '../storage/index.js';

/** Time buckets an insight report can use. Fixed-length in UTC, so bucket math is arithmetic. */
export type InsightBucket = 'hour' | 'day' | 'week';

const HOUR_MS = 3_600_000;

/** Length of one bucket in milliseconds (UTC has no daylight saving, so days are always 24 h). */
export const BUCKET_MS: Record<InsightBucket, number> = { hour: HOUR_MS, day: 24 * HOUR_MS, week: 7 * 24 * HOUR_MS };

/** Epoch ms of the start of the bucket holding `iso` (weeks start on Monday, as in storage). */
export function alignedStart(iso: string, bucket: InsightBucket): number {
  return Date.parse(bucketStart(iso, bucket) as string);
}

/** How many buckets cover [`from`, `to`): the first starts at or before `from`. */
export function bucketCount(fromMs: number, toMs: number, bucket: InsightBucket): number {
  if (toMs <= fromMs) return 0;
  const start = alignedStart(new Date(fromMs).toISOString(), bucket);
  return Math.ceil((toMs - start) / BUCKET_MS[bucket]);
}

/** The bucket starts (epoch ms) covering [`fromMs`, `toMs`), oldest first. */
export function bucketStarts(fromMs: number, toMs: number, bucket: InsightBucket): number[] {
  const step = BUCKET_MS[bucket];
  const starts: number[] = [];
  for (let t = alignedStart(new Date(fromMs).toISOString(), bucket); t < toMs; t += step) starts.push(t);
  return starts;
}
