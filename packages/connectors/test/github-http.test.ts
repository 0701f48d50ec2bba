import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { githubConnector, GithubConfigSchema, GithubCredentialsSchema, type GithubConfigInput } from '@tributary/connectors/github';
import { createManualClock } from '@tributary/core/clock';
import { isTributaryError, type TributaryError } from '@tributary/core/errors';
import { collect, fetchContext, fixture, REPO_API, TOKEN, type Json } from './fixtures/github/factories.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const config: GithubConfigInput = { owner: 'octocat', repo: 'Hello-World', include: ['issues'] };
const NOW = Date.UTC(2026, 0, 1, 0, 0, 0);

async function fetchError(respond: () => Response): Promise<TributaryError> {
  server.use(http.get(`${REPO_API}/issues`, respond));
  const error = await collect(githubConnector.fetch!(fetchContext(config, { clock: createManualClock(NOW) }))).catch((e: unknown) => e);
  if (!isTributaryError(error)) throw new Error(`expected a Tributary error, got ${String(error)}`);
  return error;
}

describe('github rate limits', () => {
  it('classifies an exhausted primary limit (403, X-RateLimit-Remaining: 0) as rate_limited until the reset', async () => {
    const reset = NOW / 1000 + 1800;
    const error = await fetchError(() =>
      HttpResponse.json(
        { message: 'API rate limit exceeded for user ID 583231.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api' },
        { status: 403, headers: { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset), 'x-ratelimit-resource': 'core' } },
      ),
    );
    expect(error.code).toBe('rate_limited');
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBe(1_800_000);
    expect(error.message).toMatch(/^\[tributary\] \[github\] issues failed: HTTP 403 on \/repos\/octocat\/Hello-World\/issues\?.*API rate limit exceeded/);
    expect(error.context).toMatchObject({ status: 403, rateLimitRemaining: '0', rateLimitResource: 'core' });
  });

  it('also on a 429 with an exhausted limit', async () => {
    const error = await fetchError(() => HttpResponse.json({ message: 'API rate limit exceeded' }, { status: 429, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(NOW / 1000 + 60) } }));
    expect(error).toMatchObject({ code: 'rate_limited', retryAfterMs: 60_000 });
  });

  it('honours Retry-After of a secondary limit first', async () => {
    const error = await fetchError(() =>
      HttpResponse.json(
        { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' },
        { status: 403, headers: { 'retry-after': '45', 'x-ratelimit-remaining': '4000' } },
      ),
    );
    expect(error).toMatchObject({ code: 'rate_limited', retryAfterMs: 45_000 });
  });

  it('waits a minute on a secondary limit without a hint, as GitHub advises', async () => {
    const error = await fetchError(() => HttpResponse.json({ message: 'You have exceeded a secondary rate limit.' }, { status: 403, headers: { 'x-ratelimit-remaining': '4000' } }));
    expect(error).toMatchObject({ code: 'rate_limited', retryAfterMs: 60_000 });
  });

  it('classifies other failures', async () => {
    expect((await fetchError(() => HttpResponse.json({ message: 'Bad credentials' }, { status: 401 }))).code).toBe('unauthorized');
    const forbidden = await fetchError(() => HttpResponse.json({ message: 'Resource not accessible by personal access token' }, { status: 403 }));
    expect(forbidden.code).toBe('forbidden');
    expect(forbidden.retryable).toBe(false);
    const missing = await fetchError(() => HttpResponse.json({ message: 'Not Found' }, { status: 404 }));
    expect(missing.code).toBe('config');
    expect(missing.message).toContain('repository octocat/Hello-World was not found, or the token cannot see it');
    expect((await fetchError(() => HttpResponse.json({ message: 'Issues are disabled for this repo' }, { status: 410 }))).message).toContain('has issues disabled');
    expect((await fetchError(() => new HttpResponse('<html>unicorn</html>', { status: 502 }))).code).toBe('unavailable');
    expect((await fetchError(() => HttpResponse.json({ message: 'Validation Failed' }, { status: 422 }))).code).toBe('connector');
    expect((await fetchError(() => HttpResponse.error())).code).toBe('unavailable');
  });

  it('never puts the token in an error', async () => {
    const error = await fetchError(() => HttpResponse.json({ message: 'Bad credentials' }, { status: 401 }));
    expect(`${error.message}${JSON.stringify(error.context)}`).not.toContain(TOKEN);
  });
});

