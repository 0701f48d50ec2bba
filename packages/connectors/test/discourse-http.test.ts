import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { discourseConnector, DiscourseConfigSchema, DiscourseCredentialsSchema, type DiscourseCredentials } from '@tributary/connectors/discourse';
import { isTributaryError, type TributaryError } from '@tributary/core/errors';
import { BASE_URL, collect, fetchContext, searchResponse } from './fixtures/discourse/factories.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const config = { baseUrl: BASE_URL, searchTerm: 'test' };

async function fetchError(credentials?: DiscourseCredentials): Promise<TributaryError> {
  const error = await collect(discourseConnector.fetch!(fetchContext(config, { credentials }))).catch((e: unknown) => e);
  if (!isTributaryError(error)) throw new Error(`expected a Tributary error, got ${String(error)}`);
  return error;
}

function check(credentials?: DiscourseCredentials): Promise<void> {
  const ctx = fetchContext(config, { credentials });
  return discourseConnector.check!({ config: ctx.config, credentials, fetch: ctx.fetch, signal: ctx.signal });
}

describe('discourse authentication', () => {
  it('sends Api-Key and Api-Username for an admin key', async () => {
    const seen: Headers[] = [];
    server.use(http.get(`${BASE_URL}/search.json`, ({ request }) => (seen.push(request.headers), HttpResponse.json(searchResponse([])))));
    await collect(discourseConnector.fetch!(fetchContext(config, { credentials: { apiKey: 'key-123', apiUsername: 'system' } })));
    expect(seen[0]!.get('api-key')).toBe('key-123');
    expect(seen[0]!.get('api-username')).toBe('system');
    expect(seen[0]!.get('user-api-key')).toBeNull();
    expect(seen[0]!.get('accept')).toBe('application/json');
  });

  it('sends User-Api-Key (and the client id) for a user API key', async () => {
    const seen: Headers[] = [];
    server.use(http.get(`${BASE_URL}/posts.json`, ({ request }) => (seen.push(request.headers), HttpResponse.json({ latest_posts: [] }))));
    const credentials = { userApiKey: 'user-key', userApiClientId: 'client-1' };
    await collect(discourseConnector.fetch!(fetchContext({ baseUrl: BASE_URL, mode: 'latest-posts' }, { credentials })));
    expect(seen[0]!.get('user-api-key')).toBe('user-key');
    expect(seen[0]!.get('user-api-client-id')).toBe('client-1');
    expect(seen[0]!.get('api-key')).toBeNull();
  });

  it('sends no auth headers without credentials', async () => {
    const seen: Headers[] = [];
    server.use(http.get(`${BASE_URL}/search.json`, ({ request }) => (seen.push(request.headers), HttpResponse.json(searchResponse([])))));
    await collect(discourseConnector.fetch!(fetchContext(config)));
    expect([...seen[0]!.keys()].filter((name) => /api/i.test(name))).toEqual([]);
  });

  it('accepts either kind of key, or none', () => {
    expect(DiscourseCredentialsSchema.parse(undefined)).toBeUndefined();
    expect(DiscourseCredentialsSchema.parse({ apiKey: 'k', apiUsername: 'u' })).toEqual({ apiKey: 'k', apiUsername: 'u' });
    expect(DiscourseCredentialsSchema.parse({ userApiKey: 'k' })).toEqual({ userApiKey: 'k' });
    expect(DiscourseCredentialsSchema.safeParse({ apiUsername: 'u' }).success).toBe(false);
  });

  it('budgets 60/min for admin keys, 20/min for user keys and less without keys', () => {
    const budget = (extra: object) => discourseConnector.rateBudget!(DiscourseConfigSchema.parse({ ...config, ...extra }));
    expect(budget({ keyKind: 'admin' })).toMatchObject({ requests: 60, perMs: 60_000 });
    expect(budget({ keyKind: 'user' })).toMatchObject({ requests: 20, perMs: 60_000 });
    expect(budget({})!.requests).toBeLessThan(20);
    expect(budget({ keyKind: 'admin', requestsPerMinute: 200 })).toMatchObject({ requests: 200, perMs: 60_000 });
  });
});

