// The JetStream queue against the NATS server on this machine: the contract kit, then what is specific
// to NATS (a consumer process killed mid-message, the dead-letter stream, connections dropped mid-run,
// Nats-Msg-Id dedup). Outside CI an unreachable server skips this file with the reason; in CI it fails
// (services.ts). Every stream of a run carries its own prefix and is deleted at the end.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { connect as tcpConnect, createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { eventually, testQueueAdapter, uniqueId } from '@tributary/core/testing';
import type { QueueMessage } from '@tributary/core/queue';
import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNatsQueue, type NatsQueueOptions } from '../src/nats/index.js';
import { topicNames } from '../src/nats/names.js';
import { requireService } from './services.js';
import { expectSlowHandlerKeepsItsMessage } from './slow-handler.js';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const service = await requireService('NATS', NATS_URL);
const run = randomUUID().slice(0, 8);
const streamPrefix = `TT${run}_`;
const subjectPrefix = `tribtest-${run}`;
const quiet = () => undefined;

function startWorker(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--conditions=@tributary/source', '--import', 'tsx', join(import.meta.dirname, 'nats-worker.ts')], {
    env: { ...process.env, NATS_SERVERS: NATS_URL, STREAM_PREFIX: streamPrefix, SUBJECT_PREFIX: subjectPrefix, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (c) => (err += c));
  const delivered = new Promise<{ id: string; attempt: number }>((resolve, reject) => {
    child.stdout.on('data', (c) => {
      out += c;
      const match = /got (\S+) (\d+)\n/.exec(out);
      if (match) resolve({ id: match[1]!, attempt: Number(match[2]) });
    });
    child.on('exit', (code) => reject(new Error(`worker exited (${code}) before a delivery: ${err}`)));
  });
  return { delivered, kill: () => child.kill('SIGKILL') };
}

/** A TCP proxy in front of the server: `drop()` cuts every connection through it, as a network fault would. */
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

