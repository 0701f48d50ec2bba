// Broker-free parts of the NATS queue: names derived from topics and groups, the envelope, and a
// factory that does no I/O until used.
import { isTributaryError } from '@tributary/core/errors';
import { describe, expect, it } from 'vitest';
import { decodeDeadLetter, decodeEnvelope, encode, toMessage } from '../src/nats/codec.js';
import { createNatsQueue } from '../src/nats/index.js';
import { consumerName, token, topicNames } from '../src/nats/names.js';

describe('nats queue names', () => {
  it('keep [A-Za-z0-9-] and escape everything else, so names are legal and never collide', () => {
    expect(token('orders-2024')).toBe('orders-2024');
    expect(token('a.b*c>d e/f_g')).toBe('a=2Eb=2Ac=3Ed=20e=2Ff=5Fg');
    expect(token('é')).toBe('=C3=A9');
    for (const name of ['a.b', 'x y', 'ü/*>', 'q_DLQ']) expect(token(name)).toMatch(/^[A-Za-z0-9=-]+$/);
    // `_` is escaped, so a topic can never be named like another's dead-letter stream
    expect(topicNames('P_', 'x', 'q').dlStream).not.toBe(topicNames('P_', 'x', 'q_DLQ').stream);
    expect(topicNames('TRIBUTARY_', 'tributary', 'orders')).toEqual({
      stream: 'TRIBUTARY_orders',
      subject: 'tributary.m.orders',
      delayStream: 'TRIBUTARY_orders_DELAY',
      delaySubject: 'tributary.d.orders',
      dlStream: 'TRIBUTARY_orders_DLQ',
      dlSubject: 'tributary.dl.orders',
    });
    expect(consumerName('billing.v2')).toBe('billing=2Ev2');
  });
});

describe('nats queue envelope', () => {
  it('round-trips a message and a dead letter', () => {
    const e = { id: 'm', p: { n: 1 }, h: { a: 'b' }, k: 'k', t: 5 };
    expect(toMessage('orders', decodeEnvelope(encode(e)), 3)).toEqual({ id: 'm', topic: 'orders', payload: { n: 1 }, headers: { a: 'b' }, attempt: 3, publishedAt: 5, key: 'k' });
    const dl = { m: e, reason: 'r', failedAt: 6, group: 'g', attempt: 3 };
    expect(decodeDeadLetter(encode(dl))).toEqual(dl);
    expect(() => decodeEnvelope(new TextEncoder().encode('{"x":1}'))).toThrow();
    expect(() => decodeEnvelope(new TextEncoder().encode('nope'))).toThrow();
  });
});

describe('nats queue factory', () => {
  it('does no I/O until used, and validates before connecting', async () => {
    const queue = createNatsQueue({ servers: '127.0.0.1:9', maxPayloadBytes: 10 });
    expect(queue.capabilities).toEqual({ durable: true, nativeDelay: false, deduplicatesById: true, maxPayloadBytes: 10 });
    const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);
    expect(isTributaryError(await failure(queue.publish('t', 'x'.repeat(20))), 'payload_too_large')).toBe(true);
    expect(isTributaryError(await failure(queue.publish('t', () => 1)), 'validation')).toBe(true);
    await queue.dispose();
  });
});
