// pipeline.listRuns: a source's runs newest first, in pages, from the run index (no scan of the
// workspace's runs); indexes the reference server wrote before the index moved into core still read.
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createManualClock } from '@tributary/core/clock';
import { defineConnector } from '@tributary/core/connector';
import { createPipeline, createRunIndex, type FetchJob, type RunRecord } from '@tributary/core/pipeline';
import type { ConsumeOptions, MessageHandler } from '@tributary/core/queue';
import { createMemoryQueue } from '@tributary/core/queue/memory';
import type { StorageAdapter } from '@tributary/core/storage';
import { createMemoryStorage } from '@tributary/core/storage/memory';

const puller = defineConnector({
  name: 'puller',
  version: '1.0.0',
  configSchema: z.object({}),
  async *fetch() {
    yield { items: [{ externalId: '1', itemType: 'post', payload: { text: 'hello' } }], checkpoint: { done: true } };
  },
  parse: (item) => [{ externalId: item.externalId, itemType: 'post', occurredAt: '2026-01-01T00:00:00.000Z', content: { text: 'hello' } }],
});

/** Memory storage counting listings of the `runs` collection (a workspace scan). */
function setup() {
  const inner = createMemoryStorage();
  const scans = { runs: 0 };
  const storage: StorageAdapter = Object.create(inner);
  storage.listDocuments = (collection, scope, options) => {
    if (collection === 'runs') scans.runs++;
    return inner.listDocuments(collection, scope, options);
  };
  const clock = createManualClock();
  const queue = createMemoryQueue();
  const pipeline = createPipeline({ storage, queue, connectors: [puller], clock });
  return { pipeline, storage, clock, scans, queue };
}

/** What the reference server's own index wrote (examples/server/src/runs.ts before this change). */
const legacyIndexId = (ms: number, runId: string) => `${(Number.MAX_SAFE_INTEGER - ms).toString(36).padStart(11, '0')}~${runId}`;

const runOf = (workspaceId: string, sourceId: string, id: string, requestedAt: string): RunRecord => ({
  id,
  workspaceId,
  sourceId,
  trigger: 'manual',
  status: 'succeeded',
  requestedAt,
  startedAt: requestedAt,
  finishedAt: requestedAt,
  pages: 1,
  items: 1,
  error: null,
});

