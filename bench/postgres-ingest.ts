// Storage ingest on PostgreSQL (issue 5): records/s through the adapter's batched upsert (revisions,
// history, hourly rollups in the same transaction) against the raw client doing plain COPY into a
// staging table + INSERT … ON CONFLICT into a keyed table, same records, same batches, same pg client,
// one connection each, in the same run. Goal: the adapter at ≥ 80% of the raw figure.
//   node --conditions=@tributary/source --import tsx bench/postgres-ingest.ts
//   BENCH_RECORDS=100000 BENCH_BATCH=1000 BENCH_TOPICS=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/test
//
// The two sides take turns batch by batch (which one goes first alternates), so load from other work
// on the machine falls on both alike. Wall time decides the ratio; when the server runs on this machine,
// the CPU time of each side's backend (from /proc) and of this process is printed too, since CPU time
// moves far less than wall time on a busy machine. BENCH_TOPICS=1 gives feedback records
// `analysis.topics`, which the adapter also counts into its topic rollups (the raw side stores them in
// the body only, as it does everything else).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { TributaryRecord } from '@tributary/core/record';
import { createPostgresStorage } from '@tributary/adapters/postgres';
import { copyLines, envInt, generateRecords, RAW_COLUMNS, RAW_STAGING, rawMerge, rawTables } from './postgres-dataset.js';

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
const TOPICS = Boolean(process.env.BENCH_TOPICS);
const run = randomUUID().replace(/-/g, '').slice(0, 8);
const schema = `bench_ingest_${run}`;
const appName = `tributary-bench-${run}`;

/** COPY … FROM STDIN with node-postgres alone (what pg-copy-streams does, in a few lines). */
function copyFrom(client: PgClient, statement: string, data: string): Promise<void> {
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

/** CPU milliseconds a local backend has used, or null when /proc does not show it (a remote server). */
function backendCpuMs(pid: number | null): number | null {
  if (pid === null) return null;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, in 10 ms ticks
  } catch {
    return null;
  }
}

interface Totals {
  wallMs: number;
  serverCpuMs: number | null;
  clientCpuMs: number;
}

const batches = (records: TributaryRecord[]) => Array.from({ length: Math.ceil(records.length / BATCH) }, (_, i) => records.slice(i * BATCH, (i + 1) * BATCH));

async function main() {
  console.log(`PostgreSQL ingest: ${RECORDS} records in batches of ${BATCH}${TOPICS ? ', feedback with topics' : ''} (schema ${schema})`);
  const records = generateRecords('ws_bench', RECORDS, { seed: 1, topics: TOPICS });
  const warm = generateRecords('ws_warm', Math.min(5000, RECORDS), { seed: 2, topics: TOPICS });
  const storage = createPostgresStorage({ connectionString: URL_, schema, maxConnections: 1, applicationName: appName });
  const pool = new pg.Pool({ connectionString: URL_, max: 2 });
  const client = await pool.connect();
  try {
    await storage.connect();
    for (const statement of rawTables(schema)) await client.query(statement);
    await client.query(RAW_STAGING);
    const rawPid = Number((await client.query('SELECT pg_backend_pid() AS pid')).rows[0]!.pid);
    const adapterPid = Number((await pool.query('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [appName])).rows[0]?.pid ?? NaN);

    const raw = async (batch: TributaryRecord[]) => {
      await client.query('BEGIN');
      await copyFrom(client, `COPY raw_staging (${RAW_COLUMNS.join(', ')}) FROM STDIN`, copyLines(batch));
      await client.query(rawMerge(schema));
      await client.query('COMMIT');
    };
    const adapter = async (batch: TributaryRecord[]) => {
      await storage.upsertRecords(batch);
    };
    const measured = async (fn: (batch: TributaryRecord[]) => Promise<void>, batch: TributaryRecord[], pid: number, totals: Totals) => {
      const server = backendCpuMs(pid);
      const cpu = process.cpuUsage();
      const started = performance.now();
      await fn(batch);
      totals.wallMs += performance.now() - started;
      const used = process.cpuUsage(cpu);
      totals.clientCpuMs += (used.user + used.system) / 1000;
      const after = backendCpuMs(pid);
      totals.serverCpuMs = server === null || after === null || totals.serverCpuMs === null ? null : totals.serverCpuMs + after - server;
    };
    /** Both sides over the same batches, taking turns. */
    const pass = async (list: TributaryRecord[]) => {
      const rawTotals: Totals = { wallMs: 0, serverCpuMs: 0, clientCpuMs: 0 };
      const adapterTotals: Totals = { wallMs: 0, serverCpuMs: 0, clientCpuMs: 0 };
      for (const [i, batch] of batches(list).entries()) {
        if (i % 2 === 0) {
          await measured(raw, batch, rawPid, rawTotals);
          await measured(adapter, batch, adapterPid, adapterTotals);
        } else {
          await measured(adapter, batch, adapterPid, adapterTotals);
          await measured(raw, batch, rawPid, rawTotals);
        }
      }
      return { raw: rawTotals, adapter: adapterTotals };
    };

    for (const batch of batches(warm)) {
      await raw(batch);
      await adapter(batch);
    }
    const first = await pass(records);
    const again = await pass(records);

    const perK = (ms: number | null) => (ms === null ? '   n/a' : (ms / (RECORDS / 1000)).toFixed(1).padStart(6));
    const row = (label: string, t: Totals) =>
      console.log(`  ${label.padEnd(56)} ${String(Math.round(RECORDS / (t.wallMs / 1000))).padStart(7)} records/s  (${(t.wallMs / 1000).toFixed(2)} s; CPU ms per 1000: server ${perK(t.serverCpuMs)}, client ${perK(t.clientCpuMs)})`);
    const ratios = (r: Totals, a: Totals) => {
      const cpu = r.serverCpuMs !== null && a.serverCpuMs !== null ? `, by CPU time (server + client) ${(((r.serverCpuMs + r.clientCpuMs) / (a.serverCpuMs + a.clientCpuMs)) * 100).toFixed(1)}%` : '';
      return `adapter / raw = ${((r.wallMs / a.wallMs) * 100).toFixed(1)}%${cpu}`;
    };
    console.log('first ingest (all new):');
    row('raw: COPY to staging + INSERT … ON CONFLICT (baseline)', first.raw);
    row('adapter: upsertRecords (keys, records, rollups, one tx)', first.adapter);
    console.log(`  ${ratios(first.raw, first.adapter)}  (goal ≥ 80%)`);
    console.log('same records again (all unchanged):');
    row('raw: COPY + ON CONFLICT … WHERE hash changed', again.raw);
    row('adapter: upsertRecords → unchanged', again.adapter);
    console.log(`  ${ratios(again.raw, again.adapter)}`);
  } finally {
    client.release();
    if (!process.env.BENCH_KEEP) await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await pool.end();
    await storage.dispose();
  }
}

await main();
