import { round } from './dates.js';
import type { PeriodChange, SentimentStats } from './insight-types.js';

/** The sums aggregate and topic rows share. */
export interface SentimentSums {
  count: number;
  sentimentCount: number;
  sentimentSum: number;
  positive: number;
  negative: number;
  neutral: number;
}

/** Empty sums, to add rows into. */
export const emptySums = (): SentimentSums => ({ count: 0, sentimentCount: 0, sentimentSum: 0, positive: 0, negative: 0, neutral: 0 });

/** Adds `row` into `into` (mutates and returns it). */
export function addSums(into: SentimentSums, row: SentimentSums): SentimentSums {
  into.count += row.count;
  into.sentimentCount += row.sentimentCount;
  into.sentimentSum += row.sentimentSum;
  into.positive += row.positive;
  into.negative += row.negative;
  into.neutral += row.neutral;
  return into;
}

/** Reported numbers are rounded to 4 places: engines add floats in different orders. */
export function statsOf(sums: SentimentSums): SentimentStats {
  return {
    count: sums.count,
    sentimentCount: sums.sentimentCount,
    meanSentiment: sums.sentimentCount > 0 ? round(sums.sentimentSum / sums.sentimentCount, 4) : null,
    positive: sums.positive,
    negative: sums.negative,
    neutral: sums.neutral,
    negativeShare: sums.sentimentCount > 0 ? round(sums.negative / sums.sentimentCount, 4) : null,
  };
}

/** The change from `previous` to `current`. */
export function changeOf(current: number, previous: number): PeriodChange {
  return { absolute: current - previous, relative: previous > 0 ? round((current - previous) / previous, 4) : null };
}
