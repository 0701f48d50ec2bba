import { aggregateTopicsOf, type AggregateDimension, type AggregateQuery, type AggregateRow, type StorageAdapter } from '../storage/index.js';
import { detectSpikes } from './anomalies.js';
import { BUCKET_MS, bucketStarts } from './buckets.js';
import { findExamples } from './examples.js';
import { parseInsightQuery, type InsightQuery, type ParsedInsightQuery } from './insight-query.js';
import type { Anomaly, BreakdownRow, InsightReport, TimelinePoint } from './insight-types.js';
import { round } from './dates.js';
import { addSums, changeOf, emptySums, statsOf, type SentimentSums } from './stats.js';
import { emergingTopics, rankTopics, sumTopics, topicCandidates, topTopicInsights } from './topics.js';

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Seed 000's GetInsightReports for one workspace and period: volume and sentiment per bucket
 * (zero-filled), breakdowns by source, language and category, top and emerging topics with their
 * change against the previous period of equal length, anomalies (spikes in volume or negative
 * share, robust z-score against a trailing window) and representative examples per topic.
 *
 * Every number comes from the storage port's rollups (`aggregate`, `aggregateTopicsOf`); only the
 * examples read records, a few bounded pages. Only feedback records count (value records have no
 * text to have insights about).
 *
 * @throws TributaryError `validation` naming the offending field (e.g. `to` not after `from`, too many buckets)
 * @example
 * const report = await insightReport(storage, { workspaceId: 'ws_1', from: '2026-03-01', to: '2026-03-08', bucket: 'day', languages: ['en'] });
 * report.anomalies // [{ bucket: '2026-03-05T00:00:00.000Z', metric: 'volume', value: 120, expected: 31, z: 9.1, window: 14 }]
 */
export async function insightReport(storage: StorageAdapter, query: InsightQuery): Promise<InsightReport> {
  const q = parseInsightQuery(query);
  const fromMs = Date.parse(q.from);
  const toMs = Date.parse(q.to);
  const previous = { from: iso(fromMs - (toMs - fromMs)), to: q.from };
  const scope = { workspaceId: q.workspaceId, where: whereOf(q) };
  const step = BUCKET_MS[q.bucket];
  const starts = bucketStarts(fromMs, toMs, q.bucket);
  const historyStarts = Array.from({ length: q.anomalyWindow }, (_, i) => starts[0]! - (q.anomalyWindow - i) * step);

  const [periodRows, historyRows, breakdownRows, previousRows, topicRows] = await Promise.all([
    storage.aggregate({ ...scope, from: q.from, to: q.to, bucket: q.bucket }),
    // The window before the period, so its first buckets are judged against real history.
    storage.aggregate({ ...scope, from: iso(historyStarts[0]!), to: iso(starts[0]!), bucket: q.bucket }),
    storage.aggregate({ ...scope, from: q.from, to: q.to, bucket: 'all', groupBy: ['sourceId', 'language', 'category'] }),
    storage.aggregate({ ...scope, from: previous.from, to: previous.to, bucket: 'all' }),
    aggregateTopicsOf(storage, { ...scope, from: q.from, to: q.to, bucket: 'all' }),
  ]);

  const periodSums = sumsByBucket(periodRows);
  const historySums = sumsByBucket(historyRows);
  // Whether records came before the history window: if not, its leading empty buckets are before
  // the data began. Asked only when the window starts empty.
  const dataBefore = (historySums.get(historyStarts[0]!)?.count ?? 0) > 0 || (await storage.aggregate({ ...scope, to: iso(historyStarts[0]!), bucket: 'all' })).some((r) => r.count > 0);
  const nowMs = q.now === undefined ? Infinity : Date.parse(q.now);
  const timeline: TimelinePoint[] = starts.map((start) => ({
    bucket: iso(start),
    partial: start < fromMs || start + step > Math.min(toMs, nowMs),
    ...statsOf(periodSums.get(start) ?? emptySums()),
  }));

  const total = breakdownRows.reduce((sums, row) => addSums(sums, row), emptySums());
  const previousCount = previousRows.reduce((n, row) => n + row.count, 0);

  const ranked = rankTopics(sumTopics(topicRows));
  const candidates = topicCandidates(ranked, q.topTopics, q.emergingMinCount);
  const previousTopics = candidates.length > 0 ? sumTopics(await aggregateTopicsOf(storage, { ...scope, from: previous.from, to: previous.to, bucket: 'all', topics: candidates })) : new Map<string, SentimentSums>();
  const topTopics = topTopicInsights(ranked, previousTopics, total.count, q.topTopics);
  const examples = await findExamples(
    storage,
    {
      workspaceId: q.workspaceId,
      from: q.from,
      to: q.to,
      kinds: ['feedback'],
      ...(q.sources ? { sourceIds: q.sources } : {}),
      ...(q.languages ? { languages: q.languages } : {}),
      ...(q.categories ? { categories: q.categories } : {}),
    },
    topTopics.map((t) => ({ topic: t.topic, meanSentiment: t.meanSentiment })),
    q.examplesPerTopic,
  );
  for (const t of topTopics) t.examples = examples.get(t.topic) ?? [];

  return {
    workspaceId: q.workspaceId,
    from: q.from,
    to: q.to,
    bucket: q.bucket,
    previousPeriod: previous,
    filters: {
      ...(q.sources ? { sources: q.sources } : {}),
      ...(q.languages ? { languages: q.languages } : {}),
      ...(q.categories ? { categories: q.categories } : {}),
    },
    summary: { ...statsOf(total), previousCount, change: changeOf(total.count, previousCount) },
    timeline,
    breakdown: {
      sources: breakdownBy(breakdownRows, 'sourceId', total.count),
      languages: breakdownBy(breakdownRows, 'language', total.count),
      categories: breakdownBy(breakdownRows, 'category', total.count),
    },
    topTopics,
    emergingTopics: emergingTopics(ranked, previousTopics, { minCount: q.emergingMinCount, minGrowth: q.emergingMinGrowth, limit: q.topTopics }),
    anomalies: findAnomalies(q, [...historyStarts, ...starts], (start) => (start < starts[0]! ? historySums : periodSums).get(start) ?? emptySums(), {
      firstReported: historyStarts.length,
      nowMs,
      dataBefore,
    }),
  };
}

