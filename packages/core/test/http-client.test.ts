import { delay, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock, type ManualClock } from '@tributary/core/clock';
import { isTributaryError } from '@tributary/core/errors';
import { createConnectorFetchFactory, errorForResponse, parseRetryAfter, type HttpClientOptions, type RetryEvent } from '@tributary/core/http';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const API = 'https://api.example.test';
const realTick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A client on a manual clock, with deterministic jitter and a log of retries and server hits. */
function setup(options: HttpClientOptions = {}) {
  const clock = createManualClock();
  const retries: RetryEvent[] = [];
  const hits: number[] = [];
  const waiters: ((e: RetryEvent) => void)[] = [];
  const factory = createConnectorFetchFactory({
    clock,
    random: () => 0.5,
    onRetry: (e) => {
      retries.push(e);
      waiters.splice(0).forEach((w) => w(e));
    },
    ...options,
  });
  const fetch = factory('ws1:src1', undefined);
  /** Resolves with the next retry, i.e. once the client is about to sleep. */
  const nextRetry = () => new Promise<RetryEvent>((resolve) => waiters.push(resolve));
  return { clock, factory, fetch, retries, hits, nextRetry, hit: () => hits.push(clock.now()) };
}

/** Drives the manual clock (and the real event loop, for msw) until `promise` settles. */
async function settle<T>(promise: Promise<T>, clock: ManualClock, stepMs = 250): Promise<T> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < 10_000 && !done; i++) {
    await realTick();
    if (!done) await clock.advance(stepMs);
  }
  return promise;
}

/** Waits (in real time) until `check` holds. */
async function until(check: () => boolean) {
  for (let i = 0; i < 1000 && !check(); i++) await realTick();
  expect(check()).toBe(true);
}

describe('http client: retries', () => {
  it.each([408, 429, 500, 502, 503, 504])('retries a %i and returns the success', async (status) => {
    const t = setup();
    let calls = 0;
    server.use(http.get(`${API}/items`, () => (++calls < 3 ? new HttpResponse('busy', { status }) : HttpResponse.json({ ok: true }))));
    const response = await settle(t.fetch(`${API}/items`), t.clock);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    expect(calls).toBe(3);
    // full jitter with random 0.5: half of 1000, then half of 2000
    expect(t.retries.map((r) => [r.status, r.delayMs, r.hinted])).toEqual([
      [status, 500, false],
      [status, 1000, false],
    ]);
  });

  it('retries a network error', async () => {
    const t = setup();
    let calls = 0;
    server.use(http.get(`${API}/items`, () => (++calls === 1 ? HttpResponse.error() : HttpResponse.json([1]))));
    const response = await settle(t.fetch(`${API}/items`), t.clock);
    expect(await response.json()).toEqual([1]);
    expect(t.retries[0]).toMatchObject({ reason: 'network', attempt: 1 });
  });

  it.each([400, 401, 404, 422])('does not retry a %i', async (status) => {
    const t = setup();
    let calls = 0;
    server.use(http.get(`${API}/items`, () => (calls++, HttpResponse.json({ error: 'no' }, { status }))));
    const response = await t.fetch(`${API}/items`);
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual({ error: 'no' });
    expect(calls).toBe(1);
    expect(t.retries).toEqual([]);
  });

  it('returns the last response, body intact, once the attempts are spent', async () => {
    const t = setup({ maxAttempts: 3 });
    let calls = 0;
    server.use(http.get(`${API}/items`, () => HttpResponse.json({ attempt: ++calls }, { status: 503 })));
    const response = await settle(t.fetch(`${API}/items`), t.clock);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ attempt: 3 });
    expect(calls).toBe(3);
  });

  it('throws unavailable when the network keeps failing', async () => {
    const t = setup({ maxAttempts: 2 });
    server.use(http.get(`${API}/items`, () => HttpResponse.error()));
    const error = await settle(t.fetch(`${API}/items`), t.clock).catch((e: unknown) => e);
    expect(isTributaryError(error, 'unavailable')).toBe(true);
    expect((error as Error).message).toContain('https://api.example.test/items');
    expect(t.retries).toHaveLength(1);
  });

  it('times out a request that never answers, retries, then throws timeout', async () => {
    const t = setup({ maxAttempts: 2, timeoutMs: 10_000 });
    let calls = 0;
    server.use(
      http.get(`${API}/slow`, async () => {
        calls++;
        await delay('infinite');
        return HttpResponse.json({});
      }),
    );
    const pending = t.fetch(`${API}/slow`);
    const caught = pending.catch((e: unknown) => e);
    await until(() => calls === 1);
    await t.clock.advance(9_999);
    expect(t.retries).toHaveLength(0);
    const retry = t.nextRetry();
    await t.clock.advance(1);
    expect(await retry).toMatchObject({ reason: 'timeout', delayMs: 500 });
    const error = await settle(caught, t.clock);
    expect(isTributaryError(error, 'timeout')).toBe(true);
    expect(calls).toBe(2);
  });

  it('stops at once when the caller aborts, without retrying', async () => {
    const t = setup();
    server.use(http.get(`${API}/items`, () => new HttpResponse(null, { status: 503 })));
    const controller = new AbortController();
    const pending = t.fetch(`${API}/items`, { signal: controller.signal }).catch((e: unknown) => e);
    await t.nextRetry();
    controller.abort(new Error('run cancelled'));
    expect(await pending).toMatchObject({ message: 'run cancelled' });
    expect(t.retries).toHaveLength(1);
  });

  it('sends a fresh copy of a Request body on every attempt', async () => {
    const t = setup();
    const bodies: unknown[] = [];
    server.use(
      http.post(`${API}/search`, async ({ request }) => {
        bodies.push(await request.json());
        return bodies.length === 1 ? new HttpResponse(null, { status: 502 }) : HttpResponse.json({ hits: 1 });
      }),
    );
    const request = new Request(`${API}/search`, { method: 'POST', body: JSON.stringify({ q: 'bug' }), headers: { 'content-type': 'application/json' } });
    const response = await settle(t.fetch(request), t.clock);
    expect(response.status).toBe(200);
    expect(bodies).toEqual([{ q: 'bug' }, { q: 'bug' }]);
  });
});

