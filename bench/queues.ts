/**
 * Queue throughput (issue 5): messages/s published, and consumed with an ack, through each queue adapter
 * against its raw client doing the same work in the same run. Goal: the adapter at ≥ 70% of the raw
 * figure.
 *
 *   node --conditions=@tributary/source --import tsx bench/queues.ts
 *
 * Both sides first declare the topic and a consumer group (untimed). Publish: the same payloads in the
 * same batches (adapter `publishBatch` vs the client's own pipelining or windowed confirms). Consume:
 * the messages already published are drained by one consumer with the same concurrency; each message's
 * JSON is parsed and the message acknowledged on its own.
 *
 * Environment: BENCH_MESSAGES (20000), BENCH_BATCH (500), BENCH_CONCURRENCY (64), BENCH_ROUNDS (3, the best
 * round counts; sides alternate who goes first), BENCH_WARMUP (5000 messages per side first, untimed), BENCH_QUEUES (redis,nats,rabbitmq; kafka is added when KAFKA_BROKERS is set),
 * REDIS_URL, NATS_URL, AMQP_URL, KAFKA_BROKERS, BENCH_ADAPTERS_SRC (see below).
 *
 * Each side's consume phase also reports the CPU time this process spent per message: it moves far
 * less with the machine's load than msg/s does (the brokers run in their own processes and are not
 * counted, so compare CPU only between adapter and raw of one queue).
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { publishBatch, type QueueAdapter } from '@tributary/core/queue';
import type { createRedisQueue as CreateRedisQueue } from '@tributary/adapters/redis';
import type { createNatsQueue as CreateNatsQueue } from '@tributary/adapters/nats';
import type { createRabbitQueue as CreateRabbitQueue } from '@tributary/adapters/rabbitmq';
import type { createKafkaQueue as CreateKafkaQueue } from '@tributary/adapters/kafka';

// The raw clients are dev dependencies of the adapters package, and so are their types.
type IoRedis = typeof import('../packages/adapters/node_modules/ioredis');
type Nats = typeof import('../packages/adapters/node_modules/nats');
type Amqplib = typeof import('../packages/adapters/node_modules/@types/amqplib');
type Kafkajs = typeof import('../packages/adapters/node_modules/kafkajs');
const requireFromAdapters = createRequire(join(dirname(fileURLToPath(import.meta.url)), '../packages/adapters/package.json'));

// BENCH_ADAPTERS_SRC runs the adapter side from another copy of packages/adapters/src (say, the last
// commit's, exported with `git show`), so old and new code can take turns in one session under the
// same load. The copy's folder needs the package's node_modules beside it (a symlink will do).
const adaptersSrc = process.env.BENCH_ADAPTERS_SRC;
const adapter = async <M>(name: string, fallback: () => Promise<M>): Promise<M> =>
  adaptersSrc ? ((await import(pathToFileURL(join(adaptersSrc, name, 'index.ts')).href)) as M) : fallback();
const { createRedisQueue } = await adapter<{ createRedisQueue: typeof CreateRedisQueue }>('redis', () => import('@tributary/adapters/redis'));
const { createNatsQueue } = await adapter<{ createNatsQueue: typeof CreateNatsQueue }>('nats', () => import('@tributary/adapters/nats'));
const { createRabbitQueue } = await adapter<{ createRabbitQueue: typeof CreateRabbitQueue }>('rabbitmq', () => import('@tributary/adapters/rabbitmq'));
const { createKafkaQueue } = await adapter<{ createKafkaQueue: typeof CreateKafkaQueue }>('kafka', () => import('@tributary/adapters/kafka'));
const { Redis } = requireFromAdapters('ioredis') as IoRedis;
const nats = requireFromAdapters('nats') as Nats;
const amqplib = requireFromAdapters('amqplib') as Amqplib;

const envInt = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
};
const MESSAGES = envInt('BENCH_MESSAGES', 20_000);
const BATCH = envInt('BENCH_BATCH', 500);
const CONCURRENCY = envInt('BENCH_CONCURRENCY', 64);
const ROUNDS = envInt('BENCH_ROUNDS', 3);
const WARMUP = envInt('BENCH_WARMUP', Math.min(5000, MESSAGES));
const GOAL = 0.7;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const NATS_URL = process.env.NATS_URL ?? '127.0.0.1:4222';
const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const KAFKA_BROKERS = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);
const selected = (process.env.BENCH_QUEUES ?? `redis,nats,rabbitmq${KAFKA_BROKERS.length ? ',kafka' : ''}`).split(',');
const run = randomUUID().slice(0, 8);

const payloads = Array.from({ length: MESSAGES }, (_, n) => ({ n, source: 'bench', text: `feedback number ${n}: the export button does nothing`, score: (n % 10) / 10 }));
const batches = <T>(items: T[]) => Array.from({ length: Math.ceil(items.length / BATCH) }, (_, i) => items.slice(i * BATCH, (i + 1) * BATCH));

interface Side {
  /** Declares the topic and the consumer group, untimed: both sides publish into an existing group. */
  prepare(topic: string): Promise<void>;
  /** Publishes the first `count` payloads. */
  publish(topic: string, count: number): Promise<void>;
  /** Drains `count` messages of the topic, acknowledging each; resolves when all were acknowledged. */
  consume(topic: string, count: number): Promise<void>;
  close(): Promise<void>;
}
interface Bench {
  name: string;
  adapter(): Side;
  raw(): Promise<Side>;
  cleanup(): Promise<void>;
}

