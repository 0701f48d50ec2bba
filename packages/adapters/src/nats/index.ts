/**
 * @module @tributary/adapters/nats
 * Queue adapter on NATS JetStream (nats-server ≥ 2.9).
 *
 * - Per topic, three file-backed streams: the messages (limits retention, so messages published before
 *   the first consumer wait for it and every group sees every message), a work-queue stream where
 *   messages published with `delayMs` wait, and a stream of dead letters.
 * - Each group is a durable pull consumer with explicit acks and `ack_wait` = the visibility timeout.
 *   A consumer runs at most `concurrency` handlers and holds at most as many messages more, received
 *   ahead so the next batch is at hand; those keep their lease with `working()` while they wait.
 * - A running handler keeps its message too: `working()` every third of `ack_wait`, up to
 *   {@link NatsQueueOptions.maxProcessingMs}, so a slow handler is not redelivered while it works. A
 *   success that still arrives after the lease ran out is acknowledged (JetStream takes the ack while
 *   the message is pending); a late retry or dead letter is dropped, the redelivery standing in for it.
 * - Success acks; a retry naks with the delay (the server redelivers when due); a dead letter is
 *   published to the dead-letter stream with its reason, then termed. `attempt` is the delivery count
 *   JetStream keeps, so redeliveries after a crash count too; past `maxAttempts` a message is dead-lettered.
 * - Publishing sets `Nats-Msg-Id`, so a second publish of the same id within the stream's duplicate
 *   window is dropped by the server.
 * - Delayed publish is emulated: a mover (one per topic per process with consumers) naks each waiting
 *   message until it is due, then publishes it into the topic.
 */
import type {
  ConnectionOptions,
  Consumer,
  ConsumerConfig,
  ConsumerInfo,
  ConsumerMessages,
  JetStreamClient,
  JetStreamManager,
  JsMsg,
  NatsConnection,
  StreamConfig,
  StreamInfo,
} from 'nats';
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
import { decodeDeadLetter, decodeEnvelope, encode, rawText, toMessage, type Envelope } from './codec.js';
import { consumerName, topicNames, type TopicNames } from './names.js';
import { failureBackoffMs, logErrors, requireName, sleep } from '../_shared/background.js';
import { InFlight } from '../_shared/in-flight.js';
import { checkMaxProcessingMs, LeaseKeeper, resolveMaxProcessingMs } from '../_shared/lease.js';
import { loadClient } from '../_shared/load-client.js';
import { decideOutcome, exhaustedOnDelivery, runHandler } from '../_shared/outcome.js';
import { checkPayload, publishDelayMs } from '../_shared/payload.js';
import { spliceEnvelope } from '../_shared/envelope.js';

const COMPONENT = 'queue:nats';
const NS_PER_MS = 1_000_000;
/** How long before a running handler's message may be let go a pull made ahead of a free slot must be over. */
const PREFETCH_MARGIN_MS = 250;

