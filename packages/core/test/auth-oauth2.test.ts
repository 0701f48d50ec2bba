import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { oauth2ClientCredentials, oauth2RefreshToken, withAuth, type OAuth2Tokens, type RequestAuth, type TokensInfo } from '@tributary/core/auth';
import { createManualClock } from '@tributary/core/clock';
import { isTributaryError, type TributaryError } from '@tributary/core/errors';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const TOKEN_URL = 'https://auth.example.test/oauth/token';
const API = 'https://api.example.test';
const CLIENT_SECRET = 'client-secret-value';
const fetch = (input: string | URL | Request, init?: RequestInit) => globalThis.fetch(input, init);

interface FakeAuthServerOptions {
  expiresIn?: number | string;
  /** Issue a new refresh token with every refresh and refuse the old one afterwards. */
  rotate?: boolean;
  /** Answer the token endpoint with this instead of tokens. */
  fail?: () => Response;
}

/** An authorization server and an API that accepts only the tokens it issued (and not revoked). */
function fakeAuthServer(options: FakeAuthServerOptions = {}) {
  const state = {
    grants: [] as URLSearchParams[],
    tokenHeaders: [] as Headers[],
    apiCalls: [] as (string | null)[],
    valid: new Set<string>(['a-stored']),
    refreshToken: 'r-0',
    issued: 0,
    fail: options.fail,
  };
  server.use(
    http.post(TOKEN_URL, async ({ request }) => {
      const grant = new URLSearchParams(await request.text());
      state.grants.push(grant);
      state.tokenHeaders.push(request.headers);
      if (state.fail) return state.fail();
      if (grant.get('grant_type') === 'refresh_token' && grant.get('refresh_token') !== state.refreshToken) {
        return HttpResponse.json({ error: 'invalid_grant', error_description: `refresh token ${grant.get('refresh_token')} was revoked` }, { status: 400 });
      }
      const access = `a-${++state.issued}`;
      state.valid.add(access);
      const body: Record<string, unknown> = { access_token: access, token_type: 'bearer', expires_in: options.expiresIn ?? 3600, scope: grant.get('scope') ?? 'read' };
      if (options.rotate) {
        state.refreshToken = `r-${state.issued}`;
        body.refresh_token = state.refreshToken;
      }
      return HttpResponse.json(body);
    }),
    http.get(`${API}/data`, ({ request }) => {
      const authorization = request.headers.get('authorization');
      state.apiCalls.push(authorization);
      const token = authorization?.replace(/^Bearer /, '') ?? '';
      return state.valid.has(token) ? HttpResponse.json({ token }) : HttpResponse.json({ message: 'Bad credentials' }, { status: 401 });
    }),
  );
  return state;
}

async function call(auth: RequestAuth, init?: RequestInit): Promise<Response> {
  return withAuth(fetch, auth)(`${API}/data`, init);
}

async function tokenUsed(auth: RequestAuth): Promise<string> {
  const response = await call(auth);
  expect(response.status).toBe(200);
  return ((await response.json()) as { token: string }).token;
}

async function failure(promise: Promise<unknown>): Promise<TributaryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isTributaryError(error)) throw new Error(`expected a Tributary error, got ${String(error)}`);
  return error;
}

const clientCredentials = { tokenUrl: TOKEN_URL, clientId: 'client-1', clientSecret: CLIENT_SECRET };

