/**
 * The file dedup store in its steady state: full (`maxRecords` reached), so every new delivery
 * evicts the oldest record, as a busy deployment's store is once its retention or bound is reached.
 * A delivery must then cost what it cost while the store was filling.
 *
 *   node --conditions=@tributary/source --import tsx bench/file-dedup-churn.ts [--max-records 200000] [--rounds 8]
 *
 * Each round is 100,000 deliveries as the webhook handler makes them (`claimOrGet`, then
 * `remember`, `lazyRecords` as the reference server sets it, `fsync: 'never'` so the figure is the
 * store's own work). Printed per round: microseconds per delivery. The rounds before the store is
 * full are the baseline, measured in the same run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createFileDedupStore } from '@tributary/adapters/file-dedup';

const { values: opts } = parseArgs({ options: { 'max-records': { type: 'string', default: '200000' }, rounds: { type: 'string', default: '8' } } });
const MAX_RECORDS = Number(opts['max-records']);
const ROUNDS = Number(opts.rounds);
const PER_ROUND = 100_000;
if (!(Number.isInteger(MAX_RECORDS) && MAX_RECORDS > 0 && Number.isInteger(ROUNDS) && ROUNDS > 0)) throw new Error('--max-records and --rounds must be whole numbers > 0');

const dir = mkdtempSync(join(tmpdir(), 'tributary-dedup-churn-'));
const store = createFileDedupStore({ directory: dir, maxRecords: MAX_RECORDS, lazyRecords: true, fsync: 'never' });
try {
  await store.open();
  const record = (n: number) => ({ sourceId: 'src', deliveryId: `d${n}`, acceptedAt: new Date().toISOString(), expiresAt: Date.now() + 3_600_000, accepted: 1, ids: [`rec_${n}`] });
  console.log(`bench/file-dedup-churn: maxRecords ${MAX_RECORDS.toLocaleString('en-US')}, ${ROUNDS} rounds of ${PER_ROUND.toLocaleString('en-US')} deliveries`);
  console.log('| deliveries so far | store | µs per delivery |');
  console.log('|---|---|---|');
  let n = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const full = n >= MAX_RECORDS;
    const started = performance.now();
    for (let i = 0; i < PER_ROUND; i++, n++) {
      const key = `key-${n}`;
      await store.claimOrGet!('ws', key, 60_000);
      await store.remember('ws', key, record(n));
    }
    const us = ((performance.now() - started) / PER_ROUND) * 1000;
    console.log(`| ${n.toLocaleString('en-US')} | ${full ? 'full (evicting)' : 'filling (baseline)'} | ${us.toFixed(2)} |`);
  }
  console.log(`evictions: ${store.journal()!.evictions.toLocaleString('en-US')}`);
} finally {
  await store.dispose();
  rmSync(dir, { recursive: true, force: true });
}
