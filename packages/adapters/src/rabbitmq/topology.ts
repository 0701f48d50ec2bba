// Names and arguments of the exchanges and queues of a topic.
//
//   <prefix><topic>                 fanout exchange the topic is published to; each group's queue is bound
//                                   to it, so every group sees every message
//   <prefix><topic>.unrouted        its alternate exchange and queue: messages published while no group
//                                   queue exists wait there, and the first consumer moves them on
//   <prefix><topic>.g.<group>       a group's quorum queue
//   <prefix><topic>.g.<group>.delay.<ms>  retries of a group waiting <ms>, dead-lettered back to its queue
//   <prefix><topic>.delay.<ms>      messages published with delayMs, dead-lettered into the exchange
//   <prefix><topic>.dlx / .dlq      dead-letter exchange and queue
//
// Topic and group names are written with `.` and `%` escaped, so no two topics or groups share a name.

export interface TopicTopology {
  exchange: string;
  unrouted: string;
  dlx: string;
  dlq: string;
  group(group: string): string;
  /** Queue where messages published with a delay wait `ms`. */
  delay(ms: number): string;
  /** Queue where a group's retries wait `ms`. */
  groupDelay(group: string, ms: number): string;
}

const escape = (name: string) => name.replace(/%/g, '%25').replace(/\./g, '%2E');

export function topology(prefix: string, topic: string): TopicTopology {
  const base = `${prefix}${escape(topic)}`;
  return {
    exchange: base,
    unrouted: `${base}.unrouted`,
    dlx: `${base}.dlx`,
    dlq: `${base}.dlq`,
    group: (group) => `${base}.g.${escape(group)}`,
    delay: (ms) => `${base}.delay.${ms}`,
    groupDelay: (group, ms) => `${base}.g.${escape(group)}.delay.${ms}`,
  };
}

/**
 * Rounds a delay up to two significant digits (1234 ms → 1300 ms), so jittered retry delays share a
 * bounded set of delay queues. A message never comes back early; it may come back up to 10% late.
 */
export function delayBucket(ms: number): number {
  const value = Math.max(1, Math.ceil(ms));
  if (value < 100) return value;
  const step = 10 ** (Math.floor(Math.log10(value)) - 1);
  return Math.ceil(value / step) * step;
}

/** How long an unused delay queue lives after its messages are due (redeclared before every publish). */
export const DELAY_QUEUE_GRACE_MS = 60_000;