/** The filters as an aggregate `where`; only feedback counts. */
function whereOf(q: ParsedInsightQuery): NonNullable<AggregateQuery['where']> {
  return {
    kind: ['feedback'],
    ...(q.sources ? { sourceId: q.sources } : {}),
    ...(q.languages ? { language: q.languages } : {}),
    ...(q.categories ? { category: q.categories } : {}),
  };
}

/** Rows summed per bucket start; keyed by epoch ms because engines format timestamps their own way. */
function sumsByBucket(rows: readonly AggregateRow[]): Map<number, SentimentSums> {
  const byBucket = new Map<number, SentimentSums>();
  for (const row of rows) {
    if (row.bucket === null) continue;
    const start = Date.parse(row.bucket);
    byBucket.set(start, addSums(byBucket.get(start) ?? emptySums(), row));
  }
  return byBucket;
}

/** One dimension of the grouped rows, largest first, records without a value last. */
function breakdownBy(rows: readonly AggregateRow[], dimension: AggregateDimension, total: number): BreakdownRow[] {
  const byValue = new Map<string | null, SentimentSums>();
  for (const row of rows) {
    const value = row.group[dimension] ?? null;
    byValue.set(value, addSums(byValue.get(value) ?? emptySums(), row));
  }
  return [...byValue.entries()]
    .map(([value, sums]) => ({ value, share: total > 0 ? round(sums.count / total, 4) : 0, ...statsOf(sums) }))
    .sort((a, b) => (a.value === null ? 1 : 0) - (b.value === null ? 1 : 0) || b.count - a.count || (a.value! < b.value! ? -1 : a.value! > b.value! ? 1 : 0));
}

/**
 * Spikes in volume and in negative share. Volume is scaled with a Poisson floor (√expected, at
 * least 1): a flat series of 10 a bucket tolerates about ±3 before a z of 1. Empty buckets before
 * the first record ever (`dataBefore` false) are missing, not zero: a source connected on Monday
 * is not a spike on Monday. Negative share uses a
 * binomial floor from the bucket's own sample, so a bucket with three sentiments, one negative, is
 * not a spike against a window at 10 %.
 */
function findAnomalies(q: ParsedInsightQuery, starts: readonly number[], sumsAt: (start: number) => SentimentSums, at: { firstReported: number; nowMs: number; dataBefore: boolean }): Anomaly[] {
  const sums = starts.map(sumsAt);
  const firstFuture = starts.findIndex((start) => start >= at.nowMs);
  const firstData = at.dataBefore ? 0 : sums.findIndex((s) => s.count > 0);
  const common = { window: q.anomalyWindow, sensitivity: q.sensitivity, start: at.firstReported, end: firstFuture < 0 ? starts.length : firstFuture };
  const volume = detectSpikes(
    sums.map((s, i) => (firstData < 0 || i < firstData ? null : s.count)),
    { ...common, floor: (expected) => Math.max(1, Math.sqrt(expected)), eligible: (i) => sums[i]!.count >= q.anomalyMinCount },
  ).map((s) => ({ ...s, metric: 'volume' as const }));
  const negative = detectSpikes(
    sums.map((s) => (s.sentimentCount > 0 ? s.negative / s.sentimentCount : null)),
    {
      ...common,
      floor: (expected, i) => {
        const p = Math.min(0.95, Math.max(0.05, expected));
        return Math.max(0.05, Math.sqrt((p * (1 - p)) / sums[i]!.sentimentCount));
      },
      eligible: (i) => sums[i]!.negative >= q.anomalyMinCount,
    },
  ).map((s) => ({ ...s, metric: 'negative_share' as const }));
  return [...volume, ...negative]
    .sort((a, b) => a.index - b.index || (a.metric < b.metric ? 1 : -1))
    .map((s) => ({ bucket: iso(starts[s.index]!), metric: s.metric, value: round(s.value, 4), expected: round(s.expected, 4), z: round(s.z, 2), window: s.window }));
}
