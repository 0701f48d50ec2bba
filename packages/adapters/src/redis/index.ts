/**
 * @module @tributary/adapters/redis
 * Queue adapter on Redis Streams (Redis ≥ 6.2) with consumer groups.
 *
 * - One stream per topic; each consumer group reads it with XREADGROUP on its own blocking connection.
 *   Groups are created from id 0, so messages published before the first consumer are delivered.
 * - A message stays pending in its group until the handler succeeds (XACK). A delivery idle longer than
 *   the visibility timeout (its consumer is presumed dead) is reclaimed with XAUTOCLAIM. While a handler
 *   runs, its consumer renews the lease (an XCLAIM with JUSTID resets the idle time without counting a
 *   delivery) every third of the visibility timeout, up to {@link RedisQueueOptions.maxProcessingMs}.
 *   A success that arrives after the lease ran out is still acknowledged (XACK is per group); a late
 *   retry or dead letter is dropped when another delivery holds the entry.
 * - `attempt` is the entry's delivery count: redeliveries after a crash count too.
 * - Retries wait in a per-group sorted set while the entry stays pending (so it is never trimmed);
 *   `delayMs` at publish waits in a per-topic sorted set. Lua scripts move them when due.
 * - Dead letters go to a stream per topic, with the reason and group; replay publishes them again for
 *   that group only (other groups acknowledge the entry without handling it).
 * - Trimming removes only entries below the oldest one some group still holds pending or has not read.
 * - Publishing with an `id` deduplicates for {@link RedisQueueOptions.dedupTtlMs} (SET NX + TTL).
 *
 * Keys (all of one topic share a hash tag, so the adapter also works on Redis Cluster):
 * `<prefix>{<topic>}:stream`, `:delayed`, `:retry:<group>`, `:dlq`, `:dedup:<id>`.
 */
import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis, RedisOptions } from 'ioredis';
import { createError, toError } from '@tributary/core/errors';
import {
  resolveConsumeOptions,
  type ConsumeOptions,
  type DeadLetter,
  type MessageHandler,
  type PublishOptions,
  type QueueAdapter,
  type QueueStats,
  type Subscription,
} from '@tributary/core/queue';
import { decodeMessage, encodeFields, F, fieldMap, messageFields } from './codec.js';
import * as S from './scripts.js';
import { loadIoredis } from '../_shared/load-ioredis.js';
import { failureBackoffMs, logErrors, requireName, sleep } from '../_shared/background.js';
import { InFlight } from '../_shared/in-flight.js';
import { checkMaxProcessingMs, LeaseKeeper, resolveMaxProcessingMs } from '../_shared/lease.js';
import { decideOutcome, exhaustedOnDelivery, runHandler } from '../_shared/outcome.js';
import { checkPayload, publishDelayMs } from '../_shared/payload.js';

const COMPONENT = 'queue:redis';
/** Most plain messages in one PUBLISH_MANY call. */
const PLAIN_RUN = 200;

/** Options of {@link createRedisQueue}. */
export interface RedisQueueOptions {
  /**
   * Connection URL, used when no {@link client} is given.
   * @default 'redis://127.0.0.1:6379'
   */
  url?: string;
  /** ioredis options for the connections the adapter opens itself. */
  redisOptions?: RedisOptions;
  /**
   * An ioredis client to run commands on. The adapter duplicates it for each consumer's blocking reads
   * and never closes it (closing it is the owner's job).
   */
  client?: Redis;
  /**
   * Prefix of every key the adapter writes.
   * @default 'tributary:'
   */
  streamPrefix?: string;
  /**
   * Longest time one XREADGROUP blocks, in ms. Also bounds how late a consumer notices retries and
   * delayed messages scheduled by other processes.
   * @default 1000
   */
  blockMs?: number;
  /**
   * How often a consumer looks for deliveries idle longer than its visibility timeout.
   * @default a quarter of the visibility timeout, between 50 ms and 5 s
   */
  claimIntervalMs?: number;
  /**
   * How often a consumer trims entries every group has acknowledged. 0 disables trimming.
   * @default 5000
   */
  trimIntervalMs?: number;
  /**
   * How long a publish `id` is remembered: a second publish with the same id within this window is
   * dropped.
   * @default 86_400_000 (24 h)
   */
  dedupTtlMs?: number;
  /**
   * Largest JSON payload accepted, in bytes.
   * @default 1_048_576
   */
  maxPayloadBytes?: number;
  /**
   * Whether messages survive a server restart. It depends on the server's persistence (AOF with
   * `appendfsync everysec` may lose the last second), which the adapter cannot see: declare it.
   * @default true
   */
  durable?: boolean;
  /**
   * How long a running handler may keep its message, in ms. While it runs, its consumer renews the
   * lease every third of the consumer's `visibilityTimeoutMs`, up to this bound; then the entry goes idle
   * and another consumer reclaims it, so a handler stuck for good does not hold it for ever. At or below
   * `visibilityTimeoutMs`, the lease is never renewed. A consumer process that dies stops renewing: its
   * entries are reclaimed after `visibilityTimeoutMs`.
   * @default 10 × the consumer's visibilityTimeoutMs
   */
  maxProcessingMs?: number;
  /**
   * Receives errors of background work (a read that failed, a connection that dropped). Consumers keep
   * running and retry.
   * @default logs with console.error
   */
  onError?: (error: Error) => void;
}

