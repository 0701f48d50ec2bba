// The Kafka consumer's own logic without a broker: a kafkajs instance is injected whose producer,
// admin and consumer record what the adapter asks of them, and batches are handed to the adapter's
// `eachBatch` by hand. This covers the handling that the contract suite otherwise exercises only when
// KAFKA_BROKERS is set: commits only after a record is handled, retries and dead letters written to
// their topics, and the lease of a slow handler (maxProcessingMs, reliability bug 6). It does not show
// that kafkajs or a broker behave as the fake does.
import type { EachBatchPayload, Kafka, KafkaMessage, Message } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { decodeRecord, encodeRecord, H } from '../src/kafka/codec.js';
import { createKafkaQueue, type KafkaQueueOptions } from '../src/kafka/index.js';

function fakeKafka() {
  const sent: { topic: string; messages: Message[] }[] = [];
  const commits: string[] = [];
  let eachBatch: ((payload: EachBatchPayload) => Promise<void>) | undefined;
  const noop = async () => undefined;
  const kafka = {
    producer: () => ({ connect: noop, disconnect: noop, send: async (r: { topic: string; messages: Message[] }) => void sent.push(r) }),
    admin: () => ({ connect: noop, disconnect: noop, createTopics: async () => true }),
    consumer: () => ({
      connect: noop,
      disconnect: noop,
      stop: noop,
      subscribe: noop,
      run: async (o: { eachBatch: typeof eachBatch }) => void (eachBatch = o.eachBatch),
      commitOffsets: async (offsets: { topic: string; partition: number; offset: string }[]) => void commits.push(...offsets.map((c) => `${c.topic}:${c.offset}`)),
      pause() {},
      resume() {},
      seek() {},
    }),
  } as unknown as Kafka;
  /** Hands records (payloads, or records already encoded) to the adapter as one batch of partition 0. */
  const deliver = (topic: string, records: Message[]) =>
    eachBatch!({
      batch: { topic, partition: 0, messages: records.map((m, i) => ({ ...m, offset: String(i), timestamp: '0', attributes: 0 }) as unknown as KafkaMessage) },
      heartbeat: noop,
      isRunning: () => true,
      isStale: () => false,
    } as unknown as EachBatchPayload);
  return { kafka, sent, commits, deliver };
}

const record = (n: number, attempts = 0) => encodeRecord({ id: `m-${n}`, payloadJson: JSON.stringify({ n }), publishedAt: 1, attempts });
const options = (kafka: Kafka, o: Partial<KafkaQueueOptions> = {}): KafkaQueueOptions => ({ kafka, onError: () => undefined, ...o });

describe('kafka consumer (fake kafkajs, no broker)', () => {
  it('commits past each record once handled; a retry goes to the group retry topic, a dead letter to <topic>.dlq', async () => {
    const f = fakeKafka();
    const queue = createKafkaQueue(options(f.kafka));
    await queue.consume('orders', (m) => {
      const n = (m.payload as { n: number }).n;
      if (n === 1) return { action: 'retry', delayMs: 0 };
      if (n === 2) return { action: 'dead-letter', reason: 'bad order' };
      return undefined;
    }, { group: 'billing', concurrency: 1, maxAttempts: 3 });
    await f.deliver('orders', [record(0), record(1), record(2)]);
    expect(f.commits).toEqual(['orders:1', 'orders:2', 'orders:3']);
    const retry = f.sent.find((s) => s.topic === 'orders.retry.billing')!;
    expect(decodeRecord(retry.messages[0]! as never, 'x')).toMatchObject({ id: 'm-1', attempts: 1 });
    const dlq = f.sent.find((s) => s.topic === 'orders.dlq')!;
    expect(decodeRecord(dlq.messages[0]! as never, 'x')).toMatchObject({ id: 'm-2', reason: 'bad order', group: 'billing', attempts: 1 });
    await queue.dispose();
  });

  it('a throw on the last attempt dead-letters with the reason; a record past maxAttempts is dead-lettered unhandled', async () => {
    const f = fakeKafka();
    const queue = createKafkaQueue(options(f.kafka));
    const seen: number[] = [];
    await queue.consume('orders', (m) => {
      seen.push(m.attempt);
      throw new Error('boom');
    }, { group: 'g', maxAttempts: 2 });
    await f.deliver('orders', [record(0, 1), record(1, 2)]);
    expect(seen).toEqual([2]);
    const letters = f.sent.filter((s) => s.topic === 'orders.dlq').map((s) => decodeRecord(s.messages[0]! as never, 'x'));
    expect(letters.map((l) => [l.id, l.reason])).toEqual([
      ['m-0', 'max attempts (2) reached: boom'],
      ['m-1', 'max attempts (2) reached: not acknowledged within the visibility timeout'],
    ]);
    expect(f.commits.at(-1)).toBe('orders:2');
    await queue.dispose();
  });

  it('a handler slower than the visibility timeout keeps its record within maxProcessingMs: no copy, one commit', async () => {
    const f = fakeKafka();
    const queue = createKafkaQueue(options(f.kafka, { maxProcessingMs: 1000 }));
    await queue.consume('orders', () => new Promise<void>((r) => setTimeout(r, 300)), { group: 'g', visibilityTimeoutMs: 100 });
    await f.deliver('orders', [record(0)]);
    expect(f.sent).toEqual([]);
    expect(f.commits).toEqual(['orders:1']);
    await queue.dispose();
  });

  it('past maxProcessingMs a copy goes to the retry topic and the commit moves on; the late result is ignored', async () => {
    const f = fakeKafka();
    const queue = createKafkaQueue(options(f.kafka, { maxProcessingMs: 150 }));
    let finish!: () => void;
    const handler = new Promise<void>((r) => (finish = r));
    await queue.consume('orders', () => handler.then(() => ({ action: 'dead-letter' as const, reason: 'too late' })), { group: 'g', visibilityTimeoutMs: 100 });
    await f.deliver('orders', [record(0)]);
    expect(f.commits).toEqual(['orders:1']);
    expect(f.sent.map((s) => s.topic)).toEqual(['orders.retry.g']);
    expect(f.sent[0]!.messages[0]!.headers![H.attempts]).toBe('1');
    finish();
    await queue.dispose();
    expect(f.sent.map((s) => s.topic), 'the late dead letter is not written').toEqual(['orders.retry.g']);
  });
});
