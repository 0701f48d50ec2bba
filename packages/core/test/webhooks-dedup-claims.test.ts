// Delivery dedup with claims held as the delivery's own document (insertDocument), as leases (a
// storage without insertDocument) and in memory (localClaims): exact under concurrency, a failed
// enqueue gives the claim back, an abandoned claim or an expired record is taken over by one copy only.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createManualClock, systemClock, type Clock } from '@tributary/core/clock';
import { generateKey } from '@tributary/core/crypto';
import { createError } from '@tributary/core/errors';
import { createPipeline, type Pipeline } from '@tributary/core/pipeline';
import { createMemoryQueue } from '@tributary/core/queue/memory';
import type { StorageAdapter } from '@tributary/core/storage';
import { createMemoryStorage } from '@tributary/core/storage/memory';
import { createStorageDedupStore, createWebhookHandler, type ClaimOutcome, type DedupStore, type WebhookPipeline } from '@tributary/core/webhooks';
import { githubHooks as hooks, githubSignature } from './webhook-fixtures.js';

const WS = 'ws1';
const NOW = Date.UTC(2026, 2, 1, 12, 0, 0);
const SECRET = 'dedup-claims-secret';


/** The storage without `insertDocument`: an adapter that predates it, whose store falls back to leases. */
function withoutInsert(storage: StorageAdapter): StorageAdapter {
  return new Proxy(storage, { get: (target, name, receiver) => (name === 'insertDocument' ? undefined : Reflect.get(target, name, receiver)) });
}

type ClaimMode = 'documents' | 'leases' | 'local';

const pipelines: Pipeline[] = [];
afterEach(async () => {
  for (const p of pipelines.splice(0)) await p.stop();
});

async function setup(mode: ClaimMode, options: { clock?: Clock; ingestDelayMs?: number; failIngests?: number; claimTtlMs?: number } = {}) {
  const clock = options.clock ?? systemClock;
  const memory = createMemoryStorage({ clock });
  const storage = mode === 'leases' ? withoutInsert(memory) : memory;
  const pipeline = createPipeline({ storage, queue: createMemoryQueue(), connectors: [hooks], secretKey: generateKey(), clock });
  pipelines.push(pipeline);
  await pipeline.sources.create(WS, { id: 'gh', name: 'signed', connector: 'hooks', webhook: { scheme: 'github', secret: SECRET } });
  let ingests = 0;
  let failures = options.failIngests ?? 0;
  const counting: WebhookPipeline = {
    storage,
    trigger: pipeline.trigger,
    sources: pipeline.sources,
    async ingest(...args) {
      ingests++;
      // Real time: keeps the first copy in progress while the others arrive.
      if (options.ingestDelayMs) await new Promise((resolve) => setTimeout(resolve, options.ingestDelayMs));
      if (failures > 0) {
        failures--;
        throw createError('queue', 'unavailable', 'queue down');
      }
      return pipeline.ingest(...args);
    },
  };
  const dedup: DedupStore = createStorageDedupStore(storage, { clock, localClaims: mode === 'local' });
  const handler = createWebhookHandler({ pipeline: counting, dedup, clock, ...(options.claimTtlMs ? { claimTtlMs: options.claimTtlMs } : {}) });
  return { handler, dedup, storage, ingests: () => ingests };
}

const signed = (body: string, delivery: string) =>
  new Request(`http://localhost/webhooks/${WS}/gh`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': githubSignature(body, SECRET), 'x-github-delivery': delivery },
    body,
  });
const rawSigned = (body: string, delivery: string) => ({
  url: `http://localhost/webhooks/${WS}/gh`,
  headers: { 'content-type': 'application/json', 'x-hub-signature-256': githubSignature(body, SECRET), 'x-github-delivery': delivery },
  body: Buffer.from(body),
});
const event = (id: string) => JSON.stringify({ id, text: 'hello' });
const params = { workspaceId: WS, sourceId: 'gh' };

