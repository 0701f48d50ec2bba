/**
 * @module @tributary/core/queue/memory
 * In-memory queue: the reference implementation of the queue port. At-least-once within one process:
 * a message leaves only when every consumer group acknowledged it; an unacknowledged delivery is
 * given again after the visibility timeout; failures retry with backoff, then dead-letter.
 */
import { systemClock, type Clock, type TimerHandle } from '../../clock/index.js';
import { createError, toError } from '../../errors/index.js';
import { findJsonDepthExcess, jsonDepthMessage, MAX_ITEM_JSON_DEPTH } from '../../json/index.js';
import {
  handlerAction,
  resolveConsumeOptions,
  type ConsumeOptions,
  type DeadLetter,
  type MessageHandler,
  type PublishOptions,
  type QueueAdapter,
  type QueueMessage,
  type QueueStats,
  type Subscription,
} from '../index.js';
import { createDeliveryOrder, type DeliveryOrder } from '../delivery-order.js';

/** Options of {@link createMemoryQueue}. */
export interface MemoryQueueOptions {
  /** @default systemClock */
  clock?: Clock;
  /** Largest JSON payload accepted, in bytes. @default 1 MiB */
  maxPayloadBytes?: number;
}

interface StoredMessage {
  id: string;
  topic: string;
  payload: unknown;
  headers: Record<string, string>;
  key?: string;
  publishedAt: number;
  /** When it may first be delivered; kept so a group created later still honours `delayMs`. */
  availableAt: number;
}

interface GroupEntry {
  message: StoredMessage;
  deliveries: number;
  availableAt: number;
  /** Set while delivered; a result arriving with another token is from a lost lease and is ignored. */
  lease?: { token: number; until: number };
}

interface Group {
  name: string;
  entries: Map<string, GroupEntry>;
  /** Which entry goes next, and when the next one falls due (see delivery-order.ts). */
  order: DeliveryOrder<GroupEntry>;
  consumers: Set<Consumer>;
}

interface Consumer {
  group: Group;
  topic: string;
  handler: MessageHandler;
  options: Required<ConsumeOptions>;
  inFlight: Set<Promise<void>>;
  closed: boolean;
  controller: AbortController;
}

/** A dead letter and the group that gave up on it: a replay goes back to that group only. */
interface StoredDeadLetter {
  letter: DeadLetter;
  group: string;
}

interface Topic {
  log: Map<string, StoredMessage>;
  groups: Map<string, Group>;
  deadLetters: StoredDeadLetter[];
}

