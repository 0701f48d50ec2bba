import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRedisLimiter } from '@tributary/adapters/redis-limiter';
import { requireService, skippedSuite } from './service-check.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const status = await requireService('Redis', REDIS_URL);

/** Starts a worker process; `ready` resolves once it is connected, `start(at)` sets it going. */
function startWorker(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--conditions=@tributary/source', '--import', 'tsx', join(import.meta.dirname, 'fixtures/limiter-worker.ts')], {
    env: { ...process.env, REDIS_URL, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (c) => (err += c));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (c) => {
      out += c;
      if (out.includes('ready\n')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`worker exited ${code} before ready: ${err}`)));
  });
  const done = new Promise<number[]>((resolve, reject) => {
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`worker exited ${code}: ${err}`))));
  });
  return { ready, done, start: (at: number) => child.stdin.end(`${at}\n`) };
}

if (!status.available) skippedSuite('redis limiter', status.reason!);
else
  describe('redis limiter', () => {
    it('three processes together never exceed the limit, and use nearly all of it', async () => {
      const key = `test-${randomUUID()}`;
      const perSecond = 50;
      const burst = 5;
      const durationMs = 3000;
      const env = { LIMIT_KEY: key, PER_SECOND: String(perSecond), BURST: String(burst), DURATION_MS: String(durationMs) };
      const workers = [startWorker(env), startWorker(env), startWorker(env)];
      await Promise.all(workers.map((w) => w.ready));
      const startAt = Date.now() + 200;
      for (const w of workers) w.start(startAt);
      const results = await Promise.all(workers.map((w) => w.done));
      const grants = results.flat().sort((a, b) => a - b);
      // every process got a share
      expect(results.every((r) => r.length >= 20)).toBe(true);
      // in any window of one second, at most burst + perSecond grants (plus one for rounding at the edges)
      let j = 0;
      let worst = 0;
      for (let i = 0; i < grants.length; i++) {
        while (grants[i]! - grants[j]! >= 1000) j++;
        worst = Math.max(worst, i - j + 1);
      }
      expect(worst).toBeLessThanOrEqual(burst + perSecond + 1);
      // over the run: the ceiling is burst + rate × duration; the processes used at least 90% of it
      const ceiling = burst + (perSecond * durationMs) / 1000;
      expect(grants.length).toBeLessThanOrEqual(ceiling + 1);
      expect(grants.length).toBeGreaterThanOrEqual(Math.floor(ceiling * 0.9));
    }, 30_000);

    it('a pause seen by one process holds for another', async () => {
      const key = `test-${randomUUID()}`;
      const a = createRedisLimiter({ url: REDIS_URL });
      const b = createRedisLimiter({ url: REDIS_URL });
      const limit = { perSecond: 100, burst: 10 };
      await a.acquire(key, limit);
      await a.pause(key, 600);
      const started = Date.now();
      await b.acquire(key, limit);
      expect(Date.now() - started).toBeGreaterThanOrEqual(550);
      await a.dispose();
      await b.dispose();
    });

    it('an announced empty budget holds every process until its reset', async () => {
      const key = `test-${randomUUID()}`;
      const a = createRedisLimiter({ url: REDIS_URL });
      const b = createRedisLimiter({ url: REDIS_URL });
      const limit = { perSecond: 100, burst: 40 };
      await a.acquire(key, limit);
      await a.observe(key, limit, { remaining: 0, resetAt: Date.now() + 500 });
      const started = Date.now();
      await b.acquire(key, limit);
      expect(Date.now() - started).toBeGreaterThanOrEqual(450);
      await a.dispose();
      await b.dispose();
    });

    it('stops waiting when the signal aborts', async () => {
      const key = `test-${randomUUID()}`;
      const a = createRedisLimiter({ url: REDIS_URL });
      await a.pause(key, 10_000);
      await expect(a.acquire(key, { perSecond: 1 }, { signal: AbortSignal.timeout(100) })).rejects.toBeDefined();
      await a.dispose();
    });
  });
