// Publishes of concurrent ingests coalesced into one publishBatch per topic, each caller settling
// with its own outcome.
import { describe, expect, it } from 'vitest';
import { createError } from '@tributary/core/errors';
import type { QueueAdapter } from '@tributary/core/queue';
import { createMemoryQueue } from '@tributary/core/queue/memory';
import { createPublishCoalescer } from '../src/pipeline/publish-coalescer.js';

/** A memory queue whose publishBatch calls are recorded, and may be made to fail. */
function recordingQueue(fail?: (payloads: unknown[]) => Error | undefined) {
  const inner = createMemoryQueue();
  const calls: unknown[][] = [];
  const queue: QueueAdapter = {
    ...inner,
    async publishBatch<T>(topic: string, messages: { payload: T }[]) {
      const payloads = messages.map((m) => m.payload);
      calls.push(payloads);
      const error = fail?.(payloads);
      if (error) throw error;
      return inner.publishBatch!(topic, messages);
    },
  };
  return { queue, calls, inner };
}

describe('publish coalescer', () => {
  it('concurrent calls share one publishBatch; each gets its own ids, in order', async () => {
    const { queue, calls, inner } = recordingQueue();
    const coalescer = createPublishCoalescer(queue);
    const results = await Promise.all([coalescer.publish('t', [{ payload: 'a' }]), coalescer.publish('t', [{ payload: 'b' }, { payload: 'c' }]), coalescer.publish('t', [{ payload: 'd' }])]);
    expect(calls).toEqual([['a', 'b', 'c', 'd']]);
    expect(results.map((ids) => ids.length)).toEqual([1, 2, 1]);
    expect(new Set(results.flat()).size).toBe(4);
    expect((await inner.stats('t')).depth).toBe(4);
    // A later call, alone, is its own batch.
    await coalescer.publish('t', [{ payload: 'e' }]);
    expect(calls).toHaveLength(2);
  });

  it('keeps batches within maxMessages without splitting a call, and topics apart', async () => {
    const { queue, calls } = recordingQueue();
    const coalescer = createPublishCoalescer(queue, { maxMessages: 2 });
    await Promise.all([coalescer.publish('t', [{ payload: 1 }]), coalescer.publish('t', [{ payload: 2 }, { payload: 3 }]), coalescer.publish('u', [{ payload: 4 }]), coalescer.publish('t', [{ payload: 5 }])]);
    expect(calls).toEqual([[1], [2, 3], [5], [4]]);
  });

  it('a payload the queue refuses fails its own caller only; an unreachable queue fails everyone at once', async () => {
    const { queue, calls } = recordingQueue((payloads) => (payloads.includes('bad') ? createError('test', 'payload_too_large', 'too big') : undefined));
    const coalescer = createPublishCoalescer(queue);
    const settled = await Promise.allSettled(['a', 'bad', 'c'].map((p) => coalescer.publish('t', [{ payload: p }])));
    expect(settled.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(calls).toEqual([['a', 'bad', 'c'], ['a'], ['bad'], ['c']]);

    const down = recordingQueue(() => createError('test', 'unavailable', 'broker down'));
    const c2 = createPublishCoalescer(down.queue);
    const all = await Promise.allSettled(['x', 'y'].map((p) => c2.publish('t', [{ payload: p }])));
    expect(all.every((r) => r.status === 'rejected' && /broker down/.test(String(r.reason)))).toBe(true);
    expect(down.calls).toEqual([['x', 'y']]);
  });
});
