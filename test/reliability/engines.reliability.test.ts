// Engine restarts: the server split into roles (api, worker, dispatcher processes) on PostgreSQL +
// a broker (Redis, then NATS; RELIABILITY_ENGINE_BROKERS picks them) takes a steady stream of events
// while the broker and then PostgreSQL are restarted. Every
// process's `/readyz` must report the outage (503, naming the engine) and the recovery (200); clients
// whose requests were refused meanwhile retry; afterwards every accepted event is stored exactly once
// and delivered at least once — the processes reconnected and caught up on their own.
//
// The services are shared with other engineers: each restart uses the project's documented command
// and waits until the service answers again (helpers/services.ts).
import { afterAll, describe, expect, it } from 'vitest';
import { createCluster, type Member } from './helpers/cluster.js';
import { call, sendLoad, setUpWorkspace } from './helpers/load.js';
import { randomUUID } from 'node:crypto';
import { claimRedisDatabase, createDatabase, deleteNatsStreams, NATS_URL, POSTGRES_URL, REDIS_URL, requireService, restartNats, restartPostgres, restartRedis } from './helpers/services.js';
import { startTarget } from './helpers/target.js';
import { deadLetters, figures, waitForCompletion } from './helpers/verify.js';

const postgres = await requireService('PostgreSQL', POSTGRES_URL);
const redis = await requireService('Redis', REDIS_URL);
const nats = await requireService('NATS', NATS_URL);
const BROKERS = (process.env.RELIABILITY_ENGINE_BROKERS ?? 'redis,nats').split(',').map((s) => s.trim());
/** How long each engine stays down (long enough for a readiness probe, 3 s at most, to see it). */
const OUTAGE_MS = Number(process.env.RELIABILITY_OUTAGE_MS ?? 5000);
/** Events per second sent throughout. */
const RATE = Number(process.env.RELIABILITY_ENGINE_RATE ?? 100);

