/**
 * Draining a backlog: what one delivery costs as the backlog grows, for the in-process queues
 * (the memory queue and the file queue, the embedded default). A queue exists to absorb bursts, so a
 * backlog of hundreds of thousands of messages is its normal work, and a delivery must cost the same
 * whether 1,000 or 1,000,000 messages wait behind it or went before it.
 *
 *   node --conditions=@tributary/source --import tsx bench/queue-backlog.ts [--small 10000] [--large 300000] [--fsync never|always]
 *
 * Each queue is filled with `--small` messages (once untimed, to warm up, then timed), then (fresh)
 * with `--large`, and each backlog is
 * drained by one consumer (concurrency 64, every message acknowledged). Printed per case: the
 * microseconds of wall time per delivered message over the whole drain and over its slowest tenth.
 * The small backlog is the baseline, measured in the same run: the large one should cost about the
 * same per message. The file queue runs with `fsync: 'never'` by default, so the figure is the queue's
 * own work and not the disk's (`--fsync always` for the durable setting).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createFileQueue } from '@tributary/adapters/file-queue';
import { publishBatch, type QueueAdapter } from '@tributary/core/queue';
import { createMemoryQueue } from '@tributary/core/queue/memory';

const { values: opts } = parseArgs({
  options: {
    small: { type: 'string', default: '10000' },
    large: { type: 'string', default: '300000' },
    fsync: { type: 'string', default: 'never' },
  },
});
const SMALL = Number(opts.small);
const LARGE = Number(opts.large);
if (!(Number.isInteger(SMALL) && SMALL >= 1000 && Number.isInteger(LARGE) && LARGE >= SMALL)) throw new Error('--small must be a whole number ≥ 1000 and --large ≥ --small');
if (opts.fsync !== 'never' && opts.fsync !== 'always') throw new Error(`--fsync must be never or always, not ${opts.fsync}`);
const FSYNC = opts.fsync;
const CONCURRENCY = 64;
const TOPIC = 'backlog';
const GROUP = 'drain';

const payload = (n: number) => ({ n, source: 'bench', text: `feedback number ${n}: the export button does nothing` });

interface Case {
  name: string;
  create(dir: string): QueueAdapter;
}
const cases: Case[] = [
  { name: 'memory queue', create: () => createMemoryQueue() },
  { name: `file queue (fsync ${FSYNC})`, create: (dir) => createFileQueue({ directory: dir, fsync: FSYNC }) },
];

/** Fills a fresh queue with `n` messages (its group created first, so every message is its), then drains them. */
async function drain(c: Case, n: number): Promise<{ perMessageUs: number; slowestTenthUs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-backlog-'));
  const queue = c.create(dir);
  try {
    // The group exists before the publishes, as a deployment's workers' group does.
    const idle = await queue.consume(TOPIC, async () => ({ action: 'retry', delayMs: 60_000 }), { group: GROUP, concurrency: 1 });
    await idle.close();
    for (let i = 0; i < n; i += 1000) {
      await publishBatch(queue, TOPIC, Array.from({ length: Math.min(1000, n - i) }, (_, k) => ({ payload: payload(i + k) })));
    }
    const tenth = Math.max(1, Math.floor(n / 10));
    const tenths: number[] = [];
    let delivered = 0;
    const started = performance.now();
    let tenthStarted = started;
    await new Promise<void>((resolve, reject) => {
      queue
        .consume(
          TOPIC,
          async () => {
            delivered++;
            if (delivered % tenth === 0) {
              const now = performance.now();
              tenths.push(((now - tenthStarted) / tenth) * 1000);
              tenthStarted = now;
            }
            if (delivered === n) resolve();
          },
          { group: GROUP, concurrency: CONCURRENCY },
        )
        .catch(reject);
    });
    const perMessageUs = ((performance.now() - started) / n) * 1000;
    return { perMessageUs, slowestTenthUs: Math.max(...tenths) };
  } finally {
    await queue.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (us: number) => us.toFixed(1);
console.log(`bench/queue-backlog: backlogs of ${SMALL.toLocaleString('en-US')} and ${LARGE.toLocaleString('en-US')} messages, one consumer (concurrency ${CONCURRENCY}); load ${loadavg()[0]!.toFixed(1)}`);
console.log('| queue | backlog | µs/message (whole drain) | µs/message (slowest tenth) | large ÷ small |');
console.log('|---|---|---|---|---|');
for (const c of cases) {
  // Untimed: the first drain also compiles the code paths.
  await drain(c, SMALL);
  const small = await drain(c, SMALL);
  console.log(`| ${c.name} | ${SMALL.toLocaleString('en-US')} | ${fmt(small.perMessageUs)} | ${fmt(small.slowestTenthUs)} | baseline |`);
  const large = await drain(c, LARGE);
  console.log(`| ${c.name} | ${LARGE.toLocaleString('en-US')} | ${fmt(large.perMessageUs)} | ${fmt(large.slowestTenthUs)} | ${(large.perMessageUs / small.perMessageUs).toFixed(2)}× |`);
}