/** Waits until `count` handler calls happened. */
function counter(count: number) {
  let seen = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  return {
    finished,
    tick() {
      if (++seen === count) done();
    },
  };
}

/** The adapter side is the same for every queue: publishBatch, then one consumer. */
function adapterSide(create: () => QueueAdapter): Side {
  const queue = create();
  const subscriptions: { close(): Promise<void> }[] = [];
  return {
    async prepare(topic) {
      await (await queue.consume(topic, () => undefined, { group: 'bench' })).close();
    },
    async publish(topic, count) {
      for (const batch of batches(payloads.slice(0, count))) await publishBatch(queue, topic, batch.map((payload) => ({ payload })));
    },
    async consume(topic, count) {
      const c = counter(count);
      subscriptions.push(
        await queue.consume(
          topic,
          (m) => {
            if ((m.payload as { n: number }).n < 0) throw new Error('unexpected');
            c.tick();
          },
          { group: 'bench', concurrency: CONCURRENCY, visibilityTimeoutMs: 60_000 },
        ),
      );
      await c.finished;
    },
    async close() {
      for (const s of subscriptions) await s.close();
      await queue.dispose();
    },
  };
}

// ---- Redis Streams -----------------------------------------------------------------------------

const redisPrefix = `bench-${run}:`;
const redisBench: Bench = {
  name: 'redis',
  adapter: () => adapterSide(() => createRedisQueue({ url: REDIS_URL, streamPrefix: redisPrefix })),
  async raw() {
    const client = new Redis(REDIS_URL);
    const blocking = new Redis(REDIS_URL);
    const key = (topic: string) => `${redisPrefix}raw:${topic}`;
    return {
      async prepare(topic) {
        await client.xgroup('CREATE', key(topic), 'bench', '0', 'MKSTREAM');
      },
      async publish(topic, count) {
        for (const batch of batches(payloads.slice(0, count))) {
          const pipeline = client.pipeline();
          for (const p of batch) pipeline.xadd(key(topic), '*', 'id', randomUUID(), 'p', JSON.stringify(p), 't', String(Date.now()));
          await pipeline.exec();
        }
      },
      async consume(topic, count) {
        let read = 0;
        const inFlight = new Set<Promise<unknown>>();
        while (read < count) {
          const free = CONCURRENCY - inFlight.size;
          if (free <= 0) {
            await Promise.race(inFlight);
            continue;
          }
          const result = (await blocking.xreadgroup('GROUP', 'bench', 'c1', 'COUNT', free, 'BLOCK', 1000, 'STREAMS', key(topic), '>')) as [string, [string, string[]][]][] | null;
          for (const [id, fields] of result?.[0]?.[1] ?? []) {
            read++;
            JSON.parse(fields[fields.indexOf('p') + 1]!);
            const ack: Promise<unknown> = client.xack(key(topic), 'bench', id).then(() => inFlight.delete(ack));
            inFlight.add(ack);
          }
        }
        await Promise.all(inFlight);
      },
      async close() {
        await client.quit();
        blocking.disconnect();
      },
    };
  },
  async cleanup() {
    const client = new Redis(REDIS_URL);
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${redisPrefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await client.del(...keys);
    } while (cursor !== '0');
    await client.quit();
  },
};