const log = (line: string) => console.log(`[engines] ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * How many stage messages each process sent back to wait for an unreachable engine (bug 9), from its
 * `tributary_stage_messages_total{outcome="waiting"}` counters: informative, since how many messages
 * are in flight when an engine goes down is timing.
 */
async function engineWaits(members: readonly { name: string; url: string }[]): Promise<Record<string, Record<string, number>>> {
  const out: Record<string, Record<string, number>> = {};
  for (const m of members) {
    const res = await call(m.url, 'GET', '/metrics', { timeoutMs: 8000 });
    for (const line of res.text.split('\n')) {
      const match = /^tributary_stage_messages_total\{([^}]*)\}\s+(\d+)/.exec(line);
      if (!match || !/outcome="waiting"/.test(match[1]!)) continue;
      const stage = /stage="([^"]+)"/.exec(match[1]!)?.[1] ?? '?';
      (out[m.name] ??= {})[stage] = Number(match[2]);
    }
  }
  return out;
}

/** Polls `/readyz` of every process and keeps the distinct answers in order, per process. */
function watchReadiness(members: Member[]) {
  const seen = new Map<string, { status: number; checks: string }[]>();
  let stopped = false;
  const loops = members.map(async (m) => {
    const list: { status: number; checks: string }[] = [];
    seen.set(m.name, list);
    while (!stopped) {
      const res = await call<{ checks?: Record<string, string> }>(m.url, 'GET', '/readyz', { timeoutMs: 8000 });
      const entry = { status: res.status, checks: res.body?.checks ? Object.entries(res.body.checks).map(([k, v]) => `${k}=${v}`).join(',') : res.text.slice(0, 60) };
      const last = list[list.length - 1];
      if (!last || last.status !== entry.status || last.checks !== entry.checks) list.push(entry);
      await sleep(250);
    }
  });
  return {
    seen,
    /** Resolves once every process answered 200 again after `since` entries. */
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

const cases = [
  { broker: 'redis', name: 'Redis', available: postgres.available && redis.available, restart: (downForMs: number) => restartRedis({ downForMs }) },
  { broker: 'nats', name: 'NATS', available: postgres.available && nats.available, restart: (downForMs: number) => restartNats({ downForMs }) },
].filter((c) => BROKERS.includes(c.broker));

for (const broker of cases) describe.skipIf(!broker.available)(`engine restarts: PostgreSQL + ${broker.name}`, () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch((e: Error) => console.warn(`[engines] cleanup: ${e.message}`));
  });

  it('reports each outage on /readyz, reconnects, catches up and loses nothing accepted', { timeout: 400_000 }, async () => {
    const db = await createDatabase('engines');
    cleanups.push(() => db.drop());
    const target = await startTarget();
    cleanups.push(() => target.close());
    const env: Record<string, string> = { DATABASE_URL: db.url, TRIBUTARY_ALLOWED_HOSTS: `127.0.0.1:${target.port}`, RELIABILITY_LEASE_MS: '10000' };
    if (broker.broker === 'redis') {
      const redisDb = await claimRedisDatabase();
      cleanups.push(() => redisDb.release());
      env.REDIS_URL = redisDb.url;
    } else {
      const prefix = `REL${randomUUID().slice(0, 8).replace(/-/g, '')}`;
      Object.assign(env, { NATS_URL, RELIABILITY_NATS_PREFIX: prefix });
      cleanups.push(() => deleteNatsStreams(`${prefix.toUpperCase()}_`));
    }
    const cluster = createCluster({ env, workers: 1, dispatchers: 1, label: `engines-${broker.broker}` });
    let passed = false;
    cleanups.push(async () => {
      await cluster.stop();
      if (passed) cluster.cleanup();
      else console.warn(`[engines] logs kept in ${cluster.logDir}`);
    });
    await cluster.start();
    const ws = await setUpWorkspace(cluster.api.url, cluster.adminToken, target.url);

    const seconds = 8 + 2 * (OUTAGE_MS / 1000) + 14;
    const total = Math.round(RATE * seconds);
    const readiness = watchReadiness(cluster.members);
    // Small requests at a steady rate, retried by the client for as long as it takes.
    const loading = sendLoad(ws, { total, ratePerSecond: RATE, recordsBatch: 20, webhookBatch: 5, concurrency: 8, attempts: 10_000 });
    await sleep(5000);
    const brokerRestart = await broker.restart(OUTAGE_MS);
    log(`${broker.name} restarted: unreachable for ${(brokerRestart.downMs / 1000).toFixed(1)} s`);
    await sleep(4000);
    const postgresRestart = await restartPostgres({ downForMs: OUTAGE_MS });
    log(`PostgreSQL restarted: unreachable for ${(postgresRestart.downMs / 1000).toFixed(1)} s`);
    const load = await loading;
    log(`${load.accepted.size} of ${total} events accepted in ${(load.elapsedMs / 1000).toFixed(1)} s; refused and retried: ${JSON.stringify(load.refused)}`);
    const completion = await waitForCompletion(db.url, ws, load.accepted, target, { timeoutMs: 240_000, stallMs: 60_000, log });
    // Give the probes a moment to see the recovery everywhere.
    await sleep(1500);
    await readiness.stop();
    const f = await figures(db.url, ws, load.accepted, target, load.origin);
    const dead = await deadLetters(ws);
    for (const [name, list] of readiness.seen) log(`${broker.name}: /readyz of ${name}: ${list.map((e) => `${e.status} ${e.checks}`).join(' → ')}`);
    log(
      `${broker.name}: accepted ${f.accepted}; stored rows ${f.storedRows}, distinct ${f.storedDistinct}, missing ${f.missingStored}; delivered ${f.delivered}, missing ${f.missingDelivered}, ` +
        `redeliveries dropped by the target ${f.targetDuplicates}; caught up ${(completion.ms / 1000).toFixed(1)} s after the last event${Object.keys(dead).length ? `; dead letters ${JSON.stringify(dead)}` : ''}`,
    );
    if (f.missingDeliveredSample.length) log(`never delivered (sample): ${f.missingDeliveredSample.join('; ')}`);
    log(`${broker.name}: messages sent back to wait for an engine (no attempt spent), by process and stage: ${JSON.stringify(await engineWaits(cluster.members))}`);

    // Every process saw each outage and came back.
    for (const [name, list] of readiness.seen) {
      const statuses = list.map((e) => e.status);
      expect(statuses[0], `${name} ready at first`).toBe(200);
      expect(list.some((e) => e.status === 503 && /queue=(?!ok)/.test(e.checks)), `${name} reported the ${broker.name} outage: ${JSON.stringify(list)}`).toBe(true);
      expect(list.some((e) => e.status === 503 && /storage=(?!ok)/.test(e.checks)), `${name} reported the PostgreSQL outage: ${JSON.stringify(list)}`).toBe(true);
      expect(statuses[statuses.length - 1], `${name} ready at the end`).toBe(200);
    }
    expect(load.abandoned).toBe(0);
    expect(load.accepted.size).toBe(total);
    expect(completion.complete, `did not catch up: ${JSON.stringify(f)} dead letters ${JSON.stringify(dead)}`).toBe(true);
    expect({ missingStored: f.missingStored, duplicateRows: f.storedRows - f.storedDistinct, unexpected: f.unexpectedStored, historyRows: f.historyRows, missingDelivered: f.missingDelivered }).toEqual({ missingStored: 0, duplicateRows: 0, unexpected: 0, historyRows: 0, missingDelivered: 0 });
    expect(dead).toEqual({});
    passed = true;
  });
});
