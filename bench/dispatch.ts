// Dispatch benchmark (issue 4): a strict local target (PER_SECOND req/s, BURST, 429 above it, 5% 500s,
// 2% answers slower than the 5 s timeout) and EVENTS events, once with one dispatcher process and once
// with three processes sharing the limit through the Redis limiter. Prints acknowledged events, losses,
// duplicates the target saw, 429s and the sustained request rate as a share of the limit.
//   node --conditions=@tributary/source --import tsx bench/dispatch.ts      (EVENTS=20000 by default: ~7 min a mode)
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { startStrictTarget, type TargetStats } from './dispatch-target.js';
import { runDispatcher } from './dispatch-worker.js';

const EVENTS = Number(process.env.EVENTS ?? 20_000);
const PER_SECOND = Number(process.env.PER_SECOND ?? 50);
const BURST = Number(process.env.BURST ?? 10);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const MODES = (process.env.MODES ?? 'one,three').split(',');

function report(mode: string, stats: TargetStats, durationMs: number, deadLetters: number) {
  const acknowledged = stats.keys.size;
  const duplicates = [...stats.keys.values()].reduce((n, c) => n + (c - 1), 0);
  const activeSeconds = (stats.lastAt - stats.firstAt) / 1000;
  const requestRate = stats.requests - stats.rejected429;
  // Sustained rate: the median of the per-second admitted counts, leaving out the first second and
  // the tail (seconds after the backlog ran out, when only the last retries trickle in).
  const perSecond = Array.from(stats.admittedPerSecond, (n) => n ?? 0);
  const busy = perSecond.slice(1, Math.max(2, perSecond.findLastIndex((n) => n >= PER_SECOND * 0.5)));
  const sorted = [...busy].sort((a, b) => a - b);
  const median = sorted.length ? sorted[Math.floor(sorted.length / 2)]! : 0;
  console.log(`\n## ${mode}`);
  console.table({
    events: EVENTS,
    'acknowledged by target': acknowledged,
    lost: EVENTS - acknowledged,
    'dead letters': deadLetters,
    'duplicates seen by target': duplicates,
    requests: stats.requests,
    '429s': stats.rejected429,
    '429 share of requests': `${((stats.rejected429 / stats.requests) * 100).toFixed(3)}% (goal < 0.5%)`,
    '500s': stats.errors500,
    'slow answers': stats.slow,
    'run seconds': (durationMs / 1000).toFixed(1),
    'sustained admitted requests/s (median second)': median,
    'sustained share of the limit': `${((median / PER_SECOND) * 100).toFixed(1)}% (goal >= 95%)`,
    'whole-run average requests/s (with start and tail)': (requestRate / activeSeconds).toFixed(2),
    'accepted events/s': (stats.accepted / activeSeconds).toFixed(2),
  });
}

console.log(`dispatch benchmark: ${EVENTS} events, target limit ${PER_SECOND}/s burst ${BURST}, 5% 500s, 2% slower than the 5 s timeout`);
console.log('baseline: the target limit itself (the most any sender may achieve), measured against in the same run');

if (MODES.includes('one')) {
  const target = await startStrictTarget({ perSecond: PER_SECOND, burst: BURST, errorRate: 0.05, slowRate: 0.02, slowMs: 6000 });
  const result = await runDispatcher({ url: target.url, from: 0, count: EVENTS, perSecond: PER_SECOND, burst: BURST, limitKey: 'bench-one' });
  await new Promise((r) => setTimeout(r, 6500)); // let slow answers land before counting
  report('one dispatcher process (in-process limiter)', target.stats, result.durationMs, result.deadLetters);
  target.server.close();
}

if (MODES.includes('three')) {
  const target = await startStrictTarget({ perSecond: PER_SECOND, burst: BURST, errorRate: 0.05, slowRate: 0.02, slowMs: 6000 });
  const limitKey = `bench-three-${randomUUID()}`;
  const share = Math.ceil(EVENTS / 3);
  const started = Date.now();
  const results = await Promise.all(
    [0, 1, 2].map(
      (i) =>
        new Promise<{ deadLetters: number; durationMs: number }>((resolve, reject) => {
          const job = { url: target.url, from: i * share, count: Math.min(share, EVENTS - i * share), perSecond: PER_SECOND, burst: BURST, redisUrl: REDIS_URL, limitKey };
          const child = spawn(process.execPath, ['--conditions=@tributary/source', '--import', 'tsx', join(import.meta.dirname, 'dispatch-worker.ts')], { env: { ...process.env, DISPATCH_JOB: JSON.stringify(job) }, stdio: ['ignore', 'pipe', 'inherit'] });
          let out = '';
          child.stdout.on('data', (c) => (out += c));
          child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`worker ${i} exited ${code}`))));
        }),
    ),
  );
  await new Promise((r) => setTimeout(r, 6500));
  report('three dispatcher processes sharing the limit (Redis limiter)', target.stats, Date.now() - started, results.reduce((n, r) => n + r.deadLetters, 0));
  target.server.close();
}
process.exit(0);
