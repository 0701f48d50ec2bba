import { expect } from 'vitest';
import type { HandlerResult, MessageHandler, QueueAdapter, QueueMessage, QueueStats } from '../queue/index.js';
import { eventually } from './wait.js';

/** One delivery as a queue case saw it. */
export interface Delivery<T = unknown> {
  /** Label of the consumer that handled it. */
  consumer: string;
  message: QueueMessage<T>;
  /** Local time the handler started (epoch ms). */
  at: number;
}

/** Records every delivery made to the handlers it creates. */
export interface Collector<T> {
  readonly deliveries: Delivery<T>[];
  /** A handler that records the delivery, then behaves as `behaviour` (acknowledges when omitted). */
  handler(consumer: string, behaviour?: MessageHandler<T>): MessageHandler<T>;
  /** Waits until at least `count` deliveries were recorded. */
  waitFor(count: number, timeoutMs: number): Promise<Delivery<T>[]>;
  /** Deliveries made to one consumer. */
  of(consumer: string): Delivery<T>[];
}

/** Creates a {@link Collector}. */
export function createCollector<T = unknown>(): Collector<T> {
  const deliveries: Delivery<T>[] = [];
  return {
    deliveries,
    handler(consumer, behaviour) {
      return async (message, context): Promise<HandlerResult> => {
        deliveries.push({ consumer, message, at: Date.now() });
        return behaviour ? behaviour(message, context) : undefined;
      };
    },
    async waitFor(count, timeoutMs) {
      await eventually(() => expect(deliveries.length, `deliveries received`).toBeGreaterThanOrEqual(count), timeoutMs);
      return deliveries;
    },
    of(consumer) {
      return deliveries.filter((d) => d.consumer === consumer);
    },
  };
}

/** Waits until the stats of a topic match `expected` (brokers report them eventually). */
export async function statsEventually(queue: QueueAdapter, topic: string, expected: Partial<QueueStats>, timeoutMs: number): Promise<QueueStats> {
  return eventually(async () => {
    const stats = await queue.stats(topic);
    expect(stats).toMatchObject(expected);
    return stats;
  }, timeoutMs, 25);
}

/** The numeric `n` a case put in a payload. */
export function nOf(message: QueueMessage<unknown>): number {
  return (message.payload as { n: number }).n;
}
