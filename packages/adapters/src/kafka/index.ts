/**
 * @module @tributary/adapters/kafka
 * Queue adapter on Apache Kafka with kafkajs. See packages/adapters/KAFKA.md for what is and is not
 * tested: no broker runs where this package is built, so the contract suite runs only when
 * `KAFKA_BROKERS` is set.
 *
 * - A topic is a Kafka topic; a group is a consumer group (`<groupPrefix><group>`) reading it from the
 *   beginning, so messages published before the first consumer are delivered.
 * - Offsets are committed by hand (`autoCommit: false`), only once every earlier record of the
 *   partition was handled: acknowledged, re-published for a retry, or dead-lettered.
 * - Within a partition up to `concurrency` records are handled at once; the commit advances over the
 *   finished prefix. With `concurrency: 1` a partition is handled in order.
 * - Retries are re-published to `<topic>.retry.<group>` with a not-before time and the attempts so far;
 *   `delayMs` at publish goes to `<topic>.delay`, which every group reads. A record not yet due pauses
 *   its partition until then (records behind it wait too: a long delay holds up shorter ones after it).
 * - Dead letters go to `<topic>.dlq` with the reason in headers. Kafka cannot delete a record, so a
 *   replay writes the dead letter's id to `<topic>.dlq.replayed`, and listings leave those out. Listing
 *   and replay read both topics with a short-lived consumer group: seconds, not milliseconds.
 * - `attempt` counts the adapter's own re-publications (retries, visibility-timeout copies). A record
 *   redelivered because its consumer died before committing comes back with the same attempt number:
 *   Kafka does not count deliveries.
 * - Kafka has no visibility timeout: a dead consumer's partitions go to another member after the session
 *   timeout. A handler in a live process keeps its record up to {@link KafkaQueueOptions.maxProcessingMs};
 *   past it, a copy goes to the group's retry topic and the partition moves on; the late handler's
 *   result is then ignored.
 */
