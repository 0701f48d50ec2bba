// Concurrent ingest calls share one publishBatch, and single-item calls of a source share one parse
// message; each call settles with its own outcome.
import { AsyncLocalStorage } from 'node:async_hooks';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createManualClock } from '@tributary/core/clock';
import { defineConnector, type RawItem } from '@tributary/core/connector';
import { createError } from '@tributary/core/errors';
import { createPipeline, type ParseJob } from '@tributary/core/pipeline';
import type { PublishOptions, QueueAdapter } from '@tributary/core/queue';
import { createMemoryQueue } from '@tributary/core/queue/memory';
import { recordId } from '@tributary/core/record';
import { createMemoryStorage } from '@tributary/core/storage/memory';
import { createIngestCoalescer, type IngestCall } from '../src/pipeline/ingest-coalescer.js';

type Sent = { payload: ParseJob; options?: PublishOptions };

/** A memory queue whose publishBatch calls are recorded, and may be made to fail. */
function recordingQueue(fail?: (sent: Sent[]) => Error | undefined) {
  const inner = createMemoryQueue();
  const calls: Sent[][] = [];
  const queue: QueueAdapter = {
    ...inner,
    async publishBatch<T>(topic: string, messages: { payload: T; options?: PublishOptions }[]) {
      const sent = messages as unknown as Sent[];
      calls.push(sent);
      const error = fail?.(sent);
      if (error) throw error;
      return inner.publishBatch!(topic, messages);
    },
  };
  return { queue, calls, inner };
}

const connector = { name: 'forum', version: '1.0.0' };
const item = (id: string, extra: Record<string, unknown> = {}): RawItem => ({ externalId: id, itemType: 'post', payload: { id, text: `post ${id}`, ...extra } });
const call = (id: string, more: Partial<IngestCall> = {}): IngestCall => ({ workspaceId: 'ws1', sourceId: 'src1', connector, items: [item(id)], ...more });
const itemIds = (sent: Sent[]) => sent.map((m) => m.payload.items.map((i) => i.externalId));

function coalescerOver(queue: QueueAdapter, options: Parameters<typeof createIngestCoalescer>[1] = {}, maxMessageBytes = 256 * 1024) {
  const clock = createManualClock(Date.UTC(2026, 10, 22, 12));
  return { clock, coalescer: createIngestCoalescer({ queue, topic: 'parse', maxMessageBytes, clock }, options) };
}