describe('github rate budget and credentials', () => {
  const budget = (extra: Partial<GithubConfigInput>) => githubConnector.rateBudget!(GithubConfigSchema.parse({ ...config, ...extra }));

  it('budgets 5000 requests an hour for a token, 60 without, one at a time', () => {
    expect(budget({})).toEqual({ requests: 5000, perMs: 3_600_000, concurrency: 1 });
    expect(budget({ anonymous: true })).toEqual({ requests: 60, perMs: 3_600_000, concurrency: 1 });
    expect(budget({ requestsPerHour: 15_000 })).toMatchObject({ requests: 15_000 });
  });

  it('takes a token, or none', () => {
    expect(GithubCredentialsSchema.parse({ token: TOKEN })).toEqual({ token: TOKEN });
    expect(GithubCredentialsSchema.parse(undefined)).toBeUndefined();
    expect(GithubCredentialsSchema.safeParse({ token: '' }).success).toBe(false);
  });

  it('validates the repository coordinates', () => {
    expect(GithubConfigSchema.safeParse({ owner: 'octo cat', repo: 'x' }).success).toBe(false);
    expect(GithubConfigSchema.safeParse({ owner: 'octocat', repo: '..' }).success).toBe(false);
    expect(GithubConfigSchema.safeParse({ owner: 'octocat', repo: 'x', include: [] }).success).toBe(false);
    expect(GithubConfigSchema.parse({ owner: 'octocat', repo: 'x', include: ['comments', 'comments'], apiUrl: 'https://ghe.example.com/api/v3/' })).toMatchObject({
      include: ['comments'],
      apiUrl: 'https://ghe.example.com/api/v3',
    });
  });
});

describe('github check', () => {
  const check = (credentials: { token: string } | null = { token: TOKEN }) => {
    const ctx = fetchContext(config, { credentials });
    return githubConnector.check!({ config: ctx.config, credentials: ctx.credentials, fetch: ctx.fetch, signal: ctx.signal });
  };
  const checkError = async (respond: () => Response) => {
    server.use(http.get(REPO_API, respond));
    const error = await check().catch((e: unknown) => e);
    if (!isTributaryError(error)) throw new Error(`expected a Tributary error, got ${String(error)}`);
    return error;
  };

  it('passes when the repository answers', async () => {
    const seen: Headers[] = [];
    server.use(http.get(REPO_API, ({ request }) => (seen.push(request.headers), HttpResponse.json(fixture('repository.json')))));
    await expect(check()).resolves.toBeUndefined();
    expect(seen[0]!.get('authorization')).toBe(`Bearer ${TOKEN}`);
  });

  it('names the repository when it is not found', async () => {
    const error = await checkError(() => HttpResponse.json({ message: 'Not Found', documentation_url: 'https://docs.github.com/rest/repos/repos#get-a-repository' }, { status: 404 }));
    expect(error.code).toBe('config');
    expect(error.message).toContain('octocat/Hello-World');
  });

  it('fails with unauthorized for a refused or insufficient token', async () => {
    expect((await checkError(() => HttpResponse.json({ message: 'Bad credentials' }, { status: 401 }))).code).toBe('unauthorized');
    expect((await checkError(() => HttpResponse.json({ message: 'Resource not accessible by integration' }, { status: 403 }))).code).toBe('unauthorized');
  });

  it('fails with config when the repository has issues disabled', async () => {
    const error = await checkError(() => HttpResponse.json({ ...fixture<Json>('repository.json'), has_issues: false }));
    expect(error.code).toBe('config');
    expect(error.message).toContain('has issues disabled');
  });
});
