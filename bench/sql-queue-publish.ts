/**
 * SQL queue publish throughput with and without group commit (issue 7): N concurrent publishers, each
 * publishing one message at a time and awaiting it (as N concurrent ingest requests do), on the PGlite
 * queue (a data directory, as the server uses) and the PostgreSQL queue, both modes in the same run.
 *
 *   node --conditions=@tributary/source --import tsx bench/sql-queue-publish.ts
 *
 * `off` is `groupCommit: false` (one transaction per publish, the behaviour before group commit);
 * `on` is the default. Modes alternate who goes first over the rounds; the best round counts. A
 * consumer group is registered first (untimed), so each publish also writes its delivery row, as
 * behind a running pipeline. Commits are counted at the driver (PGlite `transaction`, pg `COMMIT`).
 *
 * Environment: BENCH_PUBLISHERS (50), BENCH_SECONDS (5 per case), BENCH_ROUNDS (3), BENCH_PAYLOAD
 * bytes (1000), BENCH_ENGINES (pglite,postgres), BENCH_DATABASE_URL
 * (postgres://postgres@127.0.0.1:5432/test; a schema of its own is created and dropped).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { QueueAdapter } from '@tributary/core/queue';
import { createPgliteQueue } from '@tributary/adapters/pglite';
import { createPostgresQueue } from '@tributary/adapters/postgres';

type Pg = typeof import('../packages/adapters/node_modules/@types/pg');
type PGliteClass = typeof import('../packages/adapters/node_modules/@electric-sql/pglite').PGlite;
const adaptersDir = join(dirname(fileURLToPath(import.meta.url)), '../packages/adapters/package.json');
const requireFromAdapters = createRequire(adaptersDir);
const pg = requireFromAdapters('pg') as Pg;

const envInt = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
};
const PUBLISHERS = envInt('BENCH_PUBLISHERS', 50);
const SECONDS = envInt('BENCH_SECONDS', 5);
const ROUNDS = envInt('BENCH_ROUNDS', 3);
const PAYLOAD = envInt('BENCH_PAYLOAD', 1000);
const ENGINES = (process.env.BENCH_ENGINES ?? 'pglite,postgres').split(',').map((e) => e.trim());
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

interface Result {
  messages: number;
  commits: number;
  perSecond: number;
  p50: number;
  p99: number;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

/** PUBLISHERS loops publishing one message each until the time is up. */
async function run(queue: QueueAdapter, topic: string, commits: () => number): Promise<Result> {
  const filler = 'x'.repeat(PAYLOAD);
  const latencies: number[] = [];
  const commitsBefore = commits();
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  let n = 0;
  await Promise.all(
    Array.from({ length: PUBLISHERS }, async (_, p) => {
      while (performance.now() < deadline) {
        const t = performance.now();
        await queue.publish(topic, { workspaceId: 'ws_bench', publisher: p, n: n++, filler }, { headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } });
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { messages: latencies.length, commits: commits() - commitsBefore, perSecond: latencies.length / seconds, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99) };
}

interface Engine {
  name: string;
  open(groupCommit: boolean): QueueAdapter;
  commits(): number;
  close(): Promise<void>;
}

async function pgliteEngine(): Promise<Engine> {
  const entry = requireFromAdapters.resolve('@electric-sql/pglite').replace(/index\.cjs$/, 'index.js');
  const { PGlite } = (await import(pathToFileURL(entry).href)) as { PGlite: PGliteClass };
  const dir = await mkdtemp(join(tmpdir(), 'tributary-bench-sqlq-'));
  const db = await PGlite.create({ dataDir: dir });
  let commits = 0;
  const transaction = db.transaction.bind(db);
  db.transaction = ((fn: Parameters<typeof transaction>[0]) => {
    commits++;
    return transaction(fn);
  }) as typeof db.transaction;
  return {
    name: `PGlite (directory ${dir})`,
    open: (groupCommit) => createPgliteQueue({ pglite: db, groupCommit: groupCommit ? {} : false }),
    commits: () => commits,
    async close() {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function postgresEngine(): Promise<Engine> {
  const schema = `bench_sqlq_${process.pid}`;
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 10 });
  let commits = 0;
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      if (args[0] === 'COMMIT') commits++;
      return query(...args);
    };
  });
  await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  return {
    name: `PostgreSQL (${DATABASE_URL.replace(/\/\/[^@]*@/, '//')}, schema ${schema}, pool of 10)`,
    open: (groupCommit) => createPostgresQueue({ pool, schema, groupCommit: groupCommit ? {} : false }),
    commits: () => commits,
    async close() {
      await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await pool.end();
    },
  };
}

const fmt = (r: Result) => `${Math.round(r.perSecond).toLocaleString('en')} msg/s, ${(r.messages / Math.max(1, r.commits)).toFixed(1)} msg/commit, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms`;

async function bench(engine: Engine) {
  console.log(`\n${engine.name}: ${PUBLISHERS} publishers, ${SECONDS} s per case, ${ROUNDS} rounds, ${PAYLOAD}-byte payloads`);
  const best: Record<'off' | 'on', Result | undefined> = { off: undefined, on: undefined };
  for (let round = 0; round < ROUNDS; round++) {
    const order: ('off' | 'on')[] = round % 2 === 0 ? ['off', 'on'] : ['on', 'off'];
    for (const mode of order) {
      const queue = engine.open(mode === 'on');
      const topic = `bench.publish.${mode}.${round}`;
      const sub = await queue.consume(topic, () => undefined, { group: 'bench' });
      await sub.close();
      await queue.publish(topic, { warm: true }); // connects and migrates, untimed
      const result = await run(queue, topic, engine.commits);
      const stats = await queue.stats(topic);
      if (stats.depth !== result.messages + 1) throw new Error(`${mode}: ${result.messages} published but the topic holds ${stats.depth - 1}`);
      console.log(`  round ${round + 1} group commit ${mode.padEnd(3)}: ${fmt(result)}`);
      if (!best[mode] || result.perSecond > best[mode]!.perSecond) best[mode] = result;
      await queue.dispose();
    }
  }
  const off = best.off!;
  const on = best.on!;
  console.log(`  best: off ${fmt(off)}\n        on  ${fmt(on)}\n        on/off = ${(on.perSecond / off.perSecond).toFixed(2)}×`);
}

async function main() {
  console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  for (const name of ENGINES) {
    const engine = name === 'pglite' ? await pgliteEngine() : name === 'postgres' ? await postgresEngine() : undefined;
    if (!engine) throw new Error(`unknown engine ${name}`);
    try {
      await bench(engine);
    } finally {
      await engine.close();
    }
  }
  console.log(`\nload average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

await main();
