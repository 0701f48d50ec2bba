// The RabbitMQ queue against the broker on this machine: the contract kit, then what is specific to
// RabbitMQ (a consumer process killed mid-message, the dead-letter queue, TTL retry queues, the
// connection dropped mid-run). Outside CI an unreachable broker skips this file with the reason; in CI
// it fails (services.ts). Names of a run carry their own prefix; queues expire on their own
// (x-expires) and the run deletes its exchanges and queues at the end when rabbitmqctl is at hand.
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { connect as tcpConnect, createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { eventually, testQueueAdapter, uniqueId } from '@tributary/core/testing';
import type { QueueMessage } from '@tributary/core/queue';
import amqp, { type ChannelModel } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRabbitQueue, type RabbitQueueOptions } from '../src/rabbitmq/index.js';
import { topology } from '../src/rabbitmq/topology.js';
import { requireService } from './services.js';
import { expectSlowHandlerKeepsItsMessage } from './slow-handler.js';

const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const service = await requireService('RabbitMQ', AMQP_URL);
const run = randomUUID().slice(0, 8);
const prefix = `tribtest-${run}.`;
const EXPIRES = 10 * 60_000;
const quiet = () => undefined;

function startWorker(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--conditions=@tributary/source', '--import', 'tsx', join(import.meta.dirname, 'rabbitmq-worker.ts')], {
    env: { ...process.env, AMQP_URL, PREFIX: prefix, EXPIRES: String(EXPIRES), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (c) => (err += c));
  const exited = new Promise<never>((_, reject) => child.on('exit', (code) => reject(new Error(`worker exited (${code}): ${err}`))));
  exited.catch(() => undefined);
  const seen = (pattern: RegExp) =>
    Promise.race([
      exited,
      new Promise<RegExpExecArray>((resolve) => {
        const check = () => {
          const match = pattern.exec(out);
          if (match) resolve(match);
        };
        child.stdout.on('data', (c) => {
          out += c;
          check();
        });
        check();
      }),
    ]);
  const ready = seen(/ready\n/).then(() => undefined);
  const delivered = seen(/got (\S+) (\d+)\n/).then((m) => ({ id: m[1]!, attempt: Number(m[2]) }));
  return { ready, delivered, kill: () => child.kill('SIGKILL') };
}

