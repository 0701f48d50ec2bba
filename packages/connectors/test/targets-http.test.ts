import { delay, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { z } from 'zod';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { httpTarget, HttpTargetConfigSchema, parseRetryAfter, statusClass, type HttpTargetConfigInput } from '@tributary/connectors/targets/http';
import { dispatchAll, expectAllAcceptedOnce, flakyReceiver, message, sendContext } from './fixtures/targets/messages.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const URL_ = 'https://hooks.example.com/tributary';
const send = (input: HttpTargetConfigInput, m = message(1), signal?: AbortSignal) => httpTarget.send(m, sendContext(HttpTargetConfigSchema.parse(input), signal));

/** Answers every request with `status` (and headers/body), recording what was received. */
function answer(status: number, init: { headers?: Record<string, string>; body?: string } = {}) {
  const seen: { method: string; headers: Headers; body: string }[] = [];
  server.use(
    http.all(URL_, async ({ request }) => {
      seen.push({ method: request.method, headers: request.headers, body: await request.text() });
      return new HttpResponse(init.body ?? null, { status, headers: init.headers });
    }),
  );
  return seen;
}

describe('http target: request', () => {
  it('POSTs the whole message as JSON with the Idempotency-Key', async () => {
    const seen = answer(200);
    const m = message(1);
    expect(await send({ url: URL_ }, m)).toEqual({ ok: true, status: 200 });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.method).toBe('POST');
    expect(seen[0]!.headers.get('idempotency-key')).toBe('key-1');
    expect(seen[0]!.headers.get('content-type')).toBe('application/json');
    expect(seen[0]!.headers.get('authorization')).toBeNull();
    expect(JSON.parse(seen[0]!.body)).toEqual(m);
  });

  it('PUTs only the payload with extra headers and a bearer token; the Idempotency-Key cannot be overridden', async () => {
    const seen = answer(204);
    const result = await send({ url: URL_, method: 'PUT', body: 'payload', headers: { 'X-Team': 'growth', 'Idempotency-Key': 'forged' }, bearerToken: 'tok_secret_123' });
    expect(result).toEqual({ ok: true, status: 204 });
    expect(seen[0]!.method).toBe('PUT');
    expect(JSON.parse(seen[0]!.body)).toEqual({ n: 1, name: 'item 1' });
    expect(seen[0]!.headers.get('x-team')).toBe('growth');
    expect(seen[0]!.headers.get('idempotency-key')).toBe('key-1');
    expect(seen[0]!.headers.get('authorization')).toBe('Bearer tok_secret_123');
  });

  it('sends the same Idempotency-Key on every attempt of one message', async () => {
    const seen = answer(503);
    await send({ url: URL_ });
    await send({ url: URL_ });
    expect(seen.map((s) => s.headers.get('idempotency-key'))).toEqual(['key-1', 'key-1']);
  });

  it('refuses a payload JSON cannot carry, permanently, without a request', async () => {
    const seen = answer(200);
    const result = await send({ url: URL_ }, message(1, { payload: { big: 1n } }));
    expect(result).toMatchObject({ ok: false, permanent: true });
    expect(seen).toHaveLength(0);
  });
});

