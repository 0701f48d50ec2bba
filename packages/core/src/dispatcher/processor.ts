import type { QueueAdapter, Subscription } from '../queue/index.js';
import type { OutboundMessage } from '../target/index.js';
import type { Dispatcher, DispatchTarget } from './dispatcher.js';
import { dispatchQueued } from './queued.js';

/** Options of {@link startProcessor}. */
export interface ProcessorOptions {
  queue: QueueAdapter;
  /**
   * Topic carrying {@link OutboundMessage}s (or payloads `toMessage` turns into one). A message whose
   * target cannot take it now is published on it again (a copy, after a delay), so give the processor
   * a topic no other consumer group reads, or that group sees the copies too.
   */
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
  /** Must exceed the dispatcher's `maxWaitMs` plus its `timeoutMs` (the longest a message is in progress). @default 120000 */
  visibilityTimeoutMs?: number;
  /** Turns a queue payload into a message. @default the payload is the message */
  toMessage?(payload: unknown, meta: { id: string }): OutboundMessage;
}

/**
 * Seed 004's processor: takes events from the broker, pushes them to the target within its limit,
 * and acknowledges each only after the target accepted it (or after handing it back unsent as a
 * delayed copy, when the target is paused or busy).
 */
export function startProcessor(options: ProcessorOptions): Promise<Subscription> {
  const maxAttempts = options.maxAttempts ?? 10;
  return options.queue.consume(
    options.topic,
    async (message, { signal }) => {
      const outbound = options.toMessage ? options.toMessage(message.payload, { id: message.id }) : (message.payload as OutboundMessage);
      const destination = await options.route(outbound);
      if (!destination) return { action: 'dead-letter', reason: 'no destination for this message' };
      return dispatchQueued({ queue: options.queue, dispatcher: options.dispatcher, message, destination, outbound, maxAttempts, signal });
    },
    { group: options.group ?? 'tributary-processor', concurrency: options.concurrency ?? 16, maxAttempts, visibilityTimeoutMs: options.visibilityTimeoutMs ?? 120_000 },
  );
}
