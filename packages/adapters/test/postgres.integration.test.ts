// The PostgreSQL adapters against the server on this machine. Outside CI an unreachable server skips
// this file with the reason; in CI it fails (see services.ts). Each run works in its own schema,
// dropped at the end, so runs never collide.
import { randomUUID } from 'node:crypto';
import { eventually, makeRecord, testQueueAdapter, testStorageAdapter, uniqueId } from '@tributary/core/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgres, createPostgresQueue, createPostgresStorage, migrate } from '../src/postgres/index.js';
import { aggregateRecords } from '@tributary/core/storage/memory';
import { dataset, normalizeRows, normalizeTopicRows, REPORT_QUERIES, sqlQueueCases, sqlStorageCases, topicDataset } from './postgres-cases.js';
import { requireService } from './services.js';

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const service = await requireService('PostgreSQL', url);
const run = randomUUID().replace(/-/g, '').slice(0, 10);
const schema = `t_${run}`;
const appName = `tributary-test-${run}`;
const schemas = new Set<string>([schema]);

const admin = () => new pg.Client({ connectionString: url });
async function sql<R extends pg.QueryResultRow = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]> {
  const client = admin();
  await client.connect();
  try {
    return (await client.query<R>(text, params)).rows;
  } finally {
    await client.end();
  }
}

describe('postgres adapters against an unreachable server', () => {
  it('fail with unavailable (retryable) on first use, not at creation', async () => {
    const storage = createPostgresStorage({ connectionString: 'postgres://postgres@127.0.0.1:1/none' });
    await expect(storage.getRecord('w', 'x')).rejects.toMatchObject({ code: 'unavailable', retryable: true });
    await storage.dispose();
    const queue = createPostgresQueue({ connectionString: 'postgres://postgres@127.0.0.1:1/none' });
    await expect(queue.publish('t', {})).rejects.toMatchObject({ code: 'unavailable' });
    await queue.dispose();
    await expect(migrate({ connectionString: 'postgres://postgres@127.0.0.1:1/none' })).rejects.toMatchObject({ code: 'unavailable' });
  });
});

