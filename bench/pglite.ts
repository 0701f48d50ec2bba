// PGlite figures (issue 5): what the embedded default can carry. Ingest through the adapter's batched
// upsert against the raw client doing COPY (from a blob) into a staging table + INSERT … ON CONFLICT,
// batch by batch in turns, then the daily-by-source report through aggregate() against the same GROUP
// BY on raw rows, all on one PGlite instance in the same run.
//   node --conditions=@tributary/source --import tsx bench/pglite.ts
//   BENCH_RECORDS=100000 BENCH_BATCH=1000 BENCH_RUNS=7 BENCH_PGLITE_MEMORY=1 (default: a temp directory, as the server uses)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { TributaryRecord } from '@tributary/core/record';
import { createPgliteStorage } from '@tributary/adapters/pglite';
import { copyLines, envInt, generateRecords, median, RAW_COLUMNS, RAW_STAGING, rawMerge, rawTables, timed } from './postgres-dataset.js';

/** The little of PGlite used here (the package lives with the adapters package). */
interface Db {
  query(text: string, params?: unknown[], options?: { blob?: Blob }): Promise<{ rows: unknown[] }>;
  transaction<T>(fn: (tx: Pick<Db, 'query'>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
async function loadPglite(): Promise<{ create(options: object): Promise<Db> }> {
  const entry = createRequire(new URL('../packages/adapters/package.json', import.meta.url)).resolve('@electric-sql/pglite').replace(/index\.cjs$/, 'index.js');
  return ((await import(pathToFileURL(entry).href)) as { PGlite: { create(options: object): Promise<Db> } }).PGlite;
}

const RECORDS = envInt('BENCH_RECORDS', 100_000);
const BATCH = envInt('BENCH_BATCH', 1000);
const RUNS = envInt('BENCH_RUNS', 7);
const END = Date.UTC(2026, 9, 1);
const DAYS = 90;
const schema = 'tributary';

async function main() {
  const memory = Boolean(process.env.BENCH_PGLITE_MEMORY);
  const dir = memory ? undefined : await mkdtemp(join(tmpdir(), 'tributary-bench-pglite-'));
  const startedAt = performance.now();
  const db = await (await loadPglite()).create(dir ? { dataDir: dir } : {});
  console.log(`PGlite (${dir ? `directory ${dir}` : 'in memory'}, opened in ${Math.round(performance.now() - startedAt)} ms): ${RECORDS} records over ${DAYS} days, batches of ${BATCH}`);
  const storage = createPgliteStorage({ pglite: db as never, schema });
  try {
    await storage.connect();
    for (const statement of rawTables(schema)) await db.query(statement);
    await db.query(RAW_STAGING);
    const records = generateRecords('ws_bench', RECORDS, { days: DAYS, end: END, seed: 1 });
    const batches = (list: TributaryRecord[]) => Array.from({ length: Math.ceil(list.length / BATCH) }, (_, i) => list.slice(i * BATCH, (i + 1) * BATCH));

    const raw = async (batch: TributaryRecord[]) => {
      await db.transaction(async (tx) => {
        await tx.query(`COPY raw_staging (${RAW_COLUMNS.join(', ')}) FROM '/dev/blob'`, [], { blob: new Blob([copyLines(batch)]) });
        await tx.query(rawMerge(schema));
      });
    };
    const adapter = async (batch: TributaryRecord[]) => {
      await storage.upsertRecords(batch);
    };
    const warm = generateRecords('ws_warm', Math.min(2000, RECORDS), { seed: 2 });
    for (const batch of batches(warm)) {
      await raw(batch);
      await adapter(batch);
    }
    // Batch by batch, taking turns, so load from other work on the machine falls on both alike. PGlite
    // runs in this thread: CPU time is its work and ours together.
    let rawMs = 0;
    let adapterMs = 0;
    let rawCpuMs = 0;
    let adapterCpuMs = 0;
    const measured = async (fn: (batch: TributaryRecord[]) => Promise<void>, batch: TributaryRecord[]) => {
      const cpu = process.cpuUsage();
      const ms = await timed(() => fn(batch));
      const used = process.cpuUsage(cpu);
      return [ms, (used.user + used.system) / 1000] as const;
    };
    for (const [i, batch] of batches(records).entries()) {
      const order = i % 2 === 0 ? (['raw', 'adapter'] as const) : (['adapter', 'raw'] as const);
      for (const side of order) {
        const [ms, cpu] = await measured(side === 'raw' ? raw : adapter, batch);
        if (side === 'raw') {
          rawMs += ms;
          rawCpuMs += cpu;
        } else {
          adapterMs += ms;
          adapterCpuMs += cpu;
        }
      }
    }
    const rate = (ms: number) => Math.round(RECORDS / (ms / 1000));
    const perK = (ms: number) => (ms / (RECORDS / 1000)).toFixed(1);
    console.log('ingest (all new):');
    console.log(`  raw: COPY from blob + INSERT … ON CONFLICT (baseline)   ${String(rate(rawMs)).padStart(7)} records/s  (${(rawMs / 1000).toFixed(2)} s; CPU ${perK(rawCpuMs)} ms per 1000)`);
    console.log(`  adapter: upsertRecords (keys, records, rollups)        ${String(rate(adapterMs)).padStart(7)} records/s  (${(adapterMs / 1000).toFixed(2)} s; CPU ${perK(adapterCpuMs)} ms per 1000)`);
    console.log(`  adapter / raw = ${((rawMs / adapterMs) * 100).toFixed(1)}%, by CPU time ${((rawCpuMs / adapterCpuMs) * 100).toFixed(1)}%`);

    const from = new Date(END - DAYS * 86_400_000).toISOString();
    const to = new Date(END).toISOString();
    const query = { workspaceId: 'ws_bench', from, to, bucket: 'day' as const, groupBy: ['sourceId' as const] };
    const rawSql = `SELECT date_trunc('day', occurred_at, 'UTC') AS day, source_id, count(*) AS count, count(sentiment) AS sentiment_count,
        sum(sentiment_score) AS sentiment_sum, count(*) FILTER (WHERE sentiment = 'positive') AS positive,
        count(*) FILTER (WHERE sentiment = 'negative') AS negative, count(*) FILTER (WHERE sentiment = 'neutral') AS neutral,
        coalesce(sum(value), 0) AS value_sum, min(occurred_at) AS first_at, max(occurred_at) AS last_at
      FROM ${schema}.records WHERE workspace_id = $1 AND occurred_at >= $2 AND occurred_at < $3 GROUP BY 1, 2`;
    await db.query(`ANALYZE ${schema}.records`);
    const viaAdapter = await storage.aggregate(query);
    const viaRaw = await db.query(rawSql, ['ws_bench', from, to]);
    if (viaAdapter.length !== viaRaw.rows.length) throw new Error('report results differ');
    const adapterRuns: number[] = [];
    const rawRuns: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      adapterRuns.push(await timed(() => storage.aggregate(query)));
      rawRuns.push(await timed(() => db.query(rawSql, ['ws_bench', from, to])));
    }
    console.log(`report: daily buckets by source, ${viaAdapter.length} rows`);
    console.log(`  raw GROUP BY on records (baseline)   ${median(rawRuns).toFixed(1).padStart(8)} ms (median of ${RUNS})`);
    console.log(`  adapter aggregate() via rollups      ${median(adapterRuns).toFixed(1).padStart(8)} ms`);
    console.log(`  adapter / raw = ${((median(adapterRuns) / median(rawRuns)) * 100).toFixed(1)}%`);
  } finally {
    await storage.dispose();
    await db.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

await main();