/** Options of {@link createNatsQueue}. */
export interface NatsQueueOptions {
  /**
   * Servers to connect to, used when no {@link connection} is given.
   * @default '127.0.0.1:4222'
   */
  servers?: string | string[];
  /** nats.js options for the connection the adapter opens itself (it reconnects forever by default). */
  connectOptions?: ConnectionOptions;
  /** A NATS connection to use. The adapter never closes it. */
  connection?: NatsConnection;
  /**
   * Prefix of the stream names.
   * @default 'TRIBUTARY_'
   */
  streamPrefix?: string;
  /**
   * First token of the subjects.
   * @default 'tributary'
   */
  subjectPrefix?: string;
  /**
   * How long the server remembers a message id to drop a second publish of it (`duplicate_window`).
   * @default 120_000
   */
  duplicateWindowMs?: number;
  /**
   * Age after which the server drops messages from a topic's stream, acknowledged or not. 0 keeps them
   * until removed by hand; set it (days) in production, since streams keep acknowledged messages too.
   * @default 0
   */
  maxAgeMs?: number;
  /** Stream replicas (clustered servers). @default 1 */
  replicas?: number;
  /**
   * How long one pull waits for messages, in ms (nats.js needs at least 1000).
   * @default 1000
   */
  fetchExpiresMs?: number;
  /**
   * `max_ack_pending` of each group's consumer: delivered-unacknowledged messages, including retries
   * waiting for their delay, beyond which the server stops delivering.
   * @default 10_000
   */
  maxAckPending?: number;
  /**
   * Largest JSON payload accepted, in bytes. The server's `max_payload` (1 MiB by default) bounds the
   * whole envelope, so keep some room.
   * @default 1_040_384 (1 MiB − 8 KiB)
   */
  maxPayloadBytes?: number;
  /**
   * How long a running handler may keep its message, in ms. While it runs, its lease is renewed with
   * `working()` (`+WPI`) every third of the consumer's `visibilityTimeoutMs`, up to this bound; then the
   * lease runs out and the server gives the message to another consumer, so a handler stuck for good
   * does not hold it for ever. At or below `visibilityTimeoutMs`, the lease is never renewed. A
   * consumer process that dies stops renewing: its messages come back after `visibilityTimeoutMs`.
   * @default 10 × the consumer's visibilityTimeoutMs
   */
  maxProcessingMs?: number;
  /**
   * Receives errors of background work (a pull that failed, a lost connection). Consumers keep running.
   * @default logs with console.error
   */
  onError?: (error: Error) => void;
}

interface Context {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
}