describe('ingest coalescer', () => {
  it('single items of one source share one message; other sources and multi-item calls keep their own, all in one publishBatch', async () => {
    const { queue, calls, inner } = recordingQueue();
    const { coalescer } = coalescerOver(queue);
    await Promise.all([
      coalescer.ingest(call('a')),
      coalescer.ingest(call('b')),
      coalescer.ingest(call('x', { sourceId: 'src2' })),
      coalescer.ingest(call('c', { items: [item('c1'), item('c2')] })),
      coalescer.ingest(call('d')),
    ]);
    expect(calls).toHaveLength(1);
    expect(itemIds(calls[0]!)).toEqual([['a', 'b', 'd'], ['x'], ['c1', 'c2']]);
    expect(calls[0]!.map((m) => m.payload.sourceId)).toEqual(['src1', 'src2', 'src1']);
    expect((await inner.stats('parse')).depth).toBe(3);
    // A later call, alone, is its own batch and message.
    await coalescer.ingest(call('e'));
    expect(calls.map(itemIds)).toEqual([[['a', 'b', 'd'], ['x'], ['c1', 'c2']], [['e']]]);
  });

  it('keeps merged messages within maxItemsPerMessage and the byte limit, and batches within maxMessages', async () => {
    const { queue, calls } = recordingQueue();
    const { coalescer } = coalescerOver(queue, { maxItemsPerMessage: 2, maxMessages: 2 });
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((id) => coalescer.ingest(call(id))));
    expect(calls.map(itemIds)).toEqual([[['a', 'b'], ['c', 'd']], [['e']]]);

    // 4 KiB limit: the envelope (1 KiB) and items declared at 1 KiB each (plus their wrapping).
    const sized = recordingQueue();
    const { coalescer: small } = coalescerOver(sized.queue, {}, 4096);
    await Promise.all(['a', 'b', 'c', 'd'].map((id) => small.ingest(call(id, { payloadBytes: 1024 }))));
    expect(sized.calls.map(itemIds)).toEqual([[['a', 'b'], ['c', 'd']]]);
    // Without a declared size, an item is measured.
    const measured = recordingQueue();
    const { coalescer: m } = coalescerOver(measured.queue, {}, 4096);
    await Promise.all(['a', 'b'].map((id) => m.ingest(call(id, { items: [item(id, { text: 'x'.repeat(1800) })] }))));
    expect(measured.calls.map(itemIds)).toEqual([[['a'], ['b']]]);
  });

  it('maxItemsPerMessage 1 merges nothing', async () => {
    const { queue, calls } = recordingQueue();
    const { coalescer } = coalescerOver(queue, { maxItemsPerMessage: 1 });
    await Promise.all(['a', 'b'].map((id) => coalescer.ingest(call(id))));
    expect(calls.map(itemIds)).toEqual([[['a'], ['b']]]);
  });

  it('a payload the queue refuses fails its own call only; an unreachable queue fails every call at once', async () => {
    const refuses = (sent: Sent[]) => (sent.some((m) => m.payload.items.some((i) => i.externalId === 'bad')) ? createError('test', 'payload_too_large', 'too big') : undefined);
    const { queue, calls } = recordingQueue(refuses);
    const { coalescer } = coalescerOver(queue);
    const settled = await Promise.allSettled(['a', 'bad', 'c'].map((id) => coalescer.ingest(call(id))));
    expect(settled.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((settled[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'payload_too_large' });
    // The merged message, then each call alone, unmerged.
    expect(calls.map(itemIds)).toEqual([[['a', 'bad', 'c']], [['a']], [['bad']], [['c']]]);

    const down = recordingQueue(() => createError('test', 'unavailable', 'broker down'));
    const { coalescer: c2 } = coalescerOver(down.queue);
    const all = await Promise.allSettled(['x', 'y'].map((id) => c2.ingest(call(id))));
    expect(all.every((r) => r.status === 'rejected' && /broker down/.test(String(r.reason)))).toBe(true);
    expect(down.calls).toHaveLength(1);
  });

  it('an item nested too deeply fails its call before anything is shared', async () => {
    const { queue, calls } = recordingQueue();
    const { coalescer } = coalescerOver(queue);
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 300; i++) deep = { deep };
    const settled = await Promise.allSettled([coalescer.ingest(call('a')), coalescer.ingest(call('deep', { items: [item('deep', deep)] })), coalescer.ingest(call('b'))]);
    expect(settled.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((settled[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'validation' });
    expect(calls.map(itemIds)).toEqual([[['a', 'b']]]);
  });

  it('keeps each call arrival time and trace: the first in the message, the rest as itemsReceivedAt and traceLinks', async () => {
    const { queue, calls } = recordingQueue();
    const { coalescer, clock } = coalescerOver(queue);
    const t1 = '00-11111111111111111111111111111111-1111111111111111-01';
    const t2 = '00-22222222222222222222222222222222-2222222222222222-01';
    const first = coalescer.ingest(call('a', { traceparent: t1 }));
    await clock.advance(3);
    await Promise.all([first, coalescer.ingest(call('b', { traceparent: t2 })), coalescer.ingest(call('c', { receivedAt: '2026-01-01T00:00:00.000Z' }))]);
    const [message] = calls[0]!;
    expect(message!.options?.headers?.traceparent).toBe(t1);
    expect(message!.payload.traceLinks).toEqual([t2]);
    expect(message!.payload.receivedAt).toBe('2026-11-22T12:00:00.000Z');
    expect(message!.payload.itemsReceivedAt).toEqual(['2026-11-22T12:00:00.000Z', '2026-11-22T12:00:00.003Z', '2026-01-01T00:00:00.000Z']);

    // Calls of one millisecond and no traces carry neither list.
    await Promise.all(['d', 'e'].map((id) => coalescer.ingest(call(id))));
    expect(calls[1]![0]!.payload).not.toHaveProperty('itemsReceivedAt');
    expect(calls[1]![0]!.payload).not.toHaveProperty('traceLinks');
    expect(calls[1]![0]!.options?.headers?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });

  it('publishes outside the callers\u2019 async context, so no caller\u2019s context is stamped on the others', async () => {
    const als = new AsyncLocalStorage<string>();
    const seen: (string | undefined)[] = [];
    const { queue } = recordingQueue(() => {
      seen.push(als.getStore());
      return undefined;
    });
    const { coalescer } = coalescerOver(queue);
    await Promise.all([als.run('request-1', () => coalescer.ingest(call('a'))), als.run('request-2', () => coalescer.ingest(call('b')))]);
    expect(seen).toEqual([undefined]);
  });
});

describe('pipeline with merged ingest calls', () => {
  it('parses merged items one by one: each record keeps its own arrival time, and a bad item fails alone', async () => {
    const clock = createManualClock(Date.UTC(2026, 10, 22, 12));
    const forum = defineConnector({
      name: 'forum',
      version: '1.0.0',
      configSchema: z.object({}),
      parse(raw: RawItem) {
        const p = raw.payload as { id: string; text: string };
        if (p.text === 'POISON') throw createError('forum', 'validation', 'unparseable');
        return [{ externalId: p.id, itemType: 'post', occurredAt: '2026-11-01T00:00:00.000Z', content: { text: p.text } }];
      },
    });
    const { queue, calls } = recordingQueue();
    const storage = createMemoryStorage();
    const pipeline = createPipeline({ storage, queue, connectors: [forum], clock });
    const source = await pipeline.sources.create('ws1', { name: 'Forum', connector: 'forum', config: {} });
    const rejected: string[] = [];
    pipeline.bus.on('record.rejected', (e) => rejected.push(e.externalId ?? '?'));
    const ingest = (id: string, text: string, at?: string) => pipeline.ingest('ws1', source.id, [{ externalId: id, itemType: 'post', payload: { id, text } }], at ? { receivedAt: new Date(at) } : {});
    const results = await Promise.all([ingest('a', 'hello'), ingest('b', 'POISON'), ingest('c', 'older', '2026-11-20T08:00:00.000Z')]);
    expect(results.map((r) => r.ids)).toEqual([[recordId('ws1', source.id, 'a')], [recordId('ws1', source.id, 'b')], [recordId('ws1', source.id, 'c')]]);
    expect(calls.map(itemIds)).toEqual([[['a', 'b', 'c']]]);

    await pipeline.start();
    await pipeline.drain();
    await pipeline.stop();
    expect(rejected).toEqual(['b']);
    const stored = await Promise.all(['a', 'c'].map((id) => storage.getRecord('ws1', recordId('ws1', source.id, id))));
    expect(stored.map((r) => [r?.externalId, r?.receivedAt])).toEqual([
      ['a', '2026-11-22T12:00:00.000Z'],
      ['c', '2026-11-20T08:00:00.000Z'],
    ]);
  });
});
