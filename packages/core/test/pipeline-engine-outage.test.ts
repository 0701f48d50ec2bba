import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAnalyzer } from '@tributary/core/analysis';
import { defineConnector, type RawItem } from '@tributary/core/connector';
import { createError } from '@tributary/core/errors';
import { createPipeline, type Pipeline, type StageSettings } from '@tributary/core/pipeline';
import { createMemoryQueue } from '@tributary/core/queue/memory';
import { createMemoryStorage } from '@tributary/core/storage/memory';
import type { StorageAdapter } from '@tributary/core/storage';

/**
 * Bug 9 (docs/reliability.md): a database down for longer than the attempts' backoff dead-lettered
 * the messages in flight. The pipeline's own engines being unreachable must not spend attempts.
 */

const notes = defineConnector({
  name: 'notes',
  version: '1.0.0',
  configSchema: z.object({}),
  async *fetch() {},
  parse: (item: RawItem) => [{ externalId: item.externalId, itemType: 'note', occurredAt: '2026-01-01T00:00:00.000Z', content: { text: String((item.payload as { text: string }).text) } }],
});

/** Memory storage whose `upsertRecords` fails as an unreachable database does while `down` is set. */
function flakyStorage() {
  const storage = createMemoryStorage();
  const state = { down: false, failures: 0 };
  const upsertRecords: StorageAdapter['upsertRecords'] = async (records) => {
    if (state.down) {
      state.failures++;
      throw createError('postgres', 'unavailable', 'upsertRecords failed: database unreachable (connect ECONNREFUSED)');
    }
    return storage.upsertRecords(records);
  };
  return { storage: Object.assign(Object.create(storage) as StorageAdapter, { upsertRecords }), state };
}

const pipelines: Pipeline[] = [];
afterEach(async () => {
  for (const p of pipelines.splice(0)) {
    await p.stop();
    await p.queue.dispose();
  }
});