describe.skipIf(!service.available)('postgres adapters', () => {
  beforeAll(async () => {
    await migrate({ connectionString: url, schema });
  });
  afterAll(async () => {
    for (const s of schemas) await sql(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  });

  const storage = (o: { rollupCompactEvery?: number } = {}) => createPostgresStorage({ connectionString: url, schema, applicationName: appName, maxConnections: 4, ...o });
  const queue = (o: { pollIntervalMs?: number } = {}) => createPostgresQueue({ connectionString: url, schema, applicationName: appName, maxConnections: 4, pollIntervalMs: 500, ...o });

  testStorageAdapter('postgres', storage);
  testQueueAdapter('postgres', () => queue(), { visibilityTimeoutMs: 300 });
  sqlStorageCases({ storage, queue });
  sqlQueueCases({ storage, queue });

  it('uses native monthly partitions (no timescaledb here)', async () => {
    const s = storage();
    try {
      expect(await s.layout()).toBe('partitioned');
      const rows = await sql<{ strategy: string }>(
        `SELECT p.partstrat AS strategy FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = 'records'`,
        [schema],
      );
      expect(rows).toEqual([{ strategy: 'r' }]);
    } finally {
      await s.dispose();
    }
  });

  it('a month created after rows landed in the default partition takes those rows over', async () => {
    const s = storage();
    try {
      await s.connect();
      const ws = uniqueId('ws_default');
      const record = makeRecord({ workspaceId: ws, occurredAt: '2011-05-05T05:05:05.000Z' });
      // As if another writer raced the partition creation: the row sits in the default partition.
      await sql(`INSERT INTO ${schema}.record_keys (workspace_id, id, occurred_at, content_hash, revision) VALUES ($1, $2, $3, $4, 1)`, [ws, record.id, record.occurredAt, record.contentHash]);
      await sql(
        `INSERT INTO ${schema}.records_default (workspace_id, occurred_at, id, source_id, kind, item_type, search_text, body) VALUES ($1, $3, $2, $4, 'feedback', $5, '', $6::jsonb)`,
        [ws, record.id, record.occurredAt, record.sourceId, record.itemType, JSON.stringify({ ...record, revision: 1 })],
      );
      const neighbour = makeRecord({ workspaceId: ws, occurredAt: '2011-05-20T00:00:00.000Z' });
      await s.upsertRecords([neighbour]);
      expect(await s.partitions()).toContain('records_p2011_05');
      const placed = await sql<{ part: string }>(`SELECT tableoid::regclass::text AS part FROM ${schema}.records WHERE workspace_id = $1 ORDER BY occurred_at`, [ws]);
      expect(placed).toEqual([{ part: `${schema}.records_p2011_05` }, { part: `${schema}.records_p2011_05` }]);
      expect((await s.getRecord(ws, record.id))?.id).toBe(record.id);
    } finally {
      await s.dispose();
    }
  });

  it('migrations are idempotent and concurrent starters are serialized', async () => {
    const fresh = `t_${run}_mig`;
    schemas.add(fresh);
    const reports = await Promise.all([1, 2, 3, 4].map(() => migrate({ connectionString: url, schema: fresh })));
    expect(reports.flatMap((r) => r.applied).sort()).toEqual([
      'queue@1 queue messages, groups, deliveries, dead letters',
      'storage@1 records, history, rollups, raw payloads, checkpoints, locks, documents',
      'storage@2 topic rollups',
      'storage@3 append-only rollups',
    ]);
    expect(reports.every((r) => r.layout === 'partitioned')).toBe(true);
    expect((await migrate({ connectionString: url, schema: fresh })).applied).toEqual([]);
    const rows = await sql(`SELECT component, version FROM ${fresh}.migrations ORDER BY 1, 2`);
    expect(rows).toEqual([
      { component: 'queue', version: 1 },
      { component: 'storage', version: 1 },
      { component: 'storage', version: 2 },
      { component: 'storage', version: 3 },
    ]);
    // Adapters started with migrate: false on a migrated schema just work; on an empty one they say why.
    const ready = createPostgresStorage({ connectionString: url, schema: fresh, migrate: false });
    await expect(ready.getRecord('w', 'x')).resolves.toBeNull();
    await ready.dispose();
    const bare = createPostgresStorage({ connectionString: url, schema: `t_${run}_none`, migrate: false });
    await expect(bare.getRecord('w', 'x')).rejects.toMatchObject({ code: 'config' });
    await bare.dispose();
  });

  it('the topic rollup migration counts the records stored before it', async () => {
    const fresh = `t_${run}_topics`;
    schemas.add(fresh);
    const ws = uniqueId('ws_backfill');
    const first = createPostgresStorage({ connectionString: url, schema: fresh });
    await first.upsertRecords(topicDataset(ws, 300));
    const query = { workspaceId: ws, bucket: 'day' as const };
    const expected = normalizeTopicRows(await first.aggregateTopics(query));
    expect(expected.length).toBeGreaterThan(20);
    await first.dispose();
    // As if the schema predated storage@2: no topic rollups, no record of the migration.
    await sql(`DROP TABLE ${fresh}.rollups_topics_hourly`);
    await sql(`DELETE FROM ${fresh}.migrations WHERE component = 'storage' AND version = 2`);
    expect((await migrate({ connectionString: url, schema: fresh, components: ['storage'] })).applied).toEqual(['storage@2 topic rollups']);
    const again = createPostgresStorage({ connectionString: url, schema: fresh });
    try {
      expect(again.explainAggregateTopics(query)).toBe('rollups_topics_hourly');
      expect(normalizeTopicRows(await again.aggregateTopics(query))).toEqual(expected);
    } finally {
      await again.dispose();
    }
  });

  it('storage migration 3 turns keyed hourly rollups into append-only ones, keeping what they hold', async () => {
    const fresh = `t_${run}_append`;
    schemas.add(fresh);
    const ws = uniqueId('ws_mig3');
    const records = dataset(ws, 600, 4);
    const first = createPostgresStorage({ connectionString: url, schema: fresh });
    await first.upsertRecords(records.slice(0, 400));
    await first.compactRollups();
    await first.dispose();
    // As if the schema predated storage@3: keyed rollups (dims_key and its primary key), no record of
    // the migration. The rows are what the keyed version kept: one per group and hour.
    const levels: [string, string][] = [
      ['rollups_source_hourly', 'source_id, kind, item_type'],
      ['rollups_hourly', 'source_id, kind, item_type, language, sentiment, category, destination_id, measurement_type, unit'],
    ];
    for (const [table, dims] of levels) {
      await sql(`DROP INDEX ${fresh}.${table}_by_hour`);
      await sql(`ALTER TABLE ${fresh}.${table} ADD COLUMN dims_key text COLLATE "C"`);
      await sql(`UPDATE ${fresh}.${table} SET dims_key = jsonb_build_array(${dims})::text`);
      await sql(`ALTER TABLE ${fresh}.${table} ALTER COLUMN dims_key SET NOT NULL, ADD PRIMARY KEY (workspace_id, hour, dims_key)`);
    }
    await sql(`DELETE FROM ${fresh}.migrations WHERE component = 'storage' AND version = 3`);
    expect((await migrate({ connectionString: url, schema: fresh, components: ['storage'] })).applied).toEqual(['storage@3 append-only rollups']);
    expect(await sql(`SELECT table_name FROM information_schema.columns WHERE table_schema = $1 AND column_name = 'dims_key'`, [fresh])).toEqual([]);
    const again = createPostgresStorage({ connectionString: url, schema: fresh });
    try {
      const check = async (expected: typeof records) => {
        for (const query of REPORT_QUERIES(ws)) expect(normalizeRows(await again.aggregate(query)), JSON.stringify(query)).toEqual(normalizeRows(aggregateRecords(expected, query)));
      };
      await check(records.slice(0, 400));
      // New records append beside the migrated rows; edits rebuild groups that hold both.
      const edited = records.slice(0, 40).map((r) => ({ ...r, contentHash: `${r.contentHash}e`, occurredAt: new Date(Date.parse(r.occurredAt) + 3_600_000).toISOString() }));
      await again.upsertRecords([...records.slice(400), ...edited]);
      const byId = new Map(edited.map((r) => [r.id, r]));
      await check(records.map((r) => byId.get(r.id) ?? r));
    } finally {
      await again.dispose();
    }
  });

  it('an injected pool is borrowed, not ended', async () => {
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    try {
      const { storage: s, queue: q } = createPostgres({ pool, schema });
      await s.setCheckpoint('ws_pool', 'src', { cursor: 1 });
      await q.publish(uniqueId('pool'), { n: 1 });
      await s.dispose();
      await q.dispose();
      expect((await pool.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
    } finally {
      await pool.end();
    }
  });

  it('keeps working after the server drops every connection (pg_terminate_backend)', async () => {
    const appName2 = `${appName}-reconnect`;
    const q = createPostgresQueue({ connectionString: url, schema, applicationName: appName2, pollIntervalMs: 200 });
    const s = createPostgresStorage({ connectionString: url, schema, applicationName: appName2 });
    const topic = uniqueId('reconnect');
    const got = new Set<number>();
    try {
      await q.consume(topic, (m) => void got.add((m.payload as { n: number }).n), { group: 'g', concurrency: 2 });
      for (let n = 0; n < 5; n++) await q.publish(topic, { n });
      const ws = uniqueId('ws_reconnect');
      await s.upsertRecords([makeRecord({ workspaceId: ws, externalId: 'a' })]);
      await eventually(() => expect(got.size).toBe(5), 5000);

      const killed = await sql<{ n: number }>(`SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = $1`, [appName2]);
      expect(killed[0]!.n).toBeGreaterThan(0);

      for (let n = 5; n < 10; n++) await q.publish(topic, { n });
      const [outcome] = await s.upsertRecords([makeRecord({ workspaceId: ws, externalId: 'b' })]);
      expect(outcome?.status).toBe('created');
      await eventually(() => expect([...got].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), 10_000);
      expect((await s.queryRecords({ workspaceId: ws })).items).toHaveLength(2);
      // And the LISTEN connection came back: a new message arrives well before the poll would find it.
      await eventually(async () => {
        const rows = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND query ILIKE 'LISTEN%'`, [appName2]);
        expect(rows[0]!.n).toBe(1);
      }, 10_000);
    } finally {
      await q.dispose();
      await s.dispose();
    }
  });

  it('every statement is scoped to a workspace: the same ids in two workspaces never mix', async () => {
    const s = storage();
    try {
      const a = makeRecord({ workspaceId: uniqueId('ws_a'), externalId: 'same' });
      const b = makeRecord({ workspaceId: uniqueId('ws_b'), externalId: 'same', content: { text: 'other' } });
      await s.upsertRecords([a, b]);
      await s.putDocument('sources', a.workspaceId, 'd', { v: 'a' });
      expect(await s.getDocument('sources', b.workspaceId, 'd')).toBeNull();
      expect((await s.aggregate({ workspaceId: a.workspaceId }))[0]?.count).toBe(1);
      expect((await s.queryRecords({ workspaceId: b.workspaceId })).items.map((r) => r.content?.text)).toEqual(['other']);
    } finally {
      await s.dispose();
    }
  });
});