describe('http target: classification', () => {
  it.each([200, 201, 202, 204])('%i is accepted', async (status) => {
    answer(status);
    expect(await send({ url: URL_ })).toEqual({ ok: true, status });
  });

  it.each([408, 425, 429, 500, 502, 503, 504])('%i is a retryable failure', async (status) => {
    answer(status, { body: 'try later' });
    const result = await send({ url: URL_ });
    expect(result).toEqual({ ok: false, status, error: 'try later' });
    expect(statusClass(status)).toBe('retryable');
  });

  it.each([400, 404, 410, 413, 422])('%i is permanent', async (status) => {
    answer(status, { body: '{"error":"bad"}', headers: { 'retry-after': '5' } });
    // Retry-After on a permanent refusal is ignored: retrying cannot help.
    expect(await send({ url: URL_ })).toEqual({ ok: false, status, permanent: true, error: '{"error":"bad"}' });
  });

  it.each([401, 403])('%i is a failure, not permanent (the credentials may be fixed)', async (status) => {
    answer(status, { body: 'invalid token' });
    const result = await send({ url: URL_ });
    expect(result).toEqual({ ok: false, status, error: 'invalid token' });
    expect(statusClass(status)).toBe('unauthorized');
  });

  it('treats other statuses (409) as non-permanent failures', async () => {
    answer(409);
    expect(await send({ url: URL_ })).toMatchObject({ ok: false, status: 409 });
    expect((await send({ url: URL_ })).permanent).toBeUndefined();
  });

  it('does not follow redirects', async () => {
    answer(301, { headers: { location: 'https://elsewhere.example.com/' } });
    const result = await send({ url: URL_ });
    expect(result).toMatchObject({ ok: false, status: 301 });
    expect(result.error).toContain('redirected to https://elsewhere.example.com/');
    expect(result.permanent).toBeUndefined();
  });

  it('reads Retry-After in seconds', async () => {
    answer(429, { headers: { 'retry-after': '7' } });
    expect(await send({ url: URL_ })).toMatchObject({ ok: false, status: 429, retryAfterMs: 7000 });
  });

  it('reads Retry-After as an HTTP date', async () => {
    answer(503, { headers: { 'retry-after': new Date(Date.now() + 30_000).toUTCString() } });
    const result = await send({ url: URL_ });
    // The date has a resolution of one second.
    expect(result.retryAfterMs).toBeGreaterThan(28_000);
    expect(result.retryAfterMs).toBeLessThanOrEqual(30_000);
  });

  it('reports RateLimit headers as the budget', async () => {
    answer(200, { headers: { 'x-ratelimit-remaining': '3', 'x-ratelimit-limit': '60', 'x-ratelimit-reset': '10' } });
    const before = Date.now();
    const result = await send({ url: URL_ });
    expect(result.budget).toMatchObject({ remaining: 3, limit: 60 });
    expect(result.budget!.resetAt).toBeGreaterThanOrEqual(before + 10_000);
    answer(200, { headers: { 'ratelimit-remaining': '0', 'ratelimit-reset': '1900000000' } });
    expect((await send({ url: URL_ })).budget).toEqual({ remaining: 0, resetAt: 1_900_000_000_000 });
  });

  it('reports a network error as a retryable failure', async () => {
    server.use(http.post(URL_, () => HttpResponse.error()));
    const result = await send({ url: URL_ });
    expect(result.ok).toBe(false);
    expect(result.permanent).toBeUndefined();
    expect(result.error).toMatch(/^request failed/);
  });

  it('stops waiting when the signal aborts (the dispatcher timeout) and reports a retryable failure', async () => {
    server.use(http.post(URL_, async () => {
      await delay('infinite');
      return HttpResponse.json({});
    }));
    const controller = new AbortController();
    setTimeout(() => controller.abort(Object.assign(new Error('timed out after 50 ms'), { name: 'TimeoutError' })), 50);
    const started = Date.now();
    const result = await send({ url: URL_ }, message(1), controller.signal);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(result).toEqual({ ok: false, error: 'request aborted: timed out after 50 ms' });
  });

  it('never puts the bearer token in an error, even when the receiver echoes it', async () => {
    server.use(http.post(URL_, ({ request }) => new HttpResponse(`bad credentials: ${request.headers.get('authorization')}`, { status: 401 })));
    const result = await send({ url: URL_, bearerToken: 'tok_secret_123' });
    expect(result.error).toBe('bad credentials: Bearer [redacted]');
  });

  it('bounds the error taken from a long body', async () => {
    answer(500, { body: 'x'.repeat(10_000) });
    expect((await send({ url: URL_ })).error!.length).toBeLessThanOrEqual(301);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-03-01T10:00:00Z');
  it.each([
    ['0', 0],
    ['120', 120_000],
    ['2.0', 2000],
    ['0.25', 250],
    [' 3 ', 3000],
    ['Sun, 01 Mar 2026 10:00:30 GMT', 30_000],
    ['Sun, 01 Mar 2026 09:59:00 GMT', 0],
  ])('%j → %i ms', (value, ms) => {
    expect(parseRetryAfter(value, now)).toBe(ms);
  });

  it.each([null, undefined, '', 'soon', '-5'])('%j → undefined', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});

describe('http target: configuration', () => {
  it('applies defaults', () => {
    expect(HttpTargetConfigSchema.parse({ url: URL_ })).toEqual({ url: URL_, method: 'POST', body: 'message', headers: {} });
  });

  it('validates the URL, method and headers', () => {
    expect(HttpTargetConfigSchema.safeParse({ url: 'ftp://example.com/x' }).success).toBe(false);
    expect(HttpTargetConfigSchema.safeParse({ url: 'not a url' }).success).toBe(false);
    expect(HttpTargetConfigSchema.safeParse({ url: URL_, method: 'GET' }).success).toBe(false);
    expect(HttpTargetConfigSchema.safeParse({ url: URL_, headers: { 'Bad Name': 'x' } }).success).toBe(false);
    expect(HttpTargetConfigSchema.safeParse({ url: URL_, headers: { 'X-Ok': 'line\r\nInjected: 1' } }).success).toBe(false);
  });

  it('marks the bearer token as a secret', () => {
    const schema = z.toJSONSchema(HttpTargetConfigSchema, { io: 'input' }) as { properties: Record<string, Record<string, unknown>> };
    expect(schema.properties.bearerToken).toMatchObject({ secret: true, writeOnly: true });
    expect(schema.properties.url!.secret).toBeUndefined();
  });

  it('has a name and version', () => {
    expect(httpTarget.name).toBe('http');
    expect(httpTarget.version).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('http target through the dispatcher', () => {
  it('gets every message accepted exactly once while the receiver answers 429 sometimes', async () => {
    const receiver = flakyReceiver(3);
    server.use(
      http.post(URL_, ({ request }) => {
        if (receiver.next()) return new HttpResponse('slow down', { status: 429, headers: { 'retry-after': '0.02' } });
        receiver.accept(request.headers.get('idempotency-key'));
        return HttpResponse.json({ ok: true }, { status: 202 });
      }),
    );
    const messages = Array.from({ length: 30 }, (_, i) => message(i));
    const result = await dispatchAll(httpTarget, HttpTargetConfigSchema.parse({ url: URL_ }), messages);
    expectAllAcceptedOnce(result, receiver.accepted, messages);
  });
});
