// Soak (issue 8): the reference server as one process on loopback takes a steady stream of events —
// records API batches and signed webhooks, every event delivered to a local target — for SOAK_SECONDS
// (ten minutes by default), with its memory sampled every second: RSS read from /proc/<pid>/status
// (the view from outside the process) and the V8 heap the process reports of itself. Prints heap and
// RSS min / max / last, the slope of each over the second half of the run (after warm-up), and
// whether memory stayed bounded; also how many events were accepted, stored and delivered.
//
//   node --conditions=@tributary/source --import tsx bench/soak.ts
//   SOAK_SECONDS=600 SOAK_RATE=50 SOAK_ENGINE=pglite|postgres+redis node --conditions=@tributary/source --import tsx bench/soak.ts
//
// SOAK_HEAP_SNAPSHOTS=60,300 writes V8 heap snapshots of the server at those seconds (into the run's
// log directory, which is then kept) to find what grows.
//
// SOAK_ENGINE: `pglite` (the default: the server out of the box, embedded PGlite store and queue) or
// `postgres+redis` (PostgreSQL at 127.0.0.1:5432, database of its own, and Redis, a logical database
// of its own). Bounded means: over the second half of the run, RSS grows by less than
// SOAK_MAX_RSS_SLOPE MB/min (default 2) and the heap by less than SOAK_MAX_HEAP_SLOPE MB/min (default 1),
// and the pipeline kept up (everything accepted was delivered by the end). Exits 1 otherwise.
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createCluster } from '../test/reliability/helpers/cluster.js';
import { sendLoad, setUpWorkspace } from '../test/reliability/helpers/load.js';
import { claimRedisDatabase, createDatabase } from '../test/reliability/helpers/services.js';
import { startTarget } from '../test/reliability/helpers/target.js';
import { deliveredIds } from '../test/reliability/helpers/verify.js';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const RATE = Number(process.env.SOAK_RATE ?? 50);
const ENGINE = process.env.SOAK_ENGINE ?? 'pglite';
const MAX_RSS_SLOPE = Number(process.env.SOAK_MAX_RSS_SLOPE ?? 2);
const MAX_HEAP_SLOPE = Number(process.env.SOAK_MAX_HEAP_SLOPE ?? 1);
const MB = 1024 * 1024;
const SNAPSHOTS = (process.env.SOAK_HEAP_SNAPSHOTS ?? '').split(',').filter(Boolean).map(Number);

interface Sample {
  /** Seconds since the load started. */
  t: number;
  rssMb: number;
  heapMb?: number;
  /** Memory of the main thread's isolate outside its heap (Buffers, ArrayBuffers): `external` of process.memoryUsage(). */
  externalMb?: number;
}

/** Least-squares slope of y over t, per minute. */
function slopePerMinute(points: { t: number; y: number }[]): number {
  if (points.length < 2) return 0;
  const n = points.length;
  const mt = points.reduce((s, p) => s + p.t, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.t - mt) * (p.y - my);
    den += (p.t - mt) ** 2;
  }
  return den === 0 ? 0 : (num / den) * 60;
}

function rssOf(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb ? (Number(kb) * 1024) / MB : undefined;
  } catch {
    return undefined;
  }
}