describe('auth: OAuth2 client credentials', () => {
  it('requests a token on first use with scope and audience, authenticating with HTTP basic', async () => {
    const s = fakeAuthServer();
    const auth = oauth2ClientCredentials({ ...clientCredentials, scope: ['read:feedback', 'write'], audience: 'https://api.example.test' }, { clock: createManualClock() });
    expect(await tokenUsed(auth)).toBe('a-1');
    expect(Object.fromEntries(s.grants[0]!)).toEqual({ grant_type: 'client_credentials', scope: 'read:feedback write', audience: 'https://api.example.test' });
    expect(s.tokenHeaders[0]!.get('authorization')).toBe(`Basic ${Buffer.from(`client-1:${CLIENT_SECRET}`).toString('base64')}`);
    expect(s.tokenHeaders[0]!.get('content-type')).toBe('application/x-www-form-urlencoded');
    // `bearer` from the server is sent as the canonical `Bearer`.
    expect(s.apiCalls).toEqual(['Bearer a-1']);
  });

  it('sends the client in the form body with clientAuth "body"', async () => {
    const s = fakeAuthServer();
    await tokenUsed(oauth2ClientCredentials({ ...clientCredentials, clientAuth: 'body' }, { clock: createManualClock() }));
    expect(s.tokenHeaders[0]!.get('authorization')).toBeNull();
    expect(s.grants[0]!.get('client_id')).toBe('client-1');
    expect(s.grants[0]!.get('client_secret')).toBe(CLIENT_SECRET);
  });

  it('caches the token until shortly before it expires, then requests a new one', async () => {
    const s = fakeAuthServer({ expiresIn: 3600 });
    const clock = createManualClock();
    const auth = oauth2ClientCredentials(clientCredentials, { clock, refreshBeforeExpiryMs: 60_000 });
    expect(await tokenUsed(auth)).toBe('a-1');
    await clock.advance(3_540_000 - 1);
    expect(await tokenUsed(auth)).toBe('a-1');
    expect(s.grants).toHaveLength(1);
    await clock.advance(1);
    expect(await tokenUsed(auth)).toBe('a-2');
    expect(s.grants).toHaveLength(2);
  });

  it('refreshes a short-lived token at half its life rather than on every request', async () => {
    const s = fakeAuthServer({ expiresIn: '60' });
    const clock = createManualClock();
    const auth = oauth2ClientCredentials(clientCredentials, { clock, refreshBeforeExpiryMs: 60_000 });
    await tokenUsed(auth);
    await clock.advance(29_999);
    expect(await tokenUsed(auth)).toBe('a-1');
    await clock.advance(1);
    expect(await tokenUsed(auth)).toBe('a-2');
    expect(s.grants).toHaveLength(2);
  });

  it('on a 401 gets a new token and retries the request once', async () => {
    const s = fakeAuthServer();
    const auth = oauth2ClientCredentials(clientCredentials, { clock: createManualClock() });
    await tokenUsed(auth);
    s.valid.delete('a-1');
    expect(await tokenUsed(auth)).toBe('a-2');
    expect(s.apiCalls).toEqual(['Bearer a-1', 'Bearer a-1', 'Bearer a-2']);
  });

  it('returns the second 401 as is instead of looping', async () => {
    const s = fakeAuthServer();
    const auth = oauth2ClientCredentials(clientCredentials, { clock: createManualClock() });
    await tokenUsed(auth);
    s.valid.clear();
    const issue = s.valid.add.bind(s.valid);
    // Every new token is refused too.
    s.valid.add = (value) => (value.startsWith('a-') ? s.valid : issue(value));
    const response = await call(auth);
    expect(response.status).toBe(401);
    expect(s.apiCalls).toHaveLength(3);
    expect(s.grants).toHaveLength(2);
  });

  it('shares one token request among 10 concurrent requests', async () => {
    const s = fakeAuthServer();
    const auth = oauth2ClientCredentials(clientCredentials, { clock: createManualClock() });
    const tokens = await Promise.all(Array.from({ length: 10 }, () => tokenUsed(auth)));
    expect(new Set(tokens)).toEqual(new Set(['a-1']));
    expect(s.grants).toHaveLength(1);
  });

  it('shares one renewal among 10 concurrent requests refused with 401', async () => {
    const s = fakeAuthServer();
    const auth = oauth2ClientCredentials(clientCredentials, { clock: createManualClock() });
    await tokenUsed(auth);
    s.valid.delete('a-1');
    const tokens = await Promise.all(Array.from({ length: 10 }, () => tokenUsed(auth)));
    expect(new Set(tokens)).toEqual(new Set(['a-2']));
    expect(s.grants).toHaveLength(2);
  });

  it('keeps using a still-valid token when an early refresh fails for a passing reason', async () => {
    const s = fakeAuthServer();
    const clock = createManualClock();
    const auth = oauth2ClientCredentials(clientCredentials, { clock });
    await tokenUsed(auth);
    await clock.advance(3_590_000);
    s.fail = () => HttpResponse.json({ error: 'temporarily_unavailable' }, { status: 503 });
    expect(await tokenUsed(auth)).toBe('a-1');
    await clock.advance(10_000);
    const error = await failure(call(auth));
    expect(error.code).toBe('unavailable');
  });

  it('classifies token endpoint failures without leaking the secret', async () => {
    const cases: [() => Response, string][] = [
      [() => HttpResponse.json({ error: 'invalid_client', error_description: `client secret ${CLIENT_SECRET} is wrong` }, { status: 401 }), 'unauthorized'],
      [() => HttpResponse.json({ error: 'invalid_scope' }, { status: 400 }), 'config'],
      [() => new HttpResponse('upstream down', { status: 502 }), 'unavailable'],
      [() => HttpResponse.json({ error: 'slow_down' }, { status: 429, headers: { 'retry-after': '7' } }), 'rate_limited'],
      [() => HttpResponse.json({ token_type: 'bearer', expires_in: 60, secret_field: CLIENT_SECRET }), 'unavailable'],
      [() => HttpResponse.error(), 'unavailable'],
    ];
    for (const [fail, code] of cases) {
      fakeAuthServer({ fail });
      const error = await failure(call(oauth2ClientCredentials(clientCredentials, { clock: createManualClock() })));
      expect(error.code, error.message).toBe(code);
      expect(error.message).toContain('https://auth.example.test/oauth/token');
      expect(error.message).not.toContain(CLIENT_SECRET);
      expect(JSON.stringify(error.context)).not.toContain(CLIENT_SECRET);
      if (code === 'rate_limited') expect(error.retryAfterMs).toBe(7000);
    }
  });

  it('times out a token endpoint that never answers, on the injected clock', async () => {
    server.use(http.post(TOKEN_URL, () => new Promise<Response>(() => undefined)));
    const clock = createManualClock();
    const pending = failure(call(oauth2ClientCredentials(clientCredentials, { clock, timeoutMs: 5_000 })));
    await new Promise((resolve) => setImmediate(resolve));
    await clock.advance(5_000);
    const error = await pending;
    expect(error.code).toBe('unavailable');
    expect(error.message).toMatch(/timed out after 5000 ms/);
  });
});

