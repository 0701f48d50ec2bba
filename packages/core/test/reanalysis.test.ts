import { describe, expect, it } from 'vitest';
import { analyzedBy, defineAnalyzer, type Analyzer } from '@tributary/core/analysis';
import { createManualClock } from '@tributary/core/clock';
import { isTributaryError } from '@tributary/core/errors';
import { createEventBus } from '@tributary/core/events';
import type { TributaryRecord } from '@tributary/core/record';
import { REANALYSIS_COLLECTION, reanalysisJobId, startReanalysis, type ReanalysisProgress, type SavedReanalysis } from '@tributary/core/reanalysis';
import { insightReport } from '@tributary/core/reports';
import { GLOBAL_SCOPE, type StorageAdapter } from '@tributary/core/storage';
import { createMemoryStorage } from '@tributary/core/storage/memory';
import { eventually, makeRecord } from '@tributary/core/testing';

const WS = 'ws_reanalysis';
const V1 = { name: 'mood', version: '1.0.0' };

/** Version 2 of the `mood` analyzer: everything is positive now, about `new`. */
function moodV2(hooks: { onAnalyze?: (record: TributaryRecord) => void | Promise<void> } = {}): Analyzer {
  return defineAnalyzer({
    name: 'mood',
    version: '2.0.0',
    provides: ['sentiment', 'topics'],
    async analyze({ record, text }) {
      await hooks.onAnalyze?.(record);
      if (text.includes('boom')) throw new Error('mood cannot read this');
      return { sentiment: { label: 'positive', score: 0.5 }, topics: ['new'] };
    },
  });
}

/** `count` records analyzed by version 1 (negative, topic `old`), one minute apart, oldest first. */
function stored(count: number, workspaceId = WS, sourceId = 'src_a'): TributaryRecord[] {
  return Array.from({ length: count }, (_, i) => {
    const r = makeRecord({
      workspaceId,
      sourceId,
      externalId: `${sourceId}-${i}`,
      occurredAt: new Date(Date.UTC(2026, 2, 2, 10, i)).toISOString(),
      content: { text: `record ${i}` },
      analysis: { sentiment: { label: 'negative', score: -0.5 }, topics: ['old'] },
    });
    return { ...r, provenance: { ...r.provenance, analyzers: [V1], analyzedAt: '2026-03-02T12:00:00.000Z' } };
  });
}

async function storageWith(...batches: TributaryRecord[][]) {
  const clock = createManualClock(Date.UTC(2026, 2, 10));
  const storage = createMemoryStorage({ clock });
  for (const batch of batches) await storage.upsertRecords(batch);
  return { storage, clock };
}

async function allRecords(storage: StorageAdapter, workspaceId = WS): Promise<TributaryRecord[]> {
  return (await storage.queryRecords({ workspaceId, order: 'asc', limit: 1000 })).items;
}

const counts = (p: ReanalysisProgress) => ({ scanned: p.scanned, reanalyzed: p.reanalyzed, skipped: p.skipped, failed: p.failed, done: p.done });