describe('pipeline.listRuns', () => {
  it("pages a source's runs newest first without scanning the workspace's runs", async () => {
    const t = setup();
    const a = await t.pipeline.sources.create('ws', { name: 'a', connector: 'puller' });
    const b = await t.pipeline.sources.create('ws', { name: 'b', connector: 'puller' });
    const mine: string[] = [];
    for (let i = 0; i < 5; i++) {
      mine.push((await t.pipeline.trigger('ws', a.id)).runId);
      await t.pipeline.trigger('ws', b.id); // another source's runs, interleaved
      await t.clock.advance(1000);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await t.pipeline.listRuns('ws', a.id, { limit: 2, ...(cursor ? { cursor } : {}) });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((r) => r.id));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(seen).toEqual([...mine].reverse());
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(t.scans.runs).toBe(0);
    expect((await t.pipeline.listRuns('ws', b.id)).items.every((r) => r.sourceId === b.id)).toBe(true);
    expect((await t.pipeline.listRuns('other', a.id)).items).toEqual([]);
  });

  it('lists the current status of each run as the fetch stage updates it', async () => {
    const t = setup();
    const a = await t.pipeline.sources.create('ws', { name: 'a', connector: 'puller' });
    const { runId } = await t.pipeline.trigger('ws', a.id);
    expect((await t.pipeline.listRuns('ws', a.id)).items).toEqual([expect.objectContaining({ id: runId, status: 'queued' })]);
    await t.pipeline.start();
    try {
      await t.pipeline.drain();
    } finally {
      await t.pipeline.stop();
    }
    expect((await t.pipeline.listRuns('ws', a.id)).items).toEqual([expect.objectContaining({ id: runId, status: 'succeeded', pages: 1, items: 1 })]);
  });

  it('reads indexes the reference server wrote before, beside new entries, in one order', async () => {
    const t = setup();
    const a = await t.pipeline.sources.create('ws', { name: 'a', connector: 'puller' });
    const start = t.clock.now();
    for (const [i, id] of ['run_old1', 'run_old2'].entries()) {
      const ms = start - (2 - i) * 60_000;
      await t.storage.putDocument('runs', 'ws', id, runOf('ws', a.id, id, new Date(ms).toISOString()));
      // The server keyed its entries by the time just after queuing, a little after requestedAt.
      await t.storage.putDocument('source-runs', `ws/${a.id}`, legacyIndexId(ms + 3, id), { runId: id });
    }
    const { runId } = await t.pipeline.trigger('ws', a.id);
    expect((await t.pipeline.listRuns('ws', a.id)).items.map((r) => r.id)).toEqual([runId, 'run_old2', 'run_old1']);
  });

  it('reindex() indexes runs queued before the index existed, once', async () => {
    const t = setup();
    const a = await t.pipeline.sources.create('ws', { name: 'a', connector: 'puller' });
    const start = t.clock.now();
    await t.storage.putDocument('runs', 'ws', 'run_unindexed', runOf('ws', a.id, 'run_unindexed', new Date(start - 1000).toISOString()));
    const { runId } = await t.pipeline.trigger('ws', a.id);
    expect((await t.pipeline.listRuns('ws', a.id)).items.map((r) => r.id)).toEqual([runId]);
    const index = createRunIndex(t.storage);
    expect(await index.reindex('ws')).toBe(1);
    expect(await index.reindex('ws')).toBe(0);
    expect((await t.pipeline.listRuns('ws', a.id)).items.map((r) => r.id)).toEqual([runId, 'run_unindexed']);
  });

  it('a fetch job published without trigger() is listed once the fetch stage takes it', async () => {
    const t = setup();
    const a = await t.pipeline.sources.create('ws', { name: 'a', connector: 'puller' });
    const job: FetchJob = { workspaceId: 'ws', sourceId: a.id, runId: 'run_host', trigger: 'backfill', requestedAt: new Date(t.clock.now()).toISOString() };
    await t.queue.publish(t.pipeline.topics.fetch, job);
    await t.pipeline.start();
    try {
      await t.pipeline.drain();
    } finally {
      await t.pipeline.stop();
    }
    expect((await t.pipeline.listRuns('ws', a.id)).items).toEqual([expect.objectContaining({ id: 'run_host', trigger: 'backfill', status: 'succeeded' })]);
  });

  it("deleting a source drops its run index; each run stays readable by id", async () => {
    const t = setup();
    const a = await t.pipeline.sources.create('ws', { name: 'a', connector: 'puller' });
    const { runId } = await t.pipeline.trigger('ws', a.id);
    await t.pipeline.sources.delete('ws', a.id);
    expect((await t.storage.listDocuments('source-runs', `ws/${a.id}`)).items).toEqual([]);
    expect((await t.pipeline.listRuns('ws', a.id)).items).toEqual([]);
    expect(await t.pipeline.getRun('ws', runId)).toMatchObject({ id: runId });
  });
});

describe('fetch stage and the consumer signal', () => {
  it('leaves no abort listener on the long-lived consumer signal after its runs', async () => {
    const inner = createMemoryQueue();
    const signals = new Set<AbortSignal>();
    // The memory queue hands each handler its consumer's signal; keep the ones the fetch stage saw.
    const queue = Object.create(inner) as typeof inner;
    queue.consume = <T>(topic: string, handler: MessageHandler<T>, options: ConsumeOptions) =>
      inner.consume<T>(topic, (message, context) => {
        if (topic === 'tributary.fetch') signals.add(context.signal);
        return handler(message, context);
      }, options);
    const pipeline = createPipeline({ storage: createMemoryStorage(), queue, connectors: [puller] });
    const source = await pipeline.sources.create('ws', { name: 'a', connector: 'puller' });
    await pipeline.start();
    for (let i = 0; i < 20; i++) {
      await pipeline.trigger('ws', source.id);
      await pipeline.drain();
    }
    const runs = await pipeline.listRuns('ws', source.id, { limit: 50 });
    expect(runs.items.filter((r) => r.status === 'succeeded')).toHaveLength(20);
    expect(signals.size).toBeGreaterThan(0);
    // Before the fix each run added one listener that was never removed: 20 here.
    for (const signal of signals) expect(getEventListeners(signal, 'abort').length).toBeLessThanOrEqual(1);
    await pipeline.stop();
  });
});
