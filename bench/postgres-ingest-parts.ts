// What each part of the PostgreSQL upsert costs (issue 5, why the ingest goal is or is not met): the
// adapter's statement for new records (bench/postgres-ingest.ts measures it through upsertRecords)
// with parts left out, each variant in its own schema, against the raw baseline, batch by batch in
// turns, in one run. The measure is the server CPU time of each variant's backend (read from /proc, so
// the server must run on this machine), which a busy machine disturbs far less than wall time.
//   node --conditions=@tributary/source --import tsx bench/postgres-ingest-parts.ts
//   BENCH_RECORDS=60000 BENCH_BATCH=1000 DATABASE_URL=postgres://postgres@127.0.0.1:5432/test
// The variants are internal knobs of this benchmark, not options of the adapter: leaving out the keys
// gives up idempotency, leaving out a rollup gives up the reports it serves.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { TributaryRecord } from '@tributary/core/record';
import { createPostgresStorage } from '@tributary/adapters/postgres';
import { BinaryCopyWriter } from '../packages/adapters/src/_sql/copy.js';
import { insertNewStatement, type InsertNewOmissions } from '../packages/adapters/src/_sql/insert-new.js';
import { STAGE_DDL, STAGE_TABLE, STAGED_COLUMNS, stagedRow } from '../packages/adapters/src/_sql/records.js';
import { copyFromStdin } from '../packages/adapters/src/postgres/executor.js';
import { copyLines, envInt, generateRecords, RAW_COLUMNS, RAW_STAGING, rawMerge, rawTables } from './postgres-dataset.js';

interface PgClient {
  query(text: string | object, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  release(): void;
}
interface PgPool {
  connect(): Promise<PgClient>;
  query(text: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  end(): Promise<void>;
}
const pg = createRequire(new URL('../packages/adapters/package.json', import.meta.url))('pg') as { Pool: new (config: object) => PgPool };

const URL_ = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const RECORDS = envInt('BENCH_RECORDS', 60_000);
const BATCH = envInt('BENCH_BATCH', 1000);
const WARM_BATCHES = 5;
const run = randomUUID().replace(/-/g, '').slice(0, 8);

interface Variant {
  label: string;
  /** null: the raw baseline. */
  omit: InsertNewOmissions | null;
  /** A COPY into the staging table and nothing else. */
  copyOnly?: boolean;
}

const ALL = ['rollups_source_hourly', 'rollups_hourly', 'rollups_topics_hourly'];
const VARIANTS: Variant[] = [
  { label: 'raw baseline: COPY (text) + INSERT … ON CONFLICT', omit: null },
  { label: 'adapter: COPY (binary) + the optimistic statement', omit: { allNew: true } },
  { label: '  the general statement instead (keys ON CONFLICT)', omit: {} },
  { label: '  without the topic rollup', omit: { allNew: true, rollups: ['rollups_topics_hourly'] } },
  { label: '  without the full-dimension rollup', omit: { allNew: true, rollups: ['rollups_hourly'] } },
  { label: '  without any rollup', omit: { allNew: true, rollups: ALL } },
  { label: '  without rollups and record_keys (records only)', omit: { keys: true, rollups: ALL } },
  { label: '  the COPY alone', omit: {}, copyOnly: true },
];

function backendCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function main() {
  console.log(`PostgreSQL upsert, part by part: ${RECORDS} records in batches of ${BATCH}, server CPU ms per 1000 records`);
  const records = generateRecords('ws_bench', RECORDS, { seed: 1 });
  const pool = new pg.Pool({ connectionString: URL_, max: VARIANTS.length + 1 });
  const lanes: { variant: Variant; schema: string; client: PgClient; pid: number; cpuMs: number; statement: string }[] = [];
  try {
    for (const [i, variant] of VARIANTS.entries()) {
      const schema = `bench_parts_${run}_${i}`;
      // The adapter's migrations make the tables; its partitions are created for the data's months.
      const storage = createPostgresStorage({ connectionString: URL_, schema, maxConnections: 1 });
      await storage.upsertRecords([records[0]!, records[records.length - 1]!]);
      await storage.dispose();
      await pool.query(`TRUNCATE ${schema}.record_keys, ${schema}.records, ${schema}.rollups_source_hourly, ${schema}.rollups_hourly, ${schema}.rollups_topics_hourly`);
      const client = await pool.connect();
      if (variant.omit === null) {
        for (const statement of rawTables(schema)) await client.query(statement);
        await client.query(RAW_STAGING);
      } else {
        await client.query(STAGE_DDL);
      }
      const pid = Number((await client.query('SELECT pg_backend_pid() AS pid')).rows[0]!.pid);
      lanes.push({ variant, schema, client, pid, cpuMs: 0, statement: variant.omit ? insertNewStatement(schema, variant.omit) : '' });
    }
    const batches = Array.from({ length: Math.ceil(records.length / BATCH) }, (_, i) => records.slice(i * BATCH, (i + 1) * BATCH));
    for (const [b, batch] of batches.entries()) {
      const order = b % 2 === 0 ? lanes : [...lanes].reverse();
      for (const lane of order) {
        const before = backendCpuMs(lane.pid);
        await lane.client.query('BEGIN');
        if (lane.variant.omit === null) {
          await copyFromStdin(lane.client as never, `COPY raw_staging (${RAW_COLUMNS.join(', ')}) FROM STDIN`, Buffer.from(copyLines(batch)));
          await lane.client.query(rawMerge(lane.schema));
        } else {
          const writer = new BinaryCopyWriter(STAGED_COLUMNS.length, batch.length * 1536);
          for (const record of batch as TributaryRecord[]) writer.row(stagedRow(record, 1));
          await copyFromStdin(lane.client as never, `COPY ${STAGE_TABLE} (${STAGED_COLUMNS.join(', ')}) FROM STDIN (FORMAT binary)`, writer.finish());
          // The optimistic statement runs inside a savepoint, as the adapter runs it.
          const savepoint = Boolean(lane.variant.omit.allNew) && !lane.variant.copyOnly;
          if (savepoint) await lane.client.query('SAVEPOINT parts');
          if (!lane.variant.copyOnly) await lane.client.query({ name: `parts_${lanes.indexOf(lane)}`, text: lane.statement });
          if (savepoint) await lane.client.query('RELEASE SAVEPOINT parts');
        }
        await lane.client.query('COMMIT');
        if (b >= WARM_BATCHES) lane.cpuMs += backendCpuMs(lane.pid) - before;
      }
    }
    const per1000 = (ms: number) => ms / ((batches.length - WARM_BATCHES) * (BATCH / 1000));
    const raw = per1000(lanes[0]!.cpuMs);
    for (const lane of lanes) console.log(`  ${lane.variant.label.padEnd(52)} ${per1000(lane.cpuMs).toFixed(1).padStart(6)} ms  (${((per1000(lane.cpuMs) / raw) * 100).toFixed(0).padStart(3)}% of raw)`);
  } finally {
    for (const lane of lanes) lane.client.release();
    for (const lane of lanes) await pool.query(`DROP SCHEMA IF EXISTS ${lane.schema} CASCADE`);
    await pool.end();
  }
}

await main();
