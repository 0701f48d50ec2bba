// Broker-free parts of the Redis queue: the entry layout, and a factory that does no I/O until used.
import { isTributaryError } from '@tributary/core/errors';
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeFields, fieldMap, messageFields } from '../src/redis/codec.js';
import { createRedisQueue } from '../src/redis/index.js';

describe('redis queue entries', () => {
  it('round-trip a message through stream fields', () => {
    const flat = encodeFields({ id: 'm-1', payloadJson: '{"n":1,"s":"é"}', headers: { traceparent: 't' }, key: 'k', publishedAt: 123 });
    expect(decodeMessage('orders', fieldMap(flat), 2)).toEqual({ id: 'm-1', topic: 'orders', payload: { n: 1, s: 'é' }, headers: { traceparent: 't' }, attempt: 2, publishedAt: 123, key: 'k' });
    const bare = encodeFields({ id: 'm-2', payloadJson: 'null', publishedAt: 1 });
    expect(bare).toEqual(['id', 'm-2', 'p', 'null', 't', '1']);
  });

  it('refuse entries not written by the adapter, and keep their content for a dead letter', () => {
    expect(() => decodeMessage('t', { foo: 'bar' }, 1)).toThrow(/no id or payload/);
    expect(fieldMap(messageFields({ foo: 'bar' }, '1-0'))).toEqual({ id: '1-0', p: '{"foo":"bar"}' });
  });
});

describe('redis queue factory', () => {
  it('does no I/O until used, and validates before connecting', async () => {
    const queue = createRedisQueue({ url: 'redis://127.0.0.1:9', maxPayloadBytes: 10 });
    expect(queue.capabilities).toEqual({ durable: true, nativeDelay: false, deduplicatesById: true, maxPayloadBytes: 10 });
    const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);
    expect(isTributaryError(await failure(queue.publish('t', 'x'.repeat(20))), 'payload_too_large')).toBe(true);
    expect(isTributaryError(await failure(queue.publish('', 1)), 'validation')).toBe(true);
    await queue.dispose();
  });
});