/** The Redis queue: the queue port plus {@link RedisQueueAdapter.trim}. */
export interface RedisQueueAdapter extends QueueAdapter {
  /**
   * Removes the entries of a topic that every group has acknowledged (consumers also do it every
   * `trimIntervalMs`). Never removes an entry still pending or unread in some group. Returns how many
   * entries were removed.
   */
  trim(topic: string): Promise<number>;
}

interface TopicKeys {
  stream: string;
  delayed: string;
  dlq: string;
  retry(group: string): string;
  dedup(id: string): string;
}

type ScriptName = keyof typeof S;
type ClaimedEntry = [string, string[], number];
/** The delivery a running handler holds, as its lease renews it. */
interface Delivery {
  entryId: string;
  attempt: number;
}

/** Creates a queue adapter on Redis Streams. Connects on first use. */
export function createRedisQueue(options: RedisQueueOptions = {}): RedisQueueAdapter {
  const prefix = options.streamPrefix ?? 'tributary:';
  const blockMs = Math.max(10, options.blockMs ?? 1000);
  const trimIntervalMs = options.trimIntervalMs ?? 5000;
  const dedupTtlMs = options.dedupTtlMs ?? 86_400_000;
  const maxPayloadBytes = options.maxPayloadBytes ?? 1024 * 1024;
  const maxProcessingMs = checkMaxProcessingMs(COMPONENT, options.maxProcessingMs);
  const onError = options.onError ?? logErrors(COMPONENT);
  const shas = new Map<string, string>();
  const consumers = new Set<RedisConsumer>();
  let connecting: Promise<Redis> | undefined;
  let owned: Redis | undefined;
  let disposed = false;

  const keysOf = (topic: string): TopicKeys => {
    const base = `${prefix}{${requireName(COMPONENT, 'topic', topic)}}`;
    return {
      stream: `${base}:stream`,
      delayed: `${base}:delayed`,
      dlq: `${base}:dlq`,
      retry: (group) => `${base}:retry:${group}`,
      dedup: (id) => `${base}:dedup:${id}`,
    };
  };

  const connection = (): Promise<Redis> => {
    if (disposed) return Promise.reject(createError(COMPONENT, 'unavailable', 'the queue was disposed'));
    connecting ??= (async () => {
      if (options.client) return options.client;
      const RedisClass = await loadIoredis(COMPONENT);
      owned = new RedisClass(options.url ?? 'redis://127.0.0.1:6379', { ...options.redisOptions });
      owned.on('error', () => {
        // reconnects on its own; failed commands reach their callers
      });
      return owned;
    })().catch((error) => {
      connecting = undefined;
      throw error;
    });
    return connecting;
  };

  /** The SHA1 of a script, as EVALSHA names it. */
  const shaOf = (name: ScriptName): string => {
    let sha = shas.get(name);
    if (!sha) {
      sha = createHash('sha1').update(S[name]).digest('hex');
      shas.set(name, sha);
    }
    return sha;
  };

  /** Runs a script by its SHA, loading it on NOSCRIPT (first use, or after a server restart). */
  const run = async <R>(client: Redis, name: ScriptName, keys: string[], args: (string | number)[]): Promise<R> => {
    const script = S[name];
    const sha = shaOf(name);
    try {
      return (await client.evalsha(sha, keys.length, ...keys, ...args)) as R;
    } catch (error) {
      if (!String((error as Error)?.message).includes('NOSCRIPT')) throw error;
      return (await client.eval(script, keys.length, ...keys, ...args)) as R;
    }
  };

  const encode = (keys: TopicKeys, payload: unknown, o: PublishOptions = {}) => {
    const { json: payloadJson, id } = checkPayload(COMPONENT, payload, o, maxPayloadBytes);
    const fields = encodeFields({ id, payloadJson, headers: o.headers, key: o.key, publishedAt: Date.now() });
    const delayMs = publishDelayMs(o);
    // Plain XADD when there is nothing to deduplicate or delay: the common case costs one command.
    if (o.id === undefined && delayMs === 0) return { id, fields, delayMs, plain: true as const };
    const scriptKeys = o.id === undefined ? [keys.stream, keys.delayed] : [keys.stream, keys.delayed, keys.dedup(o.id)];
    const scriptArgs = [dedupTtlMs, delayMs, randomUUID(), ...fields];
    return { id, fields, delayMs, plain: false as const, scriptKeys, scriptArgs };
  };

  type ScriptCall = { script: ScriptName; keys: string[]; args: (string | number)[] };
  /** A command's outcome as a pipeline reports it: `[error, result]`. */
  const settle = (command: Promise<unknown>): Promise<[Error | null, unknown]> =>
    command.then(
      (result) => [null, result],
      (error: unknown) => [toError(error), undefined],
    );
  /** Runs script calls in one pipeline (one write, one round trip). */
  const inPipeline = async (client: Redis, commands: ScriptCall[]): Promise<[Error | null, unknown][]> => {
    const pipeline = client.pipeline();
    for (const c of commands) pipeline.evalsha(shaOf(c.script), c.keys.length, ...c.keys, ...c.args);
    return ((await pipeline.exec()) ?? []) as [Error | null, unknown][];
  };

  const wakeConsumers = (topic: string, at: number) => {
    for (const c of consumers) if (c.topic === topic) c.wakeForDelayed(at);
  };

  // ---- consumers ----------------------------------------------------------------------------

  class RedisConsumer {
    readonly name = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    readonly keys: TopicKeys;
    readonly retryKey: string;
    readonly o: Required<ConsumeOptions>;
    /** Renews the leases of the running handlers (reliability bug 6). */
    readonly leases: LeaseKeeper<Delivery>;
    readonly claimIntervalMs: number;
    readonly controller = new AbortController();
    readonly inFlight = new InFlight((error) => onError(toError(error)));
    closed = false;
    loop: Promise<void> | undefined;
    blocking: Redis | undefined;
    blockingId: number | undefined;
    reading = false;
    readDeadline = 0;
    claimCursor = '0-0';
    nextClaimAt = 0;
    nextRetryAt = 0;
    nextDelayedAt = 0;
    nextTrimAt = 0;
    wakeTimers = new Set<ReturnType<typeof setTimeout>>();

    constructor(
      readonly client: Redis,
      readonly topic: string,
      readonly handler: MessageHandler,
      consumeOptions: ConsumeOptions,
    ) {
      this.keys = keysOf(topic);
      this.o = resolveConsumeOptions(consumeOptions);
      requireName(COMPONENT, 'group', this.o.group);
      this.leases = new LeaseKeeper<Delivery>({
        visibilityTimeoutMs: this.o.visibilityTimeoutMs,
        maxProcessingMs: resolveMaxProcessingMs(maxProcessingMs, this.o.visibilityTimeoutMs),
        // only while this very delivery is still ours (see S.RENEW)
        renew: async (d) => (await run<number>(this.client, 'RENEW', [this.keys.stream], [this.o.group, this.name, d.entryId, d.attempt])) === 1,
        onError: (error) => onError(toError(error)),
      });
      this.retryKey = this.keys.retry(this.o.group);
      this.claimIntervalMs = options.claimIntervalMs ?? Math.min(5000, Math.max(50, Math.floor(this.o.visibilityTimeoutMs / 4)));
      this.nextTrimAt = Date.now() + trimIntervalMs;
    }

    async start(): Promise<void> {
      await this.ensureGroup();
      const blocking = this.client.duplicate({ maxRetriesPerRequest: null, lazyConnect: true });
      blocking.on('error', () => {
        // reconnects on its own; the read loop reports failures
      });
      blocking.on('ready', () => {
        blocking.client('ID').then((id) => (this.blockingId = Number(id)), () => undefined);
      });
      this.blocking = blocking;
      await blocking.connect();
      this.loop = this.run();
    }

    async ensureGroup(): Promise<void> {
      try {
        await this.client.xgroup('CREATE', this.keys.stream, this.o.group, '0', 'MKSTREAM');
      } catch (error) {
        if (!String((error as Error).message).includes('BUSYGROUP')) throw error;
      }
    }

    free(): number {
      return this.o.concurrency - this.inFlight.size;
    }

    async run(): Promise<void> {
      let failures = 0;
      while (!this.closed) {
        try {
          if (this.free() <= 0) {
            await this.inFlight.any();
            continue;
          }
          await this.maintain();
          if (this.closed || this.free() <= 0) continue;
          const now = Date.now();
          const deadline = Math.min(this.nextRetryAt, this.nextDelayedAt, this.nextClaimAt, now + blockMs);
          const block = Math.max(1, deadline - now);
          this.reading = true;
          this.readDeadline = now + block;
          const result = (await this.blocking!.xreadgroup(
            'GROUP', this.o.group, this.name, 'COUNT', this.free(), 'BLOCK', block, 'STREAMS', this.keys.stream, '>',
          )) as [string, [string, string[]][]][] | null;
          this.reading = false;
          const entries = result?.[0]?.[1] ?? [];
          if (this.closed && entries.length > 0) {
            await this.release(entries.map(([id]) => id));
            break;
          }
          for (const [id, fields] of entries) this.dispatch(id, fields, 1);
          failures = 0;
        } catch (error) {
          this.reading = false;
          if (this.closed) break;
          const message = String((error as Error)?.message);
          if (message.includes('NOGROUP')) {
            // the stream or group was deleted under us: recreate it and go on
            await this.ensureGroup().catch(() => undefined);
            continue;
          }
          failures++;
          onError(toError(error));
          await sleep(failureBackoffMs(failures), this.controller.signal);
        }
      }
    }

    /** Due retries, due delayed messages, stale deliveries and trimming, each when its time has come. */
    async maintain(): Promise<void> {
      const now = Date.now();
      if (now >= this.nextRetryAt && this.free() > 0) {
        const limit = this.free();
        const [entries, wait] = await run<[ClaimedEntry[], number]>(this.client, 'TAKE_RETRIES', [this.keys.stream, this.retryKey], [this.o.group, this.name, limit]);
        for (const [id, fields, count] of entries) this.dispatch(id, fields, Number(count));
        // a full batch may have left more due entries behind: look again as soon as a slot frees
        this.nextRetryAt = entries.length >= limit ? now : now + (wait < 0 ? blockMs : Math.min(blockMs, wait));
      }
      if (now >= this.nextDelayedAt) {
        const [, wait] = await run<[number, number]>(this.client, 'PROMOTE_DELAYED', [this.keys.delayed, this.keys.stream], [1000]);
        this.nextDelayedAt = now + (wait < 0 ? blockMs : Math.min(blockMs, wait));
      }
      if (now >= this.nextClaimAt && this.free() > 0) {
        const limit = this.free();
        const [cursor, entries] = await run<[string, ClaimedEntry[]]>(this.client, 'CLAIM_STALE', [this.keys.stream, this.retryKey], [
          this.o.group, this.name, this.o.visibilityTimeoutMs, limit, this.claimCursor,
        ]);
        this.claimCursor = cursor;
        for (const [id, fields, count] of entries) this.dispatch(id, fields, Number(count));
        this.nextClaimAt = cursor !== '0-0' ? now : now + this.claimIntervalMs;
      }
      if (trimIntervalMs > 0 && now >= this.nextTrimAt) {
        this.nextTrimAt = now + trimIntervalMs;
        await run(this.client, 'TRIM', [this.keys.stream], []);
      }
    }

    /** Wakes the blocked read at `at` so a retry or delayed message due then is taken on time. */
    wakeAt(at: number): void {
      if (this.closed) return;
      const timer = setTimeout(() => {
        this.wakeTimers.delete(timer);
        if (this.reading && this.readDeadline > Date.now() + 5 && this.blockingId !== undefined) {
          this.client.client('UNBLOCK', this.blockingId).catch(() => undefined);
        }
      }, Math.max(0, at - Date.now()));
      timer.unref?.();
      this.wakeTimers.add(timer);
    }

    wakeForRetry(at: number): void {
      this.nextRetryAt = Math.min(this.nextRetryAt, at);
      this.wakeAt(at);
    }

    wakeForDelayed(at: number): void {
      this.nextDelayedAt = Math.min(this.nextDelayedAt, at);
      this.wakeAt(at);
    }

    /** Gives back entries read but not processed: marks them idle so another consumer claims them now. */
    async release(ids: string[]): Promise<void> {
      if (ids.length === 0) return;
      await this.client
        .xclaim(this.keys.stream, this.o.group, this.name, 0, ...ids, 'IDLE', this.o.visibilityTimeoutMs, 'JUSTID')
        .catch((error) => onError(toError(error)));
    }

    dispatch(entryId: string, flat: string[], deliveries: number): void {
      this.inFlight.track(this.process(entryId, fieldMap(flat), deliveries));
    }

    async process(entryId: string, fields: Record<string, string>, attempt: number): Promise<void> {
      const only = fields[F.onlyGroup];
      if (only !== undefined && only !== this.o.group) {
        await this.client.xack(this.keys.stream, this.o.group, entryId);
        return;
      }
      let message;
      try {
        message = decodeMessage(this.topic, fields, attempt);
      } catch (error) {
        await this.deadLetter(entryId, fields, attempt, `malformed entry: ${toError(error).message}`);
        return;
      }
      const exhausted = exhaustedOnDelivery(attempt, this.o);
      if (exhausted) {
        await this.deadLetter(entryId, fields, attempt, exhausted);
        return;
      }
      const lease = this.leases.hold({ entryId, attempt });
      let result;
      try {
        result = await runHandler(this.handler, message, this.controller.signal);
      } finally {
        lease.stop();
      }
      // A late result needs no special case: XACK is per group, so a success past the lease still
      // acknowledges the entry (sparing the redelivery), and the retry and dead-letter scripts do nothing
      // once another delivery holds it.
      const outcome = decideOutcome(result, attempt, this.o);
      if (outcome.kind === 'ack') {
        await this.client.xack(this.keys.stream, this.o.group, entryId);
      } else if (outcome.kind === 'dead-letter') {
        await this.deadLetter(entryId, fields, attempt, outcome.reason);
      } else {
        const delay = outcome.delayMs;
        const scheduled = await run<number>(this.client, 'SCHEDULE_RETRY', [this.keys.stream, this.retryKey], [this.o.group, this.name, entryId, attempt, delay]);
        if (scheduled === 1) this.wakeForRetry(Date.now() + delay);
      }
    }

    async deadLetter(entryId: string, fields: Record<string, string>, attempt: number, reason: string): Promise<void> {
      const dl = [...messageFields(fields, entryId), F.reason, reason, F.failedAt, String(Date.now()), F.group, this.o.group, F.attempt, String(attempt)];
      await run(this.client, 'DEAD_LETTER', [this.keys.stream, this.keys.dlq, this.retryKey], [this.o.group, this.name, entryId, String(attempt), ...dl]);
    }

    async close(): Promise<void> {
      if (this.closed) return;
      this.closed = true;
      consumers.delete(this);
      this.controller.abort(new Error('consumer closed'));
      for (const t of this.wakeTimers) clearTimeout(t);
      if (this.reading && this.blockingId !== undefined) {
        // end the blocked read now (it returns empty) rather than after blockMs
        await this.client.client('UNBLOCK', this.blockingId).catch(() => undefined);
      }
      await this.loop?.catch(() => undefined);
      await this.inFlight.settled();
      this.leases.close();
      if (this.client.status === 'ready') {
        await run(this.client, 'REMOVE_CONSUMER', [this.keys.stream], [this.o.group, this.name]).catch(() => undefined);
      }
      if (this.blocking) {
        const blocking = this.blocking;
        await blocking.quit().catch(() => blocking.disconnect());
      }
    }
  }

  // ---- the adapter ----------------------------------------------------------------------------

  const adapter: RedisQueueAdapter = {
    name: 'redis',
    capabilities: { durable: options.durable ?? true, nativeDelay: false, deduplicatesById: true, maxPayloadBytes },

    async publish(topic, payload, o) {
      const keys = keysOf(topic);
      const m = encode(keys, payload, o);
      const client = await connection();
      if (m.plain) await client.xadd(keys.stream, '*', ...m.fields);
      else await run(client, 'PUBLISH', m.scriptKeys, m.scriptArgs);
      if (m.delayMs > 0) wakeConsumers(topic, Date.now() + m.delayMs);
      return m.id;
    },

    async publishBatch(topic, messages) {
      if (messages.length === 0) return [];
      const keys = keysOf(topic);
      const encoded = messages.map((m) => encode(keys, m.payload, m.options));
      const client = await connection();
      // Commands in message order: each run of plain messages as one PUBLISH_MANY call (at most
      // PLAIN_RUN of them, so one call never holds the server long), each other message alone.
      const commands: ScriptCall[] = [];
      let plainRun: (string | number)[] | undefined;
      let inRun = 0;
      for (const m of encoded) {
        if (m.plain) {
          if (!plainRun || inRun >= PLAIN_RUN) {
            plainRun = [];
            inRun = 0;
            commands.push({ script: 'PUBLISH_MANY', keys: [keys.stream], args: plainRun });
          }
          plainRun.push(m.fields.length, ...m.fields);
          inRun++;
        } else {
          plainRun = undefined;
          commands.push({ script: 'PUBLISH', keys: m.scriptKeys, args: m.scriptArgs });
        }
      }
      // One command (the usual case: a turn's ingest calls share one message per source) goes
      // without a pipeline, whose bookkeeping cost more than the command (bench/README.md, "Ingest").
      const results = commands.length === 1 ? [await settle(client.evalsha(shaOf(commands[0]!.script), commands[0]!.keys.length, ...commands[0]!.keys, ...commands[0]!.args))] : await inPipeline(client, commands);
      for (let i = 0; i < commands.length; i++) {
        const error = results[i]?.[0];
        if (!error) continue;
        // NOSCRIPT means the script did not run (first use, or a server restarted since): running
        // it again cannot publish twice.
        if (!String(error.message).includes('NOSCRIPT')) throw error;
        const c = commands[i]!;
        await run(client, c.script, c.keys, c.args);
      }
      for (const m of encoded) if (m.delayMs > 0) wakeConsumers(topic, Date.now() + m.delayMs);
      return encoded.map((m) => m.id);
    },

    async consume<T>(topic: string, handler: MessageHandler<T>, consumeOptions: ConsumeOptions): Promise<Subscription> {
      const client = await connection();
      const consumer = new RedisConsumer(client, topic, handler as MessageHandler, consumeOptions);
      consumers.add(consumer);
      try {
        await consumer.start();
      } catch (error) {
        await consumer.close();
        throw createError(COMPONENT, 'unavailable', `could not start consuming "${topic}": ${toError(error).message}`, { cause: error });
      }
      return { close: () => consumer.close() };
    },

    async listDeadLetters<T>(topic: string, o: { limit?: number } = {}): Promise<DeadLetter<T>[]> {
      const keys = keysOf(topic);
      const client = await connection();
      const entries = (await client.xrange(keys.dlq, '-', '+', 'COUNT', Math.max(1, o.limit ?? 100))) as [string, string[]][];
      return entries.map(([id, flat]) => {
        const fields = fieldMap(flat);
        const attempt = Number(fields[F.attempt] ?? 0);
        let message;
        try {
          message = decodeMessage(topic, fields, attempt);
        } catch {
          message = { id: fields[F.id] ?? id, topic, payload: fields[F.payload] ?? null, headers: {}, attempt, publishedAt: Number(fields[F.publishedAt] ?? 0) };
        }
        return { id, topic, message: message as DeadLetter<T>['message'], reason: fields[F.reason] ?? '', failedAt: Number(fields[F.failedAt] ?? 0) };
      });
    },

    async replayDeadLetter(topic, deadLetterId) {
      const keys = keysOf(topic);
      if (!/^\d+-\d+$/.test(deadLetterId)) return false;
      const client = await connection();
      const id = await run<string | null>(client, 'REPLAY', [keys.stream, keys.dlq], [deadLetterId, `~replay${Date.now().toString(36)}`, Date.now()]);
      return typeof id === 'string';
    },

    async stats(topic): Promise<QueueStats> {
      const keys = keysOf(topic);
      const client = await connection();
      return readStats(client, keys);
    },

    async trim(topic) {
      const keys = keysOf(topic);
      const client = await connection();
      return Number(await run(client, 'TRIM', [keys.stream], []));
    },

    async dispose() {
      if (disposed) return;
      disposed = true;
      await Promise.allSettled([...consumers].map((c) => c.close()));
      if (owned) await owned.quit().catch(() => owned?.disconnect());
      owned = undefined;
    },
  };
  return adapter;
}

