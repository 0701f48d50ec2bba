import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineConnector } from '@tributary/core/connector';
import { createError } from '@tributary/core/errors';
import { createPipeline, type Pipeline } from '@tributary/core/pipeline';
import { createMemoryQueue } from '@tributary/core/queue/memory';
import { createScheduler, sourceSchedules, type Scheduler } from '@tributary/core/scheduler';
import { createMemoryStorage } from '@tributary/core/storage/memory';

/** Pulls one item per run (a counter), or fails when told to. */
const counter = defineConnector({
  name: 'counter',
  version: '1.0.0',
  configSchema: z.object({ fail: z.boolean().default(false) }),
  checkpointSchema: z.object({ n: z.number().int() }),
  async *fetch({ config, checkpoint }) {
    if (config.fail) throw createError('counter', 'connector', 'the source is broken');
    const n = (checkpoint?.n ?? 0) + 1;
    yield { items: [{ externalId: String(n), itemType: 'counter.tick', payload: { n } }], checkpoint: { n } };
  },
  parse: (item) => [{ externalId: item.externalId, itemType: 'counter.tick', occurredAt: '2026-01-01T00:00:00.000Z', content: { text: `tick ${item.externalId}` } }],
});

let pipeline: Pipeline | undefined;
let scheduler: Scheduler | undefined;
afterEach(async () => {
  await scheduler?.stop();
  await pipeline?.stop();
  await pipeline?.queue.dispose();
});

describe('scheduler driving a pipeline (memory adapters, real clock)', () => {
  it('pulls scheduled sources, and backs off the broken one without holding up the healthy one', async () => {
    pipeline = createPipeline({ storage: createMemoryStorage(), queue: createMemoryQueue(), connectors: [counter] });
    const good = await pipeline.sources.create('ws1', { name: 'good', connector: 'counter', config: {}, schedule: { everyMs: 60_000 } });
    const bad = await pipeline.sources.create('ws1', { name: 'bad', connector: 'counter', config: { fail: true }, schedule: { cron: '*/5 * * * *' } });
    await pipeline.sources.create('ws1', { name: 'manual only', connector: 'counter', config: {} });
    const skipped: string[] = [];
    pipeline.bus.on('fetch.run.skipped', (e) => skipped.push(`${e.sourceId === bad.id ? 'bad' : 'good'}:${e.reason}`));
    await pipeline.start();
    const p = pipeline;
    scheduler = createScheduler({
      trigger: (ws, src, o) => p.trigger(ws, src, o),
      // the sources' own schedules, sped up to every 50 ms for the test
      listSchedules: async () => (await sourceSchedules(p.sources, ['ws1'])()).map((e) => ({ ...e, schedule: { everyMs: 50 } })),
      bus: pipeline.bus,
      storage: pipeline.storage,
      concurrency: 1,
      spreadIntervals: false,
      circuitBreaker: { failureThreshold: 2, cooldownMs: 60_000 },
    });
    await scheduler.start();
    expect(scheduler.stats().scheduled).toBe(2);
    await new Promise((r) => setTimeout(r, 700));
    await scheduler.stop();
    await pipeline.drain();

    expect(await scheduler.breaker('ws1', bad.id)).toBe('open');
    expect((await scheduler.getState('ws1', bad.id))?.lastError).toContain('the source is broken');
    expect(skipped).toContain('bad:circuit_open');
    // the healthy source kept its pace: ~14 ticks in 700 ms, minus the few its single slot shared with the broken one
    const checkpoint = await pipeline.storage.getCheckpoint<{ n: number }>('ws1', good.id);
    expect(checkpoint?.n).toBeGreaterThanOrEqual(8);
    expect((await pipeline.storage.queryRecords({ workspaceId: 'ws1', sourceIds: [good.id], limit: 1000 })).items).toHaveLength(checkpoint!.n);
    expect(await scheduler.breaker('ws1', good.id)).toBe('closed');
  });
});