// ---- NATS JetStream ----------------------------------------------------------------------------

const natsStreamPrefix = `BENCH${run}_`;
const natsBench: Bench = {
  name: 'nats',
  adapter: () => adapterSide(() => createNatsQueue({ servers: NATS_URL, streamPrefix: natsStreamPrefix, subjectPrefix: `bench-${run}` })),
  async raw() {
    const nc = await nats.connect({ servers: NATS_URL });
    const js = nc.jetstream();
    const jsm = await nc.jetstreamManager();
    const names = (topic: string) => ({ stream: `${natsStreamPrefix}RAW_${topic}`, subject: `bench-${run}.raw.${topic}` });
    return {
      async prepare(topic) {
        const n = names(topic);
        await jsm.streams.add({ name: n.stream, subjects: [n.subject], storage: nats.StorageType.File, retention: nats.RetentionPolicy.Limits });
        await jsm.consumers.add(n.stream, { durable_name: 'bench', ack_policy: nats.AckPolicy.Explicit, ack_wait: 60_000_000_000, max_ack_pending: 10_000 });
      },
      async publish(topic, count) {
        const n = names(topic);
        const encoder = new TextEncoder();
        for (const batch of batches(payloads.slice(0, count))) {
          await Promise.all(batch.map((p) => js.publish(n.subject, encoder.encode(JSON.stringify({ id: randomUUID(), p, t: Date.now() })), { msgID: randomUUID() })));
        }
      },
      async consume(topic, count) {
        const consumer = await js.consumers.get(names(topic).stream, 'bench');
        const messages = await consumer.consume({ max_messages: CONCURRENCY });
        const decoder = new TextDecoder();
        let acked = 0;
        for await (const m of messages) {
          JSON.parse(decoder.decode(m.data));
          m.ack();
          if (++acked === count) break;
        }
        await nc.flush();
      },
      async close() {
        await nc.close();
      },
    };
  },
  async cleanup() {
    const nc = await nats.connect({ servers: NATS_URL });
    const jsm = await nc.jetstreamManager();
    for await (const name of jsm.streams.names()) if (name.startsWith(natsStreamPrefix)) await jsm.streams.delete(name);
    await nc.close();
  },
};

// ---- RabbitMQ ----------------------------------------------------------------------------------

