/**
 * @module @tributary/core/queue
 * The queue port. Stages talk to each other only through a {@link QueueAdapter}: publish a message
 * to a topic; consume it in a group with at-least-once delivery; acknowledge, retry later, or
 * dead-letter. Adapters: `@tributary/core/queue/memory` here, brokers in `@tributary/adapters/*`.
 * {@link createDeliveryOrder} is the delivery order of an in-process queue's consumer group, for
 * adapters that keep their messages in memory (the memory and file queues use it).
 */
export { createDeliveryOrder, type DeliveryOrder, type OrderedEntry } from './delivery-order.js';

/** A message as a consumer receives it. */
export interface QueueMessage<T = unknown> {
  /** Unique id of the message (given at publish, or assigned by the adapter). */
  id: string;
  topic: string;
  /** JSON-serializable payload. */
  payload: T;
  /** String headers: trace context (`traceparent`), workspace id, idempotency key… */
  headers: Record<string, string>;
  /** 1 on the first delivery, then 2, 3… Counts every delivery, including redeliveries after a crash. */
  attempt: number;
  /** When it was first published (epoch ms). */
  publishedAt: number;
  /** Optional key: messages with the same key are kept together where the broker can. */
  key?: string;
}

/** Options of {@link QueueAdapter.publish}. */
export interface PublishOptions {
  /**
   * A caller-chosen id. Adapters that deduplicate (NATS `Nats-Msg-Id`, the SQL queues) drop a second
   * publish with the same id; others deliver both, so consumers must be idempotent anyway.
   */
  id?: string;
  key?: string;
  headers?: Record<string, string>;
  /** Deliver no earlier than this many milliseconds from now. @default 0 */
  delayMs?: number;
}

/** What a handler tells the queue to do with a message. Returning nothing acknowledges it. */
export type HandlerResult =
  | void
  | { action: 'ack' }
  /** Deliver again later, counting an attempt. */
  | { action: 'retry'; delayMs?: number; reason?: string }
  /** Give up now: move it to the dead letters with the reason. */
  | { action: 'dead-letter'; reason: string };

/** Processes one message. Throwing counts as a failed attempt (retry with backoff, then dead letter). */
export type MessageHandler<T = unknown> = (message: QueueMessage<T>, context: { signal: AbortSignal }) => Promise<HandlerResult> | HandlerResult;

/** Options of {@link QueueAdapter.consume}. */
export interface ConsumeOptions {
  /** Consumer group: consumers in one group share the messages; each group sees every message. */
  group: string;
  /** Messages processed at once by this consumer. @default 1 */
  concurrency?: number;
  /** Deliveries before a failing message is dead-lettered. @default 5 */
  maxAttempts?: number;
  /** Delay before redelivering a failed message. @default exponential from 1 s with full jitter, at most 5 min */
  retryDelayMs?: (attempt: number) => number;
  /**
   * How long a delivered message may stay unacknowledged before it is given to another consumer
   * (the consumer is presumed dead). @default 30000
   */
  visibilityTimeoutMs?: number;
}

/** A running consumer. */
export interface Subscription {
  /**
   * Stops taking messages, aborts the `signal` handlers received (a hint to finish early), and waits
   * for the handlers in progress; their results still count. Messages not finished are redelivered.
   */
  close(): Promise<void>;
}

/** A message that failed for good. */
export interface DeadLetter<T = unknown> {
  /** Id of the dead letter (for replay); may differ from the message id. */
  id: string;
  topic: string;
  message: QueueMessage<T>;
  reason: string;
  failedAt: number;
  /** The consumer group that gave up on it; a replay goes back to that group only, where the broker can. */
  group?: string;
}

/** Depth and lag of a topic, for metrics and back-pressure. */
export interface QueueStats {
  /** Messages waiting to be delivered (ready and delayed). */
  depth: number;
  /** Delivered, not yet acknowledged. */
  inFlight: number;
  deadLetters: number;
  /** Age of the oldest message not yet acknowledged, or null when there is none. */
  oldestAgeMs: number | null;
}

/** What an adapter supports, declared rather than guessed. */
export interface QueueCapabilities {
  /** Messages survive a process restart. */
  durable: boolean;
  /** `delayMs` is honoured by the broker itself (else emulated by the adapter). */
  nativeDelay: boolean;
  /** Publishing the same `id` twice delivers once. */
  deduplicatesById: boolean;
  /** Largest payload accepted, in bytes. */
  maxPayloadBytes: number;
}

/**
 * The queue port. Implementations must pass `testQueueAdapter` from `@tributary/core/testing`.
 * Delivery is at least once: a message is removed only after its handler succeeded.
 */
export interface QueueAdapter {
  readonly name: string;
  readonly capabilities: QueueCapabilities;
  /** Publishes one message; resolves once the message is durable (per `capabilities.durable`). Returns its id. */
  publish<T>(topic: string, payload: T, options?: PublishOptions): Promise<string>;
  /** Publishes several messages; optional — {@link publishBatch} falls back to one publish each. */
  publishBatch?<T>(topic: string, messages: { payload: T; options?: PublishOptions }[]): Promise<string[]>;
  /** Starts consuming a topic. */
  consume<T>(topic: string, handler: MessageHandler<T>, options: ConsumeOptions): Promise<Subscription>;
  /** Lists dead letters of a topic, oldest first. */
  listDeadLetters<T = unknown>(topic: string, options?: { limit?: number }): Promise<DeadLetter<T>[]>;
  /** Publishes a dead letter again with a fresh attempt count and removes it. False when not found. */
  replayDeadLetter(topic: string, deadLetterId: string): Promise<boolean>;
  stats(topic: string): Promise<QueueStats>;
  /** Closes consumers and connections. */
  dispose(): Promise<void>;
}

/** Publishes several messages with the adapter's batch method when it has one. */
export async function publishBatch<T>(queue: QueueAdapter, topic: string, messages: { payload: T; options?: PublishOptions }[]): Promise<string[]> {
  if (messages.length === 0) return [];
  if (queue.publishBatch) return queue.publishBatch(topic, messages);
  const ids: string[] = [];
  for (const m of messages) ids.push(await queue.publish(topic, m.payload, m.options));
  return ids;
}

/** Exponential backoff with full jitter: random in [0, min(cap, base·2^(attempt-1))]. */
export function backoffDelay(attempt: number, baseMs = 1000, capMs = 300_000, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(random() * ceiling);
}

/** Resolves the options of {@link ConsumeOptions} with their defaults. */
export function resolveConsumeOptions(options: ConsumeOptions): Required<ConsumeOptions> {
  return {
    group: options.group,
    concurrency: Math.max(1, options.concurrency ?? 1),
    maxAttempts: Math.max(1, options.maxAttempts ?? 5),
    retryDelayMs: options.retryDelayMs ?? ((attempt) => backoffDelay(attempt)),
    visibilityTimeoutMs: options.visibilityTimeoutMs ?? 30_000,
  };
}

/** Normalizes a handler's return value into an action. */
export function handlerAction(result: HandlerResult): Exclude<HandlerResult, void> {
  return result ?? { action: 'ack' };
}