import type { Admin, Consumer, EachBatchPayload, Kafka, KafkaConfig, KafkaMessage, Message, Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { createError, toError } from '@tributary/core/errors';
import {
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
import {
  deadLetterId,
  decodeRecord,
  encodeRecord,
  kafkaTopics,
  parseDeadLetterId,
  RESERVED_PREFIX,
  validateTopicName,
  type DecodedRecord,
  type KafkaTopics,
} from './codec.js';
import { logErrors, requireName } from '../_shared/background.js';
import { InFlight } from '../_shared/in-flight.js';
import { checkMaxProcessingMs, LeaseKeeper, resolveMaxProcessingMs } from '../_shared/lease.js';
import { loadClient } from '../_shared/load-client.js';
import { decideOutcome, exhaustedOnDelivery, runHandler, type Result } from '../_shared/outcome.js';
import { checkPayload, publishDelayMs } from '../_shared/payload.js';

const COMPONENT = 'queue:kafka';

/** A record whose handler runs, as its lease sees it. */
interface Handling {
  r: DecodedRecord;
  attempt: number;
  /** The topic's running handlers (for stats), this one under `key`. */
  running: Map<symbol, number>;
  key: symbol;
  /** Set once the lease ran out: the copy sent to the retry topic, resolving to whether it was written. */
  copy: Promise<boolean> | undefined;
  /** Resolves the race of `handle()` once the copy is written, so the partition moves on. */
  copied: () => void;
}

/** Options of {@link createKafkaQueue}. Give `brokers` or `kafka`. */
export interface KafkaQueueOptions {
  /** Bootstrap brokers, `host:port`. Used when no {@link kafka} is given. @example ['127.0.0.1:9092'] */
  brokers?: string[];
  /** A kafkajs `Kafka` instance to use (its producers, consumers and admin are created and closed by the adapter). */
  kafka?: Kafka;
  /** Client id of the Kafka instance the adapter creates. @default 'tributary' */
  clientId?: string;
  /** More kafkajs settings (ssl, sasl, logLevel…) for the instance the adapter creates. */
  kafkaConfig?: Omit<KafkaConfig, 'brokers' | 'clientId'>;
  /** Prefix of the Kafka topic names. @default '' */
  topicPrefix?: string;
  /** Prefix of the consumer group ids. @default 'tributary.' */
  groupPrefix?: string;
  /** Create the topics the adapter needs (admin `createTopics`) on first use. @default true */
  createTopics?: boolean;
  /** Partitions of topics the adapter creates. @default the broker's `num.partitions` */
  numPartitions?: number;
  /** Replication factor of topics the adapter creates. @default the broker's `default.replication.factor` */
  replicationFactor?: number;
  /** Consumer session timeout: how long before a silent consumer's partitions go to another member. @default 30000 */
  sessionTimeoutMs?: number;
  /** Largest JSON payload accepted, in bytes (the broker's `message.max.bytes` is about 1 MB by default). @default 1_000_000 */
  maxPayloadBytes?: number;
  /** How long a dead-letter listing or replay may read before giving up. @default 30000 */
  scanTimeoutMs?: number;
  /**
   * How long a running handler may keep its record, in ms. Kafka has no visibility timeout (a dead
   * consumer's partitions move after the session timeout), so a handler in a live process keeps its
   * record while it runs, up to this bound; past it, a copy goes to the group's retry topic and the
   * partition's commits move on. At or below `visibilityTimeoutMs`, the copy goes after
   * `visibilityTimeoutMs`.
   * @default 10 × the consumer's visibilityTimeoutMs
   */
  maxProcessingMs?: number;
  /** Receives errors of background work. @default logs with console.error */
  onError?: (error: Error) => void;
}

/** Checks the options without touching the network; throws a `config` error naming the problem. */
export function validateKafkaOptions(options: KafkaQueueOptions): void {
  const fail = (message: string): never => {
    throw createError(COMPONENT, 'config', message);
  };
  if (!options.kafka && options.brokers === undefined) fail('give `brokers` (e.g. ["127.0.0.1:9092"]) or an injected `kafka` instance');
  if (options.brokers !== undefined) {
    if (!Array.isArray(options.brokers) || options.brokers.length === 0) fail('`brokers` must be a non-empty array of "host:port"');
    for (const broker of options.brokers) {
      if (typeof broker !== 'string' || !/^[^\s:]+:\d{1,5}$/.test(broker)) fail(`broker "${String(broker)}" is not "host:port"`);
    }
  }
  const positive = (name: keyof KafkaQueueOptions) => {
    const value = options[name];
    if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value <= 0)) fail(`\`${name}\` must be a positive integer`);
  };
  positive('numPartitions');
  positive('replicationFactor');
  positive('sessionTimeoutMs');
  positive('maxPayloadBytes');
  positive('scanTimeoutMs');
  checkMaxProcessingMs(COMPONENT, options.maxProcessingMs);
  if (options.topicPrefix !== undefined && options.topicPrefix !== '' && !/^[a-zA-Z0-9._-]+$/.test(options.topicPrefix)) {
    fail('`topicPrefix` may only contain letters, digits, ".", "_" and "-"');
  }
}