const rabbitPrefix = `bench-${run}.`;
const rabbitQueues: string[] = [];
const rabbitBench: Bench = {
  name: 'rabbitmq',
  adapter: () => adapterSide(() => createRabbitQueue({ url: AMQP_URL, prefix: rabbitPrefix, queueExpiresMs: 600_000 })),
  async raw() {
    const conn = await amqplib.connect(AMQP_URL);
    const pub = await conn.createConfirmChannel();
    const names = (topic: string) => ({ exchange: `${rabbitPrefix}raw.${topic}`, queue: `${rabbitPrefix}raw.${topic}.bench` });
    return {
      async prepare(topic) {
        const n = names(topic);
        await pub.assertExchange(n.exchange, 'fanout', { durable: true });
        await pub.assertQueue(n.queue, { durable: true, arguments: { 'x-queue-type': 'quorum', 'x-expires': 600_000 } });
        await pub.bindQueue(n.queue, n.exchange, '');
        rabbitQueues.push(n.queue);
      },
      async publish(topic, count) {
        const n = names(topic);
        for (const batch of batches(payloads.slice(0, count))) {
          await Promise.all(
            batch.map(
              (p) =>
                new Promise<void>((resolve, reject) => {
                  const id = randomUUID();
                  pub.publish(n.exchange, '', Buffer.from(JSON.stringify({ id, p, t: Date.now() })), { persistent: true, messageId: id }, (e) => (e ? reject(e) : resolve()));
                }),
            ),
          );
        }
      },
      async consume(topic, count) {
        const n = names(topic);
        const ch = await conn.createChannel();
        await ch.prefetch(CONCURRENCY);
        const c = counter(count);
        await ch.consume(n.queue, (m) => {
          if (!m) return;
          JSON.parse(m.content.toString('utf8'));
          ch.ack(m);
          c.tick();
        });
        await c.finished;
        await ch.close();
      },
      async close() {
        await pub.close();
        await conn.close();
      },
    };
  },
  async cleanup() {
    // Queues expire on their own (x-expires); rabbitmqctl, when at hand, lists this run's names to delete now.
    const listed = (what: string) => {
      try {
        return execFileSync('rabbitmqctl', [`list_${what}`, 'name', '-q', '--no-table-headers'], { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'ignore'] })
          .split('\n')
          .map((n) => n.trim())
          .filter((n) => n.startsWith(rabbitPrefix));
      } catch {
        return [];
      }
    };
    const conn = await amqplib.connect(AMQP_URL);
    for (const [kind, names] of [
      ['queue', [...new Set([...rabbitQueues, ...listed('queues')])]],
      ['exchange', listed('exchanges')],
    ] as const) {
      for (const name of names) {
        const ch = await conn.createChannel();
        ch.on('error', () => undefined);
        await (kind === 'queue' ? ch.deleteQueue(name) : ch.deleteExchange(name)).catch(() => undefined);
        await ch.close().catch(() => undefined);
      }
    }
    await conn.close().catch(() => undefined);
  },
};

// ---- Kafka (only with KAFKA_BROKERS) -----------------------------------------------------------

const kafkaPrefix = `bench-${run}.`;
const kafkaBench: Bench = {
  name: 'kafka',
  adapter: () => adapterSide(() => createKafkaQueue({ brokers: KAFKA_BROKERS, topicPrefix: kafkaPrefix, groupPrefix: kafkaPrefix })),
  async raw() {
    const { Kafka, logLevel } = requireFromAdapters('kafkajs') as Kafkajs;
    const kafka = new Kafka({ clientId: 'bench', brokers: KAFKA_BROKERS, logLevel: logLevel.ERROR });
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    const consumers: ReturnType<InstanceType<Kafkajs['Kafka']>['consumer']>[] = [];
    const admin = kafka.admin();
    return {
      async prepare(topic) {
        await admin.connect();
        await admin.createTopics({ waitForLeaders: true, topics: [{ topic: `${kafkaPrefix}raw.${topic}` }] });
        await admin.disconnect();
      },
      async publish(topic, count) {
        for (const batch of batches(payloads.slice(0, count))) {
          await producer.send({ topic: `${kafkaPrefix}raw.${topic}`, acks: -1, messages: batch.map((p) => ({ value: JSON.stringify(p), headers: { id: randomUUID() } })) });
        }
      },
      async consume(topic, count) {
        const consumer = kafka.consumer({ groupId: `${kafkaPrefix}raw-bench` });
        consumers.push(consumer);
        await consumer.connect();
        await consumer.subscribe({ topic: `${kafkaPrefix}raw.${topic}`, fromBeginning: true });
        const c = counter(count);
        await consumer.run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            for (const m of batch.messages) {
              JSON.parse(m.value!.toString('utf8'));
              c.tick();
            }
            const last = batch.messages[batch.messages.length - 1];
            if (last) await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() }]);
          },
        });
        await c.finished;
      },
      async close() {
        for (const c of consumers) await c.disconnect();
        await producer.disconnect();
      },
    };
  },
  async cleanup() {
    const { Kafka, logLevel } = requireFromAdapters('kafkajs') as Kafkajs;
    const admin = new Kafka({ clientId: 'bench', brokers: KAFKA_BROKERS, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(kafkaPrefix));
    if (topics.length > 0) await admin.deleteTopics({ topics });
    await admin.disconnect();
  },
};

