// What of the Kafka queue can be tested without a broker: option checks, topic names, the record
// layout, and the checks publish makes before it connects. The broker-backed suite is
// kafka.integration.test.ts (runs when KAFKA_BROKERS is set); KAFKA.md says what that leaves untested.
import { isTributaryError } from '@tributary/core/errors';
import { describe, expect, it } from 'vitest';
import { decodeRecord, deadLetterId, encodeGroup, encodeRecord, H, kafkaTopics, parseDeadLetterId, validateTopicName } from '../src/kafka/codec.js';
import { createKafkaQueue, validateKafkaOptions, type KafkaQueueOptions } from '../src/kafka/index.js';

const configError = (options: KafkaQueueOptions) => {
  try {
    validateKafkaOptions(options);
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('kafka options', () => {
  it('need brokers or an injected kafka instance', () => {
    const error = configError({});
    expect(isTributaryError(error, 'config')).toBe(true);
    expect(String((error as Error).message)).toMatch(/^\[tributary\] \[queue:kafka\] give `brokers`/);
    expect(() => createKafkaQueue({} as KafkaQueueOptions)).toThrow(/brokers/);
  });

  it('reject brokers that are not host:port, and bad numbers', () => {
    expect(isTributaryError(configError({ brokers: [] }), 'config')).toBe(true);
    expect(isTributaryError(configError({ brokers: ['localhost'] }), 'config')).toBe(true);
    expect(isTributaryError(configError({ brokers: ['kafka:9092', 'bad host:1'] }), 'config')).toBe(true);
    expect(isTributaryError(configError({ brokers: ['kafka:9092'], numPartitions: 0 }), 'config')).toBe(true);
    expect(isTributaryError(configError({ brokers: ['kafka:9092'], sessionTimeoutMs: 1.5 }), 'config')).toBe(true);
    expect(isTributaryError(configError({ brokers: ['kafka:9092'], topicPrefix: 'no spaces ' }), 'config')).toBe(true);
    expect(isTributaryError(configError({ brokers: ['kafka:9092'], maxProcessingMs: -1 }), 'config')).toBe(true);
  });

  it('accept a valid configuration, and creating the adapter does no I/O', async () => {
    expect(configError({ brokers: ['127.0.0.1:9092', 'kafka-1.internal:19092'], numPartitions: 3, topicPrefix: 'app.' })).toBeUndefined();
    // port 9 (discard) would fail any connection attempt: creating and disposing must not try one
    const queue = createKafkaQueue({ brokers: ['127.0.0.1:9'] });
    expect(queue.name).toBe('kafka');
    expect(queue.capabilities).toEqual({ durable: true, nativeDelay: false, deduplicatesById: false, maxPayloadBytes: 1_000_000 });
    await queue.dispose();
  });
});

describe('kafka topic names', () => {
  it('derive the delay, retry, dead-letter and replay topics', () => {
    const t = kafkaTopics('app.', 'orders');
    expect(t).toMatchObject({ main: 'app.orders', delay: 'app.orders.delay', dlq: 'app.orders.dlq', replayed: 'app.orders.dlq.replayed' });
    expect(t.retry('billing')).toBe('app.orders.retry.billing');
    expect(t.retry('ünï côde/x_y')).toBe(`app.orders.retry.${encodeGroup('ünï côde/x_y')}`);
    expect(encodeGroup('a_b c')).toBe('a_5fb_20c');
    expect(encodeGroup('a_b c')).toMatch(/^[a-zA-Z0-9._-]+$/);
  });

  it('accept legal Kafka names and refuse the rest, including ones that collide with derived topics', () => {
    for (const ok of ['orders', 'a.b-c_d', 'X'.repeat(200)]) expect(() => validateTopicName(ok)).not.toThrow();
    for (const bad of ['', 'has space', 'slash/x', 'ü', '.', '..', 'orders.dlq', 'orders.delay', 'orders.retry.g', 'x.dlq.replayed', 'X'.repeat(240)]) {
      expect(() => validateTopicName(bad), bad).toThrow();
    }
  });

  it('publish rejects an illegal topic, an oversized payload or a reserved header before connecting', async () => {
    const queue = createKafkaQueue({ brokers: ['127.0.0.1:9'], maxPayloadBytes: 100 });
    const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);
    expect(isTributaryError(await failure(queue.publish('bad topic', {})), 'validation')).toBe(true);
    expect(isTributaryError(await failure(queue.publish('ok', { blob: 'x'.repeat(200) })), 'payload_too_large')).toBe(true);
    expect(isTributaryError(await failure(queue.publish('ok', {}, { headers: { 'Tributary-Id': 'x' } })), 'validation')).toBe(true);
    expect(isTributaryError(await failure(queue.publish('ok', undefined)), 'validation')).toBe(true);
    await queue.dispose();
  });
});

describe('kafka records', () => {
  it('round-trip payload, headers, key, id, publish time, attempts and not-before', () => {
    const message = encodeRecord({
      id: 'm-1',
      payloadJson: JSON.stringify({ text: 'héllo ✓', n: 1 }),
      headers: { traceparent: '00-abc-01', 'x-workspace-id': 'ws' },
      key: 'k-1',
      publishedAt: 1_700_000_000_000,
      attempts: 2,
      notBefore: 1_700_000_005_000,
    });
    expect(message.key).toBe('k-1');
    expect(message.value).toBe('{"text":"héllo ✓","n":1}');
    // as a consumer sees it: header values arrive as Buffers
    const headers = Object.fromEntries(Object.entries(message.headers!).map(([k, v]) => [k, Buffer.from(String(v))]));
    const decoded = decodeRecord({ key: Buffer.from('k-1'), value: Buffer.from(String(message.value)), headers }, 'fallback');
    expect(decoded).toEqual({
      id: 'm-1',
      payload: { text: 'héllo ✓', n: 1 },
      headers: { traceparent: '00-abc-01', 'x-workspace-id': 'ws' },
      key: 'k-1',
      publishedAt: 1_700_000_000_000,
      attempts: 2,
      notBefore: 1_700_000_005_000,
    });
  });

  it('carry dead-letter fields, and omit attempts and not-before when zero', () => {
    const message = encodeRecord({ id: 'm', payloadJson: 'null', publishedAt: 1, reason: 'bad input', failedAt: 2, group: 'g', attempts: 0 });
    expect(Object.keys(message.headers!).sort()).toEqual([H.failedAt, H.group, H.id, H.publishedAt, H.reason].sort());
    expect(message.key).toBeNull();
    const decoded = decodeRecord({ key: null, value: 'null', headers: message.headers! }, 'x');
    expect(decoded).toMatchObject({ id: 'm', payload: null, reason: 'bad input', failedAt: 2, group: 'g', attempts: 0, notBefore: 0 });
  });

  it('decode a record from another producer: fallback id, broker timestamp, last value of a repeated header', () => {
    const decoded = decodeRecord({ key: null, value: Buffer.from('{"a":1}'), timestamp: '1700000000123', headers: { h: [Buffer.from('one'), 'two'] } }, 'orders:0:42');
    expect(decoded).toEqual({ id: 'orders:0:42', payload: { a: 1 }, headers: { h: 'two' }, publishedAt: 1_700_000_000_123, attempts: 0, notBefore: 0 });
    expect(() => decodeRecord({ key: null, value: 'not json' }, 'x')).toThrow();
  });

  it('refuse caller headers in the reserved namespace', () => {
    expect(() => encodeRecord({ id: 'm', payloadJson: '1', publishedAt: 1, headers: { 'tributary-attempts': '9' } })).toThrow(/reserved/);
  });

  it('name dead letters by partition and offset', () => {
    expect(deadLetterId(3, '1234')).toBe('3:1234');
    expect(parseDeadLetterId('3:1234')).toEqual({ partition: 3, offset: '1234' });
    expect(parseDeadLetterId('kit-no-such-dead-letter')).toBeUndefined();
  });
});