/** Depth, in-flight count, dead letters and the age of the oldest unacknowledged message of a topic. */
async function readStats(client: Redis, keys: TopicKeys): Promise<QueueStats> {
  const now = Date.now();
  const groups = await xinfoGroups(client, keys.stream);
  const [len, delayed, deadLetters] = await Promise.all([client.xlen(keys.stream), client.zcard(keys.delayed), client.xlen(keys.dlq)]);
  const times: number[] = [];
  const entryTime = async (id: string | undefined, exclusive = false) => {
    if (!id) return;
    const found = (await client.xrange(keys.stream, exclusive ? `(${id}` : id, exclusive ? '+' : id, 'COUNT', 1)) as [string, string[]][];
    const t = found[0] ? Number(fieldMap(found[0][1])[F.publishedAt]) : NaN;
    if (Number.isFinite(t)) times.push(t);
  };
  const oldestDelayed = (await client.zrange(keys.delayed, 0, 9)) as string[];
  for (const member of oldestDelayed) {
    try {
      const t = Number(fieldMap(JSON.parse(member.slice(member.indexOf('|') + 1)) as string[])[F.publishedAt]);
      if (Number.isFinite(t)) times.push(t);
    } catch {
      // not ours
    }
  }
  let depth = 0;
  let inFlight = 0;
  if (groups.length === 0) {
    depth = len + delayed;
    const first = (await client.xrange(keys.stream, '-', '+', 'COUNT', 1)) as [string, string[]][];
    if (first[0]) await entryTime(first[0][0]);
  }
  for (const g of groups) {
    const retrying = await client.zcard(keys.retry(g.name));
    let unread = g.lag;
    if (unread === undefined) {
      const rest = (await client.xrange(keys.stream, `(${g.lastDeliveredId}`, '+', 'COUNT', 100_000)) as unknown[];
      unread = rest.length;
    }
    depth = Math.max(depth, unread + retrying + delayed);
    inFlight += Math.max(0, g.pending - retrying);
    if (g.pending > 0) {
      const summary = (await client.xpending(keys.stream, g.name)) as [number, string | null, string | null, unknown];
      await entryTime(summary[1] ?? undefined);
    }
    if (unread > 0) await entryTime(g.lastDeliveredId, true);
  }
  const oldest = times.length ? Math.min(...times) : null;
  return { depth, inFlight, deadLetters, oldestAgeMs: oldest === null ? null : Math.max(0, now - oldest) };
}

interface GroupInfo {
  name: string;
  pending: number;
  lastDeliveredId: string;
  lag: number | undefined;
}

async function xinfoGroups(client: Redis, stream: string): Promise<GroupInfo[]> {
  let raw: unknown[];
  try {
    raw = (await client.xinfo('GROUPS', stream)) as unknown[];
  } catch (error) {
    if (String((error as Error).message).includes('no such key')) return [];
    throw error;
  }
  return raw.map((row) => {
    const info = fieldMap(row as string[]) as Record<string, unknown>;
    const lag = info['lag'];
    return {
      name: String(info['name']),
      pending: Number(info['pending'] ?? 0),
      lastDeliveredId: String(info['last-delivered-id'] ?? '0-0'),
      lag: lag === null || lag === undefined ? undefined : Number(lag),
    };
  });
}
