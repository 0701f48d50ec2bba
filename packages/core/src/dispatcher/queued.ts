import type { HandlerResult, QueueAdapter, QueueMessage } from '../queue/index.js';
import type { OutboundMessage } from '../target/index.js';
import { deliveryAttempt, deliveryHistory, requeueDeferred } from './deferral.js';
import type { Dispatcher, DispatchTarget } from './dispatcher.js';

/** What {@link dispatchQueued} needs. */
export interface QueuedDelivery {
  queue: QueueAdapter;
  dispatcher: Dispatcher;
  /** The queue message being handled (its headers carry the sends of earlier copies). */
  message: QueueMessage;
  destination: DispatchTarget;
  outbound: OutboundMessage;
  /** Real sends before the message is dead-lettered; the consumer's `maxAttempts` must be the same. */
  maxAttempts: number;
  signal: AbortSignal;
}

/**
 * Dispatches a message taken from a queue and turns the outcome into the queue's answer. Attempts
 * count real sends over all copies of the message; a delivery the dispatcher defers is published
 * again as a copy after its delay and this one acknowledged, so the consumer slot is free at once
 * and the wait costs no attempt.
 */
export async function dispatchQueued(o: QueuedDelivery): Promise<Exclude<HandlerResult, void>> {
  const result = await o.dispatcher.dispatch(o.destination, o.outbound, {
    attempt: deliveryAttempt(o.message),
    maxAttempts: o.maxAttempts,
    signal: o.signal,
    deferrals: deliveryHistory(o.message).deferrals,
  });
  if (result.action !== 'defer') return result;
  await requeueDeferred(o.queue, o.message, result.delayMs);
  return { action: 'ack' };
}
