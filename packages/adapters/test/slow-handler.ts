import { eventually, uniqueId } from '@tributary/core/testing';
import type { QueueAdapter, QueueMessage } from '@tributary/core/queue';
import { expect } from 'vitest';

/**
 * The lease-renewal case the broker adapters share (issue 5, bug 6): a handler that runs three
 * visibility timeouts keeps its message. Two consumers with free slots in one group consume the
 * topic, so any redelivery would be taken at once; afterwards the message was handled once, at
 * attempt 1, acknowledged, and nothing is left in flight or in the dead letters.
 *
 * @param queue - opens a fresh adapter on the broker (called twice: one per consumer)
 * @param leaseMs - the visibility timeout the consumers use
 * @param settleMs - how long to watch for a late redelivery after the handler finished
 */
export async function expectSlowHandlerKeepsItsMessage(queue: () => QueueAdapter, leaseMs: number, settleMs: number): Promise<void> {
  const topic = uniqueId('slow');
  const handled: { consumer: string; attempt: number }[] = [];
  const finished: string[] = [];
  const slow = (consumer: string) => async (m: QueueMessage) => {
    handled.push({ consumer, attempt: m.attempt });
    await new Promise((r) => setTimeout(r, 3 * leaseMs));
    finished.push(consumer);
  };
  const a = queue();
  const b = queue();
  await a.consume(topic, slow('a'), { group: 'g', concurrency: 2, visibilityTimeoutMs: leaseMs, maxAttempts: 2 });
  await b.consume(topic, slow('b'), { group: 'g', concurrency: 2, visibilityTimeoutMs: leaseMs, maxAttempts: 2 });
  await a.publish(topic, { n: 1 });
  await eventually(() => expect(finished).toHaveLength(1), 10_000);
  await new Promise((r) => setTimeout(r, settleMs));
  expect(handled.map((h) => h.attempt)).toEqual([1]);
  expect(finished).toHaveLength(1);
  await eventually(async () => expect(await a.stats(topic)).toMatchObject({ depth: 0, inFlight: 0, deadLetters: 0 }), 5000);
  expect(await a.listDeadLetters(topic)).toEqual([]);
}