async function setup(analyze: StageSettings = {}, analyzers = [] as ReturnType<typeof defineAnalyzer>[]) {
  const flaky = flakyStorage();
  const pipeline = createPipeline({
    storage: flaky.storage,
    queue: createMemoryQueue(),
    connectors: [notes],
    analyzers,
    stages: { analyze: { maxAttempts: 3, engineWaitCapMs: 20, ...analyze } },
  });
  pipelines.push(pipeline);
  const source = await pipeline.sources.create('ws1', { name: 'Notes', connector: 'notes', config: {}, check: false });
  const waits: number[] = [];
  const dead: string[] = [];
  pipeline.bus.on('stage.failed', (e) => e.waitingForEngine && waits.push(e.attempt));
  pipeline.bus.on('message.dead_lettered', (e) => dead.push(e.reason));
  await pipeline.start();
  return { pipeline, source, state: flaky.state, waits, dead };
}

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('stages wait for an unreachable engine without spending attempts', () => {
  // Bounded generously: under a full suite's load, ten 20 ms waits and their redeliveries once took over 5 s.
  it('a storage outage longer than every attempt together stores the records once it ends, with no dead letter', { timeout: 30_000 }, async () => {
    const { pipeline, source, state, waits, dead } = await setup();
    state.down = true;
    await pipeline.ingest('ws1', source.id, [1, 2, 3].map((n) => ({ externalId: `n${n}`, itemType: 'note', payload: { text: `note ${n}` } })));
    // Three attempts are allowed; the outage outlasts many more tries than that.
    await until('ten failed tries', async () => state.failures >= 10, 20_000);
    state.down = false;
    const stored = await until(
      'the records stored',
      async () => {
        const page = await pipeline.storage.queryRecords({ workspaceId: 'ws1' });
        return page.items.length === 3 ? page.items : undefined;
      },
      20_000,
    );
    expect(stored.map((r) => r.externalId).sort()).toEqual(['n1', 'n2', 'n3']);
    expect(dead).toEqual([]);
    expect(await pipeline.queue.listDeadLetters(pipeline.topics.analyze)).toEqual([]);
    // Every wait was reported at attempt 1: waiting spent nothing.
    expect(waits.length).toBeGreaterThanOrEqual(10);
    expect(new Set(waits)).toEqual(new Set([1]));
  });

  it('after maxEngineWaitMs the ordinary attempts resume and dead-letter the message, which replays once the engine is back', async () => {
    const { pipeline, source, state, dead } = await setup({ maxEngineWaitMs: 100 });
    state.down = true;
    await pipeline.ingest('ws1', source.id, [{ externalId: 'late', itemType: 'note', payload: { text: 'late note' } }]);
    const letters = await until('the dead letter', async () => {
      const list = await pipeline.queue.listDeadLetters(pipeline.topics.analyze);
      return list.length > 0 ? list : undefined;
    });
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatch(/database unreachable/);
    state.down = false;
    expect(await pipeline.queue.replayDeadLetter(pipeline.topics.analyze, letters[0]!.id)).toBe(true);
    await until('the replayed record', async () => (await pipeline.storage.queryRecords({ workspaceId: 'ws1' })).items.length === 1);
  });

  it('attempts spent on other errors before a wait still count after it', { timeout: 15_000 }, async () => {
    let calls = 0;
    // Fails on the first two deliveries (two of the three attempts), succeeds on the third (whose
    // store then finds the engine down), and fails on every try after that.
    const analyzer = defineAnalyzer({
      name: 'unreliable',
      version: '1.0.0',
      provides: ['sentiment'],
      analyze: () => {
        calls++;
        if (calls !== 3) throw createError('unreliable', 'internal', calls < 3 ? 'analyzer crashed' : 'analyzer crashed again');
        return { sentiment: { label: 'neutral', score: 0 } };
      },
    });
    const { pipeline, source, state, waits, dead } = await setup({}, [analyzer]);
    state.down = true;
    await pipeline.ingest('ws1', source.id, [{ externalId: 'x', itemType: 'note', payload: { text: 'x' } }]);
    await until('the wait after two spent attempts', async () => waits.length >= 1, 10_000);
    state.down = false;
    // The waiting copy's next failure is the third attempt overall: dead-lettered, not given three fresh ones.
    await until('the dead letter', async () => dead.length === 1, 10_000);
    expect(dead[0]).toMatch(/analyzer crashed again/);
    expect(calls).toBe(4);
  });

  it('records stored before the queue went down are still reported by the copy that waited', async () => {
    const storage = createMemoryStorage();
    const memory = createMemoryQueue();
    const outage = { reportPublishes: 0 };
    const queue = Object.assign(Object.create(memory) as typeof memory, {
      publish: (async (topic, payload, options) => {
        if (topic.endsWith('report') && outage.reportPublishes++ === 0) throw createError('redis', 'unavailable', 'publish failed: connection lost');
        return memory.publish(topic, payload, options);
      }) as typeof memory.publish,
    });
    const pipeline = createPipeline({ storage, queue, connectors: [notes], stages: { analyze: { engineWaitCapMs: 20 } } });
    pipelines.push(pipeline);
    const source = await pipeline.sources.create('ws1', { name: 'Notes', connector: 'notes', config: {}, check: false });
    const reported: string[] = [];
    pipeline.bus.on('stage.completed', (e) => e.stage === 'report' && reported.push(e.messageId));
    await pipeline.start();
    await pipeline.ingest('ws1', source.id, [{ externalId: 'y', itemType: 'note', payload: { text: 'y' } }]);
    await until('the report', async () => reported.length === 1);
    expect(outage.reportPublishes).toBe(2);
  });

  it('an unavailable error that is not the engine (a remote analyzer down) still spends attempts', async () => {
    const remoteDown = defineAnalyzer({
      name: 'remote',
      version: '1.0.0',
      provides: ['sentiment'],
      analyze: () => {
        throw createError('remote-analyzer', 'unavailable', 'request to the model failed');
      },
    });
    const { pipeline, source, waits, dead } = await setup({}, [remoteDown]);
    await pipeline.ingest('ws1', source.id, [{ externalId: 'r', itemType: 'note', payload: { text: 'r' } }]);
    await until('the dead letter', async () => dead.length === 1);
    expect(waits).toEqual([]);
  });
});
