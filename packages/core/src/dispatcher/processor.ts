import type { QueueAdapter, Subscription } from '../queue/index.js';
import type { OutboundMessage } from '../target/index.js';
import type { Dispatcher, DispatchTarget } from './dispatcher.js';

/** Options of {@link startProcessor}. */
export interface ProcessorOptions {
  queue: QueueAdapter;
  /** Topic carrying {@link OutboundMessage}s (or payloads `toMessage` turns into one). */
  topic: string;
  dispatcher: Dispatcher;
  /** Where each message goes; null dead-letters it. */
  route(message: OutboundMessage): DispatchTarget | null | Promise<DispatchTarget | null>;
  /** @default 'tributary-processor' */
  group?: string;
  /** Messages in progress at once in this process (waiting for the limiter counts). @default 16 */
  concurrency?: number;
  /** @default 10 */
  maxAttempts?: number;
  /** Must exceed the dispatcher's `maxWaitMs` plus its `timeoutMs`. @default 120000 */
  visibilityTimeoutMs?: number;
  /** Turns a queue payload into a message. @default the payload is the message */
  toMessage?(payload: unknown, meta: { id: string }): OutboundMessage;
}

/**
 * Seed 004's processor: takes events from the broker, pushes them to the target within its limit,
 * and acknowledges each only after the target accepted it.
 */
export function startProcessor(options: ProcessorOptions): Promise<Subscription> {
  const maxAttempts = options.maxAttempts ?? 10;
  return options.queue.consume(
    options.topic,
    async (message, { signal }) => {
      const outbound = options.toMessage ? options.toMessage(message.payload, { id: message.id }) : (message.payload as OutboundMessage);
      const destination = await options.route(outbound);
      if (!destination) return { action: 'dead-letter', reason: 'no destination for this message' };
      return options.dispatcher.dispatch(destination, outbound, { attempt: message.attempt, maxAttempts, signal });
    },
    { group: options.group ?? 'tributary-processor', concurrency: options.concurrency ?? 16, maxAttempts, visibilityTimeoutMs: options.visibilityTimeoutMs ?? 120_000 },
  );
}
