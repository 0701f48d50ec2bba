import { describe, expect, it } from 'vitest';
import { isTributaryError, type TributaryError } from '@tributary/core/errors';
import type { Analysis, CategoryLabel, TributaryRecord } from '@tributary/core/record';
import { insightReport, MAX_INSIGHT_BUCKETS, type InsightQuery } from '@tributary/core/reports';
import { createMemoryStorage } from '@tributary/core/storage/memory';
import { makeMeasurement, makeRecord } from '@tributary/core/testing';

const WS = 'ws_insights';

interface Item {
  id: string;
  at: string;
  source: string;
  language?: string;
  category?: CategoryLabel;
  sentiment?: [number, number?];
  topics?: string[];
  text?: string;
}

/** A feedback record with a hand-set analysis; the language is declared, so it adds no confidence. */
function feedback(item: Item, workspaceId = WS): TributaryRecord {
  const analysis: Analysis = {};
  if (item.sentiment) {
    const [score, confidence] = item.sentiment;
    analysis.sentiment = { label: score > 0 ? 'positive' : score < 0 ? 'negative' : 'neutral', score, ...(confidence !== undefined ? { confidence } : {}) };
  }
  if (item.category) analysis.category = { label: item.category, confidence: item.sentiment?.[1] ?? 0.5 };
  if (item.topics) analysis.topics = item.topics;
  return makeRecord({
    workspaceId,
    sourceId: item.source,
    externalId: item.id,
    occurredAt: item.at,
    ...(item.language ? { language: item.language } : {}),
    content: { title: null, text: item.text ?? `Item ${item.id} about ${(item.topics ?? []).join(', ')}` },
    analysis,
  });
}

/**
 * The period is Mon 2 – Thu 5 March 2026 (three days); the previous period 27 Feb – 2 Mar.
 * Numbers in the expectations below are worked out by hand from these lines.
 */
const PERIOD = { workspaceId: WS, from: '2026-03-02T00:00:00.000Z', to: '2026-03-05T00:00:00.000Z', bucket: 'day' } as const;
const SMALL: Item[] = [
  { id: 'r1', at: '2026-03-02T09:00:00.000Z', source: 'src_a', language: 'en', category: 'complaint', sentiment: [-0.8, 0.9], topics: ['checkout', 'payment'], text: 'Checkout fails at the payment step' },
  { id: 'r2', at: '2026-03-02T15:00:00.000Z', source: 'src_b', language: 'de', category: 'question', sentiment: [0, 0.5], topics: ['export'] },
  { id: 'r3', at: '2026-03-04T10:00:00.000Z', source: 'src_a', language: 'en', category: 'praise', sentiment: [0.6, 0.5], topics: ['dashboard'] },
  { id: 'r4', at: '2026-03-04T11:00:00.000Z', source: 'src_a', language: 'en', category: 'complaint', sentiment: [-0.4, 0.5], topics: ['checkout'], text: 'Checkout is slow' },
  { id: 'r5', at: '2026-03-04T12:00:00.000Z', source: 'src_c', language: 'fr', topics: ['checkout'], text: 'Le checkout est lent' },
  // previous period
  { id: 'p1', at: '2026-02-28T10:00:00.000Z', source: 'src_a', language: 'en', category: 'complaint', sentiment: [-0.5], topics: ['checkout'] },
  { id: 'p2', at: '2026-03-01T10:00:00.000Z', source: 'src_b', language: 'en', category: 'question', sentiment: [0], topics: ['export'] },
  { id: 'p3', at: '2026-03-01T11:00:00.000Z', source: 'src_b', language: 'en', category: 'question', sentiment: [0], topics: ['export'] },
  // before both periods, and at the exclusive end
  { id: 'o1', at: '2026-02-20T10:00:00.000Z', source: 'src_a', language: 'en', sentiment: [-1], topics: ['checkout'] },
  { id: 'o2', at: '2026-03-05T00:00:00.000Z', source: 'src_a', language: 'en', sentiment: [-1], topics: ['checkout'] },
];

