import type { QueueAdapter, QueueMessage } from '../queue/index.js';

/**
 * Headers a deferred copy carries. The queue counts every delivery of a message as an attempt, so a
 * delivery handed back unsent (its destination paused or busy) must not go back through the queue's
 * retry: it is published again as a new copy that carries the real sends so far. The counts are
 * bound to the copy's id, so a dead letter replayed under a new id starts afresh, as a replay should.
 */
export const DEFERRAL_HEADERS = {
  /** Id of the copy these counts belong to. */
  copy: 'x-tributary-copy',
  /** Deliveries of earlier copies that reached the target (or may have: a lost lease counts too). */
  sends: 'x-tributary-sends',
  /** How many times the message was handed back unsent; spaces its returns further apart. */
  deferrals: 'x-tributary-deferrals',
} as const;

/** What earlier copies of a message did, read from its headers. */
export interface DeliveryHistory {
  /** Attempts spent before this copy. */
  sends: number;
  /** Times handed back unsent. */
  deferrals: number;
}

const count = (value: string | undefined): number => {
  const n = Number(value);
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
};

/** The history a message's headers carry, or none when they belong to another copy. */
export function deliveryHistory(message: Pick<QueueMessage, 'id' | 'headers'>): DeliveryHistory {
  if (message.headers[DEFERRAL_HEADERS.copy] !== message.id) return { sends: 0, deferrals: 0 };
  return { sends: count(message.headers[DEFERRAL_HEADERS.sends]), deferrals: count(message.headers[DEFERRAL_HEADERS.deferrals]) };
}

/**
 * The attempt a send of this delivery would be: the copy's own deliveries (the queue's count) plus
 * the sends of the copies before it.
 */
export function deliveryAttempt(message: Pick<QueueMessage, 'id' | 'headers' | 'attempt'>): number {
  return deliveryHistory(message).sends + message.attempt;
}

/**
 * Publishes a message again on its topic after `delayMs`, as a copy that keeps its real sends and
 * counts one more deferral (with `extraHeaders` added). The caller then acknowledges the original: a crash in between delivers
 * the message twice (at least once, as everywhere), and the copy's id is derived, not random, so
 * queues that deduplicate by id drop the second copy.
 */
export async function requeueDeferred(queue: QueueAdapter, message: QueueMessage, delayMs: number, extraHeaders: Record<string, string> = {}): Promise<string> {
  const history = deliveryHistory(message);
  const deferrals = history.deferrals + 1;
  const id = `${message.id.replace(/~defer\d+$/, '')}~defer${deferrals}`;
  const headers = {
    ...message.headers,
    ...extraHeaders,
    [DEFERRAL_HEADERS.copy]: id,
    // This delivery sent nothing (a 429 does not count either), so only the earlier ones are carried.
    [DEFERRAL_HEADERS.sends]: String(history.sends + message.attempt - 1),
    [DEFERRAL_HEADERS.deferrals]: String(deferrals),
  };
  return queue.publish(message.topic, message.payload, { id, headers, delayMs: Math.max(0, Math.round(delayMs)), ...(message.key !== undefined ? { key: message.key } : {}) });
}

/**
 * How long a message handed back unsent stays away: doubling with each deferral from 1 s up to `capMs`,
 * with the upper half random so that a backlog handed back at once does not return at once.
 */
export function deferralDelay(deferrals: number, capMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, 1000 * 2 ** Math.min(30, Math.max(0, deferrals)));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
