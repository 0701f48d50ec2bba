/**
 * @module @tributary/adapters/rabbitmq
 * Queue adapter on RabbitMQ (≥ 3.10) with amqplib.
 *
 * - A fanout exchange per topic and a quorum queue per group bound to it: each group sees every
 *   message. Messages published while no group queue exists wait in the exchange's alternate queue
 *   until the first consumer moves them on.
 * - Publishing waits for the publisher confirm. Prefetch = `concurrency`.
 * - `attempt` = deliveries counted by the quorum queue (`x-delivery-count`, so a consumer that died
 *   with the message counts) plus earlier attempts carried in the `x-tributary-attempts` header when a
 *   message was re-published (delayed retry, visibility timeout).
 * - Retries wait in per-delay TTL queues that dead-letter back into the group's queue; delays are
 *   rounded up to two significant digits so jittered delays share few queues. `delayMs` at publish
 *   uses the same mechanism towards the topic exchange.
 * - RabbitMQ has no visibility timeout: a broker redelivers only when the consumer's channel closes,
 *   which is how a dead consumer's messages come back. A handler that runs long in a live process
 *   keeps its message up to {@link RabbitQueueOptions.maxProcessingMs}; past it, a copy goes back to the
 *   group's queue for another consumer, and the original is acknowledged (unhandled) when the late
 *   handler finishes.
 * - Dead letters go through a dead-letter exchange into a quorum queue, with the reason. Listing reads
 *   them with `basic.get` and gives them back (channel close), so the order is kept; replay takes one,
 *   publishes it to its group's queue with a confirm, then acknowledges it.
 * - Connections the adapter opens itself are reopened after a loss; consumers re-attach.
 */
import type { Channel, ChannelModel, ConfirmChannel, ConsumeMessage, Message, Options } from 'amqplib';
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
import { delayBucket, DELAY_QUEUE_GRACE_MS, topology, type TopicTopology } from './topology.js';
import { failureBackoffMs, logErrors, requireName, sleep } from '../_shared/background.js';
import { InFlight } from '../_shared/in-flight.js';
import { checkMaxProcessingMs, LeaseKeeper, resolveMaxProcessingMs } from '../_shared/lease.js';
import { loadClient } from '../_shared/load-client.js';
import { decideOutcome, exhaustedOnDelivery, runHandler, type Result } from '../_shared/outcome.js';
import { checkPayload, publishDelayMs } from '../_shared/payload.js';
import { envelopeToMessage as toMessage, spliceEnvelope, type Envelope } from '../_shared/envelope.js';

const COMPONENT = 'queue:rabbitmq';
const ATTEMPTS = 'x-tributary-attempts';

/** Options of {@link createRabbitQueue}. */
export interface RabbitQueueOptions {
  /**
   * AMQP URL, used when no {@link connection} is given.
   * @default 'amqp://guest:guest@127.0.0.1:5672'
   */
  url?: string;
  /** An amqplib connection (`await amqplib.connect(…)`) to use. The adapter never closes it, and cannot reopen it. */
  connection?: ChannelModel;
  /**
   * Prefix of exchange and queue names.
   * @default 'tributary.'
   */
  prefix?: string;
  /**
   * Delete group, dead-letter and parking queues after this long unused (`x-expires`). For short-lived
   * environments (tests, previews); leave unset in production.
   */
  queueExpiresMs?: number;
  /**
   * Largest JSON payload accepted, in bytes (the broker's own limit, `max_message_size`, is 128 MiB).
   * @default 16_777_216
   */
  maxPayloadBytes?: number;
  /**
   * Name shown for the connection in the management tools.
   * @default 'tributary'
   */
  connectionName?: string;
  /**
   * How long a running handler may keep its message, in ms. RabbitMQ has no visibility timeout of its
   * own (a dead consumer's channel closes and the broker requeues), so a handler in a live process keeps
   * its message while it runs, up to this bound; past it, a copy goes back to the group's queue for
   * another consumer. At or below `visibilityTimeoutMs`, the copy goes after `visibilityTimeoutMs`.
   * Keep it below the broker's `consumer_timeout` (30 min by default), past which the broker closes the
   * channel and requeues everything unacknowledged on it.
   * @default 10 × the consumer's visibilityTimeoutMs
   */
  maxProcessingMs?: number;
  /**
   * Receives errors of background work (a channel that closed, a re-attach that failed).
   * @default logs with console.error
   */
  onError?: (error: Error) => void;
}

