// Storage ingest on PostgreSQL (issue 5): records/s through the adapter's batched upsert (revisions,
// history, hourly rollups in the same transaction) against the raw client doing plain COPY into a
// staging table + INSERT … ON CONFLICT into a keyed table, same records, same batches, same pg client,
// one connection each, in the same run. Goal: the adapter at ≥ 80% of the raw figure.
//   node --conditions=@tributary/source --import tsx bench/postgres-ingest.ts
//   BENCH_RECORDS=100000 BENCH_BATCH=1000 DATABASE_URL=postgres://postgres@127.0.0.1:5432/test
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { TributaryRecord } from '@tributary/core/record';
import { createPostgresStorage } from '@tributary/adapters/postgres';
import { copyLines, envInt, generateRecords, RAW_COLUMNS, RAW_STAGING, rawMerge, rawTables, timed } from './postgres-dataset.js';

/** The little of node-postgres used here (its types live with the adapters package). */
interface PgClient {
  query(text: string | object, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  release(): void;
}
interface PgPool {
  connect(): Promise<PgClient>;
  query(text: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  end(): Promise<void>;
}
// The adapter's own client, so both sides use the same pg.
const pg = createRequire(new URL('../packages/adapters/package.json', import.meta.url))('pg') as { Pool: new (config: object) => PgPool };

const URL_ = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const RECORDS = envInt('BENCH_RECORDS', 100_000);
const BATCH = envInt('BENCH_BATCH', 1000);
const schema = `bench_ingest_${randomUUID().replace(/-/g, '').slice(0, 8)}`;

/** COPY … FROM STDIN with node-postgres alone (what pg-copy-streams does, in a few lines). */
export function copyFrom(client: PgClient, statement: string, data: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const submittable = {
      callback: (error: Error | null) => (error ? reject(error) : resolve()),
      submit(connection: { query(text: string): void }) {
        connection.query(statement);
      },
      handleCopyInResponse(connection: { sendCopyFromChunk(chunk: Buffer): void; endCopyFrom(): void }) {
        connection.sendCopyFromChunk(Buffer.from(data));
        connection.endCopyFrom();
      },
      handleReadyForQuery() {
        this.callback(null);
      },
      handleError(error: Error) {
        this.callback(error);
      },
      handleCommandComplete() {},
      handleRowDescription() {},
      handleDataRow() {},
      handleEmptyQuery() {},
      handlePortalSuspended() {},
      handleCopyData() {},
    };
    void client.query(submittable);
  });
}

const batches = (records: TributaryRecord[]) => Array.from({ length: Math.ceil(records.length / BATCH) }, (_, i) => records.slice(i * BATCH, (i + 1) * BATCH));

async function main() {
  console.log(`PostgreSQL ingest: ${RECORDS} records in batches of ${BATCH} (schema ${schema})`);
  const records = generateRecords('ws_bench', RECORDS, { seed: 1 });
  const warm = generateRecords('ws_warm', Math.min(5000, RECORDS), { seed: 2 });
  const storage = createPostgresStorage({ connectionString: URL_, schema, maxConnections: 1, applicationName: 'tributary-bench' });
  const pool = new pg.Pool({ connectionString: URL_, max: 1 });
  const client = await pool.connect();
  try {
    await storage.connect();
    for (const statement of rawTables(schema)) await client.query(statement);
    await client.query(RAW_STAGING);

    const raw = async (list: TributaryRecord[]) => {
      for (const batch of batches(list)) {
        await client.query('BEGIN');
        await copyFrom(client, `COPY raw_staging (${RAW_COLUMNS.join(', ')}) FROM STDIN`, copyLines(batch));
        await client.query(rawMerge(schema));
        await client.query('COMMIT');
      }
    };
    const adapter = async (list: TributaryRecord[]) => {
      for (const batch of batches(list)) await storage.upsertRecords(batch);
    };

    await raw(warm);
    await adapter(warm);
    const rawMs = await timed(() => raw(records));
    const adapterMs = await timed(() => adapter(records));
    const rawAgainMs = await timed(() => raw(records));
    const adapterAgainMs = await timed(() => adapter(records));

    const rate = (ms: number) => Math.round(RECORDS / (ms / 1000));
    const row = (label: string, ms: number) => console.log(`  ${label.padEnd(58)} ${String(rate(ms)).padStart(8)} records/s  (${(ms / 1000).toFixed(2)} s)`);
    console.log('first ingest (all new):');
    row('raw: COPY to staging + INSERT … ON CONFLICT (baseline)', rawMs);
    row('adapter: upsertRecords (keys, records, rollups, one tx)', adapterMs);
    console.log(`  adapter / raw = ${((rawMs / adapterMs) * 100).toFixed(1)}%  (goal ≥ 80%)`);
    console.log('same records again (all unchanged):');
    row('raw: COPY + ON CONFLICT … WHERE hash changed', rawAgainMs);
    row('adapter: upsertRecords → unchanged', adapterAgainMs);
    console.log(`  adapter / raw = ${((rawAgainMs / adapterAgainMs) * 100).toFixed(1)}%`);
  } finally {
    client.release();
    if (!process.env.BENCH_KEEP) await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await pool.end();
    await storage.dispose();
  }
}

await main();
