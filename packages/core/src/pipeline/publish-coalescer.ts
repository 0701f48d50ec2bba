import { isTributaryError } from '../errors/index.js';
import { publishBatch, type PublishOptions, type QueueAdapter } from '../queue/index.js';

/**
 * Coalesces the publishes of concurrent `pipeline.ingest` calls into one `publishBatch` per topic.
 * Under load every HTTP ingest request publishes one small message; on a networked queue (Redis,
 * NATS, RabbitMQ) each call is its own write and reply, which cost more than the message. Calls
 * made before the next turn of the event loop share one batch, so a burst of requests read from
 * their sockets together costs one round trip. Alone, a call waits only that one turn.
 *
 * Each caller's promise settles with its own outcome and only after its messages were published.
 * When a shared batch fails for a reason that may be one caller's (a payload the queue refuses),
 * its callers are published again one by one so only that caller fails; when the queue is
 * unreachable (`unavailable`), every caller of the batch gets the error at once.
 */
export interface PublishCoalescer {
  /** Publishes `messages` to `topic` (with others'); resolves with their ids, in order. */
  publish<T>(topic: string, messages: { payload: T; options?: PublishOptions }[]): Promise<string[]>;
}

/** Options of {@link createPublishCoalescer}. */
export interface PublishCoalescerOptions {
  /** Most messages in one shared `publishBatch`; a larger single call still goes whole. @default 500 */
  maxMessages?: number;
}

interface Waiting {
  messages: { payload: unknown; options?: PublishOptions }[];
  resolve: (ids: string[]) => void;
  reject: (error: unknown) => void;
}

/** Creates a coalescer in front of a queue. */
export function createPublishCoalescer(queue: QueueAdapter, options: PublishCoalescerOptions = {}): PublishCoalescer {
  const maxMessages = Math.max(1, options.maxMessages ?? 500);
  const pending = new Map<string, Waiting[]>();
  let scheduled = false;

  const publishAlone = async (topic: string, w: Waiting) => {
    try {
      w.resolve(await publishBatch(queue, topic, w.messages));
    } catch (error) {
      w.reject(error);
    }
  };

  const publishGroup = async (topic: string, group: Waiting[]) => {
    if (group.length === 1) return publishAlone(topic, group[0]!);
    let ids: string[];
    try {
      ids = await publishBatch(queue, topic, group.flatMap((w) => w.messages));
    } catch (error) {
      if (isTributaryError(error, 'unavailable')) {
        for (const w of group) w.reject(error);
        return;
      }
      // Message ids are not chosen here, so a batch the queue took in part may leave duplicates of
      // those messages: harmless downstream, where records are upserted by id.
      await Promise.all(group.map((w) => publishAlone(topic, w)));
      return;
    }
    let at = 0;
    for (const w of group) {
      w.resolve(ids.slice(at, at + w.messages.length));
      at += w.messages.length;
    }
  };

  /** Splits a topic's waiting calls into groups within the message bound, never splitting a call. */
  const groupsOf = (waiting: Waiting[]): Waiting[][] => {
    const groups: Waiting[][] = [];
    let current: Waiting[] = [];
    let count = 0;
    for (const w of waiting) {
      if (current.length > 0 && count + w.messages.length > maxMessages) {
        groups.push(current);
        current = [];
        count = 0;
      }
      current.push(w);
      count += w.messages.length;
    }
    if (current.length > 0) groups.push(current);
    return groups;
  };

  const flush = () => {
    scheduled = false;
    const topics = [...pending];
    pending.clear();
    for (const [topic, waiting] of topics) for (const group of groupsOf(waiting)) void publishGroup(topic, group);
  };

  return {
    publish(topic, messages) {
      if (messages.length === 0) return Promise.resolve([]);
      return new Promise<string[]>((resolve, reject) => {
        const list = pending.get(topic);
        const entry: Waiting = { messages, resolve, reject };
        if (list) list.push(entry);
        else pending.set(topic, [entry]);
        if (!scheduled) {
          scheduled = true;
          // A turn of the event loop, not a timer: requests whose data already arrived join this batch.
          setImmediate(flush);
        }
      });
    },
  };
}