describe.each<ClaimMode>(['documents', 'leases', 'local'])('webhook dedup with %s claims', (mode) => {
  it('N concurrent copies of one delivery: one enqueue, the others 409 or a 200 duplicate of its answer', async () => {
    const { handler, ingests } = await setup(mode, { ingestDelayMs: 20 });
    const body = event('a');
    // Both entries at once: they share one implementation and one dedup.
    const answers = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        i % 2 === 0
          ? handler.handle(signed(body, 'delivery-1'), params).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }))
          : handler.handleRaw(rawSigned(body, 'delivery-1'), params).then((r) => ({ status: r.status, body: JSON.parse(r.body) as Record<string, unknown> })),
      ),
    );
    expect(ingests()).toBe(1);
    const accepted = answers.filter((a) => a.status === 202);
    expect(accepted).toHaveLength(1);
    for (const other of answers.filter((a) => a.status !== 202)) {
      expect([200, 409]).toContain(other.status);
      if (other.status === 200) expect(other.body).toMatchObject({ duplicate: true, ids: accepted[0]!.body.ids });
    }
    const later = await handler.handle(signed(body, 'delivery-1'), params);
    expect(later.status).toBe(200);
    expect(await later.json()).toEqual({ ...accepted[0]!.body, duplicate: true });
    expect(ingests()).toBe(1);
  });

  it('a failed enqueue gives the claim back: the retry is processed at once', async () => {
    const { handler, ingests } = await setup(mode, { failIngests: 1 });
    expect((await handler.handle(signed(event('b'), 'delivery-2'), params)).status).toBe(503);
    expect((await handler.handle(signed(event('b'), 'delivery-2'), params)).status).toBe(202);
    expect((await handler.handle(signed(event('b'), 'delivery-2'), params)).status).toBe(200);
    expect(ingests()).toBe(2);
  });

  it('a claim abandoned by a crashed process blocks copies until its TTL, then one copy takes it over', async () => {
    const clock = createManualClock(NOW);
    const { handler, dedup, ingests } = await setup(mode, { clock, claimTtlMs: 1000 });
    const { deliveryKey } = await import('@tributary/core/webhooks');
    // A process claims and dies: its claim is never released nor replaced by a record.
    const crashed = await dedup.claimOrGet!(WS, deliveryKey('gh', 'delivery-3'), 1000);
    expect('release' in crashed).toBe(true);
    expect((await handler.handle(signed(event('c'), 'delivery-3'), params)).status).toBe(409);
    await clock.advance(1000);
    expect((await handler.handle(signed(event('c'), 'delivery-3'), params)).status).toBe(202);
    expect((await handler.handle(signed(event('c'), 'delivery-3'), params)).status).toBe(200);
    expect(ingests()).toBe(1);
  });
});

describe('document claims (storage with insertDocument)', () => {
  const key = 'k';
  const record = (expiresAt: number) => ({ sourceId: 'gh', deliveryId: 'd', acceptedAt: new Date(NOW).toISOString(), expiresAt, accepted: 1, ids: ['r1'] });

  it('a claim is not a record: get() ignores it, and a reader that does not know claims sees it expired', async () => {
    const clock = createManualClock(NOW);
    const storage = createMemoryStorage({ clock });
    const store = createStorageDedupStore(storage, { clock });
    expect('release' in (await store.claimOrGet!(WS, key, 1000))).toBe(true);
    expect(await store.get(WS, key)).toBeNull();
    const stored = await storage.getDocument<{ expiresAt: number }>('webhook-deliveries', WS, key);
    expect(stored?.expiresAt).toBe(0);
  });

  it('a late release by a holder whose claim was taken over leaves the new claim in place', async () => {
    const clock = createManualClock(NOW);
    const store = createStorageDedupStore(createMemoryStorage({ clock }), { clock });
    const first = (await store.claimOrGet!(WS, key, 1000)) as Extract<ClaimOutcome, { release: unknown }>;
    await clock.advance(1000);
    const second = await store.claimOrGet!(WS, key, 1000);
    expect('release' in second).toBe(true);
    await first.release();
    expect(await store.claimOrGet!(WS, key, 1000)).toEqual({ busy: true });
    // The second holder's own release does give it back.
    await (second as Extract<ClaimOutcome, { release: unknown }>).release();
    expect('release' in (await store.claimOrGet!(WS, key, 1000))).toBe(true);
  });

  it('a release after the record replaced the claim deletes nothing', async () => {
    const clock = createManualClock(NOW);
    const store = createStorageDedupStore(createMemoryStorage({ clock }), { clock });
    const claim = (await store.claimOrGet!(WS, key, 1000)) as Extract<ClaimOutcome, { release: unknown }>;
    await store.remember(WS, key, record(NOW + 60_000));
    await claim.release();
    expect(await store.claimOrGet!(WS, key, 1000)).toEqual({ record: record(NOW + 60_000) });
  });

  it('an expired record is taken over by exactly one of several concurrent copies', async () => {
    const clock = createManualClock(NOW);
    const store = createStorageDedupStore(createMemoryStorage({ clock }), { clock });
    await store.remember(WS, key, record(NOW + 500));
    expect(await store.claimOrGet!(WS, key, 1000)).toEqual({ record: record(NOW + 500) });
    await clock.advance(500);
    expect(await store.get(WS, key), 'expired: forgotten').toBeNull();
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => store.claimOrGet!(WS, key, 1000)));
    expect(outcomes.filter((o) => 'release' in o)).toHaveLength(1);
    expect(outcomes.filter((o) => 'busy' in o)).toHaveLength(7);
  });
});