async function smallStorage() {
  const storage = createMemoryStorage();
  await storage.upsertRecords(SMALL.map((i) => feedback(i)));
  // A value record inside the period (insights are about feedback) and a record of another workspace.
  await storage.upsertRecords([
    makeRecord({ workspaceId: WS, sourceId: 'src_a', externalId: 'm1', occurredAt: '2026-03-03T10:00:00.000Z', measurement: makeMeasurement({ time: '2026-03-03T10:00:00.000Z' }) }),
    feedback({ id: 'x1', at: '2026-03-03T10:00:00.000Z', source: 'src_a', sentiment: [-1], topics: ['checkout'] }, 'ws_other'),
  ]);
  return storage;
}

describe('insightReport on a hand-computed dataset', () => {
  it('summarizes the period against the previous one', async () => {
    const report = await insightReport(await smallStorage(), PERIOD);
    expect(report.previousPeriod).toEqual({ from: '2026-02-27T00:00:00.000Z', to: '2026-03-02T00:00:00.000Z' });
    // r1..r5; sentiment of r1..r4: (-0.8 + 0 + 0.6 - 0.4) / 4 = -0.15
    expect(report.summary).toEqual({ count: 5, sentimentCount: 4, meanSentiment: -0.15, positive: 1, negative: 2, neutral: 1, negativeShare: 0.5, previousCount: 3, change: { absolute: 2, relative: 0.6667 } });
  });

  it('fills every bucket, empty ones with zeros', async () => {
    const report = await insightReport(await smallStorage(), PERIOD);
    expect(report.timeline).toEqual([
      { bucket: '2026-03-02T00:00:00.000Z', partial: false, count: 2, sentimentCount: 2, meanSentiment: -0.4, positive: 0, negative: 1, neutral: 1, negativeShare: 0.5 },
      { bucket: '2026-03-03T00:00:00.000Z', partial: false, count: 0, sentimentCount: 0, meanSentiment: null, positive: 0, negative: 0, neutral: 0, negativeShare: null },
      { bucket: '2026-03-04T00:00:00.000Z', partial: false, count: 3, sentimentCount: 2, meanSentiment: 0.1, positive: 1, negative: 1, neutral: 0, negativeShare: 0.5 },
    ]);
  });

  it('breaks down by source, language and category, records without a value last', async () => {
    const { breakdown } = await insightReport(await smallStorage(), PERIOD);
    const brief = (rows: typeof breakdown.sources) => rows.map((r) => [r.value, r.count, r.share, r.meanSentiment]);
    expect(brief(breakdown.sources)).toEqual([
      ['src_a', 3, 0.6, -0.2],
      ['src_b', 1, 0.2, 0],
      ['src_c', 1, 0.2, null],
    ]);
    expect(brief(breakdown.languages)).toEqual([
      ['en', 3, 0.6, -0.2],
      ['de', 1, 0.2, 0],
      ['fr', 1, 0.2, null],
    ]);
    expect(brief(breakdown.categories)).toEqual([
      ['complaint', 2, 0.4, -0.6],
      ['praise', 1, 0.2, 0.6],
      ['question', 1, 0.2, 0],
      [null, 1, 0.2, null],
    ]);
  });

  it('ranks topics with sentiment, share and change against the previous period', async () => {
    const { topTopics } = await insightReport(await smallStorage(), { ...PERIOD, examplesPerTopic: 0 });
    expect(topTopics.map(({ topic, count, share, meanSentiment, previousCount, change, isNew }) => ({ topic, count, share, meanSentiment, previousCount, change, isNew }))).toEqual([
      { topic: 'checkout', count: 3, share: 0.6, meanSentiment: -0.6, previousCount: 1, change: { absolute: 2, relative: 2 }, isNew: false },
      { topic: 'dashboard', count: 1, share: 0.2, meanSentiment: 0.6, previousCount: 0, change: { absolute: 1, relative: null }, isNew: true },
      { topic: 'export', count: 1, share: 0.2, meanSentiment: 0, previousCount: 2, change: { absolute: -1, relative: -0.5 }, isNew: false },
      { topic: 'payment', count: 1, share: 0.2, meanSentiment: -0.8, previousCount: 0, change: { absolute: 1, relative: null }, isNew: true },
    ]);
    expect(topTopics.every((t) => t.examples.length === 0)).toBe(true);
  });

  it('limits the ranking to topTopics', async () => {
    const { topTopics } = await insightReport(await smallStorage(), { ...PERIOD, topTopics: 2 });
    expect(topTopics.map((t) => t.topic)).toEqual(['checkout', 'dashboard']);
  });

  it('finds emerging topics: grown past the threshold, or new, with enough records', async () => {
    const storage = await smallStorage();
    const strict = await insightReport(storage, PERIOD);
    expect(strict.emergingTopics).toEqual([{ topic: 'checkout', count: 3, previousCount: 1, change: { absolute: 2, relative: 2 }, isNew: false, meanSentiment: -0.6 }]);
    const loose = await insightReport(storage, { ...PERIOD, emergingMinCount: 1 });
    expect(loose.emergingTopics.map((t) => [t.topic, t.isNew])).toEqual([
      ['checkout', false],
      ['dashboard', true],
      ['payment', true],
    ]);
    const steep = await insightReport(storage, { ...PERIOD, emergingMinCount: 1, emergingMinGrowth: 3 });
    expect(steep.emergingTopics.map((t) => t.topic)).toEqual(['dashboard', 'payment']);
  });

  it('picks representative examples: central, confident, about the topic first', async () => {
    const { topTopics } = await insightReport(await smallStorage(), { ...PERIOD, examplesPerTopic: 2 });
    const checkout = topTopics.find((t) => t.topic === 'checkout')!;
    // mean -0.6. r1: 0.4·(1 − 0.2/2) + 0.3·0.9 + 0.3·1 = 0.93; r4: 0.4·0.9 + 0.3·0.5 + 0.3 = 0.81; r5 (no sentiment): 0.65
    expect(checkout.examples.map((e) => [e.text, e.score])).toEqual([
      ['Checkout fails at the payment step', 0.93],
      ['Checkout is slow', 0.81],
    ]);
    expect(checkout.examples[0]).toMatchObject({ sourceId: 'src_a', occurredAt: '2026-03-02T09:00:00.000Z', sentiment: { label: 'negative', score: -0.8 }, category: 'complaint', language: 'en' });
    expect(topTopics.find((t) => t.topic === 'payment')!.examples.map((e) => e.text)).toEqual(['Checkout fails at the payment step']);
  });
});

