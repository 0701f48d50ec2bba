// The queue adapter over the journal: the memory queue's semantics (core's reference implementation),
// with every state change journaled before anyone is told it happened. Publishes, deliveries (so
// attempts survive a crash), dead letters, replays and group creations wait for their fdatasync;
// acks and retry times ride with the next write, since losing one in a crash only causes a
// redelivery, which at-least-once allows.
import { randomUUID } from 'node:crypto';
import type { TimerHandle } from '@tributary/core/clock';
import { createError, toError } from '@tributary/core/errors';
import { findJsonDepthExcess, jsonDepthMessage, MAX_ITEM_JSON_DEPTH } from '@tributary/core/json';
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
} from '@tributary/core/queue';
import { nodeJournalIo, type JournalIo } from '../_journal/journal-io.js';
import type { JournalWriter } from '../_journal/journal-writer.js';
import type { EncodedEntry } from '../_journal/frame.js';
import type { DirectoryLock } from '../_journal/lock.js';
import { lazyOpen, openJournal } from '../_journal/open-journal.js';
import { encodeRecord, QUEUE_JOURNAL, type JournalRecord } from './journal-format.js';
import { resolveFileQueueOptions, type FileQueueOptions } from './options.js';
import { createQueueState, type GroupEntry, type GroupState, type QueueState, type TopicState } from './state.js';

const COMPONENT = 'queue:file';

/** The file queue: the queue port, plus what tests and operators may want to see of the journal. */
export interface FileQueueAdapter extends QueueAdapter {
  /** Opens the directory now (lock, recovery) instead of at the first call; idempotent. */
  open(): Promise<void>;
  /**
   * The journal's current length, the compactions done since open and those put off because most of
   * the journal was live (after `open()`).
   */
  journal(): { bytes: number; compactions: number; deferredCompactions: number; recoveredRecords: number; tornBytesCut: number } | undefined;
}

interface Consumer {
  topic: string;
  group: GroupState;
  handler: MessageHandler;
  options: Required<ConsumeOptions>;
  inFlight: Set<Promise<void>>;
  closed: boolean;
  controller: AbortController;
}

interface Opened {
  state: QueueState;
  writer: JournalWriter;
  lock: DirectoryLock;
  recoveredRecords: number;
  tornBytesCut: number;
}

/** A checked message, ready to become a publish record. */
interface Checked {
  json: string;
  options: PublishOptions;
}

/**
 * Creates the file queue on a given file system interface (tests wrap the real one to count or fail
 * calls). `createFileQueue` is this with `node:fs/promises`.
 */
