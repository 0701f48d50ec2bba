// The queue's state in memory, changed only by applying journal records. The adapter builds a record
// for every change, applies it here and queues it for the journal; recovery applies the journal's
// records in the same order through the same function. One code path for both is what makes the
// state after a restart the state before it.
import { createError } from '@tributary/core/errors';
import { createDeliveryOrder, type DeliveryOrder } from '@tributary/core/queue';
import type { EncodedEntry } from '../_journal/frame.js';
import { encodeRecord, type JournalRecord } from './journal-format.js';

/** A retained message. The payload stays JSON text: parsed per delivery (a fresh copy each time) and written back as is. */
export interface StoredMessage {
  id: string;
  topic: string;
  payload: string;
  headers: Record<string, string>;
  key?: string;
  publishedAt: number;
  /** When it may first be delivered; kept so a group created later still honours `delayMs`. */
  availableAt: number;
}

/** A message waiting in, or delivered to, one consumer group. */
export interface GroupEntry {
  message: StoredMessage;
  /** Deliveries so far: the next delivery's `attempt` is this plus one. */
  deliveries: number;
  availableAt: number;
  /** Set while delivered (never journaled: after a restart every delivery is over). */
  lease?: { token: number; until: number };
}

/** A consumer group of a topic. */
export interface GroupState {
  name: string;
  /** The group's entries by message id: what it holds. */
  entries: Map<string, GroupEntry>;
  /**
   * Which entry goes next, and when the next one falls due. Kept here, by `apply`, so a recovery
   * rebuilds it too; the adapter tells it of leases, which are never journaled.
   */
  order: DeliveryOrder<GroupEntry>;
}

/** A message a group gave up on, as it was when it failed. */
export interface StoredDeadLetter {
  id: string;
  group: string;
  reason: string;
  failedAt: number;
  message: { id: string; publishedAt: number; attempt: number; headers: Record<string, string>; key?: string; payload: string };
}

/** One topic: its retained messages, groups and dead letters. */
export interface TopicState {
  name: string;
  /** Messages some group has not finished (or every message, while the topic has no group). */
  log: Map<string, StoredMessage>;
  groups: Map<string, GroupState>;
  /** Oldest first. */
  deadLetters: StoredDeadLetter[];
}

/** The state of every topic. */
export interface QueueState {
  readonly topics: Map<string, TopicState>;
  /** The topic, created empty when unknown. */
  topic(name: string): TopicState;
  /** True when `id` is a retained message of the topic: a publish with that id is a duplicate. */
  has(topic: string, id: string): boolean;
  /** Applies one change. Returns false when it changed nothing (a duplicate publish, an unknown entry). */
  apply(record: JournalRecord): boolean;
  /** The state as records that rebuild it from nothing (compaction). */
  snapshot(): EncodedEntry[];
  /** About how many bytes {@link QueueState.snapshot} would take, counted without encoding anything. */
  liveBytes(): number;
}

// What a record takes beyond its strings' lengths: the record header, field names and punctuation,
// the numbers. Estimates: the figure only decides whether a compaction is worth its cost.
const MESSAGE_OVERHEAD = 8 + 64;
const ENTRY_OVERHEAD = 8 + 56;
const DEAD_LETTER_OVERHEAD = 8 + 96;
const headersBytes = (headers: Record<string, string>) => {
  let bytes = 0;
  for (const name in headers) bytes += name.length + headers[name]!.length + 6;
  return bytes;
};