/** A TCP proxy in front of the broker: `drop()` cuts every connection through it, as a network fault would. */
async function startProxy(target: { host: string; port: number }) {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = tcpConnect(target.port, target.host);
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    sockets.add(client).add(upstream);
    client.pipe(upstream).on('error', close);
    upstream.pipe(client).on('error', close);
    client.on('close', close).on('error', close);
    upstream.on('close', close).on('error', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const drop = () => {
    const n = sockets.size;
    for (const s of sockets) s.destroy();
    return n;
  };
  return { port: (server.address() as AddressInfo).port, drop, close: () => (drop(), new Promise((r) => server.close(r))) };
}

/** Names of this run's exchanges or queues, from rabbitmqctl (empty when it is not at hand). */
function listed(what: 'exchanges' | 'queues'): string[] {
  try {
    return execFileSync('rabbitmqctl', [`list_${what}`, 'name', '-q', '--no-table-headers'], { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n')
      .map((n) => n.trim())
      .filter((n) => n.startsWith(prefix));
  } catch {
    return [];
  }
}

describe.skipIf(!service.available)('rabbitmq queue', () => {
  let conn: ChannelModel;
  const queues: { dispose(): Promise<void> }[] = [];
  const queue = (o: RabbitQueueOptions = {}) => {
    const q = createRabbitQueue({ url: AMQP_URL, prefix, queueExpiresMs: EXPIRES, onError: quiet, ...o });
    queues.push(q);
    return q;
  };
  const probe = async <R>(fn: (ch: amqp.Channel) => Promise<R>): Promise<R> => {
    const ch = await conn.createChannel();
    ch.on('error', () => undefined);
    try {
      return await fn(ch);
    } finally {
      await ch.close().catch(() => undefined);
    }
  };

  beforeAll(async () => {
    conn = await amqp.connect(AMQP_URL);
  });
  afterAll(async () => {
    await Promise.allSettled(queues.map((q) => q.dispose()));
    for (const name of listed('queues')) await probe((ch) => ch.deleteQueue(name)).catch(() => undefined);
    for (const name of listed('exchanges')) await probe((ch) => ch.deleteExchange(name)).catch(() => undefined);
    await conn.close();
  }, 120_000);

  // The kit's "consumer that never answers" is a live process with a hung handler: a stuck handler is
  // let go at maxProcessingMs, so the kit runs with it at the kit's lease (no renewal). Renewal itself is
  // tested below (a handler running three leases), and a killed process stops renewing.
  testQueueAdapter('rabbitmq', () => createRabbitQueue({ url: AMQP_URL, prefix, queueExpiresMs: EXPIRES, maxProcessingMs: 1000 }), { visibilityTimeoutMs: 1000, topicPrefix: `kit-${run}` });

  it('a handler running three visibility timeouts keeps its message: handled once, no copy, acknowledged', async () => {
    await expectSlowHandlerKeepsItsMessage(queue, 1000, 1500);
  });

  it('a message held by a consumer process that is killed is requeued by the broker, attempt 2', async () => {
    const topic = uniqueId('died');
    const group = 'g';
    const q = queue();
    const worker = startWorker({ TOPIC: topic, GROUP: group, VISIBILITY: '60000' });
    let id: string;
    try {
      // once the worker has declared the group's queue, the message goes there
      await worker.ready;
      id = await q.publish(topic, { n: 1 });
      expect(await worker.delivered).toEqual({ id, attempt: 1 });
    } finally {
      worker.kill();
    }
    const got: QueueMessage[] = [];
    // A visibility timeout far away: only the broker's requeue on connection loss can bring it back.
    await q.consume(topic, (m) => void got.push(m), { group, visibilityTimeoutMs: 60_000 });
    await eventually(() => expect(got).toHaveLength(1), 10_000);
    expect(got[0]).toMatchObject({ id, attempt: 2, payload: { n: 1 } });
    await eventually(async () => expect(await q.stats(topic)).toMatchObject({ depth: 0, inFlight: 0, deadLetters: 0 }), 5000);
  });

  it('dead-letters after maxAttempts through the dead-letter exchange into the dead-letter queue', async () => {
    const topic = uniqueId('dl');
    const q = queue();
    const seen: number[] = [];
    await q.consume(
      topic,
      (m) => {
        seen.push(m.attempt);
        throw new Error('boom-rabbit');
      },
      { group: 'g', maxAttempts: 3, retryDelayMs: () => 0 },
    );
    await q.publish(topic, { n: 1 });
    const t = topology(prefix, topic);
    await eventually(async () => expect((await probe((ch) => ch.checkQueue(t.dlq))).messageCount).toBe(1), 10_000);
    expect(seen).toEqual([1, 2, 3]);
    const body = await probe(async (ch) => {
      const m = await ch.get(t.dlq, { noAck: false });
      return m ? JSON.parse(m.content.toString('utf8')) : undefined;
    });
    expect(body).toMatchObject({ group: 'g', attempt: 3, m: { p: { n: 1 } } });
    expect(body.reason).toContain('boom-rabbit');
    expect((await probe((ch) => ch.checkQueue(t.group('g')))).messageCount).toBe(0);
  });

  it('a delayed retry waits in a TTL queue that dead-letters back to the group', async () => {
    const topic = uniqueId('ttl');
    const q = queue();
    const got: { attempt: number; at: number }[] = [];
    await q.consume(topic, (m) => {
      got.push({ attempt: m.attempt, at: Date.now() });
      if (m.attempt === 1) return { action: 'retry', delayMs: 1234 };
    }, { group: 'g' });
    await q.publish(topic, { n: 1 });
    await eventually(() => expect(got).toHaveLength(1), 5000);
    // 1234 ms is rounded up to 1300 ms: the queue of that delay holds the message meanwhile
    const delayQueue = topology(prefix, topic).groupDelay('g', 1300);
    await eventually(async () => expect((await probe((ch) => ch.checkQueue(delayQueue))).messageCount).toBe(1), 1000, 20);
    await eventually(() => expect(got).toHaveLength(2), 10_000);
    expect(got[1]!.attempt).toBe(2);
    expect(got[1]!.at - got[0]!.at).toBeGreaterThanOrEqual(1234);
  });

  it('reconnects after its connection is dropped, and loses nothing', async () => {
    const { hostname, port } = new URL(AMQP_URL);
    const proxy = await startProxy({ host: hostname, port: Number(port) });
    try {
      const topic = uniqueId('reconnect');
      const q = queue({ url: AMQP_URL.replace(`${hostname}:${port}`, `127.0.0.1:${proxy.port}`) });
      const received = new Set<number>();
      await q.consume(topic, (m) => void received.add((m.payload as { n: number }).n), { group: 'g', concurrency: 4, visibilityTimeoutMs: 5000 });
      const total = 200;
      for (let n = 0; n < total; n++) {
        if (n === total / 2) expect(proxy.drop()).toBeGreaterThan(0);
        // a publish that was not confirmed is sent again (at least once: the group may see it twice)
        for (;;) {
          try {
            await q.publish(topic, { n });
            break;
          } catch {
            await new Promise((r) => setTimeout(r, 50));
          }
        }
      }
      await eventually(() => expect(received.size).toBe(total), 30_000);
      await eventually(async () => expect(await q.stats(topic)).toMatchObject({ depth: 0, inFlight: 0, deadLetters: 0 }), 10_000);
    } finally {
      await proxy.close();
    }
  });
});
