import { expect } from 'vitest';
import { isTributaryError } from '../errors/index.js';
import { publishBatch } from '../queue/index.js';
import { createCollector, nOf, statsEventually } from './queue-collector.js';
import type { QueueCase } from './queue-kit.js';
import { sleep } from './wait.js';

/** Broker clocks may differ a little from ours; `publishedAt` only has to be plausible. */
const CLOCK_SKEW_MS = 5000;
const MIB = 1024 * 1024;

/** Publishing, delivery contents, ordering, delays, stats and limits. */
export const queueDeliveryCases: Record<string, QueueCase> = {
  'publish → consume delivers payload, headers and key intact with attempt 1': async (k) => {
    const topic = k.topic('basic');
    const payload = { text: 'héllo ✓ "quoted"', n: 42, ratio: 0.1, nested: { list: [1, 'two', null, true] }, empty: {} };
    const headers = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 'x-workspace-id': 'ws_kit' };
    const got = createCollector();
    await k.consume(topic, got.handler('c1'), { group: k.group('g') });
    const before = Date.now();
    const id = await k.queue.publish(topic, payload, { headers, key: 'key-1' });
    const after = Date.now();
    const [d] = await got.waitFor(1, k.deliveryTimeoutMs);
    expect(typeof id).toBe('string');
    expect(id.length).toBeGreaterThan(0);
    expect(d!.message.id).toBe(id);
    expect(d!.message.topic).toBe(topic);
    expect(d!.message.payload).toEqual(payload);
    expect(d!.message.headers).toMatchObject(headers);
    expect(d!.message.key).toBe('key-1');
    expect(d!.message.attempt).toBe(1);
    expect(d!.message.publishedAt).toBeGreaterThanOrEqual(before - CLOCK_SKEW_MS);
    expect(d!.message.publishedAt).toBeLessThanOrEqual(after + CLOCK_SKEW_MS);
  },

  'publishBatch delivers every message in order to a single consumer': async (k) => {
    const topic = k.topic('batch');
    const got = createCollector();
    await k.consume(topic, got.handler('c1'), { group: k.group('g'), concurrency: 1 });
    const ids = await publishBatch(k.queue, topic, Array.from({ length: 20 }, (_, n) => ({ payload: { n }, options: { headers: { 'x-n': String(n) } } })));
    expect(ids).toHaveLength(20);
    expect(new Set(ids).size).toBe(20);
    await got.waitFor(20, k.deliveryTimeoutMs);
    expect(got.deliveries.map((d) => nOf(d.message))).toEqual(Array.from({ length: 20 }, (_, n) => n));
    expect(got.deliveries.map((d) => d.message.id)).toEqual(ids);
    expect(got.deliveries.map((d) => d.message.headers['x-n'])).toEqual(Array.from({ length: 20 }, (_, n) => String(n)));
    expect(await publishBatch(k.queue, topic, [])).toEqual([]);
  },

  'a caller-chosen id is returned, and published once when the adapter deduplicates': async (k) => {
    const topic = k.topic('dedup');
    const id = `kit-${topic}`;
    expect(await k.queue.publish(topic, { n: 1 }, { id })).toBe(id);
    expect(await k.queue.publish(topic, { n: 1 }, { id })).toBe(id);
    const got = createCollector();
    await k.consume(topic, got.handler('c1'), { group: k.group('g') });
    await got.waitFor(1, k.deliveryTimeoutMs);
    await sleep(k.settleMs);
    expect(got.deliveries.every((d) => d.message.id === id)).toBe(true);
    if (k.queue.capabilities.deduplicatesById) expect(got.deliveries).toHaveLength(1);
    else expect(got.deliveries.length).toBeGreaterThanOrEqual(1);
  },

  'messages published before the first consumer are delivered': async (k) => {
    const topic = k.topic('early');
    await publishBatch(k.queue, topic, Array.from({ length: 5 }, (_, n) => ({ payload: { n } })));
    await k.queue.publish(topic, { n: 5 });
    const got = createCollector();
    await k.consume(topic, got.handler('c1'), { group: k.group('g') });
    await got.waitFor(6, k.deliveryTimeoutMs);
    expect(got.deliveries.map((d) => nOf(d.message)).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(got.deliveries.every((d) => d.message.attempt === 1)).toBe(true);
  },

  'delayMs on publish is honoured': async (k) => {
    const topic = k.topic('delay');
    const D = k.delayMs;
    const got = createCollector();
    // One delayed message waits for its consumer, the other is published while it runs.
    await k.queue.publish(topic, { n: 0 }, { delayMs: D });
    const earlyPublished = Date.now();
    await k.consume(topic, got.handler('c1'), { group: k.group('g'), concurrency: 4 });
    const before = Date.now();
    await k.queue.publish(topic, { n: 1 }, { delayMs: D });
    const published = Date.now();
    await k.queue.publish(topic, { n: 2 });
    await got.waitFor(3, D + k.deliveryTimeoutMs);
    const at = (n: number) => got.deliveries.find((d) => nOf(d.message) === n)!.at;
    expect(got.deliveries.map((d) => nOf(d.message))[0], 'the undelayed message comes first').toBe(2);
    expect(at(0) - earlyPublished, 'delayed message published before any consumer').toBeGreaterThanOrEqual(D * 0.8);
    expect(at(1) - published, 'delayed message').toBeGreaterThanOrEqual(D * 0.8);
    expect(at(1) - before).toBeLessThanOrEqual(D + k.deliveryTimeoutMs);
  },

  'stats report depth, inFlight, deadLetters and oldestAgeMs': async (k) => {
    const topic = k.topic('stats');
    expect(await k.queue.stats(topic), 'a topic never used').toMatchObject({ depth: 0, inFlight: 0, deadLetters: 0, oldestAgeMs: null });
    const start = Date.now();
    await publishBatch(k.queue, topic, [0, 1, 2].map((n) => ({ payload: { n } })));
    const waiting = await statsEventually(k.queue, topic, { depth: 3, inFlight: 0, deadLetters: 0 }, k.deliveryTimeoutMs);
    expect(waiting.oldestAgeMs).not.toBeNull();
    expect(waiting.oldestAgeMs!).toBeGreaterThanOrEqual(0);
    expect(waiting.oldestAgeMs!).toBeLessThanOrEqual(Date.now() - start + CLOCK_SKEW_MS);
    await sleep(120);
    const older = await k.queue.stats(topic);
    expect(older.oldestAgeMs!, 'oldestAgeMs grows while nothing is consumed').toBeGreaterThan(waiting.oldestAgeMs!);

    const gate = k.gate();
    const got = createCollector();
    await k.consume(
      topic,
      got.handler('c1', async (m) => {
        if (nOf(m) === 99) return { action: 'dead-letter', reason: 'kit: stats' };
        await gate.promise;
      }),
      { group: k.group('g'), concurrency: 1, visibilityTimeoutMs: 30_000 },
    );
    await got.waitFor(1, k.deliveryTimeoutMs);
    await statsEventually(k.queue, topic, { depth: 2, inFlight: 1, deadLetters: 0 }, k.deliveryTimeoutMs);
    gate.release();
    await got.waitFor(3, k.deliveryTimeoutMs);
    await statsEventually(k.queue, topic, { depth: 0, inFlight: 0, deadLetters: 0, oldestAgeMs: null }, k.deliveryTimeoutMs);
    await k.queue.publish(topic, { n: 99 });
    await statsEventually(k.queue, topic, { depth: 0, inFlight: 0, deadLetters: 1, oldestAgeMs: null }, k.deliveryTimeoutMs);
  },

  '500 messages are each delivered exactly once when handlers succeed': async (k) => {
    const topic = k.topic('bulk');
    const count = 500;
    const got = createCollector();
    await k.consume(topic, got.handler('c1'), { group: k.group('g'), concurrency: 10, visibilityTimeoutMs: 30_000 });
    for (let start = 0; start < count; start += 100) {
      await publishBatch(k.queue, topic, Array.from({ length: 100 }, (_, i) => ({ payload: { n: start + i } })));
    }
    await got.waitFor(count, k.deliveryTimeoutMs * 4);
    await sleep(k.settleMs);
    expect(got.deliveries).toHaveLength(count);
    expect(new Set(got.deliveries.map((d) => d.message.id)).size).toBe(count);
    expect(new Set(got.deliveries.map((d) => nOf(d.message))).size).toBe(count);
    expect(got.deliveries.every((d) => d.message.attempt === 1)).toBe(true);
    await statsEventually(k.queue, topic, { depth: 0, inFlight: 0 }, k.deliveryTimeoutMs);
  },

  'a payload over capabilities.maxPayloadBytes is rejected with payload_too_large': async (k) => {
    const topic = k.topic('limit');
    const max = k.queue.capabilities.maxPayloadBytes;
    expect(Number.isSafeInteger(max) && max > 0, 'maxPayloadBytes is a positive integer').toBe(true);
    await k.queue.publish(topic, { n: 0, blob: 'x'.repeat(Math.min(1024, Math.floor(max / 2))) });
    // Past 16 MiB a test payload costs more than it proves; such adapters still show the small one goes through.
    if (max <= 16 * MIB) {
      const error = await k.queue.publish(topic, { n: 1, blob: 'x'.repeat(max + 1) }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, 'publish of an oversized payload rejects').toBeDefined();
      expect(isTributaryError(error, 'payload_too_large'), `expected a TributaryError payload_too_large, got ${String(error)}`).toBe(true);
    }
    const got = createCollector();
    await k.consume(topic, got.handler('c1'), { group: k.group('g') });
    await got.waitFor(1, k.deliveryTimeoutMs);
    await sleep(k.settleMs);
    expect(got.deliveries.map((d) => nOf(d.message))).toEqual([0]);
  },
};
