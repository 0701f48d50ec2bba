// The webhook dedup store on a real Redis: the contract kit, then what only a shared store shows —
// two stores (two processes' worth of clients) agree on one delivery.
import { describe, expect, it } from 'vitest';
import { createRedisDedupStore } from '@tributary/adapters/redis-dedup';
import { testDedupStore } from '@tributary/core/testing';
import { requireService, skippedSuite } from './service-check.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const status = await requireService('Redis', REDIS_URL);
const PREFIX = `tributary-test:dedup:${process.pid}:`;

if (!status.available) skippedSuite('redis dedup store', status.reason!);
else {
  testDedupStore('redis', () => {
    const store = createRedisDedupStore({ url: REDIS_URL, keyPrefix: PREFIX });
    return { store, dispose: () => store.dispose() };
  });

  describe('redis dedup store across clients', () => {
    it('two stores on one Redis: one claim wins, and the record written by one is read by the other', async () => {
      const [a, b] = [createRedisDedupStore({ url: REDIS_URL, keyPrefix: PREFIX }), createRedisDedupStore({ url: REDIS_URL, keyPrefix: PREFIX })];
      try {
        const key = `k-${Date.now()}`;
        const outcomes = await Promise.all([a.claimOrGet!('ws', key, 60_000), b.claimOrGet!('ws', key, 60_000)]);
        expect(outcomes.filter((o) => 'release' in o)).toHaveLength(1);
        const record = { sourceId: 's', deliveryId: 'd', acceptedAt: new Date().toISOString(), expiresAt: Date.now() + 60_000, accepted: 1, ids: ['rec_1'] };
        await (outcomes[0] && 'release' in outcomes[0] ? a : b).remember('ws', key, record);
        expect(await a.get('ws', key)).toEqual(record);
        expect(await b.claimOrGet!('ws', key, 60_000)).toEqual({ record });
      } finally {
        await Promise.all([a.dispose(), b.dispose()]);
      }
    });

    it('dispose() first sends the records still waiting for their turn of the event loop', async () => {
      const a = createRedisDedupStore({ url: REDIS_URL, keyPrefix: PREFIX });
      const b = createRedisDedupStore({ url: REDIS_URL, keyPrefix: PREFIX });
      try {
        const keys = Array.from({ length: 500 }, (_, n) => `late-${Date.now()}-${n}`);
        await Promise.all(keys.map((key) => a.claimOrGet!('ws', key, 60_000)));
        const record = { sourceId: 's', deliveryId: 'd', acceptedAt: new Date().toISOString(), expiresAt: Date.now() + 60_000, accepted: 1, ids: ['rec_1'] };
        // Not awaited, as the handler writes a record after its answer; then the store is closed at once.
        const remembering = Promise.allSettled(keys.map((key) => a.remember('ws', key, record)));
        await a.dispose();
        expect((await remembering).filter((r) => r.status === 'rejected')).toEqual([]);
        for (const key of keys) expect(await b.get('ws', key)).toEqual(record);
      } finally {
        await b.dispose();
      }
    });

    it('records and claims of one turn go in one call, records first: a copy claiming then finds the record', async () => {
      const store = createRedisDedupStore({ url: REDIS_URL, keyPrefix: PREFIX });
      try {
        const run = Date.now();
        const accepted = Array.from({ length: 30 }, (_, n) => `accepted-${run}-${n}`);
        await Promise.all(accepted.map((key) => store.claimOrGet!('ws', key, 60_000)));
        const record = { sourceId: 's', deliveryId: 'd', acceptedAt: new Date().toISOString(), expiresAt: Date.now() + 60_000, accepted: 1, ids: ['rec_1'] };
        const fresh = Array.from({ length: 30 }, (_, n) => `fresh-${run}-${n}`);
        // In one turn: the records of the accepted deliveries, copies of them, and new deliveries.
        const [remembered, copies, news] = await Promise.all([
          Promise.all(accepted.map((key) => store.remember('ws', key, record))),
          Promise.all(accepted.map((key) => store.claimOrGet!('ws', key, 60_000))),
          Promise.all(fresh.map((key) => store.claimOrGet!('ws', key, 60_000))),
        ]);
        expect(remembered).toHaveLength(30);
        expect(copies).toEqual(accepted.map(() => ({ record })));
        expect(news.every((o) => 'release' in o)).toBe(true);
        // Beyond one call's bound (200 of each kind) the turn is split, with the same outcomes.
        const many = Array.from({ length: 450 }, (_, n) => `many-${run}-${n}`);
        await Promise.all(many.map((key) => store.claimOrGet!('ws', key, 60_000)));
        const [, again] = await Promise.all([Promise.all(many.map((key) => store.remember('ws', key, record))), Promise.all(many.map((key) => store.claimOrGet!('ws', key, 60_000)))]);
        expect(again.every((o) => 'record' in o)).toBe(true);
      } finally {
        await store.dispose();
      }
    });

    it('an unreachable Redis is `unavailable` (the handler answers 503), never a silent pass', async () => {
      const store = createRedisDedupStore({ url: 'redis://127.0.0.1:1', redisOptions: { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: false } });
      try {
        await expect(store.claimOrGet!('ws', 'k', 1000)).rejects.toMatchObject({ code: 'unavailable' });
      } finally {
        await store.dispose();
      }
    });
  });
}
