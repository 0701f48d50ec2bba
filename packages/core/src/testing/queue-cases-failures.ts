import { expect } from 'vitest';
import type { DeadLetter, QueueAdapter } from '../queue/index.js';
import { createCollector, nOf, statsEventually } from './queue-collector.js';
import type { QueueCase } from './queue-kit.js';
import { eventually, sleep } from './wait.js';

/** Waits until a topic holds `count` dead letters, and returns them. */
async function deadLettersEventually(queue: QueueAdapter, topic: string, count: number, timeoutMs: number): Promise<DeadLetter[]> {
  return eventually(async () => {
    const list = await queue.listDeadLetters(topic);
    expect(list, 'dead letters').toHaveLength(count);
    return list;
  }, timeoutMs, 25);
}

/** Acknowledgement, retries, dead letters and replay. */
export const queueFailureCases: Record<string, QueueCase> = {
  'an acknowledged message is removed and never redelivered': async (k) => {
    const topic = k.topic('ack');
    const group = k.group('g');
    const got = createCollector();
    // Both ways of acknowledging: returning nothing, and returning { action: 'ack' }.
    const sub = await k.consume(topic, got.handler('c1', (m) => (nOf(m) === 0 ? undefined : { action: 'ack' })), { group, visibilityTimeoutMs: k.visibilityTimeoutMs });
    await k.queue.publish(topic, { n: 0 });
    await k.queue.publish(topic, { n: 1 });
    await got.waitFor(2, k.deliveryTimeoutMs);
    await sleep(k.quietMs);
    expect(got.deliveries).toHaveLength(2);
    await statsEventually(k.queue, topic, { depth: 0, inFlight: 0, deadLetters: 0, oldestAgeMs: null }, k.deliveryTimeoutMs);
    // A new consumer of the same group must not see them either: the ack reached the broker.
    await sub.close();
    const later = createCollector();
    await k.consume(topic, later.handler('c2'), { group, visibilityTimeoutMs: k.visibilityTimeoutMs });
    await k.queue.publish(topic, { n: 2 });
    await later.waitFor(1, k.deliveryTimeoutMs);
    await sleep(k.quietMs);
    expect(later.deliveries.map((d) => nOf(d.message))).toEqual([2]);
  },

  'a handler that throws gets the message again with attempt 2': async (k) => {
    const topic = k.topic('throw');
    const got = createCollector();
    await k.consume(
      topic,
      got.handler('c1', (m) => {
        if (m.attempt === 1) throw new Error('kit: first attempt fails');
      }),
      { group: k.group('g'), maxAttempts: 5 },
    );
    const id = await k.queue.publish(topic, { n: 7 }, { headers: { 'x-kit': 'throw' } });
    await got.waitFor(2, k.deliveryTimeoutMs);
    await sleep(k.settleMs);
    expect(got.deliveries.map((d) => d.message.attempt)).toEqual([1, 2]);
    expect(got.deliveries.map((d) => d.message.id)).toEqual([id, id]);
    expect(got.deliveries[1]!.message.payload).toEqual({ n: 7 });
    expect(got.deliveries[1]!.message.headers).toMatchObject({ 'x-kit': 'throw' });
    await statsEventually(k.queue, topic, { depth: 0, inFlight: 0, deadLetters: 0 }, k.deliveryTimeoutMs);
  },

  "{ action: 'retry', delayMs } is not redelivered before the delay": async (k) => {
    const topic = k.topic('retry');
    const D = k.delayMs;
    const got = createCollector();
    // retryDelayMs is immediate, so only the handler's own delayMs can explain a wait.
    await k.consume(topic, got.handler('c1', (m) => (m.attempt === 1 ? { action: 'retry', delayMs: D, reason: 'kit: later' } : undefined)), {
      group: k.group('g'),
      retryDelayMs: () => 0,
    });
    await k.queue.publish(topic, { n: 1 });
    await got.waitFor(1, k.deliveryTimeoutMs);
    await sleep(D * 0.5);
    expect(got.deliveries, 'not redelivered halfway through the delay').toHaveLength(1);
    await got.waitFor(2, D + k.deliveryTimeoutMs);
    const [first, second] = got.deliveries;
    expect(second!.message.attempt).toBe(2);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(D * 0.8);
    expect(second!.at - first!.at).toBeLessThanOrEqual(D + k.deliveryTimeoutMs);
  },

  'after maxAttempts a message is dead-lettered with its reason, and replay delivers it again with attempt 1': async (k) => {
    const topic = k.topic('maxattempts');
    const got = createCollector();
    let replayed = false;
    await k.consume(
      topic,
      got.handler('c1', () => {
        if (!replayed) throw new Error('kit-boom-7f3a');
      }),
      { group: k.group('g'), maxAttempts: 3, visibilityTimeoutMs: 30_000 },
    );
    const before = Date.now();
    const id = await k.queue.publish(topic, { n: 3 }, { headers: { 'x-kit': 'dl' }, key: 'k-dl' });
    const [dl] = await deadLettersEventually(k.queue, topic, 1, k.deliveryTimeoutMs * 2);
    await sleep(k.settleMs);
    expect(got.deliveries.map((d) => d.message.attempt)).toEqual([1, 2, 3]);
    expect(dl!.topic).toBe(topic);
    expect(typeof dl!.id).toBe('string');
    expect(dl!.message.id).toBe(id);
    expect(dl!.message.payload).toEqual({ n: 3 });
    expect(dl!.reason, 'the reason carries the last error').toContain('kit-boom-7f3a');
    expect(dl!.failedAt).toBeGreaterThanOrEqual(before - 5000);
    await statsEventually(k.queue, topic, { depth: 0, inFlight: 0, deadLetters: 1 }, k.deliveryTimeoutMs);

    replayed = true;
    expect(await k.queue.replayDeadLetter(topic, dl!.id)).toBe(true);
    await got.waitFor(4, k.deliveryTimeoutMs);
    const again = got.deliveries[3]!.message;
    expect(again.attempt).toBe(1);
    expect(again.payload).toEqual({ n: 3 });
    expect(again.headers).toMatchObject({ 'x-kit': 'dl' });
    expect(again.key).toBe('k-dl');
    await deadLettersEventually(k.queue, topic, 0, k.deliveryTimeoutMs);
    expect(await k.queue.replayDeadLetter(topic, dl!.id), 'a replayed dead letter is gone').toBe(false);
    await statsEventually(k.queue, topic, { depth: 0, inFlight: 0, deadLetters: 0 }, k.deliveryTimeoutMs);
  },

  "{ action: 'dead-letter' } dead-letters at once with the handler's reason": async (k) => {
    const topic = k.topic('deadletter');
    const got = createCollector();
    await k.consume(topic, got.handler('c1', () => ({ action: 'dead-letter', reason: 'kit: unparseable 42' })), { group: k.group('g'), maxAttempts: 5 });
    const id = await k.queue.publish(topic, { n: 42 });
    const [dl] = await deadLettersEventually(k.queue, topic, 1, k.deliveryTimeoutMs);
    await sleep(k.settleMs);
    expect(got.deliveries).toHaveLength(1);
    expect(dl!.message.id).toBe(id);
    expect(dl!.message.payload).toEqual({ n: 42 });
    expect(dl!.reason).toContain('kit: unparseable 42');
  },

  'listDeadLetters is oldest first and honours limit; replay of an unknown id is false': async (k) => {
    const topic = k.topic('dllist');
    const got = createCollector();
    await k.consume(topic, got.handler('c1', () => ({ action: 'dead-letter', reason: 'kit: list' })), { group: k.group('g'), concurrency: 1 });
    for (let n = 0; n < 3; n++) {
      await k.queue.publish(topic, { n });
      await deadLettersEventually(k.queue, topic, n + 1, k.deliveryTimeoutMs);
    }
    const all = await k.queue.listDeadLetters(topic);
    expect(all.map((d) => nOf(d.message))).toEqual([0, 1, 2]);
    const firstTwo = await k.queue.listDeadLetters(topic, { limit: 2 });
    expect(firstTwo.map((d) => nOf(d.message))).toEqual([0, 1]);
    expect(await k.queue.listDeadLetters(k.topic('dllist-other'))).toEqual([]);
    expect(await k.queue.replayDeadLetter(topic, 'kit-no-such-dead-letter')).toBe(false);
    expect(await k.queue.listDeadLetters(topic)).toHaveLength(3);
  },

  'replay delivers only to the group that dead-lettered the message': async (k) => {
    const topic = k.topic('dlgroup');
    const failing = createCollector();
    const healthy = createCollector();
    let replayed = false;
    await k.consume(topic, failing.handler('a', () => (replayed ? undefined : { action: 'dead-letter', reason: 'kit: group a' })), { group: k.group('a') });
    await k.consume(topic, healthy.handler('b'), { group: k.group('b') });
    await k.queue.publish(topic, { n: 1 });
    const [dl] = await deadLettersEventually(k.queue, topic, 1, k.deliveryTimeoutMs);
    await healthy.waitFor(1, k.deliveryTimeoutMs);
    replayed = true;
    expect(await k.queue.replayDeadLetter(topic, dl!.id)).toBe(true);
    await failing.waitFor(2, k.deliveryTimeoutMs);
    await sleep(k.settleMs);
    expect(failing.deliveries.map((d) => d.message.attempt)).toEqual([1, 1]);
    expect(healthy.deliveries, 'the group that succeeded does not see the replay').toHaveLength(1);
  },
};
