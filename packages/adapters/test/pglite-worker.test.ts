// The PGlite executor whose instance lives in a worker thread (`thread: 'worker'`): what crosses the
// thread boundary (errors with their SQLSTATE, transactions held open between messages, COPY,
// NOTIFY), how a dead worker fails its callers, and persistence through close. The contract kits run
// on it in pglite.test.ts.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isTributaryError } from '@tributary/core/errors';
import { eventually, makeRecord, uniqueId } from '@tributary/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbError } from '../src/_sql/executor.js';
import { createPglite, createPgliteQueue, createPgliteStorage } from '../src/pglite/index.js';
import { startPgliteWorker, type PgliteWorkerExecutor } from '../src/pglite/worker-executor.js';

// Starting PGlite compiles its WebAssembly: seconds on a loaded 2-core machine.
const START_MS = 60_000;
const dirs: string[] = [];
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-pglite-worker-'));
  dirs.push(dir);
  return dir;
};

let db: PgliteWorkerExecutor;
beforeAll(async () => {
  db = await startPgliteWorker();
  await db.query('CREATE TABLE items (id text PRIMARY KEY, n int NOT NULL)');
}, START_MS);
afterAll(async () => {
  await db?.close();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('pglite worker executor', () => {
  it('runs statements and returns rows and row counts', async () => {
    const inserted = await db.query(`INSERT INTO items (id, n) VALUES ('a', 1), ('b', 2)`);
    expect(inserted.rowCount).toBe(2);
    const rows = await db.query<{ id: string; n: number }>('SELECT id, n FROM items WHERE n >= $1 ORDER BY id', [1]);
    expect(rows.rows).toEqual([
      { id: 'a', n: 1 },
      { id: 'b', n: 2 },
    ]);
    // A prepared statement twice: PREPAREd once, EXECUTEd both times.
    for (let i = 0; i < 2; i++) expect((await db.query<{ c: number }>('SELECT count(*)::int AS c FROM items', [], { prepare: true })).rows).toEqual([{ c: 2 }]);
    const names = await db.query<{ name: string }>(`SELECT name FROM pg_prepared_statements WHERE name LIKE 'tributary_%'`);
    expect(names.rows).toHaveLength(1);
  });

  it('keeps the PostgreSQL error code and message across the thread (a unique violation maps to conflict)', async () => {
    await db.query(`INSERT INTO items (id, n) VALUES ('dup', 1)`);
    const error = await db.query(`INSERT INTO items (id, n) VALUES ('dup', 2)`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ code: '23505', constraint: 'items_pkey' });
    expect((error as Error).message).toMatch(/duplicate key value violates unique constraint "items_pkey"/);
    expect(dbError('storage:pglite', 'insert', error).code).toBe('conflict');
    // Inside a transaction too, and the transaction rejects with it.
    const inTx = await db.transaction((tx) => tx.query(`INSERT INTO items (id, n) VALUES ('dup', 3)`)).catch((e: unknown) => e);
    expect(inTx).toMatchObject({ code: '23505' });
    expect((await db.query<{ n: number }>(`SELECT n FROM items WHERE id = 'dup'`)).rows).toEqual([{ n: 1 }]);
  });

  it('a transaction whose function throws leaves nothing; one that returns commits', async () => {
    const boom = new Error('boom');
    await expect(
      db.transaction(async (tx) => {
        await tx.query(`INSERT INTO items (id, n) VALUES ('rolled-1', 1)`);
        await tx.query(`INSERT INTO items (id, n) VALUES ('rolled-2', 2)`);
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect((await db.query(`SELECT id FROM items WHERE id LIKE 'rolled-%'`)).rows).toEqual([]);

    const value = await db.transaction(async (tx) => {
      await tx.query(`INSERT INTO items (id, n) VALUES ('kept', 1)`);
      // A failed statement recovered with a savepoint: later statements of the transaction still run.
      await tx.query('SAVEPOINT s');
      await expect(tx.query(`INSERT INTO items (id, n) VALUES ('kept', 2)`)).rejects.toMatchObject({ code: '23505' });
      await tx.query('ROLLBACK TO SAVEPOINT s');
      return (await tx.query<{ n: number }>(`SELECT n FROM items WHERE id = 'kept'`)).rows;
    });
    expect(value).toEqual([{ n: 1 }]);
    expect((await db.query(`SELECT id FROM items WHERE id = 'kept'`)).rows).toEqual([{ id: 'kept' }]);
  });

  it('statements outside a transaction wait for it to end (one session)', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const tx = db.transaction(async (t) => {
      await t.query(`INSERT INTO items (id, n) VALUES ('gated', 1)`);
      await gate;
    });
    // Give the transaction time to BEGIN and insert, then read outside it.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const outside = db.query(`SELECT count(*)::int AS c FROM items WHERE id = 'gated'`);
    release();
    await tx;
    expect((await outside).rows).toEqual([{ c: 1 }]);
  });

  it('copyIn loads a binary COPY, and sessionOnce runs its setup once per session after a commit', async () => {
    let setups = 0;
    const setup = async (tx: Parameters<Parameters<typeof db.transaction>[0]>[0]) =>
      tx.sessionOnce('worker-test-stage', async () => {
        setups++;
        await tx.query('CREATE TEMP TABLE IF NOT EXISTS stage (v int4) ON COMMIT DELETE ROWS');
      });
    // PostgreSQL binary COPY: signature, flags, extension length, one row of one int4 (42), trailer.
    const signature = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
    const row = Buffer.alloc(2 + 4 + 4);
    row.writeInt16BE(1, 0);
    row.writeInt32BE(4, 2);
    row.writeInt32BE(42, 6);
    const trailer = Buffer.alloc(2);
    trailer.writeInt16BE(-1, 0);
    const data = new Uint8Array(Buffer.concat([signature, Buffer.alloc(8), row, trailer]));
    for (let i = 0; i < 2; i++) {
      const rows = await db.transaction(async (tx) => {
        await setup(tx);
        await tx.copyIn('stage (v)', data);
        return (await tx.query<{ v: number }>('SELECT v FROM stage')).rows;
      });
      expect(rows).toEqual([{ v: 42 }]);
    }
    expect(setups).toBe(1);
    // The caller's bytes are left as they were (a copy crossed the thread).
    expect(data.byteLength).toBeGreaterThan(0);
  });

  it('LISTEN forwards NOTIFY payloads, until unlistened', async () => {
    const got: string[] = [];
    const unlisten = await db.listen!('worker_test_channel', (payload) => got.push(payload));
    await db.query(`SELECT pg_notify('worker_test_channel', 'first')`);
    await eventually(() => expect(got).toEqual(['first']), 5000);
    await unlisten();
    await db.query(`SELECT pg_notify('worker_test_channel', 'second')`);
    await db.query('SELECT 1');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(got).toEqual(['first']);
  });

  it(
    'a worker terminated mid-call rejects the pending calls and every later one with unavailable',
    async () => {
      const doomed = await startPgliteWorker();
      const sleeping = doomed.query('SELECT pg_sleep(30)').catch((e: unknown) => e);
      const inTx = doomed.transaction(async (tx) => tx.query('SELECT pg_sleep(30)')).catch((e: unknown) => e);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await doomed.worker.terminate();
      for (const error of [await sleeping, await inTx]) {
        expect(isTributaryError(error, 'unavailable')).toBe(true);
        expect((error as Error).message).toMatch(/PGlite worker stopped/);
      }
      const later = await doomed.query('SELECT 1').catch((e: unknown) => e);
      expect(isTributaryError(later, 'unavailable')).toBe(true);
      await expect(doomed.transaction(async (tx) => tx.query('SELECT 1'))).rejects.toMatchObject({ code: 'unavailable' });
      await doomed.close(); // nothing left to close: resolves
    },
    START_MS,
  );

  it(
    'data written through the worker is on disk after close, for a worker and for the main thread',
    async () => {
      const dataDir = await tempDir();
      const topic = uniqueId('worker-durable');
      const record = makeRecord({ workspaceId: 'ws_worker_durable' });
      const first = createPglite({ dataDir, thread: 'worker' });
      await first.queue.publish(topic, { kept: true }, { id: 'm-1' });
      await first.storage.upsertRecords([record]);
      await first.queue.dispose();
      await first.storage.dispose();

      for (const thread of ['worker', 'main'] as const) {
        const again = createPglite({ dataDir, thread });
        try {
          expect(await again.storage.getRecord('ws_worker_durable', record.id)).toEqual({ ...record, revision: 1 });
          expect(await again.queue.stats(topic)).toMatchObject({ depth: 1 });
        } finally {
          await again.queue.dispose();
          await again.storage.dispose();
        }
      }
    },
    3 * START_MS,
  );

  it(
    'a NOTIFY from a publish wakes an idle consumer long before its next poll',
    async () => {
      const dataDir = await tempDir();
      const topic = uniqueId('worker-wake');
      // Polling once a minute: only LISTEN/NOTIFY can deliver within the wait below.
      const queue = createPgliteQueue({ dataDir, thread: 'worker', pollIntervalMs: 60_000 });
      try {
        const got: unknown[] = [];
        await queue.consume(topic, (m) => void got.push(m.payload), { group: 'g' });
        // Let the consumer run its first (empty) claim and go idle.
        await new Promise((resolve) => setTimeout(resolve, 300));
        await queue.publish(topic, { n: 1 });
        await eventually(() => expect(got).toEqual([{ n: 1 }]), 5000);
      } finally {
        await queue.dispose();
      }
    },
    START_MS,
  );

  it('refuses thread: worker with an injected instance, and an unknown thread', () => {
    expect(() => createPgliteStorage({ pglite: {} as never, thread: 'worker' })).toThrow(expect.objectContaining({ code: 'config' }));
    expect(() => createPgliteQueue({ thread: 'elsewhere' as never })).toThrow(expect.objectContaining({ code: 'config' }));
  });
});