/** Creates a queue adapter on NATS JetStream. Connects on first use. */
export function createNatsQueue(options: NatsQueueOptions = {}): QueueAdapter {
  const streamPrefix = options.streamPrefix ?? 'TRIBUTARY_';
  const subjectPrefix = options.subjectPrefix ?? 'tributary';
  const duplicateWindowMs = options.duplicateWindowMs ?? 120_000;
  const maxAgeMs = options.maxAgeMs ?? 0;
  const replicas = options.replicas ?? 1;
  const fetchExpiresMs = Math.max(1000, options.fetchExpiresMs ?? 1000);
  const maxAckPending = options.maxAckPending ?? 10_000;
  const maxPayloadBytes = options.maxPayloadBytes ?? 1024 * 1024 - 8 * 1024;
  const maxProcessingMs = checkMaxProcessingMs(COMPONENT, options.maxProcessingMs);
  const onError = options.onError ?? logErrors(COMPONENT);

  let connecting: Promise<Context> | undefined;
  let owned: NatsConnection | undefined;
  let disposed = false;
  const topics = new Map<string, Promise<TopicNames>>();
  const consumers = new Set<NatsConsumer>();
  const movers = new Map<string, Mover>();
  /** Retries this process scheduled, by topic and consumer: due times, so stats count them as waiting. */
  const retries = new Map<string, number[]>();

  const namesOf = (topic: string): TopicNames => topicNames(streamPrefix, subjectPrefix, requireName(COMPONENT, 'topic', topic));

  const context = (): Promise<Context> => {
    if (disposed) return Promise.reject(createError(COMPONENT, 'unavailable', 'the queue was disposed'));
    connecting ??= (async () => {
      let nc = options.connection;
      if (!nc) {
        const nats = await loadClient<typeof import('nats')>(COMPONENT, 'nats', () => import('nats'), 'connect');
        try {
          nc = await nats.connect({ servers: options.servers ?? '127.0.0.1:4222', maxReconnectAttempts: -1, reconnectTimeWait: 500, ...options.connectOptions });
        } catch (error) {
          throw createError(COMPONENT, 'unavailable', `could not connect: ${toError(error).message}`, { cause: error });
        }
        owned = nc;
      }
      try {
        return { nc, js: nc.jetstream(), jsm: await nc.jetstreamManager() };
      } catch (error) {
        throw createError(COMPONENT, 'unavailable', `JetStream is not available: ${toError(error).message}`, { cause: error });
      }
    })().catch((error) => {
      connecting = undefined;
      throw error;
    });
    return connecting;
  };

  const addStream = async (jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }) => {
    try {
      await jsm.streams.add(config);
    } catch (error) {
      // It exists with another configuration (changed options, an older version): use it as it is.
      await jsm.streams.info(config.name).catch(() => {
        throw error;
      });
    }
  };

  /** Creates the streams of a topic once per process. */
  const ensureTopic = (topic: string): Promise<TopicNames> => {
    const names = namesOf(topic);
    let ready = topics.get(topic);
    if (!ready) {
      ready = (async () => {
        const { jsm } = await context();
        const common = { storage: 'file', num_replicas: replicas, duplicate_window: duplicateWindowMs * NS_PER_MS } as const;
        await addStream(jsm, { ...common, name: names.stream, subjects: [names.subject], retention: 'limits', max_age: maxAgeMs * NS_PER_MS } as Partial<StreamConfig> & { name: string });
        await addStream(jsm, { ...common, name: names.delayStream, subjects: [names.delaySubject], retention: 'workqueue' } as Partial<StreamConfig> & { name: string });
        await addStream(jsm, { ...common, name: names.dlStream, subjects: [names.dlSubject], retention: 'limits' } as Partial<StreamConfig> & { name: string });
        return names;
      })();
      topics.set(topic, ready);
      ready.catch(() => topics.delete(topic));
    }
    return ready;
  };

  /** Creates or updates a durable pull consumer so its settings match ours. */
  const ensureConsumer = async (stream: string, config: Partial<ConsumerConfig> & { durable_name: string }): Promise<void> => {
    const { jsm } = await context();
    for (let tries = 0; ; tries++) {
      try {
        const info = await jsm.consumers.info(stream, config.durable_name).catch((error: unknown) => {
          if (isNotFound(error)) return undefined;
          throw error;
        });
        if (!info) await jsm.consumers.add(stream, config);
        else if (info.config.ack_wait !== config.ack_wait || info.config.max_ack_pending !== config.max_ack_pending) {
          await jsm.consumers.update(stream, config.durable_name, { ack_wait: config.ack_wait, max_ack_pending: config.max_ack_pending });
        }
        return;
      } catch (error) {
        // another process created it between our info and add: look again
        if (tries >= 2) throw error;
      }
    }
  };

  /** A message to publish: its id, whether it waits in the delay stream, and its encoded envelope. */
  interface Outgoing {
    id: string;
    delayed: boolean;
    data: Uint8Array;
  }

  const textEncoder = new TextEncoder();

  const outgoing = (payload: unknown, o: PublishOptions = {}): Outgoing => {
    const { json, id } = checkPayload(COMPONENT, payload, o, maxPayloadBytes);
    const t = Date.now();
    const delay = publishDelayMs(o);
    const text = spliceEnvelope(id, t, json, o.headers, o.key, delay > 0 ? { nb: t + delay } : {});
    return { id, delayed: delay > 0, data: textEncoder.encode(text) };
  };

  const send = async (js: JetStreamClient, names: TopicNames, m: Outgoing): Promise<void> => {
    try {
      await js.publish(m.delayed ? names.delaySubject : names.subject, m.data, { msgID: m.id });
    } catch (error) {
      const text = toError(error).message;
      if (/MAX_PAYLOAD|maximum payload/i.test(text)) throw createError(COMPONENT, 'payload_too_large', `the server refused the message: ${text}`, { cause: error });
      throw createError(COMPONENT, 'unavailable', `publish failed: ${text}`, { cause: error });
    }
  };

  // ---- consumers ------------------------------------------------------------------------------

  class NatsConsumer {
    readonly o: Required<ConsumeOptions>;
    readonly maxProcessingMs: number;
    /** Renews the leases of the running handlers (reliability bug 6). */
    readonly leases: LeaseKeeper<JsMsg>;
    readonly durable: string;
    readonly controller = new AbortController();
    /** A handler that finished frees a slot: start what waits in the buffer, and let the loop pull more. */
    readonly inFlight = new InFlight(
      (error) => onError(toError(error)),
      () => {
        this.drain();
        this.notify();
      },
    );
    readonly pulls = new Set<Promise<void>>();
    readonly iterators = new Set<ConsumerMessages>();
    /** Messages received and not started yet, with when their ack_wait last started. */
    readonly buffer: { m: JsMsg; leaseFrom: number; receivedAt: number }[] = [];
    outstanding = 0;
    keepAlive: ReturnType<typeof setInterval> | undefined;
    failures = 0;
    closed = false;
    names!: TopicNames;
    consumer!: Consumer;
    loop: Promise<void> | undefined;
    private wake: (() => void) | undefined;

    constructor(
      readonly ctx: Context,
      readonly topic: string,
      readonly handler: MessageHandler,
      consumeOptions: ConsumeOptions,
    ) {
      this.o = resolveConsumeOptions(consumeOptions);
      requireName(COMPONENT, 'group', this.o.group);
      this.maxProcessingMs = resolveMaxProcessingMs(maxProcessingMs, this.o.visibilityTimeoutMs);
      this.leases = new LeaseKeeper<JsMsg>({
        visibilityTimeoutMs: this.o.visibilityTimeoutMs,
        maxProcessingMs: this.maxProcessingMs,
        // +WPI restarts ack_wait on the server without counting a delivery
        renew: (m) => m.working(),
        onError: (error) => onError(toError(error)),
      });
      this.durable = consumerName(this.o.group);
    }

    async start(): Promise<void> {
      this.names = await ensureTopic(this.topic);
      await this.bind();
      acquireMover(this.ctx, this.topic, this.names);
      this.loop = this.run();
    }

    async bind(): Promise<void> {
      await ensureConsumer(this.names.stream, {
        durable_name: this.durable,
        ack_policy: 'explicit',
        deliver_policy: 'all',
        ack_wait: this.o.visibilityTimeoutMs * NS_PER_MS,
        max_deliver: -1,
        max_ack_pending: maxAckPending,
        filter_subject: this.names.subject,
      } as Partial<ConsumerConfig> & { durable_name: string });
      this.consumer = await this.ctx.js.consumers.get(this.names.stream, this.durable);
    }

    notify(): void {
      const wake = this.wake;
      this.wake = undefined;
      wake?.();
    }

    changed(): Promise<void> {
      return new Promise((resolve) => (this.wake = resolve));
    }

    async run(): Promise<void> {
      // Messages waiting in the buffer keep their lease: past half the visibility timeout they get a
      // `working()` (+WPI), which restarts ack_wait on the server without counting a delivery.
      const V = this.o.visibilityTimeoutMs;
      this.keepAlive = setInterval(() => {
        const now = Date.now();
        for (const item of this.buffer) {
          // Behind handlers stuck for good, a waiting message is let go at the same bound as a running one.
          if (now - item.leaseFrom > V / 2 && now - item.receivedAt < this.maxProcessingMs) {
            item.m.working();
            item.leaseFrom = now;
          }
        }
      }, Math.min(5000, Math.max(50, Math.floor(V / 4))));
      this.keepAlive.unref?.();
      // The window: messages being handled, waiting in the buffer, or asked for and not yet received.
      // It is twice `concurrency`, so the next batch is already on its way while a batch is handled
      // (a pull costs a server round trip); at most `concurrency` handlers run at once.
      while (!this.closed) {
        // A handler that outlived a lease may be stuck: then no message is pulled ahead of a free slot,
        // so that a message its lease let go (maybe this very one, redelivered) goes to a consumer that
        // can start it rather than waiting in this buffer. Nor is one pulled ahead when the pull could
        // still be open at the moment the oldest running handler's message may be handed out again
        // (its lease is renewed for maxProcessingMs, then let go): the server could give that very
        // message back to this consumer, where it would wait behind the handler that holds it, and
        // be let go again (one delivery counted for nothing) before another consumer runs it.
        const oldest = this.leases.oldestStart();
        const lettingGo = oldest !== undefined && Date.now() + fetchExpiresMs + PREFETCH_MARGIN_MS >= oldest + this.maxProcessingMs;
        const window = lettingGo || this.slow() ? this.o.concurrency : 2 * this.o.concurrency;
        const room = window - this.inFlight.size - this.buffer.length - this.outstanding;
        // Pull when there is room; while a pull is open, wait for room for half a window, so a busy
        // consumer pulls in batches rather than one message per request.
        if (room > 0 && (this.pulls.size === 0 || room >= this.o.concurrency)) {
          const pull: Promise<void> = this.pull(room).finally(() => {
            this.pulls.delete(pull);
            this.notify();
          });
          this.pulls.add(pull);
          continue;
        }
        await this.changed();
      }
    }

    /** Starts buffered messages while handler slots are free. */
    drain(): void {
      while (!this.closed && this.inFlight.size < this.o.concurrency && this.buffer.length > 0) {
        const item = this.buffer.shift()!;
        // a message that waited a while starts a fresh lease, so its handler gets the whole timeout
        if (Date.now() - item.leaseFrom > this.o.visibilityTimeoutMs / 4) {
          item.m.working();
          item.leaseFrom = Date.now();
        }
        this.dispatch(item.m, item.leaseFrom);
      }
    }

    async pull(count: number): Promise<void> {
      this.outstanding += count;
      let received = 0;
      const started = Date.now();
      let iterator: ConsumerMessages | undefined;
      try {
        iterator = await this.consumer.fetch({ max_messages: count, expires: fetchExpiresMs });
        this.iterators.add(iterator);
        if (this.closed) iterator.stop();
        for await (const m of iterator) {
          received++;
          this.outstanding--;
          // taken after close(): hand it back at once rather than make it wait for ack_wait
          if (this.closed) m.nak();
          else {
            const now = Date.now();
            this.buffer.push({ m, leaseFrom: now, receivedAt: now });
            this.drain();
          }
        }
        this.failures = 0;
      } catch (error) {
        if (!this.closed) {
          this.failures++;
          onError(toError(error));
          if (isNotFound(error)) await this.bind().catch(() => undefined);
        }
      } finally {
        if (iterator) this.iterators.delete(iterator);
        this.outstanding -= count - received;
      }
      // A pull that ended at once without messages means trouble (lost consumer, no connection): back off.
      if (!this.closed && received === 0 && Date.now() - started < fetchExpiresMs / 2) {
        await sleep(failureBackoffMs(++this.failures), this.controller.signal);
      }
    }

    /** Whether some running handler has outlived one lease (its lease is held until it returns). */
    slow(): boolean {
      const oldest = this.leases.oldestStart();
      return oldest !== undefined && oldest < Date.now() - this.o.visibilityTimeoutMs;
    }

    dispatch(m: JsMsg, leaseFrom: number): void {
      this.inFlight.track(this.process(m, leaseFrom));
    }

    async process(m: JsMsg, leaseFrom: number): Promise<void> {
      const attempt = m.info.redeliveryCount;
      let e: Envelope;
      try {
        e = decodeEnvelope(m.data);
      } catch (error) {
        const raw: Envelope = { id: `${this.names.stream}:${m.seq}`, p: rawText(m.data), t: m.info.timestampNanos / NS_PER_MS };
        await this.deadLetter(m, raw, attempt, `malformed message: ${toError(error).message}`);
        return;
      }
      if (e.g !== undefined && e.g !== this.o.group) {
        m.ack();
        return;
      }
      const exhausted = exhaustedOnDelivery(attempt, this.o);
      if (exhausted) {
        await this.deadLetter(m, e, attempt, exhausted);
        return;
      }
      const lease = this.leases.hold(m, leaseFrom);
      let result;
      try {
        result = await runHandler(this.handler, toMessage(this.topic, e, attempt), this.controller.signal);
      } finally {
        lease.stop();
      }
      if (lease.expired) {
        // Past ack_wait the server has given (or will give) the message to another delivery. A success is
        // still worth acknowledging: the work is done, and JetStream accepts the ack of a pending message
        // from any of its deliveries, which spares the redelivery. A late retry or dead letter must not
        // settle the new delivery: that delivery stands in for it.
        if (result.action === 'ack') m.ack();
        return;
      }
      const outcome = decideOutcome(result, attempt, this.o);
      if (outcome.kind === 'ack') {
        m.ack();
      } else if (outcome.kind === 'dead-letter') {
        await this.deadLetter(m, e, attempt, outcome.reason);
      } else {
        const delay = outcome.delayMs;
        if (delay > 0) {
          m.nak(delay);
          const key = `${this.topic}\u0000${this.durable}`;
          const due = (retries.get(key) ?? []).filter((t) => t > Date.now());
          due.push(Date.now() + delay);
          retries.set(key, due);
        } else m.nak();
      }
    }

    async deadLetter(m: JsMsg, e: Envelope, attempt: number, reason: string): Promise<void> {
      const { nb: _nb, g: _g, ...message } = e;
      // Dedup by group and stream sequence: if term() is lost and the message comes back, the dead
      // letter is not stored twice.
      await this.ctx.js.publish(this.names.dlSubject, encode({ m: message, reason, failedAt: Date.now(), group: this.o.group, attempt }), {
        msgID: `dl-${this.durable}-${m.seq}`,
      });
      // no reason argument: nats-server 2.9 ignores `+TERM <reason>` (only a bare `+TERM` is understood)
      m.term();
    }

    async close(): Promise<void> {
      if (this.closed) return;
      this.closed = true;
      consumers.delete(this);
      this.controller.abort(new Error('consumer closed'));
      clearInterval(this.keepAlive);
      for (const iterator of this.iterators) iterator.stop();
      // received but never started: hand them back now rather than after ack_wait
      for (const item of this.buffer.splice(0)) item.m.nak();
      this.notify();
      await this.loop;
      await Promise.allSettled([...this.pulls]);
      await this.inFlight.settled();
      this.leases.close();
      // acks are fire-and-forget publishes: make sure they left before we say we are closed
      await this.ctx.nc.flush().catch(() => undefined);
      releaseMover(this.topic);
    }
  }

  /** Moves messages published with `delayMs` into their topic when due. One per topic per process. */
  class Mover {
    refs = 1;
    closed = false;
    iterator: ConsumerMessages | undefined;
    readonly controller = new AbortController();
    readonly loop: Promise<void>;

    constructor(
      readonly ctx: Context,
      readonly names: TopicNames,
    ) {
      this.loop = this.run();
    }

    async run(): Promise<void> {
      let failures = 0;
      let consumer: Consumer | undefined;
      while (!this.closed) {
        const started = Date.now();
        let moved = 0;
        try {
          if (!consumer) {
            await ensureConsumer(this.names.delayStream, {
              durable_name: 'mover',
              ack_policy: 'explicit',
              deliver_policy: 'all',
              ack_wait: 30_000 * NS_PER_MS,
              max_deliver: -1,
              max_ack_pending: 100_000,
            } as Partial<ConsumerConfig> & { durable_name: string });
            consumer = await this.ctx.js.consumers.get(this.names.delayStream, 'mover');
          }
          this.iterator = await consumer.fetch({ max_messages: 256, expires: fetchExpiresMs });
          if (this.closed) this.iterator.stop();
          for await (const m of this.iterator) {
            moved++;
            await this.move(m);
          }
          failures = 0;
        } catch (error) {
          if (this.closed) break;
          onError(toError(error));
          if (isNotFound(error)) consumer = undefined;
        }
        if (!this.closed && moved === 0 && Date.now() - started < fetchExpiresMs / 2) {
          await sleep(failureBackoffMs(++failures), this.controller.signal);
        }
      }
    }

    async move(m: JsMsg): Promise<void> {
      let e: Envelope;
      try {
        e = decodeEnvelope(m.data);
      } catch {
        m.term('malformed delayed message');
        return;
      }
      const wait = (e.nb ?? 0) - Date.now();
      if (wait > 0) {
        m.nak(wait);
        return;
      }
      delete e.nb;
      await this.ctx.js.publish(this.names.subject, encode(e), { msgID: e.id });
      m.ack();
    }

    async close(): Promise<void> {
      this.closed = true;
      this.controller.abort();
      this.iterator?.stop();
      await this.loop.catch(() => undefined);
    }
  }

  const acquireMover = (ctx: Context, topic: string, names: TopicNames) => {
    const mover = movers.get(topic);
    if (mover) mover.refs++;
    else movers.set(topic, new Mover(ctx, names));
  };

  const releaseMover = (topic: string) => {
    const mover = movers.get(topic);
    if (!mover || --mover.refs > 0) return;
    movers.delete(topic);
    void mover.close();
  };

  const streamInfo = async (jsm: JetStreamManager, name: string): Promise<StreamInfo | undefined> => {
    try {
      return await jsm.streams.info(name);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  };

  const messageTime = async (jsm: JetStreamManager, stream: string, seq: number): Promise<number | undefined> => {
    try {
      const stored = await jsm.streams.getMessage(stream, { seq });
      return decodeEnvelope(stored.data).t;
    } catch {
      return undefined;
    }
  };

  // ---- the adapter ----------------------------------------------------------------------------

  return {
    name: 'nats',
    capabilities: { durable: true, nativeDelay: false, deduplicatesById: true, maxPayloadBytes },

    async publish(topic, payload, o) {
      const m = outgoing(payload, o);
      const { js } = await context();
      const names = await ensureTopic(topic);
      await send(js, names, m);
      return m.id;
    },

    async publishBatch(topic, messages) {
      if (messages.length === 0) return [];
      const out = messages.map((m) => outgoing(m.payload, m.options));
      const { js } = await context();
      const names = await ensureTopic(topic);
      // Publishes go out in call order on one connection, so the stream stores them in order; awaiting
      // acks in windows keeps the number of open requests bounded.
      for (let start = 0; start < out.length; start += 1000) {
        await Promise.all(out.slice(start, start + 1000).map((m) => send(js, names, m)));
      }
      return out.map((m) => m.id);
    },

    async consume<T>(topic: string, handler: MessageHandler<T>, consumeOptions: ConsumeOptions): Promise<Subscription> {
      const ctx = await context();
      const consumer = new NatsConsumer(ctx, topic, handler as MessageHandler, consumeOptions);
      consumers.add(consumer);
      try {
        await consumer.start();
      } catch (error) {
        consumers.delete(consumer);
        consumer.closed = true;
        throw createError(COMPONENT, 'unavailable', `could not start consuming "${topic}": ${toError(error).message}`, { cause: error });
      }
      return { close: () => consumer.close() };
    },

    async listDeadLetters<T>(topic: string, o: { limit?: number } = {}): Promise<DeadLetter<T>[]> {
      const names = namesOf(topic);
      const { jsm } = await context();
      const info = await streamInfo(jsm, names.dlStream);
      const limit = Math.max(1, o.limit ?? 100);
      const out: DeadLetter<T>[] = [];
      if (!info || info.state.messages === 0) return out;
      // Walk the sequence range; gaps are dead letters already replayed.
      for (let seq = info.state.first_seq; seq <= info.state.last_seq && out.length < limit; seq += 64) {
        const last = Math.min(info.state.last_seq, seq + 63);
        const batch = await Promise.all(
          Array.from({ length: last - seq + 1 }, (_, i) => jsm.streams.getMessage(names.dlStream, { seq: seq + i }).catch(() => undefined)),
        );
        for (const stored of batch) {
          if (!stored || out.length >= limit) continue;
          try {
            const dl = decodeDeadLetter(stored.data);
            out.push({
              id: String(stored.seq),
              topic,
              message: toMessage(topic, dl.m, dl.attempt) as DeadLetter<T>['message'],
              reason: dl.reason,
              failedAt: dl.failedAt,
            });
          } catch {
            // not written by this adapter
          }
        }
      }
      return out;
    },

    async replayDeadLetter(topic, deadLetterId) {
      const names = namesOf(topic);
      const seq = Number(deadLetterId);
      if (!/^\d+$/.test(deadLetterId) || !Number.isSafeInteger(seq) || seq <= 0) return false;
      const { js, jsm } = await context();
      let dl;
      try {
        dl = decodeDeadLetter((await jsm.streams.getMessage(names.dlStream, { seq })).data);
      } catch {
        return false;
      }
      await ensureTopic(topic);
      // Only the group that dead-lettered it gets it again. The id is derived from the dead letter, so two
      // concurrent replays of it publish once (duplicate window).
      const e: Envelope = { ...dl.m, id: `${dl.m.id}~replay${seq}`, t: Date.now(), g: dl.group };
      await js.publish(names.subject, encode(e), { msgID: e.id });
      await jsm.streams.deleteMessage(names.dlStream, seq, false).catch(() => false);
      return true;
    },

    async stats(topic): Promise<QueueStats> {
      const names = namesOf(topic);
      const { jsm } = await context();
      const [main, delayed, dead] = await Promise.all([streamInfo(jsm, names.stream), streamInfo(jsm, names.delayStream), streamInfo(jsm, names.dlStream)]);
      const deadLetters = dead?.state.messages ?? 0;
      if (!main) return { depth: 0, inFlight: 0, deadLetters, oldestAgeMs: null };
      const waitingDelayed = delayed?.state.messages ?? 0;
      const groups: ConsumerInfo[] = await jsm.consumers
        .list(names.stream)
        .next()
        .catch(() => []);
      const now = Date.now();
      const times: number[] = [];
      let depth = 0;
      let inFlight = 0;
      if (groups.length === 0) {
        depth = main.state.messages + waitingDelayed;
        if (main.state.messages > 0) {
          const t = await messageTime(jsm, names.stream, main.state.first_seq);
          if (t !== undefined) times.push(t);
        }
      }
      for (const g of groups) {
        // Delivered-unacknowledged on the server includes retries waiting for their delay and messages
        // this process received ahead and has not started: both are waiting, not in flight.
        let waitingHere = (retries.get(`${topic}\u0000${g.name}`) ?? []).filter((t) => t > now).length;
        for (const c of consumers) if (c.topic === topic && c.durable === g.name) waitingHere += c.buffer.length;
        const retrying = Math.min(waitingHere, g.num_ack_pending);
        depth = Math.max(depth, g.num_pending + retrying + waitingDelayed);
        inFlight += g.num_ack_pending - retrying;
        if (g.num_pending + g.num_ack_pending > 0) {
          const t = await messageTime(jsm, names.stream, Math.max(main.state.first_seq, g.ack_floor.stream_seq + 1));
          if (t !== undefined) times.push(t);
        }
      }
      if (delayed && waitingDelayed > 0) {
        const t = await messageTime(jsm, names.delayStream, delayed.state.first_seq);
        if (t !== undefined) times.push(t);
      }
      const oldest = times.length > 0 ? Math.min(...times) : null;
      return { depth, inFlight, deadLetters, oldestAgeMs: oldest === null ? null : Math.max(0, now - oldest) };
    },

    async dispose() {
      if (disposed) return;
      disposed = true;
      await Promise.allSettled([...consumers].map((c) => c.close()));
      await Promise.allSettled([...movers.values()].map((m) => m.close()));
      movers.clear();
      if (owned) {
        const nc = owned;
        owned = undefined;
        await nc.flush().catch(() => undefined);
        await nc.close().catch(() => undefined);
      }
    },
  };
}

function isNotFound(error: unknown): boolean {
  const e = error as { code?: unknown; api_error?: { err_code?: number }; message?: string };
  const code = e?.api_error?.err_code;
  // 10014 consumer not found, 10059 stream not found
  return code === 10014 || code === 10059 || e?.code === '404' || /not found/i.test(String(e?.message));
}