describe('insightReport filters', () => {
  it('by source', async () => {
    const report = await insightReport(await smallStorage(), { ...PERIOD, sources: ['src_a'] });
    expect(report.filters).toEqual({ sources: ['src_a'] });
    expect(report.summary).toMatchObject({ count: 3, previousCount: 1, meanSentiment: -0.2 });
    expect(report.timeline.map((p) => p.count)).toEqual([1, 0, 2]);
    expect(report.breakdown.sources.map((r) => r.value)).toEqual(['src_a']);
    expect(report.topTopics.map((t) => [t.topic, t.count])).toEqual([
      ['checkout', 2],
      ['dashboard', 1],
      ['payment', 1],
    ]);
  });

  it('by language', async () => {
    const report = await insightReport(await smallStorage(), { ...PERIOD, languages: ['de', 'fr'] });
    expect(report.summary).toMatchObject({ count: 2, previousCount: 0, change: { absolute: 2, relative: null } });
    expect(report.breakdown.languages.map((r) => r.value)).toEqual(['de', 'fr']);
    expect(report.topTopics.map((t) => t.topic)).toEqual(['checkout', 'export']);
    expect(report.topTopics[0]!.examples.map((e) => e.text)).toEqual(['Le checkout est lent']);
  });

  it('by category', async () => {
    const report = await insightReport(await smallStorage(), { ...PERIOD, categories: ['complaint'] });
    expect(report.summary).toMatchObject({ count: 2, negative: 2, previousCount: 1, negativeShare: 1 });
    expect(report.topTopics.map((t) => [t.topic, t.count, t.previousCount])).toEqual([
      ['checkout', 2, 1],
      ['payment', 1, 0],
    ]);
  });

  it('combined filters that match nothing give an empty, zero-filled report', async () => {
    const report = await insightReport(await smallStorage(), { ...PERIOD, sources: ['src_c'], categories: ['praise'] });
    expect(report.summary).toMatchObject({ count: 0, meanSentiment: null, negativeShare: null });
    expect(report.timeline).toHaveLength(3);
    expect(report.timeline.every((p) => p.count === 0)).toBe(true);
    expect(report.topTopics).toEqual([]);
    expect(report.emergingTopics).toEqual([]);
    expect(report.anomalies).toEqual([]);
  });
});

