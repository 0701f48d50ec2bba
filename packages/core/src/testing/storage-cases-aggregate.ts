import { expect } from 'vitest';
import type { AggregateDimension, AggregateQuery, AggregateRow, TimeBucket } from '../storage/index.js';
import { aggregateRecords } from '../storage/memory/index.js';
import { generateDataset } from './storage-dataset.js';
import { makeMeasurement, makeRecord } from './records.js';
import type { StorageCase } from './storage-kit.js';

/**
 * Rows in a comparable form: times as canonical ISO (engines format them their own way), float sums
 * rounded (engines add in their own order), rows sorted (the port fixes no order).
 */
function normalize(rows: AggregateRow[]): AggregateRow[] {
  const iso = (v: string) => new Date(v).toISOString();
  return rows
    .map((r) => ({
      bucket: r.bucket === null ? null : iso(r.bucket),
      group: Object.fromEntries(Object.entries(r.group).sort(([a], [b]) => (a < b ? -1 : 1))),
      count: r.count,
      sentimentCount: r.sentimentCount,
      sentimentSum: Math.round(r.sentimentSum * 1e6) / 1e6,
      positive: r.positive,
      negative: r.negative,
      neutral: r.neutral,
      valueSum: r.valueSum,
      firstAt: iso(r.firstAt),
      lastAt: iso(r.lastAt),
    }))
    .sort((a, b) => {
      const ka = JSON.stringify([a.bucket, a.group]);
      const kb = JSON.stringify([b.bucket, b.group]);
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
}

const BUCKETS: TimeBucket[] = ['hour', 'day', 'week', 'month', 'all'];
const GROUPINGS: AggregateDimension[][] = [[], ['sentiment'], ['sourceId', 'kind'], ['language'], ['category'], ['itemType'], ['destinationId', 'measurementType', 'unit']];

/** Aggregates by bucket and group, exact sums, and rollups that follow edits. */
export const storageAggregateCases: Record<string, StorageCase> = {
  'aggregate matches the reference for every bucket and grouping': async ({ storage, workspace }) => {
    const ws = workspace();
    const records = generateDataset(ws);
    await storage.upsertRecords(records);
    await storage.upsertRecords(generateDataset(workspace('decoy'), 30, 11));
    const queries: AggregateQuery[] = [];
    for (const bucket of BUCKETS) for (const groupBy of GROUPINGS) queries.push({ workspaceId: ws, bucket, groupBy });
    queries.push(
      { workspaceId: ws },
      { workspaceId: ws, bucket: 'day', from: '2026-01-20T00:00:00.000Z', to: '2026-02-15T00:00:00.000Z', groupBy: ['sentiment'] },
      { workspaceId: ws, bucket: 'week', where: { sourceId: ['src_a', 'src_b'] }, groupBy: ['sourceId'] },
      { workspaceId: ws, bucket: 'month', where: { kind: ['measurement'], unit: ['EUR'] }, groupBy: ['destinationId'] },
      { workspaceId: ws, where: { sentiment: ['negative'] }, groupBy: ['category', 'language'] },
    );
    for (const query of queries) {
      const actual = normalize(await storage.aggregate(query));
      expect(actual, `aggregate ${JSON.stringify(query)}`).toEqual(normalize(aggregateRecords(records, query)));
    }
    // The reference itself: every record counted once in the total.
    const [total] = await storage.aggregate({ workspaceId: ws });
    expect(total?.count).toBe(records.length);
  },

  'aggregate counts, sentiment sums and exact decimal sums': async ({ storage, workspace }) => {
    const ws = workspace();
    const m = (value: string, time: string) => makeRecord({ workspaceId: ws, occurredAt: time, measurement: makeMeasurement({ value, time, unit: 'EUR' }) });
    await storage.upsertRecords([
      m('0.1', '2026-01-05T10:15:00.000Z'),
      m('0.2', '2026-01-05T11:45:00.000Z'),
      m('-0.05', '2026-01-12T09:00:00.000Z'),
      makeRecord({ workspaceId: ws, occurredAt: '2026-01-05T10:30:00.000Z', analysis: { sentiment: { label: 'positive', score: 0.75 } } }),
      makeRecord({ workspaceId: ws, occurredAt: '2026-01-06T10:30:00.000Z', analysis: { sentiment: { label: 'negative', score: -0.25 } } }),
      makeRecord({ workspaceId: ws, occurredAt: '2026-01-07T10:30:00.000Z' }),
    ]);
    const byKind = normalize(await storage.aggregate({ workspaceId: ws, groupBy: ['kind'] }));
    expect(byKind).toEqual([
      { bucket: null, group: { kind: 'feedback' }, count: 3, sentimentCount: 2, sentimentSum: 0.5, positive: 1, negative: 1, neutral: 0, valueSum: '0', firstAt: '2026-01-05T10:30:00.000Z', lastAt: '2026-01-07T10:30:00.000Z' },
      { bucket: null, group: { kind: 'measurement' }, count: 3, sentimentCount: 0, sentimentSum: 0, positive: 0, negative: 0, neutral: 0, valueSum: '0.25', firstAt: '2026-01-05T10:15:00.000Z', lastAt: '2026-01-12T09:00:00.000Z' },
    ]);
    const hourly = normalize(await storage.aggregate({ workspaceId: ws, bucket: 'hour', where: { kind: ['measurement'] } }));
    expect(hourly.map((r) => [r.bucket, r.count, r.valueSum])).toEqual([
      ['2026-01-05T10:00:00.000Z', 1, '0.1'],
      ['2026-01-05T11:00:00.000Z', 1, '0.2'],
      ['2026-01-12T09:00:00.000Z', 1, '-0.05'],
    ]);
    const weekly = normalize(await storage.aggregate({ workspaceId: ws, bucket: 'week', where: { kind: ['measurement'] } }));
    // Weeks start on Monday (2026-01-05 and 2026-01-12 are Mondays): 0.1 + 0.2 is exactly 0.3.
    expect(weekly.map((r) => [r.bucket, r.count, r.valueSum])).toEqual([
      ['2026-01-05T00:00:00.000Z', 2, '0.3'],
      ['2026-01-12T00:00:00.000Z', 1, '-0.05'],
    ]);
    const bySentiment = normalize(await storage.aggregate({ workspaceId: ws, bucket: 'month', groupBy: ['sentiment'], where: { kind: ['feedback'] } }));
    expect(bySentiment.map((r) => [r.bucket, r.group.sentiment, r.count])).toEqual([
      ['2026-01-01T00:00:00.000Z', 'negative', 1],
      ['2026-01-01T00:00:00.000Z', 'positive', 1],
      ['2026-01-01T00:00:00.000Z', null, 1],
    ]);
  },

  'aggregates follow an edited record and a re-analysis': async ({ storage, workspace }) => {
    const ws = workspace();
    const base = makeRecord({ workspaceId: ws, occurredAt: '2026-02-03T12:00:00.000Z', content: { text: 'great' }, analysis: { sentiment: { label: 'positive', score: 0.9 } } });
    const steady = makeRecord({ workspaceId: ws, occurredAt: '2026-02-04T12:00:00.000Z', analysis: { sentiment: { label: 'positive', score: 0.5 } } });
    await storage.upsertRecords([base, steady]);
    const sentiments = async () =>
      normalize(await storage.aggregate({ workspaceId: ws, bucket: 'day', groupBy: ['sentiment'] })).map((r) => [r.bucket, r.group.sentiment, r.count, r.sentimentSum]);
    expect(await sentiments()).toEqual([
      ['2026-02-03T00:00:00.000Z', 'positive', 1, 0.9],
      ['2026-02-04T00:00:00.000Z', 'positive', 1, 0.5],
    ]);
    // The edit changes the text, the day and the sentiment: the old contribution must go away.
    const edit = {
      ...makeRecord({ workspaceId: ws, sourceId: base.sourceId, externalId: base.externalId, occurredAt: '2026-02-05T12:00:00.000Z', content: { text: 'actually broken' } }),
      analysis: { sentiment: { label: 'negative' as const, score: -0.6 } },
    };
    expect((await storage.upsertRecords([edit]))[0]?.status).toBe('updated');
    expect(await sentiments()).toEqual([
      ['2026-02-04T00:00:00.000Z', 'positive', 1, 0.5],
      ['2026-02-05T00:00:00.000Z', 'negative', 1, -0.6],
    ]);
    expect(await storage.updateAnalysis(ws, edit.id, edit.contentHash, { sentiment: { label: 'neutral', score: 0 } }, edit.provenance)).toBe(true);
    expect(await sentiments()).toEqual([
      ['2026-02-04T00:00:00.000Z', 'positive', 1, 0.5],
      ['2026-02-05T00:00:00.000Z', 'neutral', 1, 0],
    ]);
    const [total] = normalize(await storage.aggregate({ workspaceId: ws }));
    expect(total).toMatchObject({ count: 2, sentimentCount: 2, positive: 1, neutral: 1, negative: 0 });
  },
};
