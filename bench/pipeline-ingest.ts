/**
 * `pipeline.ingest` throughput on the embedded engine (issue 7), without HTTP: N concurrent callers
 * each ingesting one item at a time into one source, on PGlite storage and queue in a data directory
 * (as the server's default). Three configurations in the same run, alternating order over rounds:
 *
 * - `before`: no source cache (a storage read per ingest) and no group commit (a transaction per
 *   publish): what ingest did before issue 7;
 * - `group commit`: the queue coalesces concurrent publishes, sources still read every time;
 * - `both`: the defaults (group commit and the source cache).
 *
 *   node --conditions=@tributary/source --import tsx bench/pipeline-ingest.ts
 *
 * Environment: BENCH_CALLERS (50), BENCH_SECONDS (5 per case), BENCH_ROUNDS (3).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { defineConnector } from '@tributary/core/connector';
import { createPipeline } from '@tributary/core/pipeline';
import { createPglite } from '@tributary/adapters/pglite';

const envInt = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
};
const CALLERS = envInt('BENCH_CALLERS', 50);
const SECONDS = envInt('BENCH_SECONDS', 5);
const ROUNDS = envInt('BENCH_ROUNDS', 3);

const pushed = defineConnector({
  name: 'pushed',
  version: '1.0.0',
  configSchema: z.object({}),
  parse: (item) => [{ externalId: item.externalId, itemType: 'post', occurredAt: '2026-01-01T00:00:00.000Z', content: { text: String((item.payload as { text: string }).text) } }],
});

type Mode = 'before' | 'group commit' | 'both';
const MODES: Mode[] = ['before', 'group commit', 'both'];

async function run(mode: Mode, dataDir: string, round: number) {
  const { storage, queue } = createPglite({ dataDir, groupCommit: mode === 'before' ? false : {} });
  const pipeline = createPipeline({ storage, queue, connectors: [pushed], sourceCache: mode === 'both' ? {} : false, topicPrefix: `bench${round}${mode.replace(/\W/g, '')}` });
  try {
    const source = await pipeline.sources.create('ws_bench', { name: 'bench', connector: 'pushed' });
    await pipeline.ingest('ws_bench', source.id, [{ externalId: 'warm', itemType: 'post', payload: { text: 'warm' } }]);
    const latencies: number[] = [];
    const started = performance.now();
    const deadline = started + SECONDS * 1000;
    let n = 0;
    await Promise.all(
      Array.from({ length: CALLERS }, async () => {
        while (performance.now() < deadline) {
          const t = performance.now();
          const id = `item-${n++}`;
          await pipeline.ingest('ws_bench', source.id, [{ externalId: id, itemType: 'post', payload: { text: `a post of some length, number ${id}, to be parsed later` } }]);
          latencies.push(performance.now() - t);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
    return { perSecond: latencies.length / seconds, p50: q(0.5), p99: q(0.99) };
  } finally {
    await queue.dispose();
    await storage.dispose();
  }
}

async function main() {
  const dataDir = await mkdtemp(join(tmpdir(), 'tributary-bench-ingest-'));
  console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`pipeline.ingest on PGlite (directory ${dataDir}): ${CALLERS} callers, one item per call, ${SECONDS} s per case, ${ROUNDS} rounds`);
  const best = new Map<Mode, { perSecond: number; p50: number; p99: number }>();
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? MODES : [...MODES].reverse();
      for (const mode of order) {
        const r = await run(mode, dataDir, round);
        console.log(`  round ${round + 1} ${mode.padEnd(12)}: ${Math.round(r.perSecond).toLocaleString('en')} ingests/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms`);
        if (!best.has(mode) || r.perSecond > best.get(mode)!.perSecond) best.set(mode, r);
      }
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
  const base = best.get('before')!.perSecond;
  for (const mode of MODES) {
    const r = best.get(mode)!;
    console.log(`  best ${mode.padEnd(12)}: ${Math.round(r.perSecond).toLocaleString('en')} ingests/s (${(r.perSecond / base).toFixed(2)}× before), p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms`);
  }
  console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

await main();
