// pipeline.ingest's cache of sources: bounded, expiring on an injected clock, dropped at once by the
// pipeline's own source changes, and holding nothing secret.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createManualClock } from '@tributary/core/clock';
import { defineConnector } from '@tributary/core/connector';
import { createSecretBox, generateKey, type SecretBox } from '@tributary/core/crypto';
import { isTributaryError } from '@tributary/core/errors';
import { createPipeline, type PipelineOptions } from '@tributary/core/pipeline';
import { createMemoryQueue } from '@tributary/core/queue/memory';
import type { StorageAdapter } from '@tributary/core/storage';
import { createMemoryStorage } from '@tributary/core/storage/memory';
import { createSourceCache, type IngestSource } from '../src/pipeline/source-cache.js';

const hooks = defineConnector({
  name: 'hooks',
  version: '2.0.0',
  configSchema: z.object({}),
  credentialsSchema: z.object({ token: z.string() }),
  parse: (item) => [{ externalId: item.externalId, itemType: 'hook', occurredAt: '2026-01-01T00:00:00.000Z', content: { text: 'hi' } }],
});

/** Memory storage counting reads of source documents. */
function countingStorage(storage: StorageAdapter = createMemoryStorage()) {
  const counts = { sourceReads: 0 };
  const wrapped: StorageAdapter = Object.create(storage);
  wrapped.getDocument = (collection, scope, id) => {
    if (collection === 'sources') counts.sourceReads++;
    return storage.getDocument(collection, scope, id);
  };
  return { storage: wrapped, counts };
}

/** A secret box counting decryptions, to show ingest decrypts nothing. */
function countingBox(): { box: SecretBox; decrypts: () => number } {
  const inner = createSecretBox({ keys: { k1: generateKey() } });
  let decrypts = 0;
  const box: SecretBox = Object.create(inner);
  box.decrypt = (...args) => (decrypts++, inner.decrypt(...args));
  box.decryptJson = ((...args: Parameters<SecretBox['decryptJson']>) => (decrypts++, inner.decryptJson(...args))) as SecretBox['decryptJson'];
  return { box, decrypts: () => decrypts };
}

function setup(extra: Partial<PipelineOptions> = {}, shared?: StorageAdapter) {
  const clock = createManualClock();
  const { storage, counts } = countingStorage(shared);
  const { box, decrypts } = countingBox();
  const pipeline = createPipeline({ storage, queue: createMemoryQueue(), connectors: [hooks], secretKey: box, clock, ...extra });
  return { pipeline, clock, counts, decrypts, storage };
}

const items = (n = 1) => Array.from({ length: n }, (_, i) => ({ externalId: `e${i}`, itemType: 'hook', payload: { i } }));
const codeOf = (p: Promise<unknown>) => p.then(() => 'accepted', (e: unknown) => (isTributaryError(e) ? e.code : 'other'));