/** Creates an in-memory queue adapter. */
export function createMemoryQueue(options: MemoryQueueOptions = {}): QueueAdapter {
  const clock = options.clock ?? systemClock;
  const maxPayloadBytes = options.maxPayloadBytes ?? 1024 * 1024;
  const topics = new Map<string, Topic>();
  let seq = 0;
  let leaseSeq = 0;
  let timer: { handle: TimerHandle; at: number } | undefined;
  let disposed = false;

  const topicOf = (name: string): Topic => {
    let t = topics.get(name);
    if (!t) {
      t = { log: new Map(), groups: new Map(), deadLetters: [] };
      topics.set(name, t);
    }
    return t;
  };

  /** Checks a payload and returns its JSON; throws before anything is stored. */
  const encode = (payload: unknown): string => {
    // Delivery copies the payload with structuredClone, which recurses: a payload nested past the
    // limit would overflow there, inside a timer, and end the process. Refused here, the publisher
    // gets a typed error instead.
    const excess = findJsonDepthExcess(payload, MAX_ITEM_JSON_DEPTH * 2);
    if (excess) throw createError('queue:memory', 'validation', `payload is ${jsonDepthMessage(excess.maxDepth)} (at ${excess.path || 'the root'})`);
    const json = JSON.stringify(payload);
    if (json === undefined) throw createError('queue:memory', 'validation', 'payload must be JSON-serializable');
    const bytes = Buffer.byteLength(json);
    if (bytes > maxPayloadBytes) throw createError('queue:memory', 'payload_too_large', `payload of ${bytes} bytes is over the limit of ${maxPayloadBytes}`, { context: { bytes, maxPayloadBytes } });
    return json;
  };

  /** Stores a message for every group of the topic, or only for `onlyGroup` (a replay). */
  const store = (topic: string, json: string, o: PublishOptions = {}, onlyGroup?: Group): string => {
    const t = topicOf(topic);
    const id = o.id ?? `msg_${clock.now().toString(36)}_${(++seq).toString(36)}`;
    if (t.log.has(id)) return id; // same id published twice: delivered once
    const availableAt = clock.now() + Math.max(0, o.delayMs ?? 0);
    const message: StoredMessage = { id, topic, payload: JSON.parse(json), headers: { ...(o.headers ?? {}) }, key: o.key, publishedAt: clock.now(), availableAt };
    t.log.set(id, message);
    for (const g of onlyGroup ? [onlyGroup] : t.groups.values()) addEntry(g, { message, deliveries: 0, availableAt });
    return id;
  };

  const addEntry = (g: Group, entry: GroupEntry) => {
    g.entries.set(entry.message.id, entry);
    g.order.add(entry, clock.now());
  };

  const newGroup = (name: string): Group => {
    const entries = new Map<string, GroupEntry>();
    return { name, entries, order: createDeliveryOrder((e) => entries.get(e.message.id) === e), consumers: new Set() };
  };

  const forget = (t: Topic, id: string) => {
    for (const g of t.groups.values()) if (g.entries.has(id)) return;
    t.log.delete(id);
  };

  const deadLetter = (t: Topic, group: Group, entry: GroupEntry, reason: string) => {
    group.entries.delete(entry.message.id);
    t.deadLetters.push({
      group: group.name,
      letter: {
        id: `dl_${(++seq).toString(36)}`,
        topic: entry.message.topic,
        message: toQueueMessage(entry),
        reason,
        failedAt: clock.now(),
      },
    });
    forget(t, entry.message.id);
  };

  const toQueueMessage = (entry: GroupEntry): QueueMessage => ({
    id: entry.message.id,
    topic: entry.message.topic,
    payload: structuredClone(entry.message.payload),
    headers: { ...entry.message.headers },
    attempt: entry.deliveries,
    publishedAt: entry.message.publishedAt,
    ...(entry.message.key !== undefined ? { key: entry.message.key } : {}),
  });

  const schedule = () => {
    if (disposed) return;
    let next = Infinity;
    const now = clock.now();
    for (const t of topics.values()) {
      for (const g of t.groups.values()) {
        if (g.consumers.size === 0) continue;
        const at = g.order.nextDueAt(now);
        if (at !== undefined && at < next) next = at;
      }
    }
    if (next === Infinity) return;
    if (timer && timer.at <= next) return;
    if (timer) clock.clearTimeout(timer.handle);
    timer = {
      at: next,
      handle: clock.setTimeout(() => {
        timer = undefined;
        pumpAll();
      }, next - now),
    };
  };

  const pumpAll = () => {
    for (const t of topics.values()) for (const g of t.groups.values()) for (const c of g.consumers) pump(c);
    schedule();
  };

  const pump = (c: Consumer) => {
    if (c.closed || disposed) return;
    const t = topicOf(c.topic);
    const now = clock.now();
    while (c.inFlight.size < c.options.concurrency) {
      const entry = c.group.order.next(now);
      if (!entry) break;
      deliver(c, t, entry);
    }
  };

  const deliver = (c: Consumer, t: Topic, entry: GroupEntry) => {
    const token = ++leaseSeq;
    entry.deliveries++;
    entry.lease = { token, until: clock.now() + c.options.visibilityTimeoutMs };
    c.group.order.reschedule(entry, clock.now());
    const message = toQueueMessage(entry);
    const owns = () => entry.lease?.token === token && c.group.entries.get(entry.message.id) === entry;
    const run = (async () => {
      let result;
      try {
        result = handlerAction(await c.handler(message, { signal: c.controller.signal }));
      } catch (error) {
        result = { action: 'retry' as const, reason: toError(error).message, delayMs: undefined };
      }
      if (!owns()) return; // the lease expired and the message went to another delivery
      entry.lease = undefined;
      if (result.action === 'ack') {
        c.group.entries.delete(entry.message.id);
        forget(t, entry.message.id);
      } else if (result.action === 'dead-letter') {
        deadLetter(t, c.group, entry, result.reason);
      } else if (entry.deliveries >= c.options.maxAttempts) {
        deadLetter(t, c.group, entry, `max attempts (${c.options.maxAttempts}) reached: ${result.reason ?? 'retry requested'}`);
      } else {
        entry.availableAt = clock.now() + (result.delayMs ?? c.options.retryDelayMs(entry.deliveries));
        c.group.order.reschedule(entry, clock.now());
      }
    })();
    c.inFlight.add(run);
    void run.finally(() => {
      c.inFlight.delete(run);
      pump(c);
      schedule();
    });
  };

  return {
    name: 'memory',
    capabilities: { durable: false, nativeDelay: true, deduplicatesById: true, maxPayloadBytes },

    async publish(topic, payload, o) {
      const id = store(topic, encode(payload), o);
      queueMicrotask(pumpAll);
      return id;
    },

    async publishBatch(topic, messages) {
      // Encode all first, so an oversized message rejects the batch before any of it is stored.
      const encoded = messages.map((m) => encode(m.payload));
      const ids = messages.map((m, i) => store(topic, encoded[i]!, m.options));
      queueMicrotask(pumpAll);
      return ids;
    },

    async consume(topic, handler, consumeOptions): Promise<Subscription> {
      const t = topicOf(topic);
      let group = t.groups.get(consumeOptions.group);
      if (!group) {
        group = newGroup(consumeOptions.group);
        // A new group starts from every message still retained, so nothing published before it is lost.
        for (const m of t.log.values()) addEntry(group, { message: m, deliveries: 0, availableAt: m.availableAt });
        t.groups.set(consumeOptions.group, group);
      }
      const consumer: Consumer = {
        group,
        topic,
        handler: handler as MessageHandler,
        options: resolveConsumeOptions(consumeOptions),
        inFlight: new Set(),
        closed: false,
        controller: new AbortController(),
      };
      group.consumers.add(consumer);
      queueMicrotask(pumpAll);
      return {
        async close() {
          if (consumer.closed) return;
          consumer.closed = true;
          group!.consumers.delete(consumer);
          consumer.controller.abort(new Error('consumer closed'));
          await Promise.allSettled([...consumer.inFlight]);
        },
      };
    },

    async listDeadLetters<T>(topic: string, o: { limit?: number } = {}) {
      const list = topicOf(topic).deadLetters.slice(0, o.limit ?? 100).map((d) => ({ ...d.letter, group: d.group }));
      return structuredClone(list) as DeadLetter<T>[];
    },

    async replayDeadLetter(topic, deadLetterId) {
      const t = topicOf(topic);
      const index = t.deadLetters.findIndex((d) => d.letter.id === deadLetterId);
      if (index < 0) return false;
      const [{ letter, group: groupName }] = t.deadLetters.splice(index, 1) as [StoredDeadLetter];
      // Only the group that gave up gets it again; the others already handled the message.
      const group = t.groups.get(groupName);
      const options = { headers: letter.message.headers, key: letter.message.key, id: `${letter.message.id}~replay${(++seq).toString(36)}` };
      store(topic, JSON.stringify(letter.message.payload), options, group);
      queueMicrotask(pumpAll);
      return true;
    },

    async stats(topic): Promise<QueueStats> {
      const t = topicOf(topic);
      const now = clock.now();
      let depth = t.groups.size === 0 ? t.log.size : 0;
      let inFlight = 0;
      for (const g of t.groups.values()) {
        let waiting = 0;
        for (const e of g.entries.values()) {
          if (e.lease && e.lease.until > now) inFlight++;
          else waiting++;
        }
        depth = Math.max(depth, waiting);
      }
      let oldest: number | null = null;
      for (const m of t.log.values()) if (oldest === null || m.publishedAt < oldest) oldest = m.publishedAt;
      return { depth, inFlight, deadLetters: t.deadLetters.length, oldestAgeMs: oldest === null ? null : now - oldest };
    },

    async dispose() {
      disposed = true;
      if (timer) clock.clearTimeout(timer.handle);
      const closing: Promise<unknown>[] = [];
      for (const t of topics.values()) {
        for (const g of t.groups.values()) {
          for (const c of g.consumers) {
            c.closed = true;
            c.controller.abort(new Error('queue disposed'));
            closing.push(...c.inFlight);
          }
          g.consumers.clear();
        }
      }
      await Promise.allSettled(closing);
      topics.clear();
    },
  };
}
