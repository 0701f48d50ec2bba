// The transactional outbox against the PostgreSQL server on this machine: the host's write and the
// outbox row commit together or not at all, relays publish each committed row (at least once, never
// twice at once), and a relay that dies mid-round leaves its rows to be published again.
import { randomUUID } from 'node:crypto';
import type { PublishOptions, QueueAdapter, QueueMessage } from '@tributary/core/queue';
import { createMemoryQueue } from '@tributary/core/queue/memory';
import { eventually, sleep } from '@tributary/core/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutbox, migrateOutbox, type Outbox } from '../src/postgres-outbox/index.js';
import { requireService } from './services.js';

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const service = await requireService('PostgreSQL', url);
const run = randomUUID().replace(/-/g, '').slice(0, 10);
const schema = `t_${run}_obx`;
const appName = `tributary-outbox-${run}`;

/** A queue that records every publish call (so a second publish of one id is seen), then passes it on. */
function recordingQueue(inner: QueueAdapter, hooks: { beforePublish?: (call: number, id: string) => Promise<void> | void } = {}) {
  const calls: string[] = [];
  const queue: QueueAdapter = {
    name: 'recording',
    capabilities: inner.capabilities,
    async publish<T>(topic: string, payload: T, options?: PublishOptions) {
      const call = calls.length + 1;
      await hooks.beforePublish?.(call, options?.id ?? '');
      calls.push(options?.id ?? '');
      return inner.publish(topic, payload, options);
    },
    consume: (topic, handler, options) => inner.consume(topic, handler, options),
    listDeadLetters: (topic, options) => inner.listDeadLetters(topic, options),
    replayDeadLetter: (topic, id) => inner.replayDeadLetter(topic, id),
    stats: (topic) => inner.stats(topic),
    dispose: () => inner.dispose(),
  };
  return { queue, calls };
}

/** Everything the queue holds for a topic, consumed once, after the relays are done. */
async function drain(queue: QueueAdapter, topic: string, expected: number): Promise<QueueMessage[]> {
  const got: QueueMessage[] = [];
  const sub = await queue.consume(topic, (m) => void got.push(m), { group: 'check', concurrency: 10 });
  await eventually(() => expect(got.length).toBeGreaterThanOrEqual(expected), 10_000);
  await sleep(200);
  await sub.close();
  return got;
}

