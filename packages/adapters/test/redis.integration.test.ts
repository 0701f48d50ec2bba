// The Redis Streams queue against the server on this machine: the contract kit, then what is specific to
// Redis (a consumer process killed mid-message, the dead-letter stream, connections killed mid-run,
// trimming). Outside CI an unreachable server skips this file with the reason; in CI it fails
// (services.ts). Every key of a run lives under its own prefix, deleted at the end.
import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createGate, eventually, testQueueAdapter, uniqueId } from '@tributary/core/testing';
import { publishBatch, type QueueMessage } from '@tributary/core/queue';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createRedisQueue, type RedisQueueOptions } from '../src/redis/index.js';
import { RENEW } from '../src/redis/scripts.js';
import { requireService } from './services.js';
import { expectSlowHandlerKeepsItsMessage } from './slow-handler.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const service = await requireService('Redis', REDIS_URL);
const run = randomUUID().slice(0, 8);
const prefix = `tribtest-${run}:`;
const quiet = () => undefined;

function startWorker(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--conditions=@tributary/source', '--import', 'tsx', join(import.meta.dirname, 'redis-worker.ts')], {
    env: { ...process.env, REDIS_URL, PREFIX: prefix, ...env },
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

describe.skipIf(!service.available)('redis queue', () => {
  const admin = new Redis(REDIS_URL, { lazyConnect: true });
  const queues: { dispose(): Promise<void> }[] = [];
  const queue = (o: RedisQueueOptions = {}) => {
    const q = createRedisQueue({ url: REDIS_URL, streamPrefix: prefix, onError: quiet, ...o });
    queues.push(q);
    return q;
  };
  const stream = (topic: string) => `${prefix}{${topic}}:stream`;

  afterAll(async () => {
    await Promise.allSettled(queues.map((q) => q.dispose()));
    let cursor = '0';
    do {
      const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await admin.del(...keys);
    } while (cursor !== '0');
    await admin.quit();
  });

  // The kit's "consumer that never answers" is a live process with a hung handler: a stuck handler is
  // let go at maxProcessingMs, so the kit runs with it at the kit's lease (no renewal). Renewal itself is
  // tested below (a handler running three leases), and a killed process stops renewing.
  testQueueAdapter('redis', () => createRedisQueue({ url: REDIS_URL, streamPrefix: prefix, maxProcessingMs: 500 }), { visibilityTimeoutMs: 500, topicPrefix: `kit-${run}` });

  it('a handler running three leases keeps its entry (idle reset by XCLAIM JUSTID): handled once, acknowledged, never reclaimed', async () => {
    await expectSlowHandlerKeepsItsMessage(queue, 500, 1500);
  });

  it('handlers that finish within a third of the lease never renew it; only a slow one does (issue 5)', async () => {
    const topic = uniqueId('fast');
    const V = 300; // renewal due after 100 ms of handling, checked every 100 ms
    const client = new Redis(REDIS_URL);
    const renewSha = createHash('sha1').update(RENEW).digest('hex');
    const evalsha = vi.spyOn(client, 'evalsha');
    const renewals = () => evalsha.mock.calls.filter((call) => call[0] === renewSha).length;
    try {
      const q = queue({ client });
      let handled = 0;
      await q.consume(topic, async (m) => {
        await new Promise((r) => setTimeout(r, (m.payload as { slow: boolean }).slow ? 2 * V : 10));
        handled++;
      }, { group: 'g', concurrency: 4, visibilityTimeoutMs: V });
      const started = Date.now();
      await publishBatch(q, topic, Array.from({ length: 200 }, () => ({ payload: { slow: false } })));
      await eventually(() => expect(handled).toBe(200), 20_000);
      expect(Date.now() - started, 'leases were held across several renewal checks').toBeGreaterThan(3 * (V / 3));
      expect(renewals()).toBe(0);
      await q.publish(topic, { slow: true });
      await eventually(() => expect(handled).toBe(201), 10_000);
      expect(renewals(), 'the spy sees renewals when there are any').toBeGreaterThan(0);
    } finally {
      evalsha.mockRestore();
      await client.quit();
    }
  });

  it('a handler stuck past maxProcessingMs lets its entry be reclaimed by another consumer, attempt 2', async () => {
    const topic = uniqueId('stuck');
    const V = 500;
    const gate = createGate();
    const got: { consumer: string; attempt: number; at: number }[] = [];
    const stuck = queue({ maxProcessingMs: 1500 });
    try {
      await stuck.consume(topic, async (m) => {
        got.push({ consumer: 'stuck', attempt: m.attempt, at: Date.now() });
        await gate.promise;
      }, { group: 'g', visibilityTimeoutMs: V });
      await stuck.publish(topic, { n: 1 });
      await eventually(() => expect(got).toHaveLength(1), 5000);
      await queue().consume(topic, (m) => void got.push({ consumer: 'alive', attempt: m.attempt, at: Date.now() }), { group: 'g', visibilityTimeoutMs: V });
      await eventually(() => expect(got).toHaveLength(2), 10_000);
      expect(got[1]).toMatchObject({ consumer: 'alive', attempt: 2 });
      expect(got[1]!.at - got[0]!.at, 'renewed up to the bound, not let go at one lease').toBeGreaterThanOrEqual(1000);
    } finally {
      gate.release();
    }
    await eventually(async () => expect(await stuck.stats(topic)).toMatchObject({ depth: 0, inFlight: 0, deadLetters: 0 }), 5000);
  });

  it('a message held by a consumer process that is killed goes to the group again, attempt 2', async () => {
    const topic = uniqueId('died');
    const group = 'g';
    const q = queue();
    const id = await q.publish(topic, { n: 1 });
    const worker = startWorker({ TOPIC: topic, GROUP: group, VISIBILITY: '800' });
    try {
      expect(await worker.delivered).toEqual({ id, attempt: 1 });
    } finally {
      worker.kill();
    }
    const got: QueueMessage[] = [];
    await q.consume(topic, (m) => void got.push(m), { group, visibilityTimeoutMs: 800 });
    await eventually(() => expect(got).toHaveLength(1), 10_000);
    expect(got[0]).toMatchObject({ id, attempt: 2, payload: { n: 1 } });
    await eventually(async () => expect(await q.stats(topic)).toMatchObject({ depth: 0, inFlight: 0, deadLetters: 0 }), 5000);
  });

  it("dead-letters after maxAttempts into the topic's dead-letter stream, with reason, group and attempt", async () => {
    const topic = uniqueId('dl');
    const q = queue();
    const seen: number[] = [];
    await q.consume(
      topic,
      (m) => {
        seen.push(m.attempt);
        throw new Error('boom-redis');
      },
      { group: 'g', maxAttempts: 3, retryDelayMs: () => 0 },
    );
    await q.publish(topic, { n: 1 });
    const dlq = `${prefix}{${topic}}:dlq`;
    await eventually(async () => expect(await admin.xlen(dlq)).toBe(1), 10_000);
    expect(seen).toEqual([1, 2, 3]);
    const [entry] = (await admin.xrange(dlq, '-', '+')) as [string, string[]][];
    const flat = entry![1];
    const fields = Object.fromEntries(Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i], flat[2 * i + 1]]));
    expect(fields).toMatchObject({ group: 'g', attempt: '3', p: '{"n":1}' });
    expect(fields['reason']).toContain('boom-redis');
    // acknowledged in the group, and out of the retry set
    const [pending] = (await admin.xpending(stream(topic), 'g')) as [number];
    expect(pending).toBe(0);
    expect(await admin.zcard(`${prefix}{${topic}}:retry:g`)).toBe(0);
  });

  it('reconnects after its connections are killed, and loses nothing', async () => {
    const topic = uniqueId('reconnect');
    const name = `tribtest-${run}-reconnect`;
    const q = queue({ redisOptions: { connectionName: name } });
    const received = new Set<number>();
    await q.consume(topic, (m) => void received.add((m.payload as { n: number }).n), { group: 'g', concurrency: 4, visibilityTimeoutMs: 2000 });
    const total = 200;
    for (let n = 0; n < total; n++) {
      if (n === total / 2) {
        // Kill every connection of this adapter (its command and blocking connections), not the others'.
        const list = await admin.client('LIST');
        const ids = String(list)
          .split('\n')
          .filter((line) => line.includes(` name=${name} `))
          .map((line) => /(?:^|\s)id=(\d+)/.exec(line)![1]!);
        expect(ids.length).toBeGreaterThanOrEqual(2);
        for (const id of ids) await admin.client('KILL', 'ID', id);
      }
      // A publish that fails while reconnecting is retried under the same id: deduplicated if it got through.
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
  });

  it('publishBatch: runs of plain messages go as one script call each, in order beside deduplicated ones, and survive a script flush', async () => {
    const topic = uniqueId('batch-runs');
    const q = queue();
    // The server forgets its scripts (as after a restart): the batch loads them again, publishing once.
    await admin.script('FLUSH');
    // 450 plain messages (three runs of at most 200) with two deduplicated ones among them.
    const messages = Array.from({ length: 452 }, (_, n) => (n === 100 || n === 300 ? { payload: { n }, options: { id: `fixed-${topic}-${n}` } } : { payload: { n } }));
    const ids = await publishBatch(q, topic, messages);
    expect(ids).toHaveLength(452);
    expect(ids[100]).toBe(`fixed-${topic}-100`);
    // The same dedup ids again, alone: dropped.
    await publishBatch(q, topic, [{ payload: { n: 100 }, options: { id: `fixed-${topic}-100` } }, { payload: { n: 300 }, options: { id: `fixed-${topic}-300` } }]);
    const entries = (await admin.xrange(stream(topic), '-', '+')) as [string, string[]][];
    expect(entries.map(([, f]) => JSON.parse(f[f.indexOf('p') + 1]!).n)).toEqual(Array.from({ length: 452 }, (_, n) => n));
    // A batch of one script call goes without a pipeline: it survives a flush too, publishing once.
    await admin.script('FLUSH');
    await publishBatch(q, topic, [{ payload: { n: 452 } }, { payload: { n: 453 } }]);
    const after = (await admin.xrange(stream(topic), '-', '+')) as [string, string[]][];
    expect(after.map(([, f]) => JSON.parse(f[f.indexOf('p') + 1]!).n)).toEqual(Array.from({ length: 454 }, (_, n) => n));
  });

  it('trimming removes only entries every group acknowledged, never one pending or unread', async () => {
    const topic = uniqueId('trim');
    const q = queue({ trimIntervalMs: 0 });
    // No group yet: messages must wait for the first consumer, so nothing is trimmed.
    await publishBatch(
      q,
      topic,
      Array.from({ length: 10 }, (_, n) => ({ payload: { n } })),
    );
    expect(await q.trim(topic)).toBe(0);
    expect(await admin.xlen(stream(topic))).toBe(10);

    const gate = createGate();
    const seen = new Set<number>();
    try {
      await q.consume(
        topic,
        async (m) => {
          const n = (m.payload as { n: number }).n;
          seen.add(n);
          if (n === 3 || n === 7) await gate.promise;
        },
        { group: 'a', concurrency: 10, visibilityTimeoutMs: 60_000 },
      );
      await eventually(async () => {
        expect(seen.size).toBe(10);
        const [pending] = (await admin.xpending(stream(topic), 'a')) as [number];
        expect(pending).toBe(2);
      }, 5000);
      // 0, 1, 2 are acknowledged below the oldest pending (3): only they go.
      expect(await q.trim(topic)).toBe(3);
      const left = (await admin.xrange(stream(topic), '-', '+')) as [string, string[]][];
      expect(left.map(([, f]) => JSON.parse(f[f.indexOf('p') + 1]!).n)).toEqual([3, 4, 5, 6, 7, 8, 9]);
      // A second group that has read nothing yet holds every entry.
      await admin.xgroup('CREATE', stream(topic), 'b', '0');
    } finally {
      gate.release();
    }
    await eventually(async () => {
      const [pending] = (await admin.xpending(stream(topic), 'a')) as [number];
      expect(pending).toBe(0);
    }, 5000);
    expect(await q.trim(topic)).toBe(0);
    const late = new Set<number>();
    await q.consume(topic, (m) => void late.add((m.payload as { n: number }).n), { group: 'b' });
    await eventually(() => expect([...late].sort()).toEqual([3, 4, 5, 6, 7, 8, 9]), 5000);
    await eventually(async () => {
      const [pending] = (await admin.xpending(stream(topic), 'b')) as [number];
      expect(pending).toBe(0);
    }, 5000);
    // Both groups are done: everything goes.
    expect(await q.trim(topic)).toBe(7);
    expect(await admin.xlen(stream(topic))).toBe(0);
  });
});
