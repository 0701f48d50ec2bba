/**
 * File queue vs PGlite queue: durable publishes per second with 50 concurrent publishers, each
 * awaiting its own `publish()` (what an HTTP ingest answering 202 after a durable enqueue does), on
 * both queues in the same run, each on a fresh temp directory. Then the file queue drains what it
 * holds through one consumer (concurrency 64, each message acknowledged).
 *
 *   node --conditions=@tributary/source --import tsx bench/file-queue.ts
 *
 * Environment: BENCH_MESSAGES (20000 per round), BENCH_PUBLISHERS (50), BENCH_ROUNDS (3; the median
 * counts, sides alternate who goes first), BENCH_PGLITE_THREAD (worker, as the reference server; or main).
 * The file queue also runs with `fsync: 'never'` (not durable across power loss) to show what the
 * fdatasyncs cost.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { QueueAdapter } from '@tributary/core/queue';
import { createFileQueue } from '@tributary/adapters/file-queue';
import { createPgliteQueue } from '@tributary/adapters/pglite';

const envInt = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
};
const MESSAGES = envInt('BENCH_MESSAGES', 20_000);
const PUBLISHERS = envInt('BENCH_PUBLISHERS', 50);
const ROUNDS = envInt('BENCH_ROUNDS', 3);
const PGLITE_THREAD = process.env.BENCH_PGLITE_THREAD === 'main' ? 'main' : 'worker';

const payload = (n: number) => ({ n, source: 'bench', text: `feedback number ${n}: the export button does nothing`, score: (n % 10) / 10 });

interface Side {
  name: string;
  create(dir: string): QueueAdapter;
}
const sides: Side[] = [
  { name: 'file queue (fsync always)', create: (dir) => createFileQueue({ directory: dir }) },
  { name: 'file queue (fsync never, not durable)', create: (dir) => createFileQueue({ directory: dir, fsync: 'never' }) },
  { name: `PGlite queue (thread ${PGLITE_THREAD})`, create: (dir) => createPgliteQueue({ dataDir: dir, thread: PGLITE_THREAD }) },
];

/** `count` publishes from PUBLISHERS concurrent loops; msg/s. */
async function publishAll(queue: QueueAdapter, topic: string, count: number, offset = 0): Promise<number> {
  let next = 0;
  const loop = async () => {
    while (next < count) {
      const n = next++;
      await queue.publish(topic, payload(offset + n));
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: PUBLISHERS }, loop));
  return count / ((performance.now() - start) / 1000);
}

/** Drains `count` messages with one consumer; msg/s. */
async function drain(queue: QueueAdapter, topic: string, count: number): Promise<number> {
  let seen = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const start = performance.now();
  const sub = await queue.consume(
    topic,
    () => {
      if (++seen === count) done();
    },
    { group: 'bench', concurrency: 64, visibilityTimeoutMs: 60_000 },
  );
  await finished;
  const rate = count / ((performance.now() - start) / 1000);
  await sub.close();
  return rate;
}

async function round(side: Side, count: number): Promise<{ publish: number; consume?: number; openMs: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-bench-queue-'));
  const queue = side.create(dir);
  try {
    const opened = performance.now();
    // Open and declare the group untimed (PGlite compiles its WebAssembly here).
    await (await queue.consume('bench', () => undefined, { group: 'bench' })).close();
    const openMs = performance.now() - opened;
    const publish = await publishAll(queue, 'bench', count);
    const consume = side.name.startsWith('file') ? await drain(queue, 'bench', count) : undefined;
    return { publish, consume, openMs };
  } finally {
    await queue.dispose();
    await rm(dir, { recursive: true, force: true });
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

console.log(`durable publish, ${PUBLISHERS} concurrent publishers, ${MESSAGES} messages per round, median of ${ROUNDS}; load average ${loadavg().map((n) => n.toFixed(1)).join(' ')} at the start`);
for (const side of sides) await round(side, Math.min(2000, MESSAGES)); // warm-up: JIT, PGlite's first start
const results = new Map<string, { publish: number[]; consume: number[] }>(sides.map((s) => [s.name, { publish: [], consume: [] }]));
for (let r = 0; r < ROUNDS; r++) {
  for (const side of r % 2 === 0 ? sides : [...sides].reverse()) {
    const figures = await round(side, MESSAGES);
    results.get(side.name)!.publish.push(figures.publish);
    if (figures.consume !== undefined) results.get(side.name)!.consume.push(figures.consume);
    process.stderr.write(`  round ${r + 1} ${side.name}: published ${fmt(figures.publish)} msg/s${figures.consume !== undefined ? `, consumed ${fmt(figures.consume)} msg/s` : ''}\n`);
  }
}
console.log(`load average ${loadavg().map((n) => n.toFixed(1)).join(' ')} at the end\n`);
console.log('queue                                  publish msg/s   consume msg/s (ack each)');
for (const side of sides) {
  const r = results.get(side.name)!;
  console.log(`${side.name.padEnd(38)} ${fmt(median(r.publish)).padStart(13)}   ${r.consume.length ? fmt(median(r.consume)).padStart(13) : '            —'}`);
}
