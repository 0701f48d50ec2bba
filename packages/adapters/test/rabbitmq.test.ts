// Broker-free parts of the RabbitMQ queue: names, delay buckets, and a factory that does no I/O until used.
import { isTributaryError } from '@tributary/core/errors';
import { describe, expect, it } from 'vitest';
import { createRabbitQueue } from '../src/rabbitmq/index.js';
import { delayBucket, topology } from '../src/rabbitmq/topology.js';

describe('rabbitmq queue topology', () => {
  it('names the exchanges and queues of a topic, escaping dots so names never collide', () => {
    const t = topology('tributary.', 'orders');
    expect(t).toMatchObject({ exchange: 'tributary.orders', unrouted: 'tributary.orders.unrouted', dlx: 'tributary.orders.dlx', dlq: 'tributary.orders.dlq' });
    expect(t.group('billing')).toBe('tributary.orders.g.billing');
    expect(t.delay(1300)).toBe('tributary.orders.delay.1300');
    expect(t.groupDelay('billing', 1300)).toBe('tributary.orders.g.billing.delay.1300');
    // topic "a.g.x" must not share the queue of topic "a", group "x"
    expect(topology('p.', 'a.g.x').exchange).not.toBe(topology('p.', 'a').group('x'));
    expect(topology('p.', 'a%2E').exchange).not.toBe(topology('p.', 'a.').exchange);
  });

  it('rounds delays up to two significant digits, never down', () => {
    expect([0, 1, 99, 100, 101, 1234, 1300, 45_678, 299_999].map(delayBucket)).toEqual([1, 1, 99, 100, 110, 1300, 1300, 46_000, 300_000]);
    for (let ms = 1; ms < 400_000; ms = Math.ceil(ms * 1.37)) {
      expect(delayBucket(ms)).toBeGreaterThanOrEqual(ms);
      expect(delayBucket(ms)).toBeLessThanOrEqual(Math.max(ms + 1, ms * 1.1));
    }
  });
});

describe('rabbitmq queue factory', () => {
  it('does no I/O until used, and validates before connecting', async () => {
    const queue = createRabbitQueue({ url: 'amqp://127.0.0.1:9', maxPayloadBytes: 10 });
    expect(queue.capabilities).toEqual({ durable: true, nativeDelay: false, deduplicatesById: false, maxPayloadBytes: 10 });
    const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);
    expect(isTributaryError(await failure(queue.publish('t', 'x'.repeat(20))), 'payload_too_large')).toBe(true);
    expect(isTributaryError(await failure(queue.publish('', 1)), 'validation')).toBe(true);
    await queue.dispose();
  });
});