/** Creates an empty state. `now` is the queue's clock: it tells a delayed entry from a ready one. */
export function createQueueState(component: string, now: () => number): QueueState {
  const topics = new Map<string, TopicState>();

  const newGroup = (name: string): GroupState => {
    const entries = new Map<string, GroupEntry>();
    return { name, entries, order: createDeliveryOrder((e) => entries.get(e.message.id) === e) };
  };

  const addEntry = (g: GroupState, entry: GroupEntry) => {
    g.entries.set(entry.message.id, entry);
    g.order.add(entry, now());
  };

  const topic = (name: string): TopicState => {
    let t = topics.get(name);
    if (!t) {
      t = { name, log: new Map(), groups: new Map(), deadLetters: [] };
      topics.set(name, t);
    }
    return t;
  };

  /** Drops a message from the log once no group holds it any more. */
  const forget = (t: TopicState, id: string) => {
    for (const g of t.groups.values()) if (g.entries.has(id)) return;
    t.log.delete(id);
  };

  /** Retains a message for every group, or only for `onlyGroup` (a replay). */
  const store = (t: TopicState, message: StoredMessage, onlyGroup?: GroupState): boolean => {
    if (t.log.has(message.id)) return false;
    t.log.set(message.id, message);
    for (const g of onlyGroup ? [onlyGroup] : t.groups.values()) addEntry(g, { message, deliveries: 0, availableAt: message.availableAt });
    return true;
  };

  const entryOf = (r: { q: string; g: string; id: string }): { t: TopicState; g: GroupState; e: GroupEntry } | undefined => {
    const t = topic(r.q);
    const g = t.groups.get(r.g);
    const e = g?.entries.get(r.id);
    return g && e ? { t, g, e } : undefined;
  };

  const apply = (r: JournalRecord): boolean => {
    switch (r.t) {
      case 'P':
        return store(topic(r.q), { id: r.id, topic: r.q, payload: r.payload, headers: r.h ?? {}, key: r.k, publishedAt: r.at, availableAt: r.av });
      case 'M': {
        const t = topic(r.q);
        if (t.log.has(r.id)) return false;
        t.log.set(r.id, { id: r.id, topic: r.q, payload: r.payload, headers: r.h ?? {}, key: r.k, publishedAt: r.at, availableAt: r.av });
        return true;
      }
      case 'G': {
        const t = topic(r.q);
        if (t.groups.has(r.g)) return false;
        const group = newGroup(r.g);
        // A new group starts from every message still retained, so nothing published before it is lost.
        for (const m of t.log.values()) addEntry(group, { message: m, deliveries: 0, availableAt: m.availableAt });
        t.groups.set(r.g, group);
        return true;
      }
      case 'E': {
        const t = topic(r.q);
        const g = t.groups.get(r.g);
        const message = t.log.get(r.id);
        if (!g || !message) throw createError(component, 'adapter', `journal entry for ${r.q}/${r.g}/${r.id} names an unknown group or message`);
        addEntry(g, { message, deliveries: r.n, availableAt: r.av });
        return true;
      }
      case 'D': {
        const found = entryOf(r);
        if (!found) return false;
        found.e.deliveries++;
        return true;
      }
      case 'A': {
        const found = entryOf(r);
        if (!found) return false;
        found.g.entries.delete(r.id);
        forget(found.t, r.id);
        return true;
      }
      case 'T': {
        const found = entryOf(r);
        if (!found) return false;
        found.e.availableAt = r.av;
        found.g.order.reschedule(found.e, now());
        return true;
      }
      case 'X': {
        const found = entryOf(r);
        if (!found) return false;
        const m = found.e.message;
        found.g.entries.delete(r.id);
        found.t.deadLetters.push({
          id: r.dl,
          group: r.g,
          reason: r.r,
          failedAt: r.f,
          message: { id: m.id, publishedAt: m.publishedAt, attempt: found.e.deliveries, headers: m.headers, key: m.key, payload: m.payload },
        });
        forget(found.t, r.id);
        return true;
      }
      case 'L':
        topic(r.q).deadLetters.push({
          id: r.dl,
          group: r.g,
          reason: r.r,
          failedAt: r.f,
          message: { id: r.id, publishedAt: r.at, attempt: r.n, headers: r.h, key: r.k, payload: r.payload },
        });
        return true;
      case 'R': {
        const t = topic(r.q);
        const index = t.deadLetters.findIndex((d) => d.id === r.dl);
        if (index < 0) return false;
        const [letter] = t.deadLetters.splice(index, 1) as [StoredDeadLetter];
        const m = letter.message;
        // Only the group that gave up gets it again; the others already handled the message.
        store(t, { id: r.id, topic: r.q, payload: m.payload, headers: m.headers, key: m.key, publishedAt: r.at, availableAt: r.at }, t.groups.get(letter.group));
        return true;
      }
      default:
        throw createError(component, 'adapter', `journal record of unknown type ${JSON.stringify((r as { t: unknown }).t)}: written by a newer version?`);
    }
  };

  const snapshot = (): EncodedEntry[] => {
    const out: EncodedEntry[] = [];
    for (const t of topics.values()) {
      // Groups first: created over an empty log they start empty, and their entries follow as E.
      for (const g of t.groups.values()) out.push(encodeRecord({ t: 'G', q: t.name, g: g.name }));
      for (const m of t.log.values()) {
        out.push(encodeRecord({ t: 'M', q: t.name, id: m.id, at: m.publishedAt, av: m.availableAt, ...(Object.keys(m.headers).length ? { h: m.headers } : {}), ...(m.key !== undefined ? { k: m.key } : {}), payload: m.payload }));
      }
      for (const g of t.groups.values()) {
        for (const e of g.entries.values()) out.push(encodeRecord({ t: 'E', q: t.name, g: g.name, id: e.message.id, n: e.deliveries, av: e.availableAt }));
      }
      for (const d of t.deadLetters) {
        const m = d.message;
        out.push(encodeRecord({ t: 'L', q: t.name, g: d.group, dl: d.id, r: d.reason, f: d.failedAt, id: m.id, at: m.publishedAt, n: m.attempt, h: m.headers, ...(m.key !== undefined ? { k: m.key } : {}), payload: m.payload }));
      }
    }
    return out;
  };

  const liveBytes = (): number => {
    let bytes = 0;
    for (const t of topics.values()) {
      for (const m of t.log.values()) bytes += MESSAGE_OVERHEAD + t.name.length + m.id.length + headersBytes(m.headers) + (m.key?.length ?? 0) + m.payload.length;
      for (const g of t.groups.values()) {
        bytes += ENTRY_OVERHEAD + t.name.length + g.name.length;
        for (const id of g.entries.keys()) bytes += ENTRY_OVERHEAD + t.name.length + g.name.length + id.length;
      }
      for (const d of t.deadLetters) bytes += DEAD_LETTER_OVERHEAD + t.name.length + d.group.length + d.id.length + d.reason.length + d.message.id.length + headersBytes(d.message.headers) + d.message.payload.length;
    }
    return bytes;
  };

  return {
    topics,
    topic,
    has: (name, id) => topics.get(name)?.log.has(id) ?? false,
    apply,
    snapshot,
    liveBytes,
  };
}
