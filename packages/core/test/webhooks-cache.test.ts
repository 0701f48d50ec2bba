// The webhook handler's per-source cache (invalidated through the pipeline's sources.onChange, bounded
// by a TTL for changes made elsewhere) and the storage round trips of its delivery dedup.
import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock } from '@tributary/core/clock';
import { generateKey } from '@tributary/core/crypto';
import { createPipeline, type Pipeline } from '@tributary/core/pipeline';
import { createMemoryQueue } from '@tributary/core/queue/memory';
import type { StorageAdapter } from '@tributary/core/storage';
import { createMemoryStorage } from '@tributary/core/storage/memory';
import { createStorageDedupStore, createWebhookHandler, type WebhookPipeline } from '@tributary/core/webhooks';
import { githubHooks as hooks, githubSignature } from './webhook-fixtures.js';

const WS = 'ws1';
const NOW = Date.UTC(2026, 2, 1, 12, 0, 0);
const SECRET = 'cache-test-secret';


/** Counts storage calls by method, to show round trips per request. */
function countingStorage(inner: StorageAdapter) {
  const counts = new Map<string, number>();
  const storage = new Proxy(inner, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        counts.set(String(name), (counts.get(String(name)) ?? 0) + 1);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { storage, counts, reset: () => counts.clear(), total: () => [...counts.values()].reduce((a, b) => a + b, 0) };
}

const pipelines: Pipeline[] = [];
afterEach(async () => {
  for (const p of pipelines.splice(0)) await p.stop();
});

async function setup(sourceCacheMs?: number) {
  const clock = createManualClock(NOW);
  const counted = countingStorage(createMemoryStorage({ clock }));
  const pipeline = createPipeline({ storage: counted.storage, queue: createMemoryQueue(), connectors: [hooks], secretKey: generateKey(), clock });
  pipelines.push(pipeline);
  await pipeline.sources.create(WS, { id: 'gh', name: 'signed', connector: 'hooks', webhook: { scheme: 'github', secret: SECRET } });
  let resolves = 0;
  const counting: WebhookPipeline = {
    storage: pipeline.storage,
    ingest: pipeline.ingest,
    trigger: pipeline.trigger,
    sources: {
      resolve: (w, s) => (resolves++, pipeline.sources.resolve(w, s)),
      onChange: (listener) => pipeline.sources.onChange!(listener),
    },
  };
  const handler = createWebhookHandler({ pipeline: counting, clock, ...(sourceCacheMs !== undefined ? { sourceCacheMs } : {}) });
  return { pipeline, clock, handler, counted, resolves: () => resolves };
}

const signed = (body: string, secret = SECRET, delivery?: string) =>
  new Request(`http://localhost/webhooks/${WS}/gh`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-hub-signature-256': githubSignature(body, secret),
      ...(delivery ? { 'x-github-delivery': delivery } : {}),
    },
    body,
  });
const event = (id: string) => JSON.stringify({ id, text: 'hello' });

