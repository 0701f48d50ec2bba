import { afterEach, beforeEach, describe } from 'vitest';
import type { ConsumeOptions, MessageHandler, QueueAdapter, Subscription } from '../queue/index.js';
import { kitCases, type KitSkip } from './kit-cases.js';
import { queueConsumerCases } from './queue-cases-consumers.js';
import { queueDeliveryCases } from './queue-cases-delivery.js';
import { queueFailureCases } from './queue-cases-failures.js';
import { createGate, uniqueId, within, type Gate } from './wait.js';

/** Options of {@link testQueueAdapter}. */
export interface QueueKitOptions {
  /** Cases to skip, each with its reason. */
  skip?: KitSkip[];
  /** Max ms a delivery may take to arrive. @default 5000 */
  deliveryTimeoutMs?: number;
  /** Visibility timeout the kit may use for redelivery cases; real brokers may need >= 1000. @default 100 */
  visibilityTimeoutMs?: number;
  /** Unique topic prefix per run so parallel runs don't collide. @default a random `qk-…` */
  topicPrefix?: string;
}

/** What every queue case receives: a fresh adapter plus helpers that clean up after the case. */
export interface QueueKitContext {
  readonly queue: QueueAdapter;
  /** Max ms a delivery may take to arrive. */
  readonly deliveryTimeoutMs: number;
  /** Visibility timeout for cases that rely on redelivery of an unacknowledged message. */
  readonly visibilityTimeoutMs: number;
  /** Delay used by the `delayMs` cases: long enough to tell apart from an immediate delivery. */
  readonly delayMs: number;
  /** How long to keep watching to claim that a redelivery (after a visibility timeout) did not happen. */
  readonly quietMs: number;
  /** How long to keep watching for an unwanted delivery that would come at once (a duplicate, a retry without delay). */
  readonly settleMs: number;
  /** A topic name unique to this case. */
  topic(label: string): string;
  /** A consumer group name unique to this case. */
  group(label: string): string;
  /** Consumes with retries immediate by default; the subscription is closed after the case. */
  consume<T>(topic: string, handler: MessageHandler<T>, options: ConsumeOptions): Promise<Subscription>;
  /** A gate released automatically after the case, so a "hung" handler never blocks cleanup. */
  gate(): Gate;
}

/** One case of the queue kit. */
export type QueueCase = (k: QueueKitContext) => Promise<void>;

/**
 * The contract every queue adapter must pass. Call it at the top level of a test file; it registers
 * one `describe` with a fresh adapter per case, disposed afterwards. Topic and group names carry
 * random suffixes, so the same kit can run again and again against a shared broker without cleanup.
 * @example testQueueAdapter('memory', () => createMemoryQueue())
 */
export function testQueueAdapter(name: string, create: () => QueueAdapter | Promise<QueueAdapter>, options: QueueKitOptions = {}): void {
  const deliveryTimeoutMs = options.deliveryTimeoutMs ?? 5000;
  const visibilityTimeoutMs = options.visibilityTimeoutMs ?? 100;
  const prefix = sanitize(options.topicPrefix ?? uniqueId('qk'));
  // Long enough to tell apart from "now"; brokers that need a longer visibility timeout poll coarsely too.
  const delayMs = Math.max(200, visibilityTimeoutMs);
  const quietMs = Math.round(visibilityTimeoutMs * 1.5) + 50;
  const settleMs = Math.max(50, Math.round(quietMs / 2));
  const caseTimeoutMs = 10_000 + 4 * deliveryTimeoutMs + 6 * Math.max(delayMs, visibilityTimeoutMs);

  describe(`queue adapter contract: ${name}`, () => {
    let current: QueueKitContext | undefined;
    let cleanup: (() => Promise<void>) | undefined;

    beforeEach(async () => {
      const queue = await create();
      const subscriptions: Subscription[] = [];
      const gates: Gate[] = [];
      const suffix = uniqueId('').slice(1, 9);
      current = {
        queue,
        deliveryTimeoutMs,
        visibilityTimeoutMs,
        delayMs,
        quietMs,
        settleMs,
        topic: (label) => `${prefix}-${sanitize(label)}-${suffix}`,
        group: (label) => `${prefix}-g-${sanitize(label)}-${suffix}`,
        async consume(topic, handler, consumeOptions) {
          const sub = await queue.consume(topic, handler, { retryDelayMs: () => 0, ...consumeOptions });
          subscriptions.push(sub);
          return sub;
        },
        gate() {
          const g = createGate();
          gates.push(g);
          return g;
        },
      };
      cleanup = async () => {
        for (const g of gates) g.release();
        await within(Promise.all(subscriptions.map((s) => s.close())), deliveryTimeoutMs * 2, 'closing the subscriptions');
        await within(queue.dispose(), deliveryTimeoutMs * 2, 'dispose()');
      };
    });

    afterEach(async () => {
      const run = cleanup;
      cleanup = undefined;
      current = undefined;
      await run?.();
    });

    const context = (): QueueKitContext => {
      if (!current) throw new Error('[tributary] [testing] queue kit context used outside a case');
      return current;
    };
    const register = kitCases(options.skip, caseTimeoutMs);
    for (const cases of [queueDeliveryCases, queueFailureCases, queueConsumerCases]) {
      for (const [caseName, run] of Object.entries(cases)) register(caseName, () => run(context()));
    }
    register.done();
  });
}

/** Topic names must suit every broker (NATS subjects, Kafka topics, RabbitMQ queues): `[a-z0-9-]`. */
function sanitize(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
}