export function createFileQueueOn(options: FileQueueOptions, io: JournalIo = nodeJournalIo): FileQueueAdapter {
  const o = resolveFileQueueOptions(options, COMPONENT);
  const { clock } = o;
  const consumers = new Set<Consumer>();
  let disposed = false;
  let leaseSeq = 0;
  let timer: { handle: TimerHandle; at: number } | undefined;

  const gone = () => createError(COMPONENT, 'unavailable', 'the queue was disposed');

  const open = async (): Promise<Opened> => {
    // A fresh state per attempt: a recovery that failed halfway leaves nothing behind.
    const state = createQueueState(COMPONENT, () => clock.now());
    const journal = await openJournal<JournalRecord>({
      io,
      directory: o.directory,
      format: QUEUE_JOURNAL,
      writerLabel: 'the queue',
      lockLabel: 'file queue',
      component: COMPONENT,
      fsync: o.fsync,
      compactAfterBytes: o.compactAfterBytes,
      onError: o.onError,
      apply: (record) => state.apply(record),
      snapshot: () => state.snapshot(),
      liveBytes: () => state.liveBytes(),
    });
    return { state, ...journal };
  };
  const opener = lazyOpen(open);

  /** Opens on first use; a failed open is tried again by the next call (the lock may be free by then). */
  const ready = async (): Promise<Opened> => {
    if (disposed) throw gone();
    const value = await opener.ready();
    if (disposed) throw gone();
    return value;
  };

  /** Applies a change and queues its record; the promise (durable records only) settles once it is on disk. */
  const change = (q: Opened, record: JournalRecord, durable: boolean): Promise<void> | undefined => {
    if (!q.state.apply(record)) return undefined;
    const bytes = encodeRecord(record);
    if (durable) return q.writer.append([bytes]);
    q.writer.appendLazy([bytes]);
    return undefined;
  };

  /** Checks a payload before anything is stored: the memory queue's checks, the same errors. */
  const check = (payload: unknown, po: PublishOptions = {}): Checked => {
    // Delivery parses the payload again and handlers recurse over it: a payload nested past the limit
    // is refused here with a typed error, not discovered inside a consumer.
    const excess = findJsonDepthExcess(payload, MAX_ITEM_JSON_DEPTH * 2);
    if (excess) throw createError(COMPONENT, 'validation', `payload is ${jsonDepthMessage(excess.maxDepth)} (at ${excess.path || 'the root'})`);
    const json = JSON.stringify(payload);
    if (json === undefined) throw createError(COMPONENT, 'validation', 'payload must be JSON-serializable');
    const bytes = Buffer.byteLength(json);
    if (bytes > o.maxPayloadBytes) throw createError(COMPONENT, 'payload_too_large', `payload of ${bytes} bytes is over the limit of ${o.maxPayloadBytes}`, { context: { bytes, maxPayloadBytes: o.maxPayloadBytes } });
    if (po.id !== undefined && (typeof po.id !== 'string' || po.id.length === 0)) throw createError(COMPONENT, 'validation', 'id must be a non-empty string');
    return { json, options: po };
  };

  const checkTopic = (topic: string) => {
    if (typeof topic !== 'string' || topic.length === 0) throw createError(COMPONENT, 'validation', 'topic must be a non-empty string');
  };

  /** Stores checked messages and waits until their records are durable. */
  const publishChecked = async (topic: string, items: Checked[]): Promise<string[]> => {
    const q = await ready();
    const now = clock.now();
    const records: EncodedEntry[] = [];
    const ids = items.map(({ json, options: po }) => {
      const id = po.id ?? randomUUID();
      const availableAt = now + Math.max(0, po.delayMs ?? 0);
      const record: JournalRecord = {
        t: 'P',
        q: topic,
        id,
        at: now,
        av: availableAt,
        ...(po.headers && Object.keys(po.headers).length > 0 ? { h: { ...po.headers } } : {}),
        ...(po.key !== undefined ? { k: po.key } : {}),
        payload: json,
      };
      // Same id while the first is retained: dropped, and the caller gets the same id back.
      if (q.state.apply(record)) {
        records.push(encodeRecord(record));
        noteDue(availableAt);
      }
      return id;
    });
    // A duplicate resolves once the original is durable too, hence sync() when nothing new was queued.
    const durable = records.length > 0 ? q.writer.append(records) : q.writer.sync();
    // Deliveries may start now: their records queue behind these, so a handler only ever runs on a
    // message whose publish is already on disk, and they share this write instead of waiting for the next.
    queueMicrotask(pumpAll);
    await durable;
    return ids;
  };

  const toQueueMessage = (entry: GroupEntry): QueueMessage => ({
    id: entry.message.id,
    topic: entry.message.topic,
    payload: JSON.parse(entry.message.payload) as unknown,
    headers: { ...entry.message.headers },
    attempt: entry.deliveries,
    publishedAt: entry.message.publishedAt,
    ...(entry.message.key !== undefined ? { key: entry.message.key } : {}),
  });

  /**
   * Sets the timer for the next entry due after `now`. Takes the `now` the last pump used: an entry
   * falling due between the pump and this scan would otherwise be neither delivered nor timed.
   */
  const schedule = (now: number) => {
    const opened = opener.current;
    if (disposed || !opened) return;
    let next = Infinity;
    for (const c of consumers) {
      const at = c.group.order.nextDueAt(now);
      if (at !== undefined && at < next) next = at;
    }
    if (next !== Infinity) noteDue(next);
  };

  /**
   * A time something becomes due (a lease expiry, a retry, a delayed publish): the timer moves
   * earlier at once if needed. The full scan only runs once per turn, after this.
   */
  const noteDue = (at: number) => {
    if (disposed || consumers.size === 0) return;
    const now = clock.now();
    if (at <= now || (timer && timer.at <= at)) return;
    if (timer) clock.clearTimeout(timer.handle);
    timer = {
      at,
      handle: clock.setTimeout(() => {
        timer = undefined;
        pumpAll();
      }, at - now),
    };
  };

  let scheduleQueued = false;
  /**
   * Sets the timer once per event-loop turn, not after each of the many deliveries a turn can
   * finish. It pumps first, since time may have passed (or a clock been moved) since the last pump.
   */
  const scheduleSoon = () => {
    if (scheduleQueued) return;
    scheduleQueued = true;
    setImmediate(() => {
      scheduleQueued = false;
      const now = clock.now();
      for (const c of consumers) pump(c, now);
      schedule(now);
    });
  };

  const pumpAll = () => {
    for (const c of consumers) pump(c);
    scheduleSoon();
  };

  const pump = (c: Consumer, now = clock.now()) => {
    const q = opener.current;
    if (c.closed || disposed || !q || q.writer.failure) return;
    while (c.inFlight.size < c.options.concurrency) {
      const entry = c.group.order.next(now);
      if (!entry) break;
      deliver(q, c, entry);
    }
  };

  const deliver = (q: Opened, c: Consumer, entry: GroupEntry) => {
    const token = ++leaseSeq;
    const ref = { q: c.topic, g: c.group.name, id: entry.message.id };
    entry.lease = { token, until: clock.now() + c.options.visibilityTimeoutMs };
    c.group.order.reschedule(entry, clock.now());
    noteDue(entry.lease.until);
    // The attempt is on disk before the handler starts, so a crash during it still counts it.
    const counted = change(q, { t: 'D', ...ref }, true);
    const message = toQueueMessage(entry);
    const owns = () => entry.lease?.token === token && c.group.entries.get(entry.message.id) === entry;
    const run = (async () => {
      try {
        await counted;
      } catch {
        return; // the journal failed: the writer reported it and the queue has stopped
      }
      if (!owns() || c.closed) {
        if (owns()) {
          // Closed before the handler started: free it for the group.
          entry.lease = undefined;
          c.group.order.reschedule(entry, clock.now());
        }
        return;
      }
      let result;
      try {
        result = handlerAction(await c.handler(message, { signal: c.controller.signal }));
      } catch (error) {
        result = { action: 'retry' as const, reason: toError(error).message, delayMs: undefined };
      }
      if (!owns()) return; // the lease expired and the message went to another delivery
      entry.lease = undefined;
      try {
        if (result.action === 'ack') {
          change(q, { t: 'A', ...ref }, false);
        } else if (result.action === 'dead-letter') {
          await change(q, { t: 'X', ...ref, dl: `dl_${randomUUID()}`, r: result.reason, f: clock.now() }, true);
        } else if (entry.deliveries >= c.options.maxAttempts) {
          const reason = `max attempts (${c.options.maxAttempts}) reached: ${result.reason ?? 'retry requested'}`;
          await change(q, { t: 'X', ...ref, dl: `dl_${randomUUID()}`, r: reason, f: clock.now() }, true);
        } else {
          change(q, { t: 'T', ...ref, av: clock.now() + (result.delayMs ?? c.options.retryDelayMs(entry.deliveries)) }, false);
          noteDue(entry.availableAt);
        }
      } catch {
        // The journal failed: reported by the writer; the state change stands in memory only.
      }
    })();
    c.inFlight.add(run);
    void run.finally(() => {
      c.inFlight.delete(run);
      pump(c);
      scheduleSoon();
    });
  };

  const closeConsumer = async (c: Consumer, reason: string) => {
    if (c.closed) return;
    c.closed = true;
    consumers.delete(c);
    c.controller.abort(new Error(reason));
    await Promise.allSettled([...c.inFlight]);
  };

  return {
    name: 'file',
    capabilities: { durable: o.fsync, nativeDelay: true, deduplicatesById: true, maxPayloadBytes: o.maxPayloadBytes },

    async open() {
      await ready();
    },

    journal() {
      const opened = opener.current;
      if (!opened) return undefined;
      return { bytes: opened.writer.size, compactions: opened.writer.compactions, deferredCompactions: opened.writer.deferredCompactions, recoveredRecords: opened.recoveredRecords, tornBytesCut: opened.tornBytesCut };
    },

    async publish(topic, payload, po) {
      checkTopic(topic);
      const [id] = await publishChecked(topic, [check(payload, po)]);
      return id!;
    },

    async publishBatch(topic, messages) {
      checkTopic(topic);
      if (messages.length === 0) return [];
      // Check all first, so an oversized message rejects the batch before any of it is stored.
      const checked = messages.map((m) => check(m.payload, m.options));
      return publishChecked(topic, checked);
    },

    async consume(topic, handler, consumeOptions): Promise<Subscription> {
      checkTopic(topic);
      const q = await ready();
      const t: TopicState = q.state.topic(topic);
      const created = change(q, { t: 'G', q: topic, g: consumeOptions.group }, true);
      if (created) await created;
      const consumer: Consumer = {
        topic,
        group: t.groups.get(consumeOptions.group)!,
        handler: handler as MessageHandler,
        options: resolveConsumeOptions(consumeOptions),
        inFlight: new Set(),
        closed: false,
        controller: new AbortController(),
      };
      if (disposed) throw gone();
      consumers.add(consumer);
      queueMicrotask(pumpAll);
      return { close: () => closeConsumer(consumer, 'consumer closed') };
    },

    async listDeadLetters<T>(topic: string, lo: { limit?: number } = {}) {
      const q = await ready();
      const letters = q.state.topics.get(topic)?.deadLetters ?? [];
      return letters.slice(0, lo.limit ?? 100).map(
        (d): DeadLetter<T> => ({
          id: d.id,
          topic,
          group: d.group,
          reason: d.reason,
          failedAt: d.failedAt,
          message: {
            id: d.message.id,
            topic,
            payload: JSON.parse(d.message.payload) as T,
            headers: { ...d.message.headers },
            attempt: d.message.attempt,
            publishedAt: d.message.publishedAt,
            ...(d.message.key !== undefined ? { key: d.message.key } : {}),
          },
        }),
      );
    },

    async replayDeadLetter(topic, deadLetterId) {
      const q = await ready();
      const letter = q.state.topics.get(topic)?.deadLetters.find((d) => d.id === deadLetterId);
      if (!letter) return false;
      const replayed = change(q, { t: 'R', q: topic, dl: deadLetterId, id: `${letter.message.id}~replay${randomUUID().slice(0, 8)}`, at: clock.now() }, true);
      if (!replayed) return false;
      await replayed;
      queueMicrotask(pumpAll);
      return true;
    },

    async stats(topic): Promise<QueueStats> {
      const q = await ready();
      const t = q.state.topics.get(topic);
      if (!t) return { depth: 0, inFlight: 0, deadLetters: 0, oldestAgeMs: null };
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
      if (disposed) return;
      disposed = true;
      if (timer) clock.clearTimeout(timer.handle);
      timer = undefined;
      await Promise.allSettled([...consumers].map((c) => closeConsumer(c, 'queue disposed')));
      const q = await opener.pending?.catch(() => undefined);
      if (!q) return;
      // Acks and retries still queued are written: a clean shutdown redelivers nothing.
      await q.writer.close();
      await q.lock.release();
    },
  };
}
