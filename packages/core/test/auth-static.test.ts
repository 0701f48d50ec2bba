import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  apiKeyAuth,
  ApiKeyCredentialsSchema,
  AuthCredentialsSchema,
  basicAuth,
  bearerAuth,
  createAuth,
  withAuth,
  type RequestAuth,
} from '@tributary/core/auth';
import { isTributaryError } from '@tributary/core/errors';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const API = 'https://api.example.test';
const fetch = (input: string | URL | Request, init?: RequestInit) => globalThis.fetch(input, init);

/** Serves `${API}/echo`, answering with what it received. */
function echo(status = 200) {
  const seen: Request[] = [];
  server.use(
    http.all(`${API}/echo`, async ({ request }) => {
      seen.push(request.clone());
      return HttpResponse.json({ url: request.url, authorization: request.headers.get('authorization'), body: await request.text() }, { status });
    }),
  );
  return seen;
}

async function send(auth: RequestAuth, input: string | Request = `${API}/echo`, init?: RequestInit) {
  const response = await withAuth(fetch, auth)(input, init);
  return { response, body: (await response.json()) as { url: string; authorization: string | null; body: string } };
}

describe('auth: API key', () => {
  it('sends the key in X-API-Key by default', async () => {
    const seen = echo();
    await send(apiKeyAuth({ apiKey: 'k-1' }));
    expect(seen[0]!.headers.get('x-api-key')).toBe('k-1');
  });

  it('sends the key in a named header with a prefix', async () => {
    const seen = echo();
    await send(apiKeyAuth({ apiKey: 'k-1', name: 'Authorization', prefix: 'Token ' }));
    expect(seen[0]!.headers.get('authorization')).toBe('Token k-1');
  });

  it('sends the key as a query parameter, keeping the rest of the query', async () => {
    echo();
    const { body } = await send(apiKeyAuth({ apiKey: 'k 1&x', in: 'query', name: 'key' }), `${API}/echo?page=2`);
    const url = new URL(body.url);
    expect(url.searchParams.get('page')).toBe('2');
    expect(url.searchParams.get('key')).toBe('k 1&x');
  });

  it('defaults the query parameter to api_key', async () => {
    echo();
    const { body } = await send(apiKeyAuth({ apiKey: 'k-1', in: 'query' }));
    expect(new URL(body.url).searchParams.get('api_key')).toBe('k-1');
  });

  it('refuses malformed credentials without echoing the key', () => {
    const error = (() => {
      try {
        apiKeyAuth({ apiKey: 'super-secret', name: 'bad header' });
      } catch (e) {
        return e;
      }
    })();
    expect(isTributaryError(error, 'validation')).toBe(true);
    expect((error as Error).message).toContain('name');
    expect((error as Error).message).not.toContain('super-secret');
    expect(ApiKeyCredentialsSchema.safeParse({ apiKey: 'k', in: 'query', prefix: 'Token ' }).success).toBe(false);
  });
});

describe('auth: basic and bearer', () => {
  it('sends basic credentials encoded as UTF-8', async () => {
    echo();
    const { body } = await send(basicAuth({ username: 'jürgen', password: 'pä:ss' }));
    expect(body.authorization).toBe(`Basic ${Buffer.from('jürgen:pä:ss', 'utf8').toString('base64')}`);
  });

  it('refuses a user name with a colon', () => {
    expect(() => basicAuth({ username: 'a:b', password: 'x' })).toThrow(/username/);
  });

  it('sends a bearer token', async () => {
    echo();
    const { body } = await send(bearerAuth({ token: 't-1' }));
    expect(body.authorization).toBe('Bearer t-1');
  });

  it('returns a 401 to static credentials as is (retrying cannot help)', async () => {
    const seen = echo(401);
    const { response } = await send(bearerAuth({ token: 't-1' }));
    expect(response.status).toBe(401);
    expect(seen).toHaveLength(1);
  });

  it('overrides an Authorization header the caller set', async () => {
    echo();
    const { body } = await send(bearerAuth({ token: 't-1' }), `${API}/echo`, { headers: { authorization: 'Bearer stale' } });
    expect(body.authorization).toBe('Bearer t-1');
  });
});

describe('auth: withAuth', () => {
  it('authorizes a Request, keeping its method, headers and body', async () => {
    const seen = echo();
    const request = new Request(`${API}/echo`, { method: 'POST', headers: { 'x-trace': 'abc' }, body: '{"a":1}' });
    const { body } = await send(bearerAuth({ token: 't-1' }), request);
    expect(seen[0]!.method).toBe('POST');
    expect(seen[0]!.headers.get('x-trace')).toBe('abc');
    expect(body).toMatchObject({ authorization: 'Bearer t-1', body: '{"a":1}' });
    // The caller's request is left unread.
    expect(request.bodyUsed).toBe(false);
  });

  it('keeps secrets out of a serialized or logged auth', () => {
    for (const auth of [bearerAuth({ token: 'tok-secret' }), basicAuth({ username: 'u', password: 'pw-secret' }), apiKeyAuth({ apiKey: 'key-secret' })]) {
      expect(JSON.stringify(auth)).not.toMatch(/secret/);
      expect(Object.values(auth).filter((v) => typeof v === 'string')).toEqual([auth.kind]);
    }
  });
});

describe('auth: createAuth', () => {
  it('builds each kind from tagged credentials', async () => {
    const seen = echo();
    await send(createAuth({ type: 'bearer', token: 't-1' }));
    await send(createAuth({ type: 'basic', username: 'u', password: 'p' }));
    await send(createAuth({ type: 'api_key', apiKey: 'k', name: 'Api-Key' }));
    expect(seen.map((r) => r.headers.get('authorization') ?? r.headers.get('api-key'))).toEqual(['Bearer t-1', `Basic ${btoa('u:p')}`, 'k']);
    expect(createAuth({ type: 'oauth2_client_credentials', tokenUrl: 'https://auth.example.test/token', clientId: 'c', clientSecret: 's' }).kind).toBe('oauth2_client_credentials');
  });

  it('refuses unknown kinds and plain-http token endpoints', () => {
    expect(AuthCredentialsSchema.safeParse({ type: 'magic', token: 'x' }).success).toBe(false);
    const insecure = AuthCredentialsSchema.safeParse({ type: 'oauth2_refresh_token', tokenUrl: 'http://auth.example.test/token', clientId: 'c', refreshToken: 'r' });
    expect(insecure.success).toBe(false);
    const local = AuthCredentialsSchema.safeParse({ type: 'oauth2_refresh_token', tokenUrl: 'http://localhost:8080/token', clientId: 'c', refreshToken: 'r' });
    expect(local.success).toBe(true);
  });
});