// ---- run ---------------------------------------------------------------------------------------

interface Figures {
  publish: number;
  consume: number;
  /** CPU µs of this process per message consumed. */
  consumeCpu: number;
}

async function measure(side: Side, label: string, count = MESSAGES): Promise<Figures> {
  const topic = `${label}-${randomUUID().slice(0, 6)}`;
  await side.prepare(topic);
  let start = performance.now();
  await side.publish(topic, count);
  const publish = count / ((performance.now() - start) / 1000);
  const cpu = process.cpuUsage();
  start = performance.now();
  await side.consume(topic, count);
  const consume = count / ((performance.now() - start) / 1000);
  const used = process.cpuUsage(cpu);
  const consumeCpu = (used.user + used.system) / count;
  process.stderr.write(`  ${label}${count === MESSAGES ? '' : ' (warm-up)'}: published ${fmt(publish)} msg/s, consumed ${fmt(consume)} msg/s (${consumeCpu.toFixed(1)} CPU µs/msg)\n`);
  return { publish, consume, consumeCpu };
}

const benches = [redisBench, natsBench, rabbitBench, kafkaBench].filter((b) => selected.includes(b.name));
const rows: string[][] = [];
console.log(`queues: ${MESSAGES} messages, batches of ${BATCH}, concurrency ${CONCURRENCY}, best of ${ROUNDS} round(s) after a warm-up of ${WARMUP}; load average ${loadavg().map((n) => n.toFixed(1)).join(' ')} at the start\n`);
for (const bench of benches) {
  const best = { adapter: { publish: 0, consume: 0, consumeCpu: Infinity }, raw: { publish: 0, consume: 0, consumeCpu: Infinity } };
  process.stderr.write(`${bench.name}\n`);
  try {
    for (const which of ['raw', 'adapter'] as const) {
      const side = which === 'raw' ? await bench.raw() : bench.adapter();
      try {
        await measure(side, which, WARMUP);
      } finally {
        await side.close();
      }
    }
    for (let round = 0; round < ROUNDS; round++) {
      // alternate which side goes first, so neither always meets a warmer server
      for (const which of round % 2 === 0 ? (['raw', 'adapter'] as const) : (['adapter', 'raw'] as const)) {
        const side = which === 'raw' ? await bench.raw() : bench.adapter();
        try {
          const r = await measure(side, which);
          best[which].publish = Math.max(best[which].publish, r.publish);
          best[which].consume = Math.max(best[which].consume, r.consume);
          best[which].consumeCpu = Math.min(best[which].consumeCpu, r.consumeCpu);
        } finally {
          await side.close();
        }
      }
    }
  } catch (error) {
    console.error(`${bench.name}: ${(error as Error).message}`);
    continue;
  } finally {
    await bench.cleanup().catch((error) => console.error(`${bench.name} cleanup: ${(error as Error).message}`));
  }
  for (const phase of ['publish', 'consume'] as const) {
    const ratio = best.adapter[phase] / best.raw[phase];
    const cpu = phase === 'consume' ? `${best.adapter.consumeCpu.toFixed(1)} / ${best.raw.consumeCpu.toFixed(1)}` : '—';
    rows.push([bench.name, phase, fmt(best.adapter[phase]), fmt(best.raw[phase]), `${Math.round(ratio * 100)}%`, ratio >= GOAL ? 'ok' : 'BELOW GOAL', cpu]);
  }
}
if (!selected.includes('kafka') || KAFKA_BROKERS.length === 0) rows.push(['kafka', '—', '—', '—', '—', 'not run: no Kafka broker (set KAFKA_BROKERS)', '—']);

const header = ['queue', 'phase', 'adapter msg/s', 'raw msg/s', 'adapter/raw', `goal ≥ ${GOAL * 100}%`, 'CPU µs/msg adapter / raw (best)'];
console.log(`load average ${loadavg().map((n) => n.toFixed(1)).join(' ')} at the end${adaptersSrc ? `; adapters from ${adaptersSrc}` : ''}\n`);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => (i >= 2 && i <= 4 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const r of rows) console.log(line(r));

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