describe('startReanalysis', () => {
  it('re-analyzes stale records in batches, reporting progress by callback, iterator and bus', async () => {
    const { storage, clock } = await storageWith(stored(25));
    const analyzers = [moodV2()];
    const bus = createEventBus();
    const analyzed: string[] = [];
    bus.on('record.analyzed', (e) => analyzed.push(e.recordId));
    const seen: ReanalysisProgress[] = [];
    const job = startReanalysis({ storage, analyzers, bus, workspaceId: WS, batchSize: 10, clock, onProgress: (p) => seen.push(p) });
    const iterated: ReanalysisProgress[] = [];
    for await (const p of job) iterated.push(p);
    const final = await job.finished;

    expect(counts(final)).toEqual({ scanned: 25, reanalyzed: 25, skipped: 0, failed: 0, done: true });
    expect(final).toMatchObject({ status: 'done', workspaceId: WS, jobId: job.id });
    expect(seen.map((p) => [p.scanned, p.status])).toEqual([
      [10, 'running'],
      [20, 'running'],
      [25, 'running'],
      [25, 'done'],
    ]);
    expect(iterated.at(-1)).toEqual(final);
    expect(iterated.map((p) => p.scanned)).toEqual([...iterated.map((p) => p.scanned)].sort((a, b) => a - b));
    expect(analyzed).toHaveLength(25);

    const records = await allRecords(storage);
    expect(records.every((r) => analyzedBy(r, analyzers))).toBe(true);
    expect(records[0]!.analysis).toMatchObject({ sentiment: { label: 'positive', score: 0.5 }, topics: ['new'] });
    expect(records[0]!.provenance.analyzedAt).toBe(new Date(clock.now()).toISOString());
    // Re-analysis replaces the analysis in place: no new revision, no history.
    expect(records[0]!.revision).toBe(1);
    expect(await storage.getRecordHistory(WS, records[0]!.id)).toEqual([]);

    const saved = await storage.getDocument<SavedReanalysis>(REANALYSIS_COLLECTION, WS, job.id);
    expect(saved).toMatchObject({ jobId: job.id, analyzers: [{ name: 'mood', version: '2.0.0' }], scanned: 25, reanalyzed: 25, done: true });
  });

  it('skips records already analyzed by the current versions, and only walks the chosen sources', async () => {
    const analyzers = [moodV2()];
    const current = stored(3, WS, 'src_b').map((r) => ({ ...r, provenance: { ...r.provenance, analyzers: [{ name: 'mood', version: '2.0.0' }] } }));
    const { storage, clock } = await storageWith(stored(4), current, stored(5, WS, 'src_c'));
    const job = startReanalysis({ storage, analyzers, workspaceId: WS, sourceIds: ['src_a', 'src_b'], clock });
    expect(counts(await job.finished)).toEqual({ scanned: 7, reanalyzed: 4, skipped: 3, failed: 0, done: true });
    const untouched = (await allRecords(storage)).filter((r) => r.sourceId === 'src_c');
    expect(untouched.every((r) => r.provenance.analyzers[0]!.version === '1.0.0')).toBe(true);
  });

  it('is idempotent: a finished job does nothing, and a restarted walk only skips', async () => {
    const { storage, clock } = await storageWith(stored(6));
    const analyzers = [moodV2()];
    await startReanalysis({ storage, analyzers, workspaceId: WS, clock }).finished;
    let calls = 0;
    const counted = [moodV2({ onAnalyze: () => void calls++ })];
    expect(counts(await startReanalysis({ storage, analyzers: counted, workspaceId: WS, clock }).finished)).toEqual({ scanned: 6, reanalyzed: 6, skipped: 0, failed: 0, done: true });
    expect(counts(await startReanalysis({ storage, analyzers: counted, workspaceId: WS, clock, restart: true }).finished)).toEqual({ scanned: 6, reanalyzed: 0, skipped: 6, failed: 0, done: true });
    expect(calls).toBe(0);
  });

  it('a new analyzer version is a new job that walks again', async () => {
    const { storage, clock } = await storageWith(stored(3));
    const v2 = [moodV2()];
    const v3 = [{ ...moodV2(), version: '3.0.0' }];
    expect(reanalysisJobId(v2)).not.toBe(reanalysisJobId(v3));
    expect(reanalysisJobId(v2, ['a', 'b'])).toBe(reanalysisJobId(v2, ['b', 'a']));
    await startReanalysis({ storage, analyzers: v2, workspaceId: WS, clock }).finished;
    expect(counts(await startReanalysis({ storage, analyzers: v3, workspaceId: WS, clock }).finished)).toMatchObject({ reanalyzed: 3 });
  });

  it('resumes after an abort from the last whole batch', async () => {
    const { storage, clock } = await storageWith(stored(25));
    const controller = new AbortController();
    let analyses = 0;
    const aborting = [moodV2({ onAnalyze: () => void (++analyses === 13 && controller.abort()) })];
    const first = await startReanalysis({ storage, analyzers: aborting, workspaceId: WS, batchSize: 10, concurrency: 2, clock, signal: controller.signal }).finished;
    expect(first).toMatchObject({ status: 'aborted', done: false });
    const saved = await storage.getDocument<SavedReanalysis>(REANALYSIS_COLLECTION, WS, first.jobId);
    // The second batch was cut short: only the first one's position and counts were saved.
    expect(saved).toMatchObject({ scanned: 10, reanalyzed: 10, done: false });

    const seenIds: string[] = [];
    const resumed = await startReanalysis({ storage, analyzers: [moodV2({ onAnalyze: (r) => void seenIds.push(r.id) })], workspaceId: WS, batchSize: 10, clock }).finished;
    expect(resumed).toMatchObject({ status: 'done', done: true, scanned: 25, failed: 0 });
    expect(resumed.reanalyzed + resumed.skipped).toBe(25);
    const records = await allRecords(storage);
    expect(records.every((r) => r.provenance.analyzers[0]!.version === '2.0.0')).toBe(true);
    // Nothing of the first, saved batch was analyzed again.
    expect(seenIds.some((id) => records.slice(0, 10).some((r) => r.id === id))).toBe(false);
  });

  it('an edit stored while a record is re-analyzed wins', async () => {
    const { storage, clock } = await storageWith(stored(3));
    const [, target] = await allRecords(storage);
    const edited = { ...target!, contentHash: 'edited-hash', content: { text: 'record 1, edited' }, analysis: { topics: ['edited'] } };
    const analyzers = [moodV2({ onAnalyze: async (r) => void (r.id === target!.id && (await storage.upsertRecords([edited]))) })];
    const result = await startReanalysis({ storage, analyzers, workspaceId: WS, clock }).finished;
    expect(counts(result)).toEqual({ scanned: 3, reanalyzed: 2, skipped: 1, failed: 0, done: true });
    const after = await storage.getRecord(WS, target!.id);
    expect(after).toMatchObject({ contentHash: 'edited-hash', revision: 2, content: { text: 'record 1, edited' }, analysis: { topics: ['edited'] } });
  });

  it('counts analyzer failures and goes on; the record keeps its analysis', async () => {
    const records = stored(4);
    records[2] = { ...records[2]!, content: { text: 'boom' } };
    const { storage, clock } = await storageWith(records);
    const result = await startReanalysis({ storage, analyzers: [moodV2()], workspaceId: WS, clock }).finished;
    expect(counts(result)).toEqual({ scanned: 4, reanalyzed: 3, skipped: 0, failed: 1, done: true });
    expect(result.lastError).toEqual({ recordId: records[2]!.id, message: 'mood cannot read this' });
    expect((await storage.getRecord(WS, records[2]!.id))!.analysis.topics).toEqual(['old']);
  });

  it('a storage failure ends the job without saving the batch it hit', async () => {
    const { storage, clock } = await storageWith(stored(15));
    let pages = 0;
    const flaky: StorageAdapter = {
      ...storage,
      queryRecords: async (q) => {
        if (++pages === 2) throw new Error('connection reset');
        return storage.queryRecords(q);
      },
    };
    const result = await startReanalysis({ storage: flaky, analyzers: [moodV2()], workspaceId: WS, batchSize: 10, clock }).finished;
    expect(result).toMatchObject({ status: 'failed', done: false, scanned: 10, lastError: { recordId: null, message: 'connection reset' } });
    expect(await storage.getDocument<SavedReanalysis>(REANALYSIS_COLLECTION, WS, result.jobId)).toMatchObject({ scanned: 10, done: false });
    expect(counts(await startReanalysis({ storage, analyzers: [moodV2()], workspaceId: WS, batchSize: 10, clock }).finished)).toEqual({ scanned: 15, reanalyzed: 15, skipped: 0, failed: 0, done: true });
  });

  it('yields to the event loop between batches', async () => {
    const { storage, clock } = await storageWith(stored(50));
    const job = startReanalysis({ storage, analyzers: [moodV2()], workspaceId: WS, batchSize: 10, clock });
    // A macrotask queued now (an incoming request, say) runs before the job is through.
    const seenByMacrotask = new Promise<number>((resolve) => setImmediate(() => resolve(job.progress().scanned)));
    await job.finished;
    expect(await seenByMacrotask).toBeLessThan(50);
  });

  it('paces analyses to ratePerSecond on the injected clock', async () => {
    const { storage, clock } = await storageWith(stored(5));
    const job = startReanalysis({ storage, analyzers: [moodV2()], workspaceId: WS, clock, ratePerSecond: 10, concurrency: 3 });
    await eventually(() => expect(job.progress().reanalyzed).toBe(1), 2000);
    await clock.advance(100);
    await eventually(() => expect(job.progress().reanalyzed).toBe(2), 2000);
    await clock.advance(300);
    expect(counts(await job.finished)).toMatchObject({ reanalyzed: 5, done: true });
  });

  it('leaves a workspace another process is walking', async () => {
    const { storage, clock } = await storageWith(stored(3));
    const analyzers = [moodV2()];
    await storage.acquireLock(`reanalysis:${WS}:${reanalysisJobId(analyzers)}`, 'someone-else', 60_000);
    const result = await startReanalysis({ storage, analyzers, workspaceId: WS, clock }).finished;
    expect(result).toMatchObject({ status: 'busy', done: false, scanned: 0, busyWorkspaces: [WS] });
  });

  it('without a workspace, walks every workspace of the catalog', async () => {
    const { storage, clock } = await storageWith(stored(2, 'ws_one'), stored(3, 'ws_two'));
    await storage.putDocument('workspaces', GLOBAL_SCOPE, 'ws_one', { name: 'One' });
    await storage.putDocument('workspaces', GLOBAL_SCOPE, 'ws_two', { name: 'Two' });
    const result = await startReanalysis({ storage, analyzers: [moodV2()], clock }).finished;
    expect(counts(result)).toEqual({ scanned: 5, reanalyzed: 5, skipped: 0, failed: 0, done: true });
    expect((await allRecords(storage, 'ws_two')).every((r) => r.analysis.topics?.[0] === 'new')).toBe(true);
  });

  it('refuses bad options, naming them', () => {
    const storage = createMemoryStorage();
    const error = (() => {
      try {
        startReanalysis({ storage, analyzers: [moodV2()], batchSize: 0 });
      } catch (e) {
        return e;
      }
    })();
    expect(isTributaryError(error, 'validation')).toBe(true);
    expect((error as { issues: { path: string }[] }).issues[0]!.path).toBe('batchSize');
    expect(() => startReanalysis({ storage, analyzers: [] })).toThrow(/analyzers/);
  });
});

describe('reports after re-analysis', () => {
  it('insightReport shows the new results once the job is done', async () => {
    const { storage, clock } = await storageWith(stored(8));
    const query = { workspaceId: WS, from: '2026-03-02T00:00:00.000Z', to: '2026-03-03T00:00:00.000Z', bucket: 'day' as const };
    const before = await insightReport(storage, query);
    expect(before.summary).toMatchObject({ count: 8, meanSentiment: -0.5, negative: 8, positive: 0 });
    expect(before.topTopics.map((t) => t.topic)).toEqual(['old']);

    await startReanalysis({ storage, analyzers: [moodV2()], workspaceId: WS, clock }).finished;

    const after = await insightReport(storage, query);
    expect(after.summary).toMatchObject({ count: 8, meanSentiment: 0.5, negative: 0, positive: 8 });
    expect(after.topTopics.map((t) => [t.topic, t.count, t.meanSentiment])).toEqual([['new', 8, 0.5]]);
    expect(after.topTopics[0]!.examples.length).toBeGreaterThan(0);
  });
});
