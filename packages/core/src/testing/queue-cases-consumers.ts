import { expect } from 'vitest';
import { publishBatch } from '../queue/index.js';
import { createCollector, nOf, statsEventually } from './queue-collector.js';
import type { QueueCase } from './queue-kit.js';
import { sleep } from './wait.js';

const range = (count: number) => Array.from({ length: count }, (_, n) => n);

/** Groups, competing consumers, crashes, concurrency and shutdown. */
export const queueConsumerCases: Record<string, QueueCase> = {
  'consumers in one group never handle the same message twice': async (k) => {
    const topic = k.topic('shared');
    const group = k.group('g');
    const got = createCollector();
    const slow = async () => {
      await sleep(5);
    };
    await k.consume(topic, got.handler('a', slow), { group, concurrency: 2, visibilityTimeoutMs: 30_000 });
    await k.consume(topic, got.handler('b', slow), { group, concurrency: 2, visibilityTimeoutMs: 30_000 });
    await publishBatch(k.queue, topic, range(40).map((n) => ({ payload: { n } })));
    await got.waitFor(40, k.deliveryTimeoutMs);
    await sleep(k.settleMs);
    expect(got.deliveries).toHaveLength(40);
    expect(got.deliveries.map((d) => nOf(d.message)).sort((a, b) => a - b)).toEqual(range(40));
  },

  'consumers in one group share the work': async (k) => {
    const topic = k.topic('share');
    const group = k.group('g');
    const got = createCollector();
    // Slow handlers and one message at a time leave the other consumer messages to take.
    const slow = async () => {
      await sleep(20);
    };
    await k.consume(topic, got.handler('a', slow), { group, concurrency: 1, visibilityTimeoutMs: 30_000 });
    await k.consume(topic, got.handler('b', slow), { group, concurrency: 1, visibilityTimeoutMs: 30_000 });
    await publishBatch(k.queue, topic, range(20).map((n) => ({ payload: { n } })));
    await got.waitFor(20, k.deliveryTimeoutMs);
    expect(got.of('a').length, 'consumer a handled some').toBeGreaterThan(0);
    expect(got.of('b').length, 'consumer b handled some').toBeGreaterThan(0);
  },

  'each consumer group sees every message': async (k) => {
    const topic = k.topic('groups');
    const got = createCollector();
    await k.consume(topic, got.handler('a'), { group: k.group('a') });
    await k.consume(topic, got.handler('b'), { group: k.group('b') });
    await publishBatch(k.queue, topic, range(10).map((n) => ({ payload: { n } })));
    await got.waitFor(20, k.deliveryTimeoutMs);
    await sleep(k.settleMs);
    expect(got.of('a').map((d) => nOf(d.message)).sort((x, y) => x - y)).toEqual(range(10));
    expect(got.of('b').map((d) => nOf(d.message)).sort((x, y) => x - y)).toEqual(range(10));
  },

  'a message held by a consumer that never answers goes to another consumer after visibilityTimeoutMs': async (k) => {
    const topic = k.topic('died');
    const group = k.group('g');
    const V = k.visibilityTimeoutMs;
    const hung = k.gate();
    const got = createCollector();
    await k.consume(
      topic,
      got.handler('dead', async () => {
        await hung.promise;
      }),
      { group, concurrency: 1, visibilityTimeoutMs: V },
    );
    const id = await k.queue.publish(topic, { n: 1 });
    await got.waitFor(1, k.deliveryTimeoutMs);
    // The second consumer joins only once the first holds the message, so it can only get a redelivery.
    await k.consume(topic, got.handler('alive'), { group, concurrency: 1, visibilityTimeoutMs: V });
    await got.waitFor(2, V + k.deliveryTimeoutMs);
    const [first, second] = got.deliveries;
    expect(second!.consumer).toBe('alive');
    expect(second!.message.id).toBe(id);
    expect(second!.message.attempt).toBe(2);
    expect(second!.at - first!.at, 'not before the visibility timeout').toBeGreaterThanOrEqual(V * 0.8);
    await statsEventually(k.queue, topic, { depth: 0, inFlight: 0 }, k.deliveryTimeoutMs);
    // The first consumer wakes up late and acknowledges a message it no longer holds: harmless.
    hung.release();
    await sleep(k.quietMs);
    expect(got.deliveries).toHaveLength(2);
    await statsEventually(k.queue, topic, { depth: 0, inFlight: 0, deadLetters: 0 }, k.deliveryTimeoutMs);
  },

  'the concurrency option bounds the messages in flight': async (k) => {
    const topic = k.topic('concurrency');
    let active = 0;
    let peak = 0;
    const got = createCollector();
    await k.consume(
      topic,
      got.handler('c1', async () => {
        active++;
        peak = Math.max(peak, active);
        await sleep(40);
        active--;
      }),
      { group: k.group('g'), concurrency: 3, visibilityTimeoutMs: 30_000 },
    );
    await publishBatch(k.queue, topic, range(12).map((n) => ({ payload: { n } })));
    await got.waitFor(12, k.deliveryTimeoutMs);
    await statsEventually(k.queue, topic, { depth: 0, inFlight: 0 }, k.deliveryTimeoutMs);
    expect(peak, 'at most 3 at once').toBeLessThanOrEqual(3);
    expect(peak, 'more than one at once').toBeGreaterThanOrEqual(2);
  },

  'close() waits for in-flight handlers and stops delivery': async (k) => {
    const topic = k.topic('close');
    const group = k.group('g');
    const V = k.visibilityTimeoutMs;
    let finished = false;
    const got = createCollector();
    const sub = await k.consume(
      topic,
      got.handler('closing', async () => {
        await sleep(150);
        finished = true;
      }),
      { group, visibilityTimeoutMs: V },
    );
    await k.queue.publish(topic, { n: 0 });
    await got.waitFor(1, k.deliveryTimeoutMs);
    await sub.close();
    expect(finished, 'close() resolved only after the handler finished').toBe(true);
    await k.queue.publish(topic, { n: 1 });
    await sleep(k.settleMs);
    expect(got.of('closing'), 'a closed consumer takes nothing more').toHaveLength(1);
    // A successor in the group gets only the new message: the one finished during close() was acknowledged.
    await k.consume(topic, got.handler('successor'), { group, visibilityTimeoutMs: V });
    await got.waitFor(2, k.deliveryTimeoutMs);
    await sleep(k.quietMs);
    expect(got.of('successor').map((d) => nOf(d.message))).toEqual([1]);
  },
};