describe('http client: provider wait hints', () => {
  it('honours Retry-After in seconds, exactly', async () => {
    const t = setup();
    server.use(http.get(`${API}/items`, () => (t.hit(), t.hits.length === 1 ? new HttpResponse(null, { status: 429, headers: { 'Retry-After': '7' } }) : HttpResponse.json([]))));
    const pending = t.fetch(`${API}/items`);
    expect(await t.nextRetry()).toMatchObject({ delayMs: 7_000, hinted: true, status: 429 });
    await t.clock.advance(6_999);
    await realTick();
    expect(t.hits).toHaveLength(1);
    await t.clock.advance(1);
    expect((await settle(pending, t.clock)).status).toBe(200);
    expect(t.hits[1]! - t.hits[0]!).toBe(7_000);
  });

  it('honours Retry-After as an HTTP date', async () => {
    const t = setup();
    const at = new Date(t.clock.now() + 12_000).toUTCString();
    server.use(http.get(`${API}/items`, () => (t.hit(), t.hits.length === 1 ? new HttpResponse(null, { status: 503, headers: { 'Retry-After': at } }) : HttpResponse.json([]))));
    const pending = t.fetch(`${API}/items`);
    expect(await t.nextRetry()).toMatchObject({ delayMs: 12_000, hinted: true });
    await t.clock.advance(12_000);
    expect((await settle(pending, t.clock)).status).toBe(200);
    expect(t.hits[1]! - t.hits[0]!).toBe(12_000);
  });

  it("honours Discourse's extras.wait_seconds and leaves the body readable", async () => {
    const t = setup({ maxAttempts: 2 });
    const body = { errors: ['You’ve performed this action too many times. Please wait 9 seconds before trying again.'], error_type: 'rate_limit', extras: { wait_seconds: 9, time_left: '9 seconds' } };
    server.use(http.get(`${API}/posts.json`, () => (t.hit(), HttpResponse.json(body, { status: 429 }))));
    const pending = t.fetch(`${API}/posts.json`);
    expect(await t.nextRetry()).toMatchObject({ delayMs: 9_000, hinted: true });
    await t.clock.advance(9_000);
    const response = await settle(pending, t.clock);
    // attempts spent: the connector gets the 429 to classify, with its body
    expect(response.status).toBe(429);
    expect(await response.json()).toEqual(body);
    expect(t.hits[1]! - t.hits[0]!).toBe(9_000);
  });

  it("waits for GitHub's X-RateLimit-Reset on a rate-limited 403", async () => {
    const t = setup();
    const reset = Math.floor(t.clock.now() / 1000) + 42;
    server.use(
      http.get(`${API}/repos/o/r/issues`, () => {
        t.hit();
        if (t.hits.length > 1) return HttpResponse.json([]);
        return HttpResponse.json(
          { message: 'API rate limit exceeded for user ID 1.', documentation_url: 'https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting' },
          { status: 403, headers: { 'X-RateLimit-Limit': '5000', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(reset), 'X-RateLimit-Resource': 'core' } },
        );
      }),
    );
    const pending = t.fetch(`${API}/repos/o/r/issues`);
    expect(await t.nextRetry()).toMatchObject({ delayMs: 42_000, hinted: true, status: 403 });
    await t.clock.advance(42_000);
    expect((await settle(pending, t.clock)).status).toBe(200);
    expect(t.hits[1]).toBe(reset * 1000);
  });

  it('does not retry a 403 that is not a rate limit', async () => {
    const t = setup();
    server.use(http.get(`${API}/private`, () => (t.hit(), HttpResponse.json({ message: 'Resource not accessible by integration' }, { status: 403 }))));
    expect((await t.fetch(`${API}/private`)).status).toBe(403);
    expect(t.hits).toHaveLength(1);
  });

  it('holds the next request after a success that exhausted the GitHub budget', async () => {
    const t = setup();
    const reset = Math.floor(t.clock.now() / 1000) + 30;
    server.use(
      http.get(`${API}/a`, () => (t.hit(), HttpResponse.json([], { headers: { 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(reset) } }))),
      http.get(`${API}/b`, () => (t.hit(), HttpResponse.json([]))),
    );
    expect((await t.fetch(`${API}/a`)).status).toBe(200);
    const second = t.fetch(`${API}/b`);
    await settle(second, t.clock, 1_000);
    expect(t.hits[1]).toBeGreaterThanOrEqual(reset * 1000);
    expect(t.retries).toEqual([]);
  });

  it('returns at once when the provider asks for a longer wait than maxWaitMs', async () => {
    const t = setup({ maxWaitMs: 60_000 });
    server.use(http.get(`${API}/items`, () => (t.hit(), new HttpResponse(null, { status: 429, headers: { 'Retry-After': '3600' } }))));
    const response = await t.fetch(`${API}/items`);
    expect(response.status).toBe(429);
    expect(t.hits).toHaveLength(1);
    const error = await errorForResponse(response, { clock: t.clock, component: 'github' });
    expect(error).toMatchObject({ code: 'rate_limited', retryAfterMs: 3_600_000, retryable: true });
    expect(error.message).toMatch(/^\[tributary\] \[github\] HTTP 429/);
  });

  it('parses Retry-After values', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('1.5', now)).toBe(1_500);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe('errorForResponse', () => {
  it.each([
    [401, 'unauthorized', false],
    [403, 'forbidden', false],
    [404, 'not_found', false],
    [408, 'timeout', true],
    [429, 'rate_limited', true],
    [500, 'unavailable', true],
    [503, 'unavailable', true],
    [400, 'validation', false],
  ] as const)('maps %i to %s', async (status, code, retryable) => {
    const error = await errorForResponse(new Response('{"message":"nope"}', { status }), { component: 'test' });
    expect(error).toMatchObject({ code, retryable });
    expect(error.message).toContain('nope');
  });
});
