// What a consumer does with a message once its handler answered. Every queue adapter settles the same
// way (ack; retry with backoff; dead letter when asked or when attempts run out); only how each step is
// written to the broker differs, so the decision lives here once.
import { toError } from '@tributary/core/errors';
import { handlerAction, type ConsumeOptions, type HandlerResult, type MessageHandler, type QueueMessage } from '@tributary/core/queue';

/** A handler's answer, normalized: returning nothing acknowledges. */
export type Result = Exclude<HandlerResult, void>;

/** What the adapter writes to its broker for one message. */
export type Outcome = { kind: 'ack' } | { kind: 'retry'; delayMs: number } | { kind: 'dead-letter'; reason: string };

/**
 * Runs a handler; a throw (or a rejection) counts as a failed attempt, retried with backoff. Not an
 * `async` function: a handler that answers synchronously (the common fast one) costs one resolved
 * promise here, as the `await` the adapters had inline did, rather than a second async frame per message.
 */
export function runHandler(handler: MessageHandler, message: QueueMessage, signal: AbortSignal): Promise<Result> {
  let answer: ReturnType<MessageHandler>;
  try {
    answer = handler(message, { signal });
  } catch (error) {
    return Promise.resolve(failedAttempt(error));
  }
  // null or a plain result is an answer now; only a thenable is waited for
  if (answer == null || typeof (answer as PromiseLike<HandlerResult>).then !== 'function') return Promise.resolve(handlerAction(answer as HandlerResult));
  return Promise.resolve(answer).then(handlerAction, failedAttempt);
}

function failedAttempt(error: unknown): Result {
  return { action: 'retry', reason: toError(error).message };
}

/**
 * Why a delivery must be dead-lettered before its handler runs, or undefined: a message delivered more
 * than `maxAttempts` times was never answered in time (its consumers died or ran out of lease).
 */
export function exhaustedOnDelivery(attempt: number, o: Pick<Required<ConsumeOptions>, 'maxAttempts'>): string | undefined {
  return attempt > o.maxAttempts ? `max attempts (${o.maxAttempts}) reached: not acknowledged within the visibility timeout` : undefined;
}

// shared by every acknowledged message rather than allocated for each
const ACK: Outcome = Object.freeze({ kind: 'ack' });

/** Turns a handler's result into what to write: the retry delay, or the dead-letter reason. */
export function decideOutcome(result: Result, attempt: number, o: Pick<Required<ConsumeOptions>, 'maxAttempts' | 'retryDelayMs'>): Outcome {
  if (result.action === 'ack') return ACK;
  if (result.action === 'dead-letter') return { kind: 'dead-letter', reason: result.reason };
  if (attempt >= o.maxAttempts) return { kind: 'dead-letter', reason: `max attempts (${o.maxAttempts}) reached: ${result.reason ?? 'retry requested'}` };
  return { kind: 'retry', delayMs: Math.max(0, Math.round(result.delayMs ?? o.retryDelayMs(attempt))) };
}
