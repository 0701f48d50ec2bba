// Report latency on PostgreSQL (issue 5): daily buckets by source for one workspace over 90 days and
// BENCH_RECORDS records (1,000,000 by default), through the adapter's aggregate() (hourly rollups)
// against the same GROUP BY on the raw rows, in the same run. Goal: the adapter at ≤ 5% of the raw time.
// Also the insight report's query: topics by day over the 90 days through aggregateTopics() (topic
// rollups) against the same count over the raw rows' `analysis.topics`.
//   node --conditions=@tributary/source --import tsx bench/postgres-report.ts
//   BENCH_RECORDS=1000000 BENCH_RUNS=7 BENCH_RELOAD=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/test
// The records are loaded through the adapter once (a few minutes for 1,000,000) into the schema
// `bench_report` and reused by later runs with the same count; BENCH_RELOAD=1 loads them again.
import { createRequire } from 'node:module';
import type { AggregateQuery, TopicAggregateQuery } from '@tributary/core/storage';
import { createPostgresStorage } from '@tributary/adapters/postgres';
import { envInt, generateRecords, median, timed } from './postgres-dataset.js';

interface PgPool {
  query(text: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  end(): Promise<void>;
}
const pg = createRequire(new URL('../packages/adapters/package.json', import.meta.url))('pg') as { Pool: new (config: object) => PgPool };

const URL_ = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const RECORDS = envInt('BENCH_RECORDS', 1_000_000);
const RUNS = envInt('BENCH_RUNS', 7);
const schema = process.env.BENCH_SCHEMA ?? 'bench_report';
const workspaceId = 'ws_report';
const END = Date.UTC(2026, 9, 1);
const DAYS = 90;
/** Bumped when the generated records change (2: feedback carries `analysis.topics`). */
const DATASET_VERSION = 2;
const from = new Date(END - DAYS * 86_400_000).toISOString();
const to = new Date(END).toISOString();

async function main() {
  const pool = new pg.Pool({ connectionString: URL_, max: 2 });
  if (process.env.BENCH_RELOAD) await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  const storage = createPostgresStorage({ connectionString: URL_, schema, maxConnections: 2, applicationName: 'tributary-bench' });
  try {
    const marker = await storage.getDocument<{ records: number; version?: number }>('bench', '_global', 'report-dataset');
    if (marker?.records !== RECORDS || marker.version !== DATASET_VERSION) {
      if (marker) {
        await storage.dispose();
        await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        return main();
      }
      console.log(`loading ${RECORDS} records over ${DAYS} days through the adapter (once; reused by later runs)…`);
      const chunk = 100_000;
      const started = performance.now();
      for (let offset = 0, seed = 1; offset < RECORDS; offset += chunk, seed++) {
        // Generated a slice at a time (each slice spans the whole 90 days) to bound memory.
        const slice = generateRecords(workspaceId, Math.min(chunk, RECORDS - offset), { days: DAYS, end: END, seed, offset, topics: true });
        for (let i = 0; i < slice.length; i += 2000) await storage.upsertRecords(slice.slice(i, i + 2000));
        process.stdout.write(`  ${offset + slice.length} records, ${Math.round((offset + slice.length) / ((performance.now() - started) / 1000))} records/s\r`);
      }
      console.log();
      await storage.putDocument('bench', '_global', 'report-dataset', { records: RECORDS, version: DATASET_VERSION });
      for (const table of ['records', 'rollups_source_hourly', 'rollups_hourly', 'rollups_topics_hourly']) await pool.query(`VACUUM ANALYZE ${schema}.${table}`);
    }

    const rawSql = (dim: string) => `SELECT date_trunc('day', occurred_at, 'UTC') AS day, ${dim}, count(*) AS count, count(sentiment) AS sentiment_count,
        sum(sentiment_score) AS sentiment_sum, count(*) FILTER (WHERE sentiment = 'positive') AS positive,
        count(*) FILTER (WHERE sentiment = 'negative') AS negative, count(*) FILTER (WHERE sentiment = 'neutral') AS neutral,
        coalesce(sum(value), 0) AS value_sum, min(occurred_at) AS first_at, max(occurred_at) AS last_at
      FROM ${schema}.records WHERE workspace_id = $1 AND occurred_at >= $2 AND occurred_at < $3 GROUP BY 1, 2`;

    const measure = async (label: string, query: AggregateQuery, dimColumn: string) => {
      // Warm both, then alternate, so caches and background load treat them alike.
      const viaAdapter = await storage.aggregate(query);
      const viaRaw = (await pool.query(rawSql(dimColumn), [workspaceId, from, to])).rows;
      const total = viaAdapter.reduce((n, r) => n + r.count, 0);
      const rawTotal = viaRaw.reduce((n, r) => n + Number(r.count), 0);
      if (viaAdapter.length !== viaRaw.length || total !== rawTotal) throw new Error(`${label}: results differ (${viaAdapter.length} rows/${total} vs ${viaRaw.length} rows/${rawTotal})`);
      const adapterMs: number[] = [];
      const rawMs: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        adapterMs.push(await timed(() => storage.aggregate(query)));
        rawMs.push(await timed(() => pool.query(rawSql(dimColumn), [workspaceId, from, to])));
      }
      const a = median(adapterMs);
      const r = median(rawMs);
      console.log(`${label}: ${viaAdapter.length} rows, ${total} records`);
      console.log(`  raw GROUP BY on records (baseline)      ${r.toFixed(1).padStart(9)} ms (median of ${RUNS})`);
      console.log(`  adapter aggregate() via ${storage.explainAggregate(query).padEnd(22)}${a.toFixed(1).padStart(9)} ms`);
      console.log(`  adapter / raw = ${((a / r) * 100).toFixed(1)}%`);
    };

    console.log(`PostgreSQL report over ${RECORDS} records, one workspace, ${DAYS} days (schema ${schema})`);
    await measure('daily buckets by source (goal ≤ 5%)', { workspaceId, from, to, bucket: 'day', groupBy: ['sourceId'] }, 'source_id');
    await measure('daily buckets by sentiment (full-dimension rollup)', { workspaceId, from, to, bucket: 'day', groupBy: ['sentiment'] }, 'sentiment');

    // Topics by day, as the insight report asks for them.
    const topicQuery: TopicAggregateQuery = { workspaceId, from, to, bucket: 'day' };
    const rawTopics = `SELECT date_trunc('day', r.occurred_at, 'UTC') AS day, t.topic, count(*) AS count, count(r.sentiment) AS sentiment_count,
        sum(r.sentiment_score) AS sentiment_sum, count(*) FILTER (WHERE r.sentiment = 'positive') AS positive,
        count(*) FILTER (WHERE r.sentiment = 'negative') AS negative, count(*) FILTER (WHERE r.sentiment = 'neutral') AS neutral
      FROM ${schema}.records r CROSS JOIN LATERAL (SELECT DISTINCT jsonb_array_elements_text(r.body->'analysis'->'topics') AS topic) t
      WHERE r.workspace_id = $1 AND r.occurred_at >= $2 AND r.occurred_at < $3 GROUP BY 1, 2`;
    const viaAdapter = await storage.aggregateTopics(topicQuery);
    const viaRaw = (await pool.query(rawTopics, [workspaceId, from, to])).rows;
    const total = viaAdapter.reduce((n, r) => n + r.count, 0);
    if (viaAdapter.length !== viaRaw.length || total !== viaRaw.reduce((n, r) => n + Number(r.count), 0)) throw new Error('topics: results differ');
    const adapterMs: number[] = [];
    const rawMs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      adapterMs.push(await timed(() => storage.aggregateTopics(topicQuery)));
      rawMs.push(await timed(() => pool.query(rawTopics, [workspaceId, from, to])));
    }
    console.log(`topics by day (insight report): ${viaAdapter.length} rows, ${total} record-topic pairs`);
    console.log(`  raw GROUP BY over analysis.topics (baseline) ${median(rawMs).toFixed(1).padStart(9)} ms (median of ${RUNS})`);
    console.log(`  adapter aggregateTopics() via ${storage.explainAggregateTopics(topicQuery).padEnd(22)}${median(adapterMs).toFixed(1).padStart(9)} ms`);
    console.log(`  adapter / raw = ${((median(adapterMs) / median(rawMs)) * 100).toFixed(1)}%`);
  } finally {
    await storage.dispose();
    await pool.end();
  }
}

await main();