describe('insightReport buckets', () => {
  it('hour buckets zero-fill the whole period', async () => {
    const report = await insightReport(await smallStorage(), { ...PERIOD, from: '2026-03-02T08:00:00.000Z', to: '2026-03-02T16:00:00.000Z', bucket: 'hour' });
    expect(report.timeline).toHaveLength(8);
    expect(report.timeline.map((p) => p.count)).toEqual([0, 1, 0, 0, 0, 0, 0, 1]);
  });

  it('week buckets start on Monday; a bucket cut by the period is partial', async () => {
    // Wed 25 Feb to Thu 5 Mar: the week of Mon 23 Feb (cut), and the week of Mon 2 Mar (cut).
    const report = await insightReport(await smallStorage(), { ...PERIOD, from: '2026-02-25T00:00:00.000Z', bucket: 'week' });
    expect(report.timeline.map((p) => [p.bucket, p.count, p.partial])).toEqual([
      ['2026-02-23T00:00:00.000Z', 3, true],
      ['2026-03-02T00:00:00.000Z', 5, true],
    ]);
  });

  it('marks buckets reaching past now as partial', async () => {
    const report = await insightReport(await smallStorage(), { ...PERIOD, now: '2026-03-03T12:00:00.000Z' });
    expect(report.timeline.map((p) => p.partial)).toEqual([false, true, true]);
  });
});

describe('insightReport validation', () => {
  const failure = async (query: unknown): Promise<TributaryError> => {
    const error = await insightReport(createMemoryStorage(), query as InsightQuery).then(
      () => null,
      (e: unknown) => e,
    );
    if (!isTributaryError(error, 'validation')) throw new Error(`expected a validation error, got ${String(error)}`);
    return error;
  };
  const paths = (e: TributaryError) => e.issues.map((i) => i.path);

  it('refuses from at or after to, naming to', async () => {
    const error = await failure({ ...PERIOD, from: PERIOD.to });
    expect(paths(error)).toEqual(['to']);
    expect(error.message).toContain('to: must be after from');
  });

  it('names a field that is not a date', async () => {
    expect(paths(await failure({ ...PERIOD, from: 'yesterday' }))).toEqual(['from']);
  });

  it('caps the number of buckets', async () => {
    const error = await failure({ ...PERIOD, from: '2026-01-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z', bucket: 'hour' });
    expect(paths(error)).toEqual(['bucket']);
    expect(error.issues[0]!.message).toContain(`at most ${MAX_INSIGHT_BUCKETS}`);
    await expect(insightReport(createMemoryStorage(), { ...PERIOD, from: '2026-01-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z', bucket: 'day' })).resolves.toBeDefined();
  });

  it('names bad options and unknown keys', async () => {
    expect(paths(await failure({ ...PERIOD, bucket: 'month' }))).toEqual(['bucket']);
    expect(paths(await failure({ ...PERIOD, topTopics: 0 }))).toEqual(['topTopics']);
    expect(paths(await failure({ ...PERIOD, sensitivity: -1 }))).toEqual(['sensitivity']);
    expect(paths(await failure({ ...PERIOD, categories: ['rant'] }))).toEqual(['categories.0']);
    expect(paths(await failure({ ...PERIOD, workspaceId: '' }))).toEqual(['workspaceId']);
    const typo = await failure({ ...PERIOD, source: ['src_a'] });
    expect(typo.message).toContain('source');
  });
});
