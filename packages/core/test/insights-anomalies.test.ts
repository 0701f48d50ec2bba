import { describe, expect, it } from 'vitest';
import type { TributaryRecord } from '@tributary/core/record';
import { detectSpikes, insightReport } from '@tributary/core/reports';
import { createMemoryStorage } from '@tributary/core/storage/memory';
import { makeRecord } from '@tributary/core/testing';

const WS = 'ws_anomalies';
const DAY = 86_400_000;
const START = Date.UTC(2026, 1, 1); // Sun 1 Feb 2026

/** `negative` of `count` records on day `day` (from START) are negative, the rest positive. */
function day(dayIndex: number, count: number, negative = 0): TributaryRecord[] {
  return Array.from({ length: count }, (_, i) => {
    const neg = i < negative;
    return makeRecord({
      workspaceId: WS,
      sourceId: 'src_a',
      externalId: `d${dayIndex}-${i}`,
      occurredAt: new Date(START + dayIndex * DAY + i * 60_000).toISOString(),
      content: { text: `day ${dayIndex} item ${i}` },
      analysis: { sentiment: { label: neg ? 'negative' : 'positive', score: neg ? -0.5 : 0.5 } },
    });
  });
}

/** 40 days; the report covers days 20–39, so the first reported day has 14 days of history. */
const period = { workspaceId: WS, from: new Date(START + 20 * DAY).toISOString(), to: new Date(START + 40 * DAY).toISOString(), bucket: 'day' as const };

async function storageWith(days: (i: number) => TributaryRecord[]) {
  const storage = createMemoryStorage();
  for (let i = 0; i < 40; i++) await storage.upsertRecords(days(i));
  return storage;
}

describe('insightReport anomalies', () => {
  it('a flat series reports none (zero variance does not divide by zero)', async () => {
    const report = await insightReport(await storageWith((i) => day(i, 10, 1)), period);
    expect(report.timeline.every((p) => p.count === 10)).toBe(true);
    expect(report.anomalies).toEqual([]);
  });

  it('an injected volume spike is reported with its bucket, value, expectation and z', async () => {
    const report = await insightReport(await storageWith((i) => day(i, i === 30 ? 40 : 10, i === 30 ? 4 : 1)), period);
    // Window median 10, MAD 0, floor √10: z = 30 / 3.162…
    expect(report.anomalies).toEqual([{ bucket: new Date(START + 30 * DAY).toISOString(), metric: 'volume', value: 40, expected: 10, z: 9.49, window: 14 }]);
  });

  it('an injected spike in negative share is reported', async () => {
    const report = await insightReport(await storageWith((i) => day(i, 10, i === 25 ? 8 : 1)), period);
    // share 0.8 against 0.1; floor √(0.1·0.9/10) = 0.0949
    expect(report.anomalies).toEqual([{ bucket: new Date(START + 25 * DAY).toISOString(), metric: 'negative_share', value: 0.8, expected: 0.1, z: 7.38, window: 14 }]);
  });

  it('sensitivity and window are configurable', async () => {
    const storage = await storageWith((i) => day(i, i === 30 ? 18 : 10, 1));
    // 8 above a median of 10: z = 8 / √10 = 2.53
    expect((await insightReport(storage, period)).anomalies).toEqual([]);
    expect((await insightReport(storage, { ...period, sensitivity: 2.5 })).anomalies.map((a) => [a.metric, a.z])).toEqual([['volume', 2.53]]);
    expect((await insightReport(storage, { ...period, sensitivity: 2.5, anomalyWindow: 5 })).anomalies.map((a) => a.window)).toEqual([5]);
  });

  it('ignores spikes smaller than anomalyMinCount', async () => {
    const storage = await storageWith((i) => day(i, i === 30 ? 4 : 0));
    expect((await insightReport(storage, { ...period, anomalyMinCount: 5 })).anomalies).toEqual([]);
  });

  it('the first records after an empty window are no spike: there is no baseline', async () => {
    const storage = await storageWith((i) => day(i, i >= 25 ? 10 : 0));
    expect((await insightReport(storage, period)).anomalies).toEqual([]);
  });

  it('a burst after a silence is a spike when records came before the window', async () => {
    const storage = await storageWith((i) => day(i, i === 0 ? 10 : i === 30 ? 10 : 0));
    expect((await insightReport(storage, period)).anomalies).toEqual([{ bucket: new Date(START + 30 * DAY).toISOString(), metric: 'volume', value: 10, expected: 0, z: 10, window: 14 }]);
  });

  it('buckets from now on are not judged', async () => {
    const storage = await storageWith((i) => day(i, i === 30 ? 40 : 10, 1));
    const report = await insightReport(storage, { ...period, now: new Date(START + 30 * DAY).toISOString() });
    expect(report.anomalies).toEqual([]);
  });
});

describe('detectSpikes', () => {
  const floor = () => 1;

  it('uses the median and MAD of the trailing window, so one earlier spike does not hide the next', () => {
    const series = [10, 11, 9, 10, 50, 10, 11, 9, 10, 50];
    const spikes = detectSpikes(series, { window: 8, sensitivity: 3, floor });
    expect(spikes.map((s) => s.index)).toEqual([4, 9]);
    expect(spikes[1]!.expected).toBe(10);
  });

  it('needs a third of the window (and three buckets) of history, and skips missing values', () => {
    expect(detectSpikes([10, 10, 99], { window: 3, sensitivity: 3, floor })).toEqual([]);
    expect(detectSpikes([10, null, 10, 10, null, 99], { window: 9, sensitivity: 3, floor }).map((s) => s.index)).toEqual([5]);
  });

  it('only looks up: a drop is no spike', () => {
    expect(detectSpikes([10, 10, 10, 10, 0], { window: 4, sensitivity: 3, floor })).toEqual([]);
  });
});