describe('rememberAfterAnswer', () => {
  /** A store whose records are written only when the test lets them (or fail when told). */
  function gatedStore(inner: DedupStore) {
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let failNext = false;
    const remembered: string[] = [];
    const store: DedupStore = {
      get: (w, k) => inner.get(w, k),
      claim: (w, k, ttl) => inner.claim(w, k, ttl),
      claimOrGet: (w, k, ttl) => inner.claimOrGet!(w, k, ttl),
      async remember(w, k, record) {
        await gate;
        if (failNext) {
          failNext = false;
          throw createError('storage', 'unavailable', 'record write failed');
        }
        remembered.push(k);
        await inner.remember(w, k, record);
      },
    };
    return {
      store,
      remembered,
      release: () => open(),
      failNextWrite: () => (failNext = true),
    };
  }

  async function setupGated() {
    const storage = createMemoryStorage();
    const pipeline = createPipeline({ storage, queue: createMemoryQueue(), connectors: [hooks], secretKey: generateKey() });
    pipelines.push(pipeline);
    await pipeline.sources.create(WS, { id: 'gh', name: 'signed', connector: 'hooks', webhook: { scheme: 'github', secret: SECRET } });
    const gated = gatedStore(createStorageDedupStore(storage));
    const errors: string[] = [];
    const handler = createWebhookHandler({ pipeline, dedup: gated.store, rememberAfterAnswer: true, onError: (_e, context) => errors.push(context.stage) });
    return { handler, gated, errors };
  }

  it('answers 202 before the record is written, holds the claim until it is, then answers copies from it', async () => {
    const { handler, gated } = await setupGated();
    const body = event('raa');
    const first = await handler.handle(signed(body, 'delivery-raa'), params);
    // Answered while the record's write is still held back.
    expect(first.status).toBe(202);
    expect(gated.remembered).toEqual([]);
    const accepted = (await first.json()) as { ids: string[] };
    // Meanwhile the claim is still held: a copy is told to come back, not enqueued again.
    expect((await handler.handle(signed(body, 'delivery-raa'), params)).status).toBe(409);
    gated.release();
    await vi.waitFor(() => expect(gated.remembered).toHaveLength(1));
    await vi.waitFor(async () => {
      const copy = await handler.handle(signed(body, 'delivery-raa'), params);
      expect(copy.status).toBe(200);
      expect(await copy.json()).toMatchObject({ duplicate: true, ids: accepted.ids });
    });
  });

  it('a record that could not be written gives the claim back and is reported: the next copy is processed', async () => {
    const { handler, gated, errors } = await setupGated();
    gated.failNextWrite();
    gated.release();
    const body = event('raa-fail');
    expect((await handler.handle(signed(body, 'delivery-raa-fail'), params)).status).toBe(202);
    await vi.waitFor(() => expect(errors).toContain('remember'));
    await vi.waitFor(async () => expect((await handler.handle(signed(body, 'delivery-raa-fail'), params)).status).toBe(202));
    await vi.waitFor(async () => expect((await handler.handle(signed(body, 'delivery-raa-fail'), params)).status).toBe(200));
  });
});