describe('discourse error classification', () => {
  it('classifies 429 with Retry-After as rate_limited with retryAfterMs', async () => {
    server.use(
      http.get(`${BASE_URL}/search.json`, () =>
        HttpResponse.json({ errors: ['You’ve performed this action too many times.'], error_type: 'rate_limit', extras: { wait_seconds: 40 } }, { status: 429, headers: { 'Retry-After': '12' } }),
      ),
    );
    const error = await fetchError();
    expect(error.code).toBe('rate_limited');
    expect(error.retryable).toBe(true);
    // The header wins over the body's hint.
    expect(error.retryAfterMs).toBe(12_000);
    expect(error.context).toMatchObject({ connector: 'discourse', status: 429, errorType: 'rate_limit' });
    expect(error.message).toMatch(/^\[tributary\] \[discourse\] /);
  });

  it('reads extras.wait_seconds when there is no Retry-After', async () => {
    server.use(http.get(`${BASE_URL}/search.json`, () => HttpResponse.json({ error_type: 'rate_limit', extras: { wait_seconds: 7 } }, { status: 429 })));
    const error = await fetchError();
    expect(error.code).toBe('rate_limited');
    expect(error.retryAfterMs).toBe(7_000);
  });

  it('reads a Retry-After HTTP date', async () => {
    const at = new Date(Date.now() + 30_000).toUTCString();
    server.use(http.get(`${BASE_URL}/search.json`, () => new HttpResponse('slow down', { status: 429, headers: { 'Retry-After': at } })));
    const error = await fetchError();
    expect(error.retryAfterMs).toBeGreaterThan(20_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(30_000);
  });

  it.each([401, 403])('classifies %i as unauthorized', async (status) => {
    server.use(
      http.get(`${BASE_URL}/search.json`, () =>
        HttpResponse.json({ errors: ['You are not permitted to view the requested resource.'], error_type: 'invalid_access' }, { status }),
      ),
    );
    const error = await fetchError({ apiKey: 'bad-key', apiUsername: 'system' });
    expect(error.code).toBe('unauthorized');
    expect(error.retryable).toBe(false);
    expect(error.context).toMatchObject({ status, errorType: 'invalid_access' });
    expect(error.message).toContain('not permitted');
    expect(error.message).not.toContain('bad-key');
  });

  it.each([500, 502, 503])('classifies %i as unavailable', async (status) => {
    server.use(http.get(`${BASE_URL}/search.json`, () => new HttpResponse('<html>down</html>', { status })));
    const error = await fetchError();
    expect(error.code).toBe('unavailable');
    expect(error.retryable).toBe(true);
    expect(error.context.status).toBe(status);
  });

  it('classifies other statuses as connector errors', async () => {
    server.use(http.get(`${BASE_URL}/search.json`, () => HttpResponse.json({ errors: ['bad query'] }, { status: 422 })));
    const error = await fetchError();
    expect(error.code).toBe('connector');
    expect(error.context.status).toBe(422);
  });

  it('classifies a network failure as unavailable', async () => {
    server.use(http.get(`${BASE_URL}/search.json`, () => HttpResponse.error()));
    expect((await fetchError()).code).toBe('unavailable');
  });

  it('rejects a 200 that is not JSON, or not a search response', async () => {
    server.use(http.get(`${BASE_URL}/search.json`, () => new HttpResponse('<html>login</html>', { status: 200 })));
    expect((await fetchError()).code).toBe('connector');
    server.use(http.get(`${BASE_URL}/search.json`, () => HttpResponse.json({ posts: 'nope' })));
    expect((await fetchError()).code).toBe('connector');
  });
});

describe('discourse check()', () => {
  it('calls /session/current.json with credentials', async () => {
    const seen: Headers[] = [];
    server.use(http.get(`${BASE_URL}/session/current.json`, ({ request }) => (seen.push(request.headers), HttpResponse.json({ current_user: { id: 1, username: 'system' } }))));
    await expect(check({ apiKey: 'k', apiUsername: 'system' })).resolves.toBeUndefined();
    expect(seen[0]!.get('api-key')).toBe('k');
  });

  it('reports refused credentials as unauthorized', async () => {
    server.use(http.get(`${BASE_URL}/session/current.json`, () => HttpResponse.json({ errors: ['invalid'] }, { status: 401 })));
    await expect(check({ apiKey: 'k', apiUsername: 'system' })).rejects.toMatchObject({ code: 'unauthorized' });
    server.use(http.get(`${BASE_URL}/session/current.json`, () => HttpResponse.json({ errors: ['not found'] }, { status: 404 })));
    await expect(check({ userApiKey: 'k' })).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('calls /about.json without credentials', async () => {
    server.use(http.get(`${BASE_URL}/about.json`, () => HttpResponse.json({ about: { title: 'Discourse Meta' } })));
    await expect(check()).resolves.toBeUndefined();
  });

  it('reports a base URL that is not a Discourse forum as a config error', async () => {
    server.use(http.get(`${BASE_URL}/about.json`, () => HttpResponse.json({ hello: 'world' })));
    await expect(check()).rejects.toMatchObject({ code: 'config' });
    server.use(http.get(`${BASE_URL}/about.json`, () => new HttpResponse('nope', { status: 404 })));
    await expect(check()).rejects.toMatchObject({ code: 'config' });
  });
});
