import { delay, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '@tributary/core/clock';
import { isTributaryError } from '@tributary/core/errors';
import { createConnectorFetchFactory, createHttpClient, type ConnectorFetchFactory } from '@tributary/core/http';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const API = 'https://api.example.test';
const factories: ConnectorFetchFactory[] = [];
afterEach(async () => {
  for (const f of factories.splice(0)) await f.dispose();
});

/**
 * A provider that counts a sliding window: more than `limit` requests arriving within `windowMs`
 * get a 429. Also records the most requests it had in flight at once.
 */
function strictProvider(path: string, limit: number, windowMs: number, latencyMs = 5) {
  const arrivals: number[] = [];
  const stats = { requests: 0, tooMany: 0, inFlight: 0, maxInFlight: 0 };
  server.use(
    http.get(`${API}${path}`, async () => {
      const now = performance.now();
      stats.requests++;
      const recent = arrivals.filter((t) => t > now - windowMs).length;
      arrivals.push(now);
      if (recent >= limit) {
        stats.tooMany++;
        return HttpResponse.json({ error_type: 'rate_limit', extras: { wait_seconds: 1 } }, { status: 429 });
      }
      stats.inFlight++;
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
      await delay(latencyMs);
      stats.inFlight--;
      return HttpResponse.json({ ok: true });
    }),
  );
  return stats;
}

describe('http client: proactive throttling from the rate budget', () => {
  it('spreads 15 requests over the windows of a 5-per-200 ms budget and never earns a 429', async () => {
    const stats = strictProvider('/limited', 5, 200);
    const factory = createConnectorFetchFactory({ maxAttempts: 1 });
    factories.push(factory);
    const fetch = factory('ws1:src1', { requests: 5, perMs: 200, concurrency: 5 });
    const started = performance.now();
    const responses = await Promise.all(Array.from({ length: 15 }, () => fetch(`${API}/limited`)));
    const elapsed = performance.now() - started;
    expect(responses.map((r) => r.status)).toEqual(Array(15).fill(200));
    expect(stats).toMatchObject({ requests: 15, tooMany: 0 });
    // three windows' worth: the second and third batches each wait a full window
    expect(elapsed).toBeGreaterThanOrEqual(400);
    expect(elapsed).toBeLessThan(1_500);
  });

  it('keeps a sliding window across bursts after idle time (no 2× burst at a window edge)', async () => {
    const stats = strictProvider('/burst', 4, 150, 1);
    const factory = createConnectorFetchFactory({ maxAttempts: 1 });
    factories.push(factory);
    const fetch = factory('ws1:src1', { requests: 4, perMs: 150 });
    await Promise.all(Array.from({ length: 4 }, () => fetch(`${API}/burst`)));
    await new Promise((r) => setTimeout(r, 100));
    // a fixed window would refill here and let 4 more through within 150 ms of the first four
    await Promise.all(Array.from({ length: 8 }, () => fetch(`${API}/burst`)));
    expect(stats).toMatchObject({ requests: 12, tooMany: 0 });
  });

  it('caps requests in flight at the budget concurrency', async () => {
    const stats = strictProvider('/slow', 100, 1_000, 20);
    const factory = createConnectorFetchFactory();
    factories.push(factory);
    const fetch = factory('ws1:src1', { requests: 100, perMs: 1_000, concurrency: 2 });
    await Promise.all(Array.from({ length: 8 }, () => fetch(`${API}/slow`)));
    expect(stats.maxInFlight).toBe(2);
  });

  it('throttles each source on its own budget', async () => {
    const slowStats = strictProvider('/a', 2, 300, 1);
    const fastStats = strictProvider('/b', 100, 300, 1);
    const factory = createConnectorFetchFactory({ maxAttempts: 1 });
    factories.push(factory);
    const a = factory('ws1:a', { requests: 2, perMs: 300 });
    const b = factory('ws1:b', { requests: 100, perMs: 300 });
    const slow = Promise.all(Array.from({ length: 6 }, () => a(`${API}/a`)));
    const started = performance.now();
    await Promise.all(Array.from({ length: 10 }, () => b(`${API}/b`)));
    // source b is not queued behind a's exhausted budget
    expect(performance.now() - started).toBeLessThan(250);
    await slow;
    expect(slowStats.tooMany + fastStats.tooMany).toBe(0);
  });

  it('holds the other requests of a source while the provider asks it to wait', async () => {
    const clock = createManualClock();
    const hits: [string, number][] = [];
    let limited = true;
    server.use(
      http.get(`${API}/p/:n`, ({ params }) => {
        hits.push([String(params.n), clock.now()]);
        if (params.n === '1' && limited) {
          limited = false;
          return new HttpResponse(null, { status: 429, headers: { 'Retry-After': '5' } });
        }
        return HttpResponse.json({});
      }),
    );
    const factory = createConnectorFetchFactory({ clock });
    factories.push(factory);
    const fetch = factory('ws1:src1', { requests: 10, perMs: 1_000, concurrency: 1 });
    const first = fetch(`${API}/p/1`);
    const second = fetch(`${API}/p/2`);
    // bottleneck hops through real zero-delay timers, so each step also yields to the real timer phase
    for (let i = 0; i < 500 && hits.length < 3; i++) {
      await new Promise((r) => setTimeout(r, 1));
      await clock.advance(250);
    }
    await Promise.all([first, second]);
    // request 2 went out only after the 5 s the provider asked for
    const at = (n: string) => hits.filter(([k]) => k === n).map(([, t]) => t);
    expect(at('2')[0]! - at('1')[0]!).toBeGreaterThanOrEqual(5_000);
  });

  it('fails requests still waiting for a slot when disposed, and refuses new ones', async () => {
    strictProvider('/d', 100, 1_000, 1);
    const client = createHttpClient({ budget: { requests: 1, perMs: 60_000 } });
    expect((await client.fetch(`${API}/d`)).status).toBe(200);
    const waiting = client.fetch(`${API}/d`).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 20));
    await client.dispose();
    expect(isTributaryError(await waiting, 'aborted')).toBe(true);
    await expect(client.fetch(`${API}/d`)).rejects.toMatchObject({ code: 'aborted' });
  });

  it('rejects an invalid budget as a config error', () => {
    const factory = createConnectorFetchFactory();
    factories.push(factory);
    expect(() => factory('ws1:src1', { requests: 0, perMs: 1000 })).toThrow(/invalid rate budget/);
  });
});