async function main() {
  const cleanups: (() => Promise<void>)[] = [];
  const target = await startTarget();
  cleanups.push(() => target.close());
  const env: Record<string, string> = { TRIBUTARY_ALLOWED_HOSTS: `127.0.0.1:${target.port}`, RELIABILITY_MEMORY_MS: '1000', LOG_LEVEL: 'warn' };
  if (ENGINE === 'postgres+redis') {
    const db = await createDatabase('soak');
    cleanups.push(() => db.drop());
    const redis = await claimRedisDatabase();
    cleanups.push(() => redis.release());
    Object.assign(env, { DATABASE_URL: db.url, REDIS_URL: redis.url });
  } else if (ENGINE !== 'pglite') {
    throw new Error(`SOAK_ENGINE must be pglite or postgres+redis, not ${ENGINE}`);
  }
  let heapMb: number | undefined;
  let externalMb: number | undefined;
  const cluster = createCluster({
    env,
    single: true,
    label: 'soak',
    nodeArgs: [
      ...(SNAPSHOTS.length ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${tmpdir()}`] : []),
      // SOAK_CPU_PROF=<dir>: a CPU profile of the server, written when it stops.
      ...(process.env.SOAK_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.SOAK_CPU_PROF}`] : []),
    ],
    onOutput: (_member, chunk) => {
      for (const line of chunk.split('\n')) {
        const m = /^memory (\{.*\})$/.exec(line.trim());
        if (!m) continue;
        const usage = JSON.parse(m[1]!) as { heapUsed: number; external: number };
        heapMb = usage.heapUsed / MB;
        externalMb = usage.external / MB;
      }
    },
  });
  cleanups.push(async () => {
    await cluster.stop();
    if (!SNAPSHOTS.length) cluster.cleanup();
  });
  try {
    await cluster.start();
    const server = cluster.api;
    const ws = await setUpWorkspace(server.url, cluster.adminToken, target.url, { perSecond: Math.max(100, RATE * 4) });
    console.log(`soak: ${SECONDS} s at ${RATE} events/s against the server (${ENGINE}, pid ${server.pid}) on ${server.url}; memory sampled every second`);

    const samples: Sample[] = [];
    const started = Date.now();
    for (const at of SNAPSHOTS) {
      setTimeout(() => {
        if (server.pid) process.kill(server.pid, 'SIGUSR2');
        console.log(`  heap snapshot of pid ${server.pid} requested at ${at} s (in ${tmpdir()})`);
      }, at * 1000).unref();
    }
    const sampler = setInterval(() => {
      const rss = server.pid ? rssOf(server.pid) : undefined;
      if (rss !== undefined) samples.push({ t: (Date.now() - started) / 1000, rssMb: rss, ...(heapMb !== undefined ? { heapMb } : {}), ...(externalMb !== undefined ? { externalMb } : {}) });
      const last = samples[samples.length - 1];
      if (last && samples.length % 60 === 0) {
        console.log(`  ${Math.round(last.t)} s: RSS ${last.rssMb.toFixed(1)} MB, heap ${last.heapMb?.toFixed(1) ?? '?'} MB, external ${last.externalMb?.toFixed(1) ?? '?'} MB, delivered ${deliveredIds(target).size}`);
      }
    }, 1000);
    // Small requests, as a steady trickle rather than bursts: batches of 10, webhooks of 2.
    const load = await sendLoad(ws, { total: Math.round(SECONDS * RATE), ratePerSecond: RATE, recordsBatch: 10, webhookBatch: 2, concurrency: 4, attempts: 100 });
    // A little more time for the pipeline to deliver the last events, still sampled.
    const deadline = Date.now() + 60_000;
    while (deliveredIds(target).size < load.accepted.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    clearInterval(sampler);
    const delivered = [...load.accepted].filter((id) => deliveredIds(target).has(id)).length;

    const half = samples.filter((s) => s.t >= SECONDS / 2);
    const stat = (values: number[]) => ({ min: Math.min(...values), max: Math.max(...values), last: values[values.length - 1]! });
    const rss = stat(samples.map((s) => s.rssMb));
    const heapValues = samples.flatMap((s) => (s.heapMb !== undefined ? [s.heapMb] : []));
    const heap = heapValues.length ? stat(heapValues) : undefined;
    const rssSlope = slopePerMinute(half.map((s) => ({ t: s.t, y: s.rssMb })));
    const heapSlope = slopePerMinute(half.flatMap((s) => (s.heapMb !== undefined ? [{ t: s.t, y: s.heapMb }] : [])));
    const externalValues = samples.flatMap((s) => (s.externalMb !== undefined ? [s.externalMb] : []));
    const external = externalValues.length ? stat(externalValues) : undefined;
    const externalSlope = slopePerMinute(half.flatMap((s) => (s.externalMb !== undefined ? [{ t: s.t, y: s.externalMb }] : [])));
    const bounded = rssSlope < MAX_RSS_SLOPE && (!heap || heapSlope < MAX_HEAP_SLOPE);
    const keptUp = delivered === load.accepted.size;
    const f = (n: number) => n.toFixed(1);
    console.log(`\nsoak results (${samples.length} samples over ${f((Date.now() - started) / 1000)} s, ${ENGINE})`);
    console.table({
      'RSS (MB)': { min: f(rss.min), max: f(rss.max), last: f(rss.last), 'slope, 2nd half (MB/min)': rssSlope.toFixed(2) },
      ...(heap ? { 'heap used (MB)': { min: f(heap.min), max: f(heap.max), last: f(heap.last), 'slope, 2nd half (MB/min)': heapSlope.toFixed(2) } } : {}),
      // Not part of the verdict: tells whether RSS growth is the main thread's buffers or elsewhere
      // (a worker thread's WebAssembly memory, such as PGlite's, or native allocations).
      ...(external ? { 'external, main thread (MB)': { min: f(external.min), max: f(external.max), last: f(external.last), 'slope, 2nd half (MB/min)': externalSlope.toFixed(2) } } : {}),
    });
    console.log(`events: sent ${Math.round(SECONDS * RATE)}, accepted ${load.accepted.size}, delivered ${delivered}, requests ${load.requests}, refused and retried ${JSON.stringify(load.refused)}`);
    console.log(`memory bounded: ${bounded ? 'yes' : 'NO'} (RSS slope < ${MAX_RSS_SLOPE} MB/min${heap ? `, heap slope < ${MAX_HEAP_SLOPE} MB/min` : ''} over the second half); pipeline kept up: ${keptUp ? 'yes' : 'NO'}`);
    process.exitCode = bounded && keptUp ? 0 : 1;
  } finally {
    for (const c of cleanups.reverse()) await c().catch((e: Error) => console.warn(`cleanup: ${e.message}`));
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