describe('pipeline.ingest source cache', () => {
  it('reads a source once per TTL, and never decrypts its secrets', async () => {
    const t = setup({ sourceCache: { ttlMs: 1000 } });
    const src = await t.pipeline.sources.create('ws', { name: 'h', connector: 'hooks', credentials: { token: 'secret' }, webhook: { secret: 'whsec' }, check: false });
    t.counts.sourceReads = 0;
    const results = await Promise.all(Array.from({ length: 50 }, () => t.pipeline.ingest('ws', src.id, items())));
    expect(results.every((r) => r.accepted === 1)).toBe(true);
    expect(t.counts.sourceReads).toBe(1); // concurrent misses share one read
    await t.clock.advance(999);
    await t.pipeline.ingest('ws', src.id, items());
    expect(t.counts.sourceReads).toBe(1);
    await t.clock.advance(1);
    await t.pipeline.ingest('ws', src.id, items());
    expect(t.counts.sourceReads).toBe(2);
    expect(t.decrypts()).toBe(0);
  });

  it("sees this pipeline's own updates, credential changes and deletes on the next ingest", async () => {
    const t = setup({ sourceCache: { ttlMs: 60_000 } });
    const src = await t.pipeline.sources.create('ws', { name: 'h', connector: 'hooks', check: false });
    await t.pipeline.ingest('ws', src.id, items());
    await t.pipeline.sources.update('ws', src.id, { enabled: false });
    expect(await codeOf(t.pipeline.ingest('ws', src.id, items()))).toBe('forbidden');
    await t.pipeline.sources.update('ws', src.id, { enabled: true });
    expect(await codeOf(t.pipeline.ingest('ws', src.id, items()))).toBe('accepted');
    const reads = t.counts.sourceReads;
    expect(await t.pipeline.sources.updateCredentials('ws', src.id, { token: 'x' }, { expectedVersion: 1 })).toBe(true);
    await t.pipeline.ingest('ws', src.id, items());
    expect(t.counts.sourceReads).toBe(reads + 2); // the credentials' compare-and-set read, then ingest's reload
    await t.pipeline.sources.delete('ws', src.id);
    expect(await codeOf(t.pipeline.ingest('ws', src.id, items()))).toBe('not_found');
  });

  it('a source disabled or deleted by another process stops accepting within the TTL, not before', async () => {
    const storage = createMemoryStorage();
    const api = setup({ sourceCache: { ttlMs: 5000 } }, storage);
    const admin = setup({}, storage); // another process sharing the store
    const a = await admin.pipeline.sources.create('ws', { name: 'a', connector: 'hooks', check: false });
    const b = await admin.pipeline.sources.create('ws', { name: 'b', connector: 'hooks', check: false });
    await api.pipeline.ingest('ws', a.id, items());
    await api.pipeline.ingest('ws', b.id, items());
    await admin.pipeline.sources.update('ws', a.id, { enabled: false });
    await admin.pipeline.sources.delete('ws', b.id);
    await api.clock.advance(4999);
    expect(await codeOf(api.pipeline.ingest('ws', a.id, items()))).toBe('accepted');
    expect(await codeOf(api.pipeline.ingest('ws', b.id, items()))).toBe('accepted');
    await api.clock.advance(1);
    expect(await codeOf(api.pipeline.ingest('ws', a.id, items()))).toBe('forbidden');
    expect(await codeOf(api.pipeline.ingest('ws', b.id, items()))).toBe('not_found');
  });

  it('does not remember a missing source (creating it is seen at once), and `false` reads every time', async () => {
    const t = setup({ sourceCache: false });
    expect(await codeOf(t.pipeline.ingest('ws', 'api', items()))).toBe('not_found');
    await t.pipeline.sources.create('ws', { id: 'api', name: 'api', connector: 'hooks', check: false });
    const before = t.counts.sourceReads;
    for (let i = 0; i < 3; i++) await t.pipeline.ingest('ws', 'api', items());
    expect(t.counts.sourceReads - before).toBe(3);
  });

  it('keeps at most maxEntries sources, dropping the least recently used', async () => {
    const t = setup({ sourceCache: { ttlMs: 60_000, maxEntries: 2 } });
    const ids = [];
    for (const name of ['a', 'b', 'c']) ids.push((await t.pipeline.sources.create('ws', { name, connector: 'hooks', check: false })).id);
    const [a, b, c] = ids as [string, string, string];
    await t.pipeline.ingest('ws', a, items());
    await t.pipeline.ingest('ws', b, items());
    await t.pipeline.ingest('ws', a, items()); // a is now the most recent
    await t.pipeline.ingest('ws', c, items()); // evicts b
    const before = t.counts.sourceReads;
    await t.pipeline.ingest('ws', a, items());
    expect(t.counts.sourceReads).toBe(before);
    await t.pipeline.ingest('ws', b, items());
    expect(t.counts.sourceReads).toBe(before + 1);
  });
});

describe('createSourceCache', () => {
  it('a read that raced an invalidation is handed to its callers but not kept', async () => {
    const clock = createManualClock();
    let release!: (v: IngestSource) => void;
    let loads = 0;
    const cache = createSourceCache({
      clock,
      load: () => {
        loads++;
        return loads === 1 ? new Promise<IngestSource>((r) => (release = r)) : Promise.resolve({ connector: { name: 'hooks', version: '2.0.0' }, enabled: false });
      },
    });
    const racing = cache.get('ws', 's');
    cache.invalidate('ws', 's'); // the source changed while the first read was in flight
    release({ connector: { name: 'hooks', version: '2.0.0' }, enabled: true });
    expect((await racing)?.enabled).toBe(true);
    expect((await cache.get('ws', 's'))?.enabled).toBe(false);
    expect(loads).toBe(2);
    expect((await cache.get('ws', 's'))?.enabled).toBe(false);
    expect(loads).toBe(2);
  });

  it('peek answers fresh entries only, and resolves nothing', async () => {
    const clock = createManualClock();
    let loads = 0;
    const cache = createSourceCache({ clock, options: { ttlMs: 1000 }, load: async (_ws, id) => (loads++, id === 'gone' ? null : { connector: { name: 'hooks', version: '2.0.0' }, enabled: true }) });
    expect(cache.peek('ws', 's')).toBeUndefined();
    expect(loads).toBe(0);
    await cache.get('ws', 's');
    expect(cache.peek('ws', 's')?.enabled).toBe(true);
    // Absence is not kept, so it is never peeked either.
    expect(await cache.get('ws', 'gone')).toBeNull();
    expect(cache.peek('ws', 'gone')).toBeUndefined();
    await clock.advance(1000);
    expect(cache.peek('ws', 's')).toBeUndefined();
    cache.invalidate('ws', 's');
    expect(loads).toBe(2);
    await cache.get('ws', 's');
    cache.invalidate('ws', 's');
    expect(cache.peek('ws', 's')).toBeUndefined();
  });
});
