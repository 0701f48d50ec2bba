import { describe, expect, it } from 'vitest';
import { isTributaryError } from '@tributary/core/errors';
import { dailyReport, valueAggregates } from '@tributary/core/reports';
import { createMemoryStorage } from '@tributary/core/storage/memory';
import { makeMeasurement, makeRecord, type MeasurementFixture } from '@tributary/core/testing';

const WS = 'ws_values';

function value(fixture: MeasurementFixture & { recordId: string; time: string }, workspaceId = WS) {
  return makeRecord({ workspaceId, sourceId: 'src_values', externalId: fixture.recordId, occurredAt: fixture.time, measurement: makeMeasurement(fixture) });
}

/** Seed 003's records: values that float arithmetic would add wrongly, two destinations, both types. */
async function seeded() {
  const storage = createMemoryStorage();
  await storage.upsertRecords([
    value({ recordId: 'v1', time: '2026-01-10T10:00:00.000Z', destinationId: 'dst_b', type: 'positive', value: '0.1' }),
    value({ recordId: 'v2', time: '2026-01-11T10:00:00.000Z', destinationId: 'dst_b', type: 'positive', value: '0.2' }),
    value({ recordId: 'v3', time: '2026-01-12T10:00:00.000Z', destinationId: 'dst_a', type: 'negative', value: '-3' }),
    value({ recordId: 'v4', time: '2026-01-13T10:00:00.000Z', destinationId: 'dst_a', type: 'positive', value: '1000000.000001' }),
    value({ recordId: 'v5', time: '2026-01-14T10:00:00.000Z', destinationId: 'dst_b', type: 'negative', value: '0.07' }),
    // Another workspace, same destination: never counted here.
    value({ recordId: 'v6', time: '2026-01-12T10:00:00.000Z', destinationId: 'dst_b', type: 'positive', value: '5' }, 'ws_other'),
    // Feedback is not a value record.
    makeRecord({ workspaceId: WS, sourceId: 'src_values', externalId: 'f1', occurredAt: '2026-01-12T11:00:00.000Z', content: { text: 'hi' } }),
  ]);
  return storage;
}

const summary = (groups: Awaited<ReturnType<typeof valueAggregates>>['groups']) => groups.map((g) => [g.destinationId, g.count, g.total, g.records.map((r) => r.recordId)]);

describe('valueAggregates (seed 003)', () => {
  it('without start, end or type: every value record, grouped by destination, exact totals', async () => {
    const { groups } = await valueAggregates(await seeded(), { workspaceId: WS });
    expect(summary(groups)).toEqual([
      ['dst_a', 2, '999997.000001', ['v3', 'v4']],
      ['dst_b', 3, '0.37', ['v1', 'v2', 'v5']],
    ]);
  });

  it('0.1 + 0.2 is 0.3', async () => {
    const { groups } = await valueAggregates(await seeded(), { workspaceId: WS, end: '2026-01-12T00:00:00.000Z' });
    expect(summary(groups)).toEqual([['dst_b', 2, '0.3', ['v1', 'v2']]]);
  });

  it('start is inclusive and end exclusive; either may be given alone', async () => {
    const storage = await seeded();
    expect(summary((await valueAggregates(storage, { workspaceId: WS, start: '2026-01-13T10:00:00.000Z' })).groups)).toEqual([
      ['dst_a', 1, '1000000.000001', ['v4']],
      ['dst_b', 1, '0.07', ['v5']],
    ]);
    expect(summary((await valueAggregates(storage, { workspaceId: WS, start: '2026-01-11T10:00:00.000Z', end: '2026-01-13T10:00:00.000Z' })).groups)).toEqual([
      ['dst_a', 1, '-3', ['v3']],
      ['dst_b', 1, '0.2', ['v2']],
    ]);
  });

  it('filters by type', async () => {
    const storage = await seeded();
    expect(summary((await valueAggregates(storage, { workspaceId: WS, type: 'negative' })).groups)).toEqual([
      ['dst_a', 1, '-3', ['v3']],
      ['dst_b', 1, '0.07', ['v5']],
    ]);
    expect(summary((await valueAggregates(storage, { workspaceId: WS, type: 'positive', start: '2026-01-11T00:00:00.000Z' })).groups)).toEqual([
      ['dst_a', 1, '1000000.000001', ['v4']],
      ['dst_b', 1, '0.2', ['v2']],
    ]);
  });

  it('returns the matching records in seed 003 format', async () => {
    const { groups } = await valueAggregates(await seeded(), { workspaceId: WS, type: 'negative', end: '2026-01-13T00:00:00.000Z' });
    expect(groups[0]!.records).toEqual([
      { recordId: 'v3', time: '2026-01-12T10:00:00.000Z', sourceId: 'acct_source', destinationId: 'dst_a', type: 'negative', value: '-3', unit: 'EUR', reference: 'ref-1' },
    ]);
  });

  it('keeps workspaces apart', async () => {
    const storage = await seeded();
    expect(summary((await valueAggregates(storage, { workspaceId: 'ws_other' })).groups)).toEqual([['dst_b', 1, '5', ['v6']]]);
    expect((await valueAggregates(storage, { workspaceId: 'ws_nobody' })).groups).toEqual([]);
  });

  it('an empty window has no groups', async () => {
    expect((await valueAggregates(await seeded(), { workspaceId: WS, start: '2027-01-01T00:00:00.000Z' })).groups).toEqual([]);
  });

  it('reads every page of a large set', async () => {
    const storage = createMemoryStorage();
    await storage.upsertRecords(Array.from({ length: 2500 }, (_, i) => value({ recordId: `p${i}`, time: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(), destinationId: 'dst', value: '0.1' })));
    const { groups } = await valueAggregates(storage, { workspaceId: WS });
    expect(summary(groups).map(([d, c, t]) => [d, c, t])).toEqual([['dst', 2500, '250']]);
  });

  it('names an unparseable start or end', async () => {
    const error = await valueAggregates(await seeded(), { workspaceId: WS, end: 'soon' }).catch((e: unknown) => e);
    expect(isTributaryError(error, 'validation')).toBe(true);
    expect((error as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual(['end']);
  });
});

describe('dailyReport', () => {
  it('is unchanged by the reports split: count and mean sentiment per source per day', async () => {
    const storage = createMemoryStorage();
    const fb = (id: string, at: string, sourceId: string, score: number) =>
      makeRecord({ workspaceId: WS, sourceId, externalId: id, occurredAt: at, content: { text: id }, analysis: { sentiment: { label: score > 0 ? 'positive' : 'negative', score } } });
    await storage.upsertRecords([fb('a', '2026-01-10T01:00:00.000Z', 's1', 0.5), fb('b', '2026-01-10T02:00:00.000Z', 's1', -0.1), fb('c', '2026-01-11T01:00:00.000Z', 's2', 0.3)]);
    const report = await dailyReport(storage, { workspaceId: WS, from: '2026-01-10', to: '2026-01-12' });
    expect(report.rows).toEqual([
      { day: '2026-01-10', sourceId: 's1', count: 2, averageSentiment: 0.2, positive: 1, negative: 1, neutral: 0 },
      { day: '2026-01-11', sourceId: 's2', count: 1, averageSentiment: 0.3, positive: 1, negative: 0, neutral: 0 },
    ]);
  });
});