describe.skipIf(!service.available)('postgres outbox', () => {
  const pool = new pg.Pool({ connectionString: url, max: 8 });
  const outboxes: Outbox[] = [];
  const open = (options: { table?: string } = {}) => {
    const outbox = createOutbox({ connectionString: url, schema, applicationName: appName, ...options });
    outboxes.push(outbox);
    return outbox;
  };

  /** The host's own transaction: an order row and an outbox row, committed or rolled back. */
  async function placeOrder(outbox: Outbox, topic: string, order: number, outcome: 'commit' | 'rollback' = 'commit', options?: { id?: string }) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`INSERT INTO ${schema}.orders (id, total) VALUES ($1, $2)`, [order, `${order}.50`]);
      const id = await outbox.write(client, topic, { order, total: `${order}.50` }, { ...options, headers: { 'x-order': String(order) }, key: `customer-${order % 3}` });
      await client.query(outcome === 'commit' ? 'COMMIT' : 'ROLLBACK');
      return id;
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }

  beforeAll(async () => {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await pool.query(`CREATE TABLE ${schema}.orders (id int PRIMARY KEY, total numeric NOT NULL)`);
  });
  afterAll(async () => {
    await Promise.all(outboxes.map((o) => o.dispose()));
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await pool.end();
  });

  it('migrations are versioned and idempotent; concurrent starters create the table once', async () => {
    const reports = await Promise.all([1, 2, 3].map(() => migrateOutbox({ connectionString: url, schema, table: 'events_outbox' })));
    expect(reports.flat()).toEqual(['outbox:events_outbox@1 outbox table events_outbox']);
    expect(await open({ table: 'events_outbox' }).migrate()).toEqual([]);
    const rows = await pool.query(`SELECT component, version FROM ${schema}.migrations WHERE component LIKE 'outbox:%' ORDER BY 1`);
    expect(rows.rows).toEqual([{ component: 'outbox:events_outbox', version: 1 }]);
    const unmigrated = createOutbox({ connectionString: url, schema, table: 'never_made', migrate: false });
    await expect(unmigrated.stats()).rejects.toMatchObject({ code: 'config' });
    await unmigrated.dispose();
  });

  it('a rolled-back host transaction publishes nothing; a committed one is published exactly once', async () => {
    const outbox = open();
    const memory = createMemoryQueue();
    const { queue, calls } = recordingQueue(memory);
    const topic = `orders-${run}-a`;
    const rolledBack = await placeOrder(outbox, topic, 1, 'rollback');
    const relay = outbox.startRelay({ queue, pollIntervalMs: 100 });
    try {
      await sleep(300);
      expect(calls).toEqual([]);
      const committed = await placeOrder(outbox, topic, 2);
      await eventually(async () => expect((await outbox.stats()).pending).toBe(0), 5000);
      await eventually(() => expect(calls).toEqual([committed]), 5000);
      await sleep(400); // a later round must not publish it again
      expect(calls).toEqual([committed]);
      expect(calls).not.toContain(rolledBack);
      expect((await pool.query(`SELECT id FROM ${schema}.orders ORDER BY id`)).rows).toEqual([{ id: 2 }]);
      const [message] = await drain(memory, topic, 1);
      expect(message).toMatchObject({ id: committed, payload: { order: 2, total: '2.50' }, headers: { 'x-order': '2' }, key: 'customer-2' });
      const row = await pool.query(`SELECT published_at IS NOT NULL AS published, attempts FROM ${schema}.outbox WHERE message_id = $1`, [committed]);
      expect(row.rows).toEqual([{ published: true, attempts: 1 }]);
    } finally {
      await relay.stop();
    }
  });

  it('a NOTIFY on commit wakes an idle relay well before its poll interval', async () => {
    const outbox = open();
    const { queue, calls } = recordingQueue(createMemoryQueue());
    const relay = outbox.startRelay({ queue, pollIntervalMs: 60_000 });
    try {
      await sleep(300); // the relay has taken its first (empty) round and sleeps for a minute
      const started = Date.now();
      const id = await placeOrder(outbox, `orders-${run}-b`, 3);
      await eventually(() => expect(calls).toEqual([id]), 5000);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await relay.stop();
    }
  });

  it('two relays at once never publish a row twice, and a deduplicating queue holds each row once', async () => {
    const outbox = open();
    const memory = createMemoryQueue();
    const recorders = [recordingQueue(memory), recordingQueue(memory)];
    const topic = `orders-${run}-c`;
    const relays = recorders.map(({ queue }) => outbox.startRelay({ queue, batchSize: 7, pollIntervalMs: 50 }));
    try {
      const ids: string[] = [];
      // Written while the relays run, from several host transactions at once.
      await Promise.all(
        Array.from({ length: 6 }, async (_, w) => {
          for (let i = 0; i < 40; i++) ids.push(await placeOrder(outbox, topic, 1000 + w * 100 + i));
        }),
      );
      await eventually(async () => expect((await outbox.stats()).pending).toBe(0), 20_000);
      // Both took part, and between them every row went out once.
      expect(recorders.every((r) => r.calls.length > 0)).toBe(true);
      const calls = recorders.flatMap((r) => r.calls);
      expect(calls.length).toBe(240);
      expect(new Set(calls).size).toBe(240);
      expect(new Set(calls)).toEqual(new Set(ids));
      const delivered = await drain(memory, topic, 240);
      expect(new Set(delivered.map((m) => m.id)).size).toBe(240);
      expect(delivered).toHaveLength(240);
    } finally {
      await Promise.all(relays.map((r) => r.stop()));
    }
  });

  it('a relay whose publish fails mid-round keeps the rest pending; a relay started later publishes them', async () => {
    const outbox = open();
    const memory = createMemoryQueue();
    const topic = `orders-${run}-d`;
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push(await placeOrder(outbox, topic, 2000 + i));
    const errors: Error[] = [];
    const failing = recordingQueue(memory, {
      beforePublish(call) {
        if (call >= 10) throw new Error('broker unreachable');
      },
    });
    const first = outbox.startRelay({ queue: failing.queue, batchSize: 100, pollIntervalMs: 50, onError: (e) => errors.push(e) });
    await eventually(() => expect(errors.length).toBeGreaterThan(0), 5000);
    await first.stop();
    // The round failed as a whole (one publishBatch of one topic): nothing is marked published.
    expect((await outbox.stats()).pending).toBe(30);
    const failed = await pool.query(`SELECT last_error FROM ${schema}.outbox WHERE message_id = $1`, [ids[0]]);
    expect(failed.rows[0]?.last_error).toBe('broker unreachable');

    const healthy = recordingQueue(memory);
    const second = outbox.startRelay({ queue: healthy.queue, pollIntervalMs: 50 });
    try {
      await eventually(async () => expect((await outbox.stats()).pending).toBe(0), 5000);
      expect(healthy.calls).toEqual(ids); // in order
      // Nine went out before the failure and went out again: the queue dropped the second copies.
      const delivered = await drain(memory, topic, 30);
      expect(delivered.map((m) => m.id).sort()).toEqual([...ids].sort());
    } finally {
      await second.stop();
    }
  });

  it('a relay killed between publishing and marking republishes those rows once restarted', async () => {
    const outbox = open();
    const memory = createMemoryQueue();
    const topic = `orders-${run}-e`;
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push(await placeOrder(outbox, topic, 3000 + i));
    let killed = false;
    const dying = recordingQueue(memory, {
      async beforePublish(call) {
        if (call === 12 && !killed) {
          killed = true;
          // The relay "dies": its connection goes, with the transaction that would have marked the rows.
          await pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND state = 'idle in transaction'`, [appName]);
        }
      },
    });
    const errors: Error[] = [];
    const relay = outbox.startRelay({ queue: dying.queue, pollIntervalMs: 50, onError: (e) => errors.push(e) });
    try {
      await eventually(async () => expect((await outbox.stats()).pending).toBe(0), 10_000);
      expect(killed).toBe(true);
      expect(errors.length).toBeGreaterThan(0);
      // Published once before the kill, and once more by the next round: at least once.
      expect(dying.calls.slice(0, 12)).toEqual(ids);
      expect(dying.calls.slice(12)).toEqual(ids);
      const delivered = await drain(memory, topic, 12);
      expect(delivered.map((m) => m.id).sort()).toEqual([...ids].sort());
    } finally {
      await relay.stop();
    }
  });

  it('writing the same message id twice keeps one row', async () => {
    const outbox = open();
    const id = `obx_fixed_${run}`;
    await placeOrder(outbox, `orders-${run}-f`, 4000, 'commit', { id });
    await placeOrder(outbox, `orders-${run}-f`, 4001, 'commit', { id });
    const rows = await pool.query(`SELECT count(*)::int AS n FROM ${schema}.outbox WHERE message_id = $1`, [id]);
    expect(rows.rows).toEqual([{ n: 1 }]);
  });
});
