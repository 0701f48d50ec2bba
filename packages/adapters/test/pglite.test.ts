// PGlite needs no service: these run with the unit tests. One in-memory instance is shared by the
// contract kits (each case uses its own workspace or topic); the persistence cases open directories.
// The kits run twice: on that instance on this thread, and on PGlite in a worker thread
// (`thread: 'worker'`), sharing one worker through one directory held open by the whole file.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { eventually, makeRecord, testQueueAdapter, testStorageAdapter, uniqueId } from '@tributary/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPglite, createPgliteQueue, createPgliteStorage, type PgliteOptions, type SqlStorageAdapter } from '../src/pglite/index.js';
import { sqlQueueCases, sqlStorageCases } from './postgres-cases.js';

let shared: Promise<PGlite> | undefined;
const instance = () => (shared ??= import('@electric-sql/pglite').then(({ PGlite }) => PGlite.create()));
const dirs: string[] = [];
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-pglite-'));
  dirs.push(dir);
  return dir;
};
/** The directory of the worker the kits share, and an adapter holding it open between cases. */
let workerDir: string | undefined;
let workerHolder: SqlStorageAdapter | undefined;
// Starting PGlite (compiling its WASM) takes 6–9 s on a loaded 2-core machine: more than the contract
// kit's per-case hook timeout, so the shared instances start here, with room for it.
beforeAll(async () => {
  workerDir = await tempDir();
  workerHolder = createPgliteStorage({ dataDir: workerDir, thread: 'worker' });
  await Promise.all([instance(), workerHolder.connect()]);
}, 60_000);
afterAll(async () => {
  await (await shared)?.close();
  await workerHolder?.dispose();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** Where the adapters of a kit find their database. */
const variants: { name: string; options: () => Promise<PgliteOptions> }[] = [
  { name: 'pglite', options: async () => ({ pglite: await instance() }) },
  { name: 'pglite (worker thread)', options: async () => ({ dataDir: workerDir!, thread: 'worker' }) },
];

for (const variant of variants) {
  testStorageAdapter(variant.name, async () => createPgliteStorage(await variant.options()));
  testQueueAdapter(variant.name, async () => createPgliteQueue({ ...(await variant.options()), pollIntervalMs: 200 }), { visibilityTimeoutMs: 300 });

  describe(`${variant.name} adapters: SQL cases`, () => {
    sqlStorageCases({
      storage: async (o) => createPgliteStorage({ ...(await variant.options()), ...o }),
      queue: async (o) => createPgliteQueue({ ...(await variant.options()), ...o }),
    });
    sqlQueueCases({
      storage: async () => createPgliteStorage(await variant.options()),
      queue: async (o) => createPgliteQueue({ ...(await variant.options()), ...o }),
    });
  });
}

describe('pglite adapters', () => {
  it('migrations are idempotent: adapters starting at once on a fresh schema apply each migration once', async () => {
    const db = await instance();
    const schema = `t_${uniqueId('mig').replace(/-/g, '_')}`;
    const adapters = [createPgliteStorage({ pglite: db, schema }), createPgliteQueue({ pglite: db, schema }), createPgliteStorage({ pglite: db, schema }), createPgliteQueue({ pglite: db, schema })];
    await Promise.all(adapters.map((a) => a.connect()));
    await Promise.all(adapters.map((a) => a.dispose()));
    const again = createPglite({ pglite: db, schema });
    await again.storage.connect();
    await again.queue.connect();
    const rows = await db.query<{ component: string; version: number }>(`SELECT component, version FROM ${schema}.migrations ORDER BY 1, 2`);
    expect(rows.rows).toEqual([
      { component: 'queue', version: 1 },
      { component: 'storage', version: 1 },
      { component: 'storage', version: 2 },
      { component: 'storage', version: 3 },
    ]);
    await again.storage.dispose();
    await again.queue.dispose();
  });

  it('a published message and a stored record survive closing and reopening the same dataDir', async () => {
    const dataDir = await tempDir();
    const topic = uniqueId('durable');
    const record = makeRecord({ workspaceId: 'ws_durable' });
    const first = createPglite({ dataDir });
    expect(first.queue.capabilities.durable).toBe(true);
    await first.queue.publish(topic, { kept: true }, { id: 'm-1', headers: { h: 'v' } });
    await first.storage.upsertRecords([record]);
    await first.queue.dispose();
    await first.storage.dispose();

    const second = createPglite({ dataDir });
    try {
      expect(await second.storage.getRecord('ws_durable', record.id)).toEqual({ ...record, revision: 1 });
      expect(await second.queue.stats(topic)).toMatchObject({ depth: 1 });
      const got: unknown[] = [];
      await second.queue.consume(topic, (m) => void got.push([m.id, m.payload, m.headers, m.attempt]), { group: 'g' });
      await eventually(() => expect(got).toEqual([['m-1', { kept: true }, { h: 'v' }, 1]]), 5000);
    } finally {
      await second.queue.dispose();
      await second.storage.dispose();
    }
  });

  it('separate factories on one dataDir share one instance (a directory must not be opened twice)', async () => {
    const dataDir = await tempDir();
    const storage = createPgliteStorage({ dataDir });
    const queue = createPgliteQueue({ dataDir });
    await Promise.all([storage.connect(), queue.connect()]);
    const record = makeRecord({ workspaceId: 'ws_shared' });
    await storage.upsertRecords([record]);
    await queue.publish('t', { n: 1 });
    await storage.dispose();
    // The queue still works on the shared instance after the storage let go of it.
    expect(await queue.stats('t')).toMatchObject({ depth: 1 });
    await queue.dispose();
    const reopened = createPgliteStorage({ dataDir });
    expect((await reopened.getRecord('ws_shared', record.id))?.id).toBe(record.id);
    await reopened.dispose();
  });

  it('an in-memory database is not durable', () => {
    expect(createPgliteStorage().capabilities.durable).toBe(false);
    expect(createPgliteQueue().capabilities.durable).toBe(false);
  });
});
