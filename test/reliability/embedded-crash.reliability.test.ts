// Crash on the embedded default: one process with every role, PGlite as the store and the file queue
// (a journal with group commit) as the queue, SIGKILLed again and again while events go in through
// the signed webhook endpoint and the records API, and started again on the same data directory.
// Afterwards every event answered 202 is stored exactly once — read straight from the PGlite
// directory once the server has stopped, not through the API under test — and reached the target at
// least once (the target deduplicates on the idempotency key; distinct keys are counted).
//
// RELIABILITY_EMBEDDED_EVENTS sets the number of events (default 3,000: the whole pipeline, analysis
// included, runs in the one process that is being killed), RELIABILITY_EMBEDDED_KILLS the kills
// (default 6), RELIABILITY_LEASE_MS the stages' visibility timeout (default 20 s; after a restart
// the file queue redelivers what the killed process held at once, so this bounds nothing here).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createCluster, type Member } from './helpers/cluster.js';
import { sendLoad, setUpWorkspace } from './helpers/load.js';
import { startTarget, type Target } from './helpers/target.js';
import { deadLetters, deliveredIds } from './helpers/verify.js';

const EVENTS = Number(process.env.RELIABILITY_EMBEDDED_EVENTS ?? 3000);
const KILLS = Number(process.env.RELIABILITY_EMBEDDED_KILLS ?? 6);
const LEASE_MS = Number(process.env.RELIABILITY_LEASE_MS ?? 20_000);

const log = (line: string) => console.log(`[embedded-crash] ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const between = (min: number, max: number) => min + Math.random() * (max - min);

interface PgliteLike {
  query<R>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
  close(): Promise<void>;
}

/** Opens a PGlite data directory in this process (the adapters package's own copy of PGlite). */
async function openPglite(dataDir: string): Promise<PgliteLike> {
  const require = createRequire(join(import.meta.dirname, '../../packages/adapters/package.json'));
  const { PGlite } = (await import(pathToFileURL(require.resolve('@electric-sql/pglite')).href)) as { PGlite: new (dir: string) => PgliteLike & { waitReady: Promise<void> } };
  const db = new PGlite(dataDir);
  await db.waitReady;
  return db;
}

/** Kills the one process every 2–5 s and starts it again 0.2–1.5 s later, `kills` times. */
async function chaos(member: Member, kills: number, record: string[]): Promise<void> {
  const t0 = Date.now();
  for (let done = 0; done < kills; done++) {
    await sleep(between(2000, 5000));
    const pid = member.pid;
    await member.kill();
    record.push(`pid ${pid} at +${((Date.now() - t0) / 1000).toFixed(1)} s`);
    await sleep(between(200, 1500));
    await member.start();
  }
}

describe('crash: the embedded default (PGlite store, file queue) in one process', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await Promise.resolve(c()).catch((e: Error) => console.warn(`[embedded-crash] cleanup: ${e.message}`));
  });

  it(`keeps every accepted event (stored once, delivered at least once) through ${KILLS} SIGKILLs`, { timeout: 600_000 }, async () => {
    const target: Target = await startTarget();
    cleanups.push(() => target.close());
    const cluster = createCluster({ env: { TRIBUTARY_ALLOWED_HOSTS: `127.0.0.1:${target.port}`, RELIABILITY_LEASE_MS: String(LEASE_MS) }, single: true, label: 'embedded-crash' });
    let passed = false;
    cleanups.push(async () => {
      await cluster.stop();
      if (passed) cluster.cleanup();
      else console.warn(`[embedded-crash] logs and data kept in ${cluster.logDir}`);
    });
    await cluster.start();
    const member = cluster.api;
    const ws = await setUpWorkspace(member.url, cluster.adminToken, target.url);

    const started = Date.now();
    const kills: string[] = [];
    const chaosDone = chaos(member, KILLS, kills);
    cleanups.push(() => chaosDone.catch(() => undefined));
    // Paced over about 30 s, so the kills land while events are still coming in (unpaced, the
    // embedded server accepts them all in about a second, before the first kill).
    const load = await sendLoad(ws, { total: EVENTS, concurrency: 6, ratePerSecond: Math.ceil(EVENTS / 30) });
    log(`N = ${EVENTS} events (RELIABILITY_EMBEDDED_EVENTS), ${KILLS} kills (RELIABILITY_EMBEDDED_KILLS)`);
    log(`${load.accepted.size} of ${EVENTS} events accepted in ${(load.elapsedMs / 1000).toFixed(1)} s (${load.requests} requests, refused and retried: ${JSON.stringify(load.refused)})`);
    await chaosDone;

    // Delivery comes after storage: once every accepted id reached the target, the pipeline is done.
    let lastMove = Date.now();
    let last = -1;
    for (;;) {
      const delivered = [...load.accepted].filter((id) => deliveredIds(target).has(id)).length;
      if (delivered !== last) {
        last = delivered;
        lastMove = Date.now();
      }
      if (delivered >= load.accepted.size || Date.now() - lastMove > 90_000) break;
      await sleep(500);
    }
    const dead = await deadLetters(ws);
    const seconds = (Date.now() - started) / 1000;

    // Read the store itself: stop the server (its PGlite closes), then open the directory here.
    await cluster.stop();
    const db = await openPglite(join(cluster.logDir, 'data', 'pglite'));
    let ids: string[];
    let historyRows: number;
    try {
      ids = (await db.query<{ id: string }>('SELECT id FROM tributary.records WHERE workspace_id = $1', [ws.id])).rows.map((r) => r.id);
      historyRows = Number((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM tributary.record_history WHERE workspace_id = $1', [ws.id])).rows[0]?.n ?? 0);
    } finally {
      await db.close();
    }
    const stored = new Set(ids);
    const delivered = deliveredIds(target);
    const missingStored = [...load.accepted].filter((id) => !stored.has(id));
    const unexpectedStored = [...stored].filter((id) => !load.accepted.has(id));
    const missingDelivered = [...load.accepted].filter((id) => !delivered.has(id));
    const counts = target.counts();
    log(`${kills.length} kills: ${kills.join('; ')}`);
    log(
      `accepted ${load.accepted.size}; stored rows ${ids.length}, distinct ${stored.size}, missing ${missingStored.length}, unexpected ${unexpectedStored.length}, replaced revisions ${historyRows}; ` +
        `delivered (distinct keys) ${load.accepted.size - missingDelivered.length}, missing ${missingDelivered.length}, redeliveries dropped by the target ${counts.duplicates} of ${counts.requests} requests; ` +
        `${seconds.toFixed(1)} s end to end (${Math.round(load.accepted.size / seconds)} events/s)${Object.keys(dead).length ? `; dead letters ${JSON.stringify(dead)}` : ''}`,
    );
    if (missingDelivered.length) log(`never delivered (sample): ${missingDelivered.slice(0, 10).map((id) => `${id} ${load.origin.get(id) ?? ''}`).join('; ')}`);

    expect(load.abandoned).toBe(0);
    expect(kills.length).toBe(KILLS);
    expect({ missingStored: missingStored.length, unexpectedStored: unexpectedStored.length, duplicateRows: ids.length - stored.size, historyRows }).toEqual({ missingStored: 0, unexpectedStored: 0, duplicateRows: 0, historyRows: 0 });
    expect(stored.size).toBe(load.accepted.size);
    expect(missingDelivered.length).toBe(0);
    expect(dead).toEqual({});
    passed = true;
  });
});