describe.skipIf(!service.available)('nats queue', () => {
  let nc: NatsConnection;
  const queues: { dispose(): Promise<void> }[] = [];
  const queue = (o: NatsQueueOptions = {}) => {
    const q = createNatsQueue({ servers: NATS_URL, streamPrefix, subjectPrefix, onError: quiet, ...o });
    queues.push(q);
    return q;
  };
  const names = (topic: string) => topicNames(streamPrefix, subjectPrefix, topic);

  beforeAll(async () => {
    nc = await connect({ servers: NATS_URL });
  });
  afterAll(async () => {
    await Promise.allSettled(queues.map((q) => q.dispose()));
    const jsm = await nc.jetstreamManager();
    for await (const name of jsm.streams.names()) if (name.startsWith(streamPrefix)) await jsm.streams.delete(name).catch(() => false);
    await nc.close();
  });

  // The kit's "consumer that never answers" is a live process with a hung handler: a stuck handler is
  // let go at maxProcessingMs, so the kit runs with it at the kit's lease (no renewal). Renewal itself is
  // tested below (a handler running three leases), and a killed process stops renewing.
  testQueueAdapter('nats', () => createNatsQueue({ servers: NATS_URL, streamPrefix, subjectPrefix, maxProcessingMs: 1000 }), { visibilityTimeoutMs: 1000, topicPrefix: `kit-${run}` });

  it('a message held by a consumer process that is killed goes to the group again after ack_wait, attempt 2', async () => {
    const topic = uniqueId('died');
    const group = 'g';
    const q = queue();
    const id = await q.publish(topic, { n: 1 });
    const worker = startWorker({ TOPIC: topic, GROUP: group, VISIBILITY: '1000' });
    try {
      expect(await worker.delivered).toEqual({ id, attempt: 1 });
    } finally {
      worker.kill();
    }
    const got: QueueMessage[] = [];
    await q.consume(topic, (m) => void got.push(m), { group, visibilityTimeoutMs: 1000 });
    await eventually(() => expect(got).toHaveLength(1), 10_000);
    expect(got[0]).toMatchObject({ id, attempt: 2, payload: { n: 1 } });
    await eventually(async () => expect(await q.stats(topic)).toMatchObject({ depth: 0, inFlight: 0, deadLetters: 0 }), 5000);
  });

  it('a handler running three leases keeps its message (working() heartbeats): handled once, acknowledged, never redelivered', async () => {
    await expectSlowHandlerKeepsItsMessage(queue, 1000, 1500);
  });

  it('a handler stuck past maxProcessingMs lets its message go to another consumer, attempt 2', async () => {
    const topic = uniqueId('stuck');
    const V = 1000;
    const got: { consumer: string; attempt: number; at: number }[] = [];
    let release!: () => void;
    const hung = new Promise<void>((r) => (release = r));
    const q = queue({ maxProcessingMs: 2500 });
    try {
      await q.consume(topic, async (m) => {
        got.push({ consumer: 'stuck', attempt: m.attempt, at: Date.now() });
        await hung;
      }, { group: 'g', visibilityTimeoutMs: V });
      await q.publish(topic, { n: 1 });
      await eventually(() => expect(got).toHaveLength(1), 5000);
      await q.consume(topic, (m) => void got.push({ consumer: 'alive', attempt: m.attempt, at: Date.now() }), { group: 'g', visibilityTimeoutMs: V });
      await eventually(() => expect(got).toHaveLength(2), 10_000);
      expect(got[1]).toMatchObject({ consumer: 'alive', attempt: 2 });
      // renewed while under the bound: not given away at one lease, but within the bound and one lease
      expect(got[1]!.at - got[0]!.at).toBeGreaterThanOrEqual(2000);
      expect(got[1]!.at - got[0]!.at).toBeLessThan(2500 + V + 1000);
    } finally {
      release();
    }
    await eventually(async () => expect(await q.stats(topic)).toMatchObject({ depth: 0, inFlight: 0, deadLetters: 0 }), 5000);
  });

  it('a success that arrives after the lease ran out still acknowledges the message', async () => {
    const topic = uniqueId('late');
    const V = 1000;
    let release!: () => void;
    const hung = new Promise<void>((r) => (release = r));
    const got: number[] = [];
    // no renewal: the first handler outlives its lease, and the redelivery hangs until released
    const q = queue({ maxProcessingMs: V });
    const jsm = await nc.jetstreamManager();
    try {
      await q.consume(topic, async (m) => {
        got.push(m.attempt);
        if (m.attempt === 1) await new Promise((r) => setTimeout(r, 1.8 * V));
        else await hung;
      }, { group: 'g', concurrency: 2, visibilityTimeoutMs: V });
      await q.publish(topic, { n: 1 });
      await eventually(() => expect(got).toEqual([1, 2]), 10_000);
      // the late ack of delivery 1 settles the message on the server although delivery 2 is running
      await eventually(async () => expect((await jsm.consumers.info(names(topic).stream, 'g')).num_ack_pending).toBe(0), 5000);
    } finally {
      release();
    }
    await new Promise((r) => setTimeout(r, 1.5 * V));
    expect(got).toEqual([1, 2]);
    expect(await q.listDeadLetters(topic)).toEqual([]);
  });

  it('dead-letters after maxAttempts into the dead-letter stream and terms the message', async () => {
    const topic = uniqueId('dl');
    const q = queue();
    const seen: number[] = [];
    await q.consume(
      topic,
      (m) => {
        seen.push(m.attempt);
        throw new Error('boom-nats');
      },
      { group: 'g', maxAttempts: 3, retryDelayMs: () => 0 },
    );
    await q.publish(topic, { n: 1 });
    const jsm = await nc.jetstreamManager();
    const n = names(topic);
    await eventually(async () => expect((await jsm.streams.info(n.dlStream)).state.messages).toBe(1), 10_000);
    expect(seen).toEqual([1, 2, 3]);
    const stored = await jsm.streams.getMessage(n.dlStream, { seq: (await jsm.streams.info(n.dlStream)).state.first_seq });
    const body = JSON.parse(new TextDecoder().decode(stored.data));
    expect(body).toMatchObject({ group: 'g', attempt: 3, m: { p: { n: 1 } } });
    expect(body.reason).toContain('boom-nats');
    await eventually(async () => {
      const consumer = await jsm.consumers.info(n.stream, 'g');
      expect(consumer.num_ack_pending).toBe(0);
      expect(consumer.num_pending).toBe(0);
    }, 5000);
  });

  it('a second publish with the same id is dropped by the server (Nats-Msg-Id)', async () => {
    const topic = uniqueId('dedup');
    const q = queue();
    await q.publish(topic, { n: 1 }, { id: 'same' });
    await q.publish(topic, { n: 2 }, { id: 'same' });
    const jsm = await nc.jetstreamManager();
    expect((await jsm.streams.info(names(topic).stream)).state.messages).toBe(1);
  });

  it('reconnects after its connection is dropped, and loses nothing', async () => {
    const { hostname, port } = new URL(NATS_URL);
    const proxy = await startProxy({ host: hostname, port: Number(port) });
    try {
      const topic = uniqueId('reconnect');
      const q = queue({ servers: `127.0.0.1:${proxy.port}`, connectOptions: { reconnectTimeWait: 100 } });
      const received = new Set<number>();
      await q.consume(topic, (m) => void received.add((m.payload as { n: number }).n), { group: 'g', concurrency: 4, visibilityTimeoutMs: 2000 });
      const total = 200;
      for (let n = 0; n < total; n++) {
        if (n === total / 2) expect(proxy.drop()).toBeGreaterThan(0);
        // retried under the same id while reconnecting: the server drops the copy if the first got through
        for (;;) {
          try {
            await q.publish(topic, { n }, { id: `m-${n}` });
            break;
          } catch {
            await new Promise((r) => setTimeout(r, 50));
          }
        }
      }
      await eventually(() => expect(received.size).toBe(total), 20_000);
      await eventually(async () => expect(await q.stats(topic)).toMatchObject({ depth: 0, inFlight: 0, deadLetters: 0 }), 10_000);
    } finally {
      await proxy.close();
    }
  });
});