/** Creates a queue adapter on Kafka. Checks its options now; connects on first use. */
export function createKafkaQueue(options: KafkaQueueOptions): QueueAdapter {
  validateKafkaOptions(options);
  const topicPrefix = options.topicPrefix ?? '';
  const groupPrefix = options.groupPrefix ?? 'tributary.';
  const maxPayloadBytes = options.maxPayloadBytes ?? 1_000_000;
  const sessionTimeout = options.sessionTimeoutMs ?? 30_000;
  const scanTimeoutMs = options.scanTimeoutMs ?? 30_000;
  const onError = options.onError ?? logErrors(COMPONENT);

  let instance: Promise<Kafka> | undefined;
  let producing: Promise<Producer> | undefined;
  let administering: Promise<Admin> | undefined;
  let disposed = false;
  const created = new Map<string, Promise<void>>();
  const subscriptions = new Set<KafkaSubscription>();
  /** Groups consuming each topic in this process (stats also find groups by their committed offsets). */
  const knownGroups = new Map<string, Set<string>>();
  /** Records being handled in this process, per topic: their publish times. */
  const active = new Map<string, Map<symbol, number>>();
  const firstSeen = new Map<string, number>();

  const topicsOf = (topic: string): KafkaTopics => {
    try {
      validateTopicName(topic, topicPrefix);
    } catch (error) {
      throw createError(COMPONENT, 'validation', toError(error).message);
    }
    return kafkaTopics(topicPrefix, topic);
  };

  const kafka = (): Promise<Kafka> => {
    if (disposed) return Promise.reject(createError(COMPONENT, 'unavailable', 'the queue was disposed'));
    instance ??= (async () => {
      if (options.kafka) return options.kafka;
      const lib = await loadClient<typeof import('kafkajs')>(COMPONENT, 'kafkajs', () => import('kafkajs'), 'Kafka');
      return new lib.Kafka({ logLevel: lib.logLevel.ERROR, ...options.kafkaConfig, clientId: options.clientId ?? 'tributary', brokers: options.brokers! });
    })().catch((error) => {
      instance = undefined;
      throw error;
    });
    return instance;
  };

  const producer = (): Promise<Producer> => {
    producing ??= (async () => {
      const p = (await kafka()).producer({ idempotent: true, maxInFlightRequests: 5, allowAutoTopicCreation: false });
      await p.connect();
      return p;
    })().catch((error) => {
      producing = undefined;
      throw createError(COMPONENT, 'unavailable', `could not connect the producer: ${toError(error).message}`, { cause: error });
    });
    return producing;
  };

  const admin = (): Promise<Admin> => {
    administering ??= (async () => {
      const a = (await kafka()).admin();
      await a.connect();
      return a;
    })().catch((error) => {
      administering = undefined;
      throw createError(COMPONENT, 'unavailable', `could not connect the admin client: ${toError(error).message}`, { cause: error });
    });
    return administering;
  };

  /** Creates topics once per process (no-op for those that exist). */
  const ensureTopics = async (names: string[]): Promise<void> => {
    if (options.createTopics === false) return;
    const missing = names.filter((n) => !created.has(n));
    if (missing.length > 0) {
      const creating = (async () => {
        const a = await admin();
        await a.createTopics({
          waitForLeaders: true,
          topics: missing.map((topic) => ({ topic, numPartitions: options.numPartitions ?? -1, replicationFactor: options.replicationFactor ?? -1 })),
        });
      })();
      for (const n of missing) created.set(n, creating);
      creating.catch(() => {
        for (const n of missing) created.delete(n);
      });
    }
    await Promise.all(names.map((n) => created.get(n)));
  };

  const send = async (topic: string, messages: Message[]): Promise<void> => {
    const p = await producer();
    try {
      await p.send({ topic, messages, acks: -1 });
    } catch (error) {
      const text = toError(error).message;
      if (/too large|MESSAGE_TOO_LARGE/i.test(text)) throw createError(COMPONENT, 'payload_too_large', `the broker refused the record: ${text}`, { cause: error });
      throw createError(COMPONENT, 'unavailable', `publish failed: ${text}`, { cause: error });
    }
  };

  const recordOf = (payload: unknown, o: PublishOptions = {}) => {
    const { json, id } = checkPayload(COMPONENT, payload, o, maxPayloadBytes);
    for (const name of Object.keys(o.headers ?? {})) {
      if (name.toLowerCase().startsWith(RESERVED_PREFIX)) throw createError(COMPONENT, 'validation', `header "${name}" uses the reserved prefix "${RESERVED_PREFIX}"`);
    }
    const now = Date.now();
    const delay = publishDelayMs(o);
    const message = encodeRecord({ id, payloadJson: json, headers: o.headers, key: o.key, publishedAt: now, notBefore: delay > 0 ? now + delay : undefined });
    return { id, message, delayed: delay > 0 };
  };

  const toMessage = (topic: string, r: DecodedRecord, attempt: number): QueueMessage => ({
    id: r.id,
    topic,
    payload: r.payload,
    headers: { ...r.headers },
    attempt,
    publishedAt: r.publishedAt,
    ...(r.key !== undefined ? { key: r.key } : {}),
  });

  /** Re-encodes a decoded record for another topic (retry, copy, dead letter). */
  const rewrite = (r: DecodedRecord, extra: { attempts: number; notBefore?: number; reason?: string; failedAt?: number; group?: string; id?: string; publishedAt?: number }) =>
    encodeRecord({
      id: extra.id ?? r.id,
      payloadJson: JSON.stringify(r.payload),
      headers: r.headers,
      key: r.key,
      publishedAt: extra.publishedAt ?? r.publishedAt,
      attempts: extra.attempts,
      notBefore: extra.notBefore,
      reason: extra.reason,
      failedAt: extra.failedAt,
      group: extra.group,
    });

  // ---- consumers ------------------------------------------------------------------------------

  class KafkaSubscription {
    readonly o: Required<ConsumeOptions>;
    /** Keeps the leases of the running handlers (reliability bug 6). */
    readonly leases: LeaseKeeper<Handling>;
    readonly t: KafkaTopics;
    readonly retryTopic: string;
    readonly controller = new AbortController();
    // errors reach the caller of handle() through its returned race; the tracker only waits on close
    readonly inFlight = new InFlight(() => undefined);
    readonly timers = new Set<ReturnType<typeof setTimeout>>();
    consumer: Consumer | undefined;
    closed = false;
    running = 0;
    waiters: (() => void)[] = [];

    constructor(
      readonly topic: string,
      readonly handler: MessageHandler,
      consumeOptions: ConsumeOptions,
    ) {
      this.o = resolveConsumeOptions(consumeOptions);
      requireName(COMPONENT, 'group', this.o.group);
      this.leases = new LeaseKeeper<Handling>({
        visibilityTimeoutMs: this.o.visibilityTimeoutMs,
        maxProcessingMs: resolveMaxProcessingMs(options.maxProcessingMs, this.o.visibilityTimeoutMs),
        onExpired: (h) => this.expired(h),
      });
      this.t = topicsOf(topic);
      this.retryTopic = this.t.retry(this.o.group);
    }

    async start(): Promise<void> {
      await ensureTopics([this.t.main, this.t.delay, this.retryTopic, this.t.dlq, this.t.replayed]);
      const consumer = (await kafka()).consumer({ groupId: `${groupPrefix}${this.o.group}`, sessionTimeout, allowAutoTopicCreation: false, maxWaitTimeInMs: 500 });
      this.consumer = consumer;
      await consumer.connect();
      await consumer.subscribe({ topics: [this.t.main, this.t.delay, this.retryTopic], fromBeginning: true });
      let set = knownGroups.get(this.topic);
      if (!set) knownGroups.set(this.topic, (set = new Set()));
      set.add(this.o.group);
      await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 1, eachBatch: (payload) => this.onBatch(payload) });
    }

    async slot(): Promise<void> {
      while (this.running >= this.o.concurrency) await new Promise<void>((resolve) => this.waiters.push(resolve));
      this.running++;
    }

    release(): void {
      this.running--;
      this.waiters.shift()?.();
    }

    async onBatch({ batch, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
      const { topic, partition, messages } = batch;
      const consumer = this.consumer!;
      const done = messages.map(() => false);
      let committedTo = 0;
      let committing = Promise.resolve();
      // Commits the offset after the longest finished prefix of the batch, never past an unfinished record.
      const commit = () => {
        let i = committedTo;
        while (i < messages.length && done[i]) i++;
        if (i > committedTo) {
          committedTo = i;
          const offset = (BigInt(messages[i - 1]!.offset) + 1n).toString();
          committing = committing.then(() => consumer.commitOffsets([{ topic, partition, offset }]));
        }
        return committing;
      };
      const beat = setInterval(() => void heartbeat().catch(() => undefined), Math.max(1000, Math.floor(sessionTimeout / 10)));
      const started: Promise<void>[] = [];
      let waitFor: { offset: string; at: number } | undefined;
      try {
        for (let i = 0; i < messages.length; i++) {
          if (!isRunning() || isStale() || this.closed) break;
          const m = messages[i]!;
          let record: DecodedRecord | undefined;
          let malformed: string | undefined;
          try {
            record = decodeRecord(m as KafkaMessage & { headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined> }, `${topic}:${partition}:${m.offset}`);
          } catch (error) {
            malformed = toError(error).message;
          }
          if (record && record.notBefore > Date.now()) {
            waitFor = { offset: m.offset, at: record.notBefore };
            break;
          }
          await this.slot();
          if (!isRunning() || isStale() || this.closed) {
            this.release();
            break;
          }
          const index = i;
          const handled = record ? this.handle(record) : this.deadLetterRaw(m, topic, partition, malformed ?? 'malformed record');
          started.push(
            handled.then(() => {
              done[index] = true;
              return commit();
            }),
          );
        }
        await Promise.all(started);
        await commit();
      } finally {
        clearInterval(beat);
      }
      if (waitFor && isRunning() && !isStale() && !this.closed) {
        // Not due yet: read this partition again from that record once it is.
        consumer.pause([{ topic, partitions: [partition] }]);
        consumer.seek({ topic, partition, offset: waitFor.offset });
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          if (!this.closed) consumer.resume([{ topic, partitions: [partition] }]);
        }, Math.max(0, waitFor.at - Date.now()));
        this.timers.add(timer);
      }
    }

    /**
     * Handles one record. Resolves once the record may be committed: its outcome is written, or, past its
     * lease (`maxProcessingMs`), a copy sits in the retry topic. The concurrency slot is held until the
     * handler itself returns.
     */
    handle(r: DecodedRecord): Promise<void> {
      const attempt = r.attempts + 1;
      const key = Symbol(r.id);
      let running = active.get(this.topic);
      if (!running) active.set(this.topic, (running = new Map()));
      running.set(key, r.publishedAt);
      let copied!: () => void;
      const expired = new Promise<void>((resolve) => (copied = resolve));
      const handling: Handling = { r, attempt, running, key, copy: undefined, copied };
      const work: Promise<void> = (async () => {
        try {
          const exhausted = exhaustedOnDelivery(attempt, this.o);
          if (exhausted) {
            await this.deadLetter(r, attempt, exhausted);
            return;
          }
          // The lease is the adapter's own: past it, the copy lets the partition's commits move on.
          const lease = this.leases.hold(handling);
          let result: Result;
          try {
            result = await runHandler(this.handler, toMessage(this.topic, r, attempt), this.controller.signal);
          } finally {
            lease.stop();
          }
          if (handling.copy && (await handling.copy)) return; // a late result: the copy is handled instead
          await this.settle(r, attempt, result);
        } finally {
          running!.delete(key);
          this.release();
        }
      })();
      this.inFlight.track(work);
      return Promise.race([work, expired]);
    }

    /** A handler outlived its lease: a copy goes to the retry topic, and the partition may move on. */
    expired(h: Handling): void {
      h.running.delete(h.key);
      h.copy = send(this.retryTopic, [rewrite(h.r, { attempts: h.attempt })]).then(
        () => {
          h.copied();
          return true;
        },
        (error) => {
          onError(toError(error));
          return false;
        },
      );
    }

    async settle(r: DecodedRecord, attempt: number, result: Result): Promise<void> {
      const outcome = decideOutcome(result, attempt, this.o);
      if (outcome.kind === 'ack') return;
      if (outcome.kind === 'dead-letter') return this.deadLetter(r, attempt, outcome.reason);
      const delay = outcome.delayMs;
      await send(this.retryTopic, [rewrite(r, { attempts: attempt, notBefore: delay > 0 ? Date.now() + delay : undefined })]);
    }

    async deadLetter(r: DecodedRecord, attempt: number, reason: string): Promise<void> {
      await send(this.t.dlq, [rewrite(r, { attempts: attempt, reason, failedAt: Date.now(), group: this.o.group })]);
    }

    async deadLetterRaw(m: KafkaMessage, topic: string, partition: number, reason: string): Promise<void> {
      try {
        const raw = m.value === null ? null : m.value.toString('utf8');
        const r: DecodedRecord = { id: `${topic}:${partition}:${m.offset}`, payload: raw, headers: {}, publishedAt: Number(m.timestamp) || Date.now(), attempts: 0, notBefore: 0 };
        await this.deadLetter(r, 1, `malformed record: ${reason}`);
      } finally {
        this.release();
      }
    }

    async close(): Promise<void> {
      if (this.closed) return;
      this.closed = true;
      subscriptions.delete(this);
      this.controller.abort(new Error('consumer closed'));
      for (const timer of this.timers) clearTimeout(timer);
      for (const wake of this.waiters.splice(0)) wake();
      if (this.consumer) await this.consumer.stop().catch(() => undefined);
      await this.inFlight.settled();
      this.leases.close();
      if (this.consumer) await this.consumer.disconnect().catch(() => undefined);
    }
  }

  /** Reads the dead letters and the replayed ids of a topic with a throwaway consumer group. */
  const scanDeadLetters = async (t: KafkaTopics): Promise<{ letters: { id: string; record: DecodedRecord }[]; replayed: Set<string> }> => {
    const a = await admin();
    const letters: { id: string; record: DecodedRecord }[] = [];
    const replayed = new Set<string>();
    const ends = new Map<string, bigint>();
    for (const name of [t.dlq, t.replayed]) {
      const offsets = await a.fetchTopicOffsets(name).catch(() => []);
      for (const p of offsets) if (BigInt(p.high) > BigInt(p.low)) ends.set(`${name}:${p.partition}`, BigInt(p.high));
    }
    if (ends.size === 0) return { letters, replayed };
    const groupId = `${groupPrefix}scan-${randomUUID()}`;
    const c = (await kafka()).consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 200 });
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await c.connect();
      await c.subscribe({ topics: [t.dlq, t.replayed], fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        timer = setTimeout(() => reject(createError(COMPONENT, 'timeout', `reading the dead letters took over ${scanTimeoutMs} ms`)), scanTimeoutMs);
        void c
          .run({
            autoCommit: false,
            eachBatchAutoResolve: false,
            eachBatch: async ({ batch }) => {
              for (const m of batch.messages) {
                if (batch.topic === t.replayed) {
                  if (m.key) replayed.add(m.key.toString('utf8'));
                } else {
                  try {
                    letters.push({ id: deadLetterId(batch.partition, m.offset), record: decodeRecord(m as never, deadLetterId(batch.partition, m.offset)) });
                  } catch {
                    // not ours
                  }
                }
                const k = `${batch.topic}:${batch.partition}`;
                const end = ends.get(k);
                if (end !== undefined && BigInt(m.offset) + 1n >= end) ends.delete(k);
              }
              if (ends.size === 0) resolve();
            },
          })
          .catch(reject);
      });
    } finally {
      clearTimeout(timer);
      await c.disconnect().catch(() => undefined);
      await a.deleteGroups([groupId]).catch(() => undefined);
    }
    // oldest first across partitions
    letters.sort((x, y) => (x.record.failedAt ?? 0) - (y.record.failedAt ?? 0));
    return { letters, replayed };
  };

  const topicSize = async (a: Admin, name: string): Promise<Map<number, { low: bigint; high: bigint }>> => {
    const out = new Map<number, { low: bigint; high: bigint }>();
    for (const p of await a.fetchTopicOffsets(name).catch(() => [])) out.set(p.partition, { low: BigInt(p.low), high: BigInt(p.high) });
    return out;
  };

  const total = (sizes: Map<number, { low: bigint; high: bigint }>) => [...sizes.values()].reduce((sum, p) => sum + Number(p.high - p.low), 0);

  // ---- the adapter ----------------------------------------------------------------------------

  return {
    name: 'kafka',
    capabilities: { durable: true, nativeDelay: false, deduplicatesById: false, maxPayloadBytes },

    async publish(topic, payload, o) {
      const t = topicsOf(topic);
      const r = recordOf(payload, o);
      await ensureTopics([t.main, t.delay, t.dlq, t.replayed]);
      await send(r.delayed ? t.delay : t.main, [r.message]);
      return r.id;
    },

    async publishBatch(topic, messages) {
      if (messages.length === 0) return [];
      const t = topicsOf(topic);
      const records = messages.map((m) => recordOf(m.payload, m.options));
      await ensureTopics([t.main, t.delay, t.dlq, t.replayed]);
      const now = records.filter((r) => !r.delayed).map((r) => r.message);
      const later = records.filter((r) => r.delayed).map((r) => r.message);
      for (let i = 0; i < now.length; i += 1000) await send(t.main, now.slice(i, i + 1000));
      for (let i = 0; i < later.length; i += 1000) await send(t.delay, later.slice(i, i + 1000));
      return records.map((r) => r.id);
    },

    async consume<T>(topic: string, handler: MessageHandler<T>, consumeOptions: ConsumeOptions): Promise<Subscription> {
      const subscription = new KafkaSubscription(topic, handler as MessageHandler, consumeOptions);
      subscriptions.add(subscription);
      try {
        await subscription.start();
      } catch (error) {
        await subscription.close();
        throw createError(COMPONENT, 'unavailable', `could not start consuming "${topic}": ${toError(error).message}`, { cause: error });
      }
      return { close: () => subscription.close() };
    },

    async listDeadLetters<T>(topic: string, o: { limit?: number } = {}): Promise<DeadLetter<T>[]> {
      const t = topicsOf(topic);
      const { letters, replayed } = await scanDeadLetters(t);
      return letters
        .filter((l) => !replayed.has(l.id))
        .slice(0, Math.max(1, o.limit ?? 100))
        .map((l) => ({
          id: l.id,
          topic,
          message: toMessage(topic, l.record, l.record.attempts) as QueueMessage<T>,
          reason: l.record.reason ?? '',
          failedAt: l.record.failedAt ?? 0,
        }));
    },

    async replayDeadLetter(topic, id) {
      const t = topicsOf(topic);
      if (!parseDeadLetterId(id)) return false;
      const { letters, replayed } = await scanDeadLetters(t);
      const letter = letters.find((l) => l.id === id);
      if (!letter || replayed.has(id) || letter.record.group === undefined) return false;
      // To the group that dead-lettered it only, as a fresh message; then remember the replay.
      await send(t.retry(letter.record.group), [
        rewrite(letter.record, { attempts: 0, id: `${letter.record.id}~replay${randomUUID().slice(0, 8)}`, publishedAt: Date.now() }),
      ]);
      await send(t.replayed, [{ key: id, value: JSON.stringify({ replayedAt: Date.now() }) }]);
      return true;
    },

    async stats(topic): Promise<QueueStats> {
      const t = topicsOf(topic);
      const a = await admin();
      const now = Date.now();
      const [main, delay, dlq, replayed] = await Promise.all([topicSize(a, t.main), topicSize(a, t.delay), topicSize(a, t.dlq), topicSize(a, t.replayed)]);
      const known = knownGroups.get(topic) ?? new Set<string>();
      const { groups: listed } = await a.listGroups().catch(() => ({ groups: [] as { groupId: string }[] }));
      const candidates = new Set(known);
      for (const { groupId } of listed) {
        if (groupId.startsWith(groupPrefix) && !groupId.startsWith(`${groupPrefix}scan-`)) candidates.add(groupId.slice(groupPrefix.length));
      }
      const lags: number[] = [];
      for (const group of candidates) {
        const groupId = `${groupPrefix}${group}`;
        const retry = await topicSize(a, t.retry(group));
        const committed = await a.fetchOffsets({ groupId, topics: [t.main, t.delay, t.retry(group)] }).catch(() => []);
        // a group of another topic has no offsets here; one of ours may not have committed yet
        if (!known.has(group) && !committed.some((c) => c.partitions.some((p) => Number(p.offset) >= 0))) continue;
        let lag = 0;
        for (const [name, sizes] of [
          [t.main, main],
          [t.delay, delay],
          [t.retry(group), retry],
        ] as const) {
          const offsets = committed.find((c) => c.topic === name)?.partitions ?? [];
          for (const [partition, size] of sizes) {
            const at = BigInt(offsets.find((p) => p.partition === partition)?.offset ?? '-1');
            lag += Number(size.high - (at < size.low ? size.low : at));
          }
        }
        lags.push(lag);
      }
      const running = active.get(topic);
      const inFlight = running?.size ?? 0;
      // Lag counts records being handled too (they are not committed yet).
      const depth = lags.length > 0 ? Math.max(0, Math.max(...lags) - inFlight) : total(main) + total(delay);
      const deadLetters = Math.max(0, total(dlq) - total(replayed));
      const times = [...(running?.values() ?? [])];
      if (depth > 0) {
        if (!firstSeen.has(topic)) firstSeen.set(topic, now);
        times.push(firstSeen.get(topic)!);
      } else firstSeen.delete(topic);
      const oldest = times.length > 0 ? Math.min(...times) : null;
      return { depth, inFlight, deadLetters, oldestAgeMs: oldest === null ? null : Math.max(0, now - oldest) };
    },

    async dispose() {
      if (disposed) return;
      await Promise.allSettled([...subscriptions].map((s) => s.close()));
      disposed = true;
      const p = await producing?.catch(() => undefined);
      const a = await administering?.catch(() => undefined);
      producing = undefined;
      administering = undefined;
      await p?.disconnect().catch(() => undefined);
      await a?.disconnect().catch(() => undefined);
    },
  };
}