const refreshCredentials = { tokenUrl: TOKEN_URL, clientId: 'client-1', clientSecret: CLIENT_SECRET, refreshToken: 'r-0' };

/** Records what `onTokens` receives. */
function persisted() {
  const calls: { tokens: OAuth2Tokens; info: TokensInfo }[] = [];
  return { calls, onTokens: (tokens: OAuth2Tokens, info: TokensInfo) => void calls.push({ tokens, info }) };
}

describe('auth: OAuth2 refresh token', () => {
  it('uses the stored access token while it is valid', async () => {
    const s = fakeAuthServer();
    const clock = createManualClock();
    const auth = oauth2RefreshToken({ ...refreshCredentials, accessToken: 'a-stored', expiresAt: clock.now() + 600_000 }, { clock });
    expect(await tokenUsed(auth)).toBe('a-stored');
    expect(s.grants).toHaveLength(0);
  });

  it('refreshes first when no access token is stored', async () => {
    const s = fakeAuthServer();
    const auth = oauth2RefreshToken(refreshCredentials, { clock: createManualClock() });
    expect(await tokenUsed(auth)).toBe('a-1');
    expect(Object.fromEntries(s.grants[0]!)).toEqual({ grant_type: 'refresh_token', refresh_token: 'r-0' });
  });

  it('refreshes shortly before expiry', async () => {
    const s = fakeAuthServer();
    const clock = createManualClock();
    const auth = oauth2RefreshToken({ ...refreshCredentials, accessToken: 'a-stored', expiresAt: clock.now() + 600_000 }, { clock, refreshBeforeExpiryMs: 60_000 });
    await clock.advance(539_999);
    expect(await tokenUsed(auth)).toBe('a-stored');
    await clock.advance(1);
    expect(await tokenUsed(auth)).toBe('a-1');
    expect(s.grants).toHaveLength(1);
  });

  it('on a 401 refreshes and retries the request once', async () => {
    const s = fakeAuthServer();
    const auth = oauth2RefreshToken({ ...refreshCredentials, accessToken: 'a-revoked' }, { clock: createManualClock() });
    expect(await tokenUsed(auth)).toBe('a-1');
    expect(s.apiCalls).toEqual(['Bearer a-revoked', 'Bearer a-1']);
  });

  it('persists a rotated refresh token through onTokens and refreshes with it next time', async () => {
    const s = fakeAuthServer({ rotate: true, expiresIn: 3600 });
    const clock = createManualClock();
    const p = persisted();
    const auth = oauth2RefreshToken(refreshCredentials, { clock, onTokens: p.onTokens });
    expect(await tokenUsed(auth)).toBe('a-1');
    expect(p.calls).toEqual([{ tokens: { accessToken: 'a-1', tokenType: 'bearer', refreshToken: 'r-1', expiresAt: clock.now() + 3_600_000, scope: 'read' }, info: { rotated: true } }]);
    await clock.advance(3_600_000);
    // The server refuses r-0 by now: only the rotated token can work.
    expect(await tokenUsed(auth)).toBe('a-2');
    expect(s.grants.map((g) => g.get('refresh_token'))).toEqual(['r-0', 'r-1']);
    expect(p.calls.map((c) => [c.tokens.refreshToken, c.info.rotated])).toEqual([
      ['r-1', true],
      ['r-2', true],
    ]);
  });

  it('reports a refresh without rotation with the refresh token that stays valid', async () => {
    fakeAuthServer({ rotate: false });
    const p = persisted();
    await tokenUsed(oauth2RefreshToken(refreshCredentials, { clock: createManualClock(), onTokens: p.onTokens }));
    expect(p.calls[0]).toMatchObject({ tokens: { accessToken: 'a-1', refreshToken: 'r-0' }, info: { rotated: false } });
  });

  it('shares one refresh among 10 concurrent requests, so a rotating server sees the refresh token once', async () => {
    const s = fakeAuthServer({ rotate: true });
    const clock = createManualClock();
    const p = persisted();
    const auth = oauth2RefreshToken({ ...refreshCredentials, accessToken: 'a-stored', expiresAt: clock.now() + 1_000 }, { clock, onTokens: p.onTokens });
    await clock.advance(1_000);
    const tokens = await Promise.all(Array.from({ length: 10 }, () => tokenUsed(auth)));
    expect(new Set(tokens)).toEqual(new Set(['a-1']));
    expect(s.grants).toHaveLength(1);
    expect(p.calls).toHaveLength(1);
  });

  it('shares one refresh among 10 concurrent requests refused with 401', async () => {
    const s = fakeAuthServer({ rotate: true });
    const auth = oauth2RefreshToken({ ...refreshCredentials, accessToken: 'a-revoked' }, { clock: createManualClock() });
    const tokens = await Promise.all(Array.from({ length: 10 }, () => tokenUsed(auth)));
    expect(new Set(tokens)).toEqual(new Set(['a-1']));
    expect(s.grants).toHaveLength(1);
  });

  it('fails with unauthorized on invalid_grant, without the refresh token or secret in the error', async () => {
    const s = fakeAuthServer();
    s.refreshToken = 'something-else';
    const error = await failure(call(oauth2RefreshToken(refreshCredentials, { clock: createManualClock() })));
    expect(error.code).toBe('unauthorized');
    expect(error.retryable).toBe(false);
    expect(error.context).toMatchObject({ oauthError: 'invalid_grant', status: 400, grant: 'refresh_token' });
    expect(error.message).toContain('invalid_grant');
    // The server echoed the refresh token in its description: it is blanked out.
    expect(error.message).toContain('refresh token [redacted] was revoked');
    expect(`${error.message}${JSON.stringify(error.context)}`).not.toMatch(/r-0|client-secret-value/);
  });

  it('fails the request when onTokens throws, and refreshes again with the rotated token next time', async () => {
    const s = fakeAuthServer({ rotate: true });
    let attempts = 0;
    const auth = oauth2RefreshToken(refreshCredentials, {
      clock: createManualClock(),
      onTokens: () => {
        if (++attempts === 1) throw new Error('storage is down');
      },
    });
    const error = await failure(call(auth));
    expect(error.code).toBe('internal');
    expect(error.message).toMatch(/not persisted \(the refresh token was rotated\)/);
    expect(await tokenUsed(auth)).toBe('a-2');
    expect(s.grants.map((g) => g.get('refresh_token'))).toEqual(['r-0', 'r-1']);
  });

  it('sends only the client id for a public client', async () => {
    const s = fakeAuthServer();
    await tokenUsed(oauth2RefreshToken({ tokenUrl: TOKEN_URL, clientId: 'spa', refreshToken: 'r-0' }, { clock: createManualClock() }));
    expect(s.tokenHeaders[0]!.get('authorization')).toBeNull();
    expect(s.grants[0]!.get('client_id')).toBe('spa');
    expect(s.grants[0]!.has('client_secret')).toBe(false);
  });

  it('lets a caller whose signal aborts stop waiting, without cancelling the shared refresh', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const s = fakeAuthServer();
    server.use(
      http.post(TOKEN_URL, async () => {
        await gate;
        s.valid.add('a-slow');
        return HttpResponse.json({ access_token: 'a-slow', expires_in: 3600 });
      }),
    );
    const auth = oauth2RefreshToken(refreshCredentials, { clock: createManualClock() });
    const controller = new AbortController();
    const aborted = call(auth, { signal: controller.signal }).then(
      () => 'resolved',
      () => 'rejected',
    );
    const patient = tokenUsed(auth);
    controller.abort(new Error('caller gave up'));
    expect(await aborted).toBe('rejected');
    release();
    expect(await patient).toBe('a-slow');
  });
});
