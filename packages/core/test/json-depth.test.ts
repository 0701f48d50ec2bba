// Deeply nested JSON: measured without unbounded recursion, and refused with typed errors wherever the
// pipeline would otherwise recurse into it (ingest's serializer, the memory queue, the webhook handler).
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineConnector, type RawItem } from '@tributary/core/connector';
import { generateKey } from '@tributary/core/crypto';
import { isTributaryError } from '@tributary/core/errors';
import { DEFAULT_MAX_JSON_DEPTH, MAX_ITEM_JSON_DEPTH, findJsonDepthExcess } from '@tributary/core/json';
import { chunkByBytes, createPipeline, type Pipeline } from '@tributary/core/pipeline';
import { createMemoryQueue } from '@tributary/core/queue/memory';
import { createMemoryStorage } from '@tributary/core/storage/memory';
import { createWebhookHandler } from '@tributary/core/webhooks';

/** `depth` nested arrays around 1, parsed (JSON.parse builds any depth without recursing). */
const arrays = (depth: number) => JSON.parse(`${'['.repeat(depth)}1${']'.repeat(depth)}`) as unknown;
const objects = (depth: number) => JSON.parse(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`) as unknown;

/** Catches what `fn` throws or rejects with. */
async function caught(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('findJsonDepthExcess', () => {
  it('counts containers: scalars 0, {"a":1} 1, and names the first container past the limit', () => {
    expect(findJsonDepthExcess(1, 0)).toBeNull();
    expect(findJsonDepthExcess(null, 0)).toBeNull();
    expect(findJsonDepthExcess({ a: 1 }, 1)).toBeNull();
    expect(findJsonDepthExcess({ a: 1 }, 0)).toEqual({ path: '', maxDepth: 0 });
    expect(findJsonDepthExcess({ a: { b: [1] } }, 2)).toEqual({ path: 'a.b', maxDepth: 2 });
    expect(findJsonDepthExcess({ a: { b: [1] } }, 3)).toBeNull();
    expect(findJsonDepthExcess({ ok: [[1]], x: [{ y: [[2]] }] }, 3)).toEqual({ path: 'x.0.y', maxDepth: 3 });
    expect(findJsonDepthExcess(JSON.parse('{"__proto__":{"b":{}}}'), 2)).toEqual({ path: '__proto__.b', maxDepth: 2 });
  });

  it('walks 200,000 levels without overflowing the stack, and stops at cycles', () => {
    expect(findJsonDepthExcess(arrays(200_000), DEFAULT_MAX_JSON_DEPTH)?.path.split('.')).toHaveLength(DEFAULT_MAX_JSON_DEPTH);
    expect(findJsonDepthExcess(objects(200_000), 1_000_000)).toBeNull();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(findJsonDepthExcess(cyclic, 10)?.path).toBe(Array(10).fill('self').join('.'));
  });

  it('agrees with a plain measure of depth on random values, for limits either side of the recursive bound', () => {
    // A deterministic generator, so a failure is reproducible.
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const build = (depth: number): unknown => {
      if (depth === 0 || random() < 0.2) return random() < 0.5 ? 1 : 'x';
      const size = Math.floor(random() * 4);
      if (random() < 0.5) return Array.from({ length: size }, () => build(depth - 1));
      return Object.fromEntries(Array.from({ length: size }, (_, i) => [`k${i}`, build(depth - 1)]));
    };
    const depthOf = (value: unknown): number =>
      typeof value !== 'object' || value === null ? 0 : 1 + Math.max(0, ...Object.values(value as object).map(depthOf));
    for (let i = 0; i < 300; i++) {
      const value = build(1 + (i % 9));
      for (const limit of [0, 1, 2, 3, 5, 8]) expect(findJsonDepthExcess(value, limit) !== null, `value ${i}, limit ${limit}`).toBe(depthOf(value) > limit);
    }
    // Past 512 levels of limit, the walk without recursion answers alone; below it, both agree.
    expect(findJsonDepthExcess(arrays(1500), 2000)).toBeNull();
    expect(findJsonDepthExcess(arrays(1500), 1100)?.path.split('.')).toHaveLength(1100);
    expect(findJsonDepthExcess(arrays(512), 512)).toBeNull();
    expect(findJsonDepthExcess(arrays(513), 512)?.path.split('.')).toHaveLength(512);
  });
});

describe('chunkByBytes', () => {
  it('refuses an item nested past the item limit with a validation error naming it, before any batch', async () => {
    const items = [{ ok: 1 }, { payload: arrays(MAX_ITEM_JSON_DEPTH) }];
    const error = await caught(() => chunkByBytes(items, 1024 * 1024));
    expect(isTributaryError(error, 'validation')).toBe(true);
    expect((error as { issues: { path: string }[] }).issues[0]!.path).toMatch(/^items\.1\.payload(\.0)+$/);
    // 200,000 levels: no RangeError escapes, the same typed error.
    expect(isTributaryError(await caught(() => chunkByBytes([arrays(200_000)], 1024)), 'validation')).toBe(true);
    expect(chunkByBytes([{ payload: arrays(MAX_ITEM_JSON_DEPTH - 2) }], 1024 * 1024)).toHaveLength(1);
  });
});

describe('memory queue', () => {
  it('refuses a payload too deep to copy at delivery with a typed error, and keeps running', async () => {
    const queue = createMemoryQueue();
    for (const depth of [5_000, 200_000]) {
      const error = await caught(() => queue.publish('t', { deep: objects(depth) }));
      expect(isTributaryError(error, 'validation'), String(error)).toBe(true);
    }
    const got: unknown[] = [];
    const sub = await queue.consume(
      't',
      async (m) => {
        got.push(m.payload);
        return { action: 'ack' };
      },
      { group: 'g' },
    );
    await queue.publish('t', { fine: arrays(100) });
    await expect.poll(() => got.length).toBe(1);
    await sub.close();
    await queue.dispose();
  });
});

const hooks = defineConnector({
  name: 'hooks',
  version: '1.0.0',
  configSchema: z.object({}),
  parse: (item: RawItem) => [{ externalId: item.externalId, itemType: 'hook', occurredAt: '2026-03-01T00:00:00.000Z', content: { text: 'x' } }],
  webhook: {
    signatureScheme: 'none',
    parse: (_request, body) => ({ items: [{ externalId: String((body as { id?: unknown }).id ?? 'x'), itemType: 'hook', payload: body }] }),
  },
});

describe('pipeline.ingest and the webhook handler', () => {
  const pipelines: Pipeline[] = [];
  afterEach(async () => {
    for (const p of pipelines.splice(0)) await p.stop();
  });

  async function setup(maxJsonDepth?: number) {
    const pipeline = createPipeline({ storage: createMemoryStorage(), queue: createMemoryQueue(), connectors: [hooks], secretKey: generateKey() });
    pipelines.push(pipeline);
    await pipeline.sources.create('ws', { id: 'open', name: 'open', connector: 'hooks', webhook: { secret: null } });
    return { pipeline, handler: createWebhookHandler({ pipeline, dedup: false, ...(maxJsonDepth ? { maxJsonDepth } : {}) }) };
  }
  const post = (body: string) => new Request('http://x/hooks/ws/open', { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('ingest refuses an over-deep item with a validation error and enqueues nothing of the batch', async () => {
    const { pipeline } = await setup();
    const error = await caught(() => pipeline.ingest('ws', 'open', [{ externalId: 'a', itemType: 'hook', payload: {} }, { externalId: 'b', itemType: 'hook', payload: arrays(3_000) }]));
    expect(isTributaryError(error, 'validation')).toBe(true);
    expect((await pipeline.queue.stats(pipeline.topics.parse)).depth).toBe(0);
  });

  it('the webhook handler answers 400 naming where a body nests past maxJsonDepth (default 64)', async () => {
    const { handler } = await setup();
    const res = await handler.handle(post(`{"id":"deep","a":${JSON.stringify(arrays(64))}}`), { workspaceId: 'ws', sourceId: 'open' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; issues: { path: string; message: string }[] } };
    expect(body.error.code).toBe('validation');
    expect(body.error.issues).toEqual([{ path: expect.stringMatching(/^body\.a(\.0){63}$/), message: 'nested deeper than 64 levels' }]);
    const ok = await handler.handle(post(`{"id":"fine","a":${JSON.stringify(arrays(63))}}`), { workspaceId: 'ws', sourceId: 'open' });
    expect(ok.status).toBe(202);
  });

  it('the webhook handler answers 400, not 503, when ingest refuses an item (a limit above the pipeline\'s)', async () => {
    const { handler } = await setup(100_000);
    const res = await handler.handle(post(`{"id":"deeper","a":${'['.repeat(50_000)}1${']'.repeat(50_000)}}`), { workspaceId: 'ws', sourceId: 'open' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('validation');
  });
});