interface DeadLetterBody {
  m: Envelope;
  reason: string;
  failedAt: number;
  group: string;
  attempt: number;
}

/** A message whose handler runs, as its lease sees it. */
interface Handling {
  m: ConsumeMessage;
  e: Envelope;
  attempt: number;
  /** The topic's running handlers (for stats), this one under `key`. */
  running: Map<symbol, number>;
  key: symbol;
  /** Set once the lease ran out: the copy sent back to the queue, resolving to whether it was confirmed. */
  copy: Promise<boolean> | undefined;
}

interface Link {
  conn: ChannelModel;
  pub: Promise<ConfirmChannel> | undefined;
  closed: boolean;
}

/** Creates a queue adapter on RabbitMQ. Connects on first use. */
export function createRabbitQueue(options: RabbitQueueOptions = {}): QueueAdapter {
  const prefix = options.prefix ?? 'tributary.';
  const maxPayloadBytes = options.maxPayloadBytes ?? 16 * 1024 * 1024;
  const maxProcessingMs = checkMaxProcessingMs(COMPONENT, options.maxProcessingMs);
  const onError = options.onError ?? logErrors(COMPONENT);
  const expires = options.queueExpiresMs ? { 'x-expires': options.queueExpiresMs } : {};

  let linking: Promise<Link> | undefined;
  let disposed = false;
  const ready = new Map<string, Promise<void>>();
  /** Group queues declared (and bound) by this process. */
  const declaredGroups = new Set<string>();
  const consumers = new Set<RabbitConsumer>();
  /** Groups and delay queues this process knows per topic (AMQP cannot list queues): stats read these. */
  const knownGroups = new Map<string, Set<string>>();
  const knownDelayQueues = new Map<string, Set<string>>();
  /** Deliveries being handled in this process, per topic: their publish times. */
  const active = new Map<string, Map<symbol, number>>();
  /** When stats first saw a queue non-empty: a lower bound of its oldest message's age. */
  const firstSeen = new Map<string, number>();

  const topo = (topic: string): TopicTopology => {
    const t = topology(prefix, requireName(COMPONENT, 'topic', topic));
    if (Buffer.byteLength(t.groupDelay('', 0)) > 200) throw createError(COMPONENT, 'validation', 'topic name too long for RabbitMQ queue names (255 bytes)');
    return t;
  };

  const remember = (map: Map<string, Set<string>>, topic: string, value: string) => {
    let set = map.get(topic);
    if (!set) map.set(topic, (set = new Set()));
    set.add(value);
  };

  const link = (): Promise<Link> => {
    if (disposed) return Promise.reject(createError(COMPONENT, 'unavailable', 'the queue was disposed'));
    if (!linking) {
      const attempt: Promise<Link> = (async () => {
        let conn = options.connection;
        if (!conn) {
          const amqp = await loadClient<typeof import('amqplib')>(COMPONENT, 'amqplib', () => import('amqplib'), 'connect');
          // Nagle stays on (no TCP_NODELAY): acks and publishes coalesce into fewer packets, which
          // measured ~1.5x the throughput; the adapter avoids request/response loops (basic.get) instead.
          conn = await amqp.connect(options.url ?? 'amqp://guest:guest@127.0.0.1:5672', {
            clientProperties: { connection_name: options.connectionName ?? 'tributary' },
          });
        }
        const l: Link = { conn, pub: undefined, closed: false };
        conn.on('error', () => {
          // 'close' follows; consumers re-attach from there
        });
        conn.once('close', () => {
          l.closed = true;
          if (linking === attempt) linking = undefined;
        });
        return l;
      })().catch((error) => {
        if (linking === attempt) linking = undefined;
        throw createError(COMPONENT, 'unavailable', `could not connect: ${toError(error).message}`, { cause: error });
      });
      linking = attempt;
    }
    return linking;
  };

  /** A channel that may fail (declarations, probes): its errors close only itself. */
  const channel = async (l: Link): Promise<Channel> => {
    const ch = await l.conn.createChannel();
    ch.on('error', () => undefined);
    return ch;
  };

  const publisher = (l: Link): Promise<ConfirmChannel> => {
    if (!l.pub) {
      const opening = l.conn.createConfirmChannel().then((ch) => {
        ch.on('error', () => undefined);
        ch.once('close', () => {
          if (l.pub === opening) l.pub = undefined;
        });
        return ch;
      });
      opening.catch(() => {
        if (l.pub === opening) l.pub = undefined;
      });
      l.pub = opening;
    }
    return l.pub;
  };

  /** Set while a publisher channel's write buffer is full: publishers wait for its 'drain'. */
  const drains = new WeakMap<ConfirmChannel, Promise<void>>();

  /** Publishes and resolves when the broker confirmed the message. */
  const confirmed = async (l: Link, exchange: string, routingKey: string, body: Buffer, props: Options.Publish): Promise<void> => {
    const ch = await publisher(l);
    await drains.get(ch);
    await new Promise<void>((resolve, reject) => {
      const ok = ch.publish(exchange, routingKey, body, { persistent: true, contentType: 'application/json', ...props }, (error) =>
        error ? reject(createError(COMPONENT, 'unavailable', `the broker did not confirm the message: ${toError(error).message}`, { cause: error })) : resolve(),
      );
      if (!ok && !drains.has(ch)) {
        drains.set(
          ch,
          new Promise<void>((r) => {
            const done = () => {
              drains.delete(ch);
              r();
            };
            ch.once('drain', done);
            ch.once('close', done);
          }),
        );
      }
    });
  };

  /** Declares the exchanges and queues of a topic (once per process). */
  const ensureTopic = (topic: string): Promise<void> => {
    const t = topo(topic);
    let done = ready.get(topic);
    if (!done) {
      done = (async () => {
        const l = await link();
        const ch = await channel(l);
        try {
          await ch.assertExchange(t.unrouted, 'fanout', { durable: true });
          await ch.assertQueue(t.unrouted, { durable: true, arguments: { 'x-queue-type': 'quorum', ...expires } });
          await ch.bindQueue(t.unrouted, t.unrouted, '');
          await ch.assertExchange(t.exchange, 'fanout', { durable: true, arguments: { 'alternate-exchange': t.unrouted } });
          await ch.assertExchange(t.dlx, 'fanout', { durable: true });
          await ch.assertQueue(t.dlq, { durable: true, arguments: { 'x-queue-type': 'quorum', ...expires } });
          await ch.bindQueue(t.dlq, t.dlx, '');
        } finally {
          await ch.close().catch(() => undefined);
        }
      })();
      ready.set(topic, done);
      done.catch(() => ready.delete(topic));
    }
    return done;
  };

  /** Declares a delay queue right before publishing to it: redeclaring also restarts its expiry clock. */
  const ensureDelayQueue = async (l: Link, name: string, ms: number, target: { exchange: string } | { queue: string }): Promise<void> => {
    const ch = await channel(l);
    try {
      await ch.assertQueue(name, {
        durable: true,
        arguments: {
          'x-queue-type': 'quorum',
          'x-message-ttl': ms,
          'x-expires': ms + DELAY_QUEUE_GRACE_MS,
          'x-dead-letter-strategy': 'at-least-once',
          'x-overflow': 'reject-publish',
          ...('exchange' in target ? { 'x-dead-letter-exchange': target.exchange } : { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': target.queue }),
        },
      });
    } finally {
      await ch.close().catch(() => undefined);
    }
  };

  /** A message to publish: its id, publish time and body (the envelope, written around the payload's JSON). */
  interface Outgoing {
    id: string;
    t: number;
    body: Buffer;
  }

  const outgoing = (payload: unknown, o: PublishOptions = {}): Outgoing => {
    const { json, id } = checkPayload(COMPONENT, payload, o, maxPayloadBytes);
    const t = Date.now();
    return { id, t, body: Buffer.from(spliceEnvelope(id, t, json, o.headers, o.key)) };
  };

  const propsOf = (m: { id: string; t: number }, attempts = 0): Options.Publish => ({
    messageId: m.id,
    timestamp: Math.floor(m.t / 1000),
    ...(attempts > 0 ? { headers: { [ATTEMPTS]: attempts } } : {}),
  });

  const publishOne = async (l: Link, topic: string, t: TopicTopology, m: Outgoing, delayMs: number): Promise<void> => {
    if (delayMs > 0) {
      const ms = delayBucket(delayMs);
      const queue = t.delay(ms);
      await ensureDelayQueue(l, queue, ms, { exchange: t.exchange });
      remember(knownDelayQueues, topic, queue);
      await confirmed(l, '', queue, m.body, propsOf(m));
    } else {
      await confirmed(l, t.exchange, '', m.body, propsOf(m));
    }
  };

  /**
   * Moves messages parked while no group queue existed into the exchange (now bound to a group). Each
   * is acknowledged in the parking queue only once its copy is confirmed. Stops after the count seen at
   * the start, or when nothing arrives for a while (another consumer drains concurrently).
   */
  const drainParking = async (l: Link, t: TopicTopology): Promise<void> => {
    const ch = await l.conn.createConfirmChannel();
    ch.on('error', () => undefined);
    try {
      const { messageCount } = await ch.checkQueue(t.unrouted);
      if (messageCount === 0) return;
      await ch.prefetch(Math.min(messageCount, 1000));
      let moved = 0;
      let idle: ReturnType<typeof setTimeout> | undefined;
      let finish!: () => void;
      const finished = new Promise<void>((resolve) => (finish = resolve));
      const touch = () => {
        clearTimeout(idle);
        idle = setTimeout(finish, 1000);
      };
      touch();
      const { consumerTag } = await ch.consume(
        t.unrouted,
        (m) => {
          if (!m) return finish();
          touch();
          const { messageId, timestamp, contentType } = m.properties;
          ch.publish(t.exchange, '', m.content, { persistent: true, messageId, timestamp, contentType }, (error) => {
            try {
              if (error) ch.nack(m, false, true);
              else ch.ack(m);
            } catch {
              // channel closed: the broker requeues the message
            }
            if (++moved >= messageCount) finish();
          });
        },
        { noAck: false },
      );
      await finished;
      clearTimeout(idle);
      await ch.cancel(consumerTag).catch(() => undefined);
    } finally {
      await ch.close().catch(() => undefined);
    }
  };

  // ---- consumers ------------------------------------------------------------------------------

  class RabbitConsumer {
    readonly o: Required<ConsumeOptions>;
    /** Keeps the leases of the running handlers (reliability bug 6). */
    readonly leases: LeaseKeeper<Handling>;
    readonly t: TopicTopology;
    readonly queue: string;
    readonly controller = new AbortController();
    readonly inFlight = new InFlight((error) => onError(toError(error)));
    closed = false;
    ch: Channel | undefined;
    consumerTag: string | undefined;
    lost: Promise<void> = Promise.resolve();
    supervisor: Promise<void> | undefined;

    constructor(
      readonly topic: string,
      readonly handler: MessageHandler,
      consumeOptions: ConsumeOptions,
    ) {
      this.o = resolveConsumeOptions(consumeOptions);
      requireName(COMPONENT, 'group', this.o.group);
      this.leases = new LeaseKeeper<Handling>({
        visibilityTimeoutMs: this.o.visibilityTimeoutMs,
        maxProcessingMs: resolveMaxProcessingMs(maxProcessingMs, this.o.visibilityTimeoutMs),
        onExpired: (h) => this.expired(h),
      });
      this.t = topo(topic);
      this.queue = this.t.group(this.o.group);
    }

    async start(): Promise<void> {
      await this.attach();
      this.supervisor = this.supervise();
    }

    /** Declares the group's queue, moves parked messages, opens a channel and starts consuming. */
    async attach(): Promise<void> {
      const l = await link();
      await ensureTopic(this.topic);
      // Declarations and the consumer share one channel (a failed declaration closes it, and the
      // supervisor tries again); a group's queue is declared once per process until a channel is lost.
      const ch = await channel(l);
      this.lost = new Promise((resolve) => ch.once('close', () => resolve()));
      ch.once('close', () => declaredGroups.delete(this.queue));
      try {
        if (!declaredGroups.has(this.queue)) {
          await ch.assertQueue(this.queue, { durable: true, arguments: { 'x-queue-type': 'quorum', ...expires } });
          await ch.bindQueue(this.queue, this.t.exchange, '');
          declaredGroups.add(this.queue);
        }
        remember(knownGroups, this.topic, this.o.group);
        if ((await ch.checkQueue(this.t.unrouted)).messageCount > 0) await drainParking(l, this.t);
        await ch.prefetch(this.o.concurrency);
        const { consumerTag } = await ch.consume(this.queue, (m) => this.onMessage(ch, m), { noAck: false });
        this.ch = ch;
        this.consumerTag = consumerTag;
      } catch (error) {
        await ch.close().catch(() => undefined);
        throw error;
      }
      if (this.closed) await this.detach();
    }

    /** Re-attaches whenever the channel is lost (connection dropped, queue deleted), with backoff. */
    async supervise(): Promise<void> {
      let failures = 0;
      while (!this.closed) {
        await this.lost;
        if (this.closed) break;
        this.ch = undefined;
        try {
          await this.attach();
          failures = 0;
        } catch (error) {
          onError(toError(error));
          this.lost = sleep(failureBackoffMs(++failures), this.controller.signal);
        }
      }
    }

    onMessage(ch: Channel, m: ConsumeMessage | null): void {
      if (m === null) {
        // the broker cancelled us (queue deleted): drop the channel, the supervisor re-attaches
        void ch.close().catch(() => undefined);
        return;
      }
      this.inFlight.track(this.process(ch, m));
    }

    async process(ch: Channel, m: ConsumeMessage): Promise<void> {
      let settled = false;
      // Once the channel is gone the broker has requeued the message: settling it is both impossible
      // and unnecessary.
      const settle = (how: 'ack' | 'requeue') => {
        if (settled) return;
        settled = true;
        try {
          if (how === 'ack') ch.ack(m);
          else ch.nack(m, false, true);
        } catch {
          // channel closed
        }
      };
      const headers = m.properties.headers ?? {};
      const attempt = Number(headers[ATTEMPTS] ?? 0) + Number(headers['x-delivery-count'] ?? 0) + 1;
      let e: Envelope;
      try {
        e = JSON.parse(m.content.toString('utf8')) as Envelope;
        if (typeof e !== 'object' || e === null || typeof e.id !== 'string') throw new Error('not a tributary envelope');
      } catch (error) {
        const raw: Envelope = { id: String(m.properties.messageId ?? randomUUID()), p: m.content.toString('utf8'), t: Date.now() };
        await this.deadLetter(raw, attempt, `malformed message: ${toError(error).message}`);
        settle('ack');
        return;
      }
      const exhausted = exhaustedOnDelivery(attempt, this.o);
      if (exhausted) {
        await this.deadLetter(e, attempt, exhausted);
        settle('ack');
        return;
      }
      const key = Symbol(e.id);
      let running = active.get(this.topic);
      if (!running) active.set(this.topic, (running = new Map()));
      running.set(key, e.t);
      // The lease is the adapter's own: past it, a copy goes back to the queue for another consumer; the
      // original is kept (holding its prefetch slot, as the handler still runs) and acknowledged once the
      // copy is confirmed and the late handler has finished.
      const handling: Handling = { m, e, attempt, running, key, copy: undefined };
      const lease = this.leases.hold(handling);
      let result: Result;
      try {
        result = await runHandler(this.handler, toMessage(this.topic, e, attempt), this.controller.signal);
      } finally {
        lease.stop();
      }
      if (handling.copy) {
        settle((await handling.copy) ? 'ack' : 'requeue');
        return;
      }
      try {
        await this.settleResult(e, m.content, attempt, result, settle);
      } finally {
        running.delete(key);
      }
    }

    /** A handler outlived its lease: a copy goes back to the group's queue for another consumer. */
    expired(h: Handling): void {
      h.running.delete(h.key);
      h.copy = link()
        .then((l) => confirmed(l, '', this.queue, h.m.content, propsOf(h.e, h.attempt)))
        .then(
          () => true,
          (error) => {
            onError(toError(error));
            return false;
          },
        );
    }

    async settleResult(e: Envelope, body: Buffer, attempt: number, result: Result, settle: (how: 'ack' | 'requeue') => void): Promise<void> {
      const outcome = decideOutcome(result, attempt, this.o);
      if (outcome.kind === 'ack') return settle('ack');
      if (outcome.kind === 'dead-letter') {
        await this.deadLetter(e, attempt, outcome.reason);
        return settle('ack');
      }
      const delay = outcome.delayMs;
      // No delay: give it back; the quorum queue counts the redelivery in x-delivery-count.
      if (delay === 0) return settle('requeue');
      const ms = delayBucket(delay);
      const queue = this.t.groupDelay(this.o.group, ms);
      const l = await link();
      await ensureDelayQueue(l, queue, ms, { queue: this.queue });
      remember(knownDelayQueues, this.topic, queue);
      await confirmed(l, '', queue, body, propsOf(e, attempt));
      settle('ack');
    }

    async deadLetter(e: Envelope, attempt: number, reason: string): Promise<void> {
      const body: DeadLetterBody = { m: e, reason, failedAt: Date.now(), group: this.o.group, attempt };
      const l = await link();
      await ensureTopic(this.topic);
      await confirmed(l, this.t.dlx, '', Buffer.from(JSON.stringify(body)), { messageId: `dl-${randomUUID()}`, timestamp: Math.floor(Date.now() / 1000) });
    }

    async detach(): Promise<void> {
      const ch = this.ch;
      if (!ch) return;
      if (this.consumerTag) await ch.cancel(this.consumerTag).catch(() => undefined);
    }

    async close(): Promise<void> {
      if (this.closed) return;
      this.closed = true;
      consumers.delete(this);
      this.controller.abort(new Error('consumer closed'));
      await this.detach();
      await this.inFlight.settled();
      this.leases.close();
      await this.ch?.close().catch(() => undefined);
      await this.supervisor?.catch(() => undefined);
    }
  }

  const probe = async <R>(l: Link, run: (ch: Channel) => Promise<R>, browsed?: string): Promise<R | undefined> => {
    const ch = await channel(l);
    let before: number | undefined;
    try {
      if (browsed) before = (await ch.checkQueue(browsed)).messageCount;
      return await run(ch);
    } catch {
      return undefined; // 404: no such queue
    } finally {
      await ch.close().catch(() => undefined);
      if (browsed && before) await returned(l, browsed, before);
    }
  };

  /**
   * Waits (briefly) until messages taken without ack and given back by closing their channel are ready
   * again: a quorum queue applies the return after the close completes, and a listing right after must
   * see them.
   */
  const returned = async (l: Link, queue: string, expected: number): Promise<void> => {
    for (let i = 0; i < 100; i++) {
      const n = await probe(l, (ch) => ch.checkQueue(queue));
      if (!n || n.messageCount >= expected) return;
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  const count = async (l: Link, queue: string): Promise<number> => {
    const n = (await probe(l, (ch) => ch.checkQueue(queue)))?.messageCount ?? 0;
    if (n > 0 && !firstSeen.has(queue)) firstSeen.set(queue, Date.now());
    if (n === 0) firstSeen.delete(queue);
    return n;
  };

  /**
   * Reads the messages of a queue in order without acknowledging them (they go back when the channel
   * closes), until `stop` says so or every message present at the start was seen. One consumer with a
   * prefetch of `max` (0: no limit) rather than a basic.get per message, so it costs no round trip each.
   */
  const browse = async (ch: Channel, queue: string, max: number, stop: (m: ConsumeMessage) => boolean): Promise<void> => {
    const { messageCount } = await ch.checkQueue(queue);
    if (messageCount === 0) return;
    await ch.prefetch(max > 0 ? Math.min(max, messageCount) : 0);
    let seen = 0;
    let idle: ReturnType<typeof setTimeout> | undefined;
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const touch = () => {
      clearTimeout(idle);
      idle = setTimeout(finish, 1000);
    };
    touch();
    const { consumerTag } = await ch.consume(
      queue,
      (m) => {
        if (!m) return finish();
        touch();
        if (stop(m) || ++seen >= messageCount) finish();
      },
      { noAck: false },
    );
    await finished;
    clearTimeout(idle);
    await ch.cancel(consumerTag).catch(() => undefined);
  };

  // ---- the adapter ----------------------------------------------------------------------------

  return {
    name: 'rabbitmq',
    capabilities: { durable: true, nativeDelay: false, deduplicatesById: false, maxPayloadBytes },

    async publish(topic, payload, o = {}) {
      const t = topo(topic);
      const m = outgoing(payload, o);
      await ensureTopic(topic);
      await publishOne(await link(), topic, t, m, publishDelayMs(o));
      return m.id;
    },

    async publishBatch(topic, messages) {
      if (messages.length === 0) return [];
      const t = topo(topic);
      const out = messages.map((m) => outgoing(m.payload, m.options));
      await ensureTopic(topic);
      const l = await link();
      // One confirm channel keeps the order; confirms are awaited in windows.
      for (let start = 0; start < out.length; start += 1000) {
        await Promise.all(out.slice(start, start + 1000).map((m, i) => publishOne(l, topic, t, m, publishDelayMs(messages[start + i]!.options ?? {}))));
      }
      return out.map((m) => m.id);
    },

    async consume<T>(topic: string, handler: MessageHandler<T>, consumeOptions: ConsumeOptions): Promise<Subscription> {
      const consumer = new RabbitConsumer(topic, handler as MessageHandler, consumeOptions);
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
      const t = topo(topic);
      const l = await link();
      const limit = Math.max(1, o.limit ?? 100);
      // Taken without ack and given back when the channel closes: quorum queues return them in order.
      const list =
        (await probe(l, async (ch) => {
          const out: DeadLetter<T>[] = [];
          await browse(ch, t.dlq, limit, (m) => {
            const dl = toDeadLetter<T>(topic, m);
            if (dl) out.push(dl);
            return out.length >= limit;
          });
          return out;
        }, t.dlq)) ?? [];
      return list;
    },

    async replayDeadLetter(topic, deadLetterId) {
      const t = topo(topic);
      const l = await link();
      const ch = await channel(l);
      let before = 0;
      let replayed = false;
      try {
        before = (await ch.checkQueue(t.dlq)).messageCount;
        let found: ConsumeMessage | undefined;
        await browse(ch, t.dlq, 0, (m) => {
          if (m.properties.messageId !== deadLetterId) return false;
          found = m;
          return true;
        });
        if (!found) return false;
        const body = JSON.parse(found.content.toString('utf8')) as DeadLetterBody;
        // To the group that dead-lettered it only, as a fresh message (attempt 1); acknowledged in the
        // dead-letter queue once the broker confirmed the copy.
        const e: Envelope = { ...body.m, id: `${body.m.id}~replay${randomUUID().slice(0, 8)}`, t: Date.now() };
        await confirmed(l, '', t.group(body.group), Buffer.from(JSON.stringify(e)), propsOf(e));
        ch.ack(found);
        replayed = true;
        return true;
      } catch {
        return false;
      } finally {
        // gives back every dead letter looked at and not replayed
        await ch.close().catch(() => undefined);
        if (before) await returned(l, t.dlq, before - (replayed ? 1 : 0));
      }
    },

    async stats(topic): Promise<QueueStats> {
      const t = topo(topic);
      const l = await link();
      const now = Date.now();
      const times: number[] = [];
      const [parked, deadLetters] = await Promise.all([count(l, t.unrouted), count(l, t.dlq)]);
      let delayed = 0;
      const groups = knownGroups.get(topic) ?? new Set<string>();
      const groupDelays = new Map<string, number>();
      for (const queue of knownDelayQueues.get(topic) ?? []) {
        const n = await count(l, queue);
        const group = [...groups].find((g) => queue.startsWith(`${t.group(g)}.delay.`));
        if (group === undefined) delayed += n;
        else groupDelays.set(group, (groupDelays.get(group) ?? 0) + n);
        if (n > 0) times.push(firstSeen.get(queue)!);
      }
      let depth = parked + delayed;
      for (const g of groups) {
        const queue = t.group(g);
        const ready = await count(l, queue);
        depth = Math.max(depth, ready + (groupDelays.get(g) ?? 0) + delayed);
        if (ready > 0) times.push(firstSeen.get(queue)!);
      }
      const running = active.get(topic);
      const inFlight = running?.size ?? 0;
      for (const publishedAt of running?.values() ?? []) times.push(publishedAt);
      if (parked > 0) {
        // the parking queue is not consumed by handlers, so a peek there costs nothing
        const head = await probe(l, (ch) => ch.get(t.unrouted, { noAck: false }));
        if (head) times.push(toEnvelope(head)?.t ?? now);
      }
      const oldest = depth + inFlight > 0 && times.length > 0 ? Math.min(...times) : null;
      return { depth, inFlight, deadLetters, oldestAgeMs: oldest === null ? null : Math.max(0, now - oldest) };
    },

    async dispose() {
      if (disposed) return;
      await Promise.allSettled([...consumers].map((c) => c.close()));
      disposed = true;
      const current = linking;
      linking = undefined;
      const l = await current?.catch(() => undefined);
      if (l) {
        const pub = await l.pub?.catch(() => undefined);
        await pub?.close().catch(() => undefined);
        if (!options.connection) await l.conn.close().catch(() => undefined);
      }
    },
  };
}

function toEnvelope(m: Message): Envelope | undefined {
  try {
    return JSON.parse(m.content.toString('utf8')) as Envelope;
  } catch {
    return undefined;
  }
}

function toDeadLetter<T>(topic: string, m: Message): DeadLetter<T> | undefined {
  try {
    const body = JSON.parse(m.content.toString('utf8')) as DeadLetterBody;
    return {
      id: String(m.properties.messageId),
      topic,
      message: toMessage(topic, body.m, body.attempt) as QueueMessage<T>,
      reason: body.reason,
      failedAt: body.failedAt,
    };
  } catch {
    return undefined;
  }
}