describe('webhook handler: source cache', () => {
  it('resolves a source once within the TTL, and again after it', async () => {
    const { handler, clock, resolves } = await setup();
    for (const id of ['a', 'b', 'c']) expect((await handler.handle(signed(event(id)), { workspaceId: WS, sourceId: 'gh' })).status).toBe(202);
    expect(resolves()).toBe(1);
    await clock.advance(5000);
    expect((await handler.handle(signed(event('d')), { workspaceId: WS, sourceId: 'gh' })).status).toBe(202);
    expect(resolves()).toBe(2);
  });

  it('a source disabled or given a new secret through the pipeline is seen by the next request', async () => {
    const { handler, pipeline } = await setup();
    expect((await handler.handle(signed(event('a')), { workspaceId: WS, sourceId: 'gh' })).status).toBe(202);
    await pipeline.sources.update(WS, 'gh', { webhook: { scheme: 'github', secret: 'rotated-secret' } });
    expect((await handler.handle(signed(event('b')), { workspaceId: WS, sourceId: 'gh' })).status).toBe(401);
    expect((await handler.handle(signed(event('c'), 'rotated-secret'), { workspaceId: WS, sourceId: 'gh' })).status).toBe(202);
    await pipeline.sources.update(WS, 'gh', { enabled: false });
    expect((await handler.handle(signed(event('d'), 'rotated-secret'), { workspaceId: WS, sourceId: 'gh' })).status).toBe(403);
    await pipeline.sources.delete(WS, 'gh');
    expect((await handler.handle(signed(event('e'), 'rotated-secret'), { workspaceId: WS, sourceId: 'gh' })).status).toBe(404);
  });

  it('a change made by another process (straight to storage) is seen within the TTL, not before', async () => {
    const { handler, pipeline, clock } = await setup(2000);
    expect((await handler.handle(signed(event('a')), { workspaceId: WS, sourceId: 'gh' })).status).toBe(202);
    // Another process on the same storage disables the source: this pipeline hears nothing of it.
    const stored = (await pipeline.storage.getDocument<Record<string, unknown>>('sources', WS, 'gh'))!;
    await pipeline.storage.putDocument('sources', WS, 'gh', { ...stored, enabled: false });
    expect((await handler.handle(signed(event('b')), { workspaceId: WS, sourceId: 'gh' })).status).toBe(202);
    await clock.advance(2000);
    expect((await handler.handle(signed(event('c')), { workspaceId: WS, sourceId: 'gh' })).status).toBe(403);
  });

  it('sourceCacheMs 0 resolves on every request; unknown sources are never cached', async () => {
    const { handler, resolves, pipeline } = await setup(0);
    for (const id of ['a', 'b']) expect((await handler.handle(signed(event(id)), { workspaceId: WS, sourceId: 'gh' })).status).toBe(202);
    expect(resolves()).toBe(2);
    expect((await handler.handle(signed(event('x')), { workspaceId: WS, sourceId: 'late' })).status).toBe(404);
    await pipeline.sources.create(WS, { id: 'late', name: 'late', connector: 'hooks', webhook: { scheme: 'github', secret: SECRET } });
    const late = new Request(`http://localhost/webhooks/${WS}/late`, signed(event('y')));
    expect((await handler.handle(late, { workspaceId: WS, sourceId: 'late' })).status).toBe(202);
  });
});

describe('webhook handler: dedup round trips', () => {
  it('a new delivery costs two writes: its claim (a conditional insert) and its record over it; a redelivery is answered as a duplicate', async () => {
    const { handler, counted } = await setup();
    // Warm the source cache so only dedup and ingest touch storage.
    expect((await handler.handle(signed(event('warm')), { workspaceId: WS, sourceId: 'gh' })).status).toBe(202);
    counted.reset();
    const first = await handler.handle(signed(event('a'), SECRET, 'delivery-1'), { workspaceId: WS, sourceId: 'gh' });
    expect(first.status).toBe(202);
    expect(Object.fromEntries(counted.counts)).toEqual({ insertDocument: 1, putDocument: 1 });
    counted.reset();
    const again = await handler.handle(signed(event('a'), SECRET, 'delivery-1'), { workspaceId: WS, sourceId: 'gh' });
    expect(again.status).toBe(200);
    // The refused insert, then the record read: nothing to give back.
    expect(Object.fromEntries(counted.counts)).toEqual({ insertDocument: 1, getDocument: 1 });
    expect(await again.json()).toMatchObject({ duplicate: true, deliveryId: 'delivery-1', accepted: 1 });
  });
});

describe('storage dedup store with local claims', () => {
  it('claims in memory (no lease written), still blocks a concurrent copy, and expires a claim after its TTL', async () => {
    const clock = createManualClock(NOW);
    const counted = countingStorage(createMemoryStorage({ clock }));
    const store = createStorageDedupStore(counted.storage, { clock, localClaims: true });
    const first = await store.claimOrGet!(WS, 'k', 1000);
    expect('release' in first).toBe(true);
    expect(await store.claimOrGet!(WS, 'k', 1000)).toEqual({ busy: true });
    expect(counted.counts.get('acquireLock')).toBeUndefined();
    await clock.advance(1000);
    const taken = await store.claimOrGet!(WS, 'k', 1000); // the first holder's claim expired
    expect('release' in taken).toBe(true);
    // The first holder releasing late does not free the claim it lost.
    await (first as { release: () => Promise<void> }).release();
    expect(await store.claimOrGet!(WS, 'k', 1000)).toEqual({ busy: true });
    await (taken as { release: () => Promise<void> }).release();
    await store.remember(WS, 'k', { sourceId: 'gh', deliveryId: 'k', acceptedAt: new Date(NOW).toISOString(), expiresAt: NOW + 60_000, accepted: 1, ids: ['r'] });
    expect(await store.claimOrGet!(WS, 'k', 1000)).toMatchObject({ record: { ids: ['r'] } });
  });
});
