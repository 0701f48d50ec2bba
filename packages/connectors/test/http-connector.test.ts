// The declarative HTTP connector's behaviour: incremental windows, resumed walks, failures that must
// not move the checkpoint, auth, request building, parsing through the mapping, and check().
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { httpConnector, HttpConfigSchema, parseHttpItem, type HttpCheckpoint, type HttpConfigInput, type HttpCredentials } from '@tributary/connectors/http';
import { isTributaryError, type TributaryError } from '@tributary/core/errors';
import { buildRecord } from '@tributary/core/record';
import { collect, fetchContext, githubIssue, hourly, jiraIssue } from './fixtures/http/factories.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const API = 'https://api.example.test/v1/feedback';
type Json = Record<string, unknown>;

/** Serves `items` (sorted by updated_at) page by page, filtering by `since`; records every request. */
function serve(items: Json[], options: { fail?: (url: URL) => Response | undefined } = {}): URL[] {
  const seen: URL[] = [];
  server.use(
    http.get(API, ({ request }) => {
      const url = new URL(request.url);
      seen.push(url);
      const failure = options.fail?.(url);
      if (failure) return failure;
      const since = url.searchParams.get('since');
      const page = Number(url.searchParams.get('page') ?? 1);
      const sinceMs = since === null ? 0 : /^\d+$/.test(since) ? Number(since) * 1000 : Date.parse(since);
      const matching = items.filter((item) => Date.parse(item.updated_at as string) >= sinceMs);
      return HttpResponse.json({ data: matching.slice((page - 1) * 2, page * 2), page });
    }),
  );
  return seen;
}

const feedback = (id: number, updatedAt: string): Json => ({ id, message: `feedback ${id}`, created_at: updatedAt, updated_at: updatedAt });
const base: HttpConfigInput = {
  url: `${API}?since={{since}}`,
  pagination: { style: 'page', pageSize: 2 },
  itemsPath: 'data',
  checkpointPath: 'updated_at',
};

async function fetchAll(config: HttpConfigInput, options: { checkpoint?: HttpCheckpoint | null; credentials?: HttpCredentials } = {}) {
  return collect(httpConnector.fetch!(fetchContext(config, options)));
}

async function failure(promise: Promise<unknown>): Promise<TributaryError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  if (!isTributaryError(error)) throw new Error(`expected a Tributary error, got ${String(error)}`);
  return error;
}

describe('http connector: incremental runs', () => {
  const items = hourly('2024-05-01T10:00:00Z', 5).map((t, i) => feedback(i + 1, t));

  it('leaves an empty {{since}} parameter out on a first run, then asks from the watermark', async () => {
    const seen = serve(items);
    const first = await fetchAll(base);
    expect(seen[0]!.searchParams.has('since')).toBe(false);
    expect(first.flatMap((p) => p.items.map((i) => i.externalId))).toEqual(['1', '2', '3', '4', '5']);
    expect(first.at(-1)!.checkpoint).toEqual({ watermark: '2024-05-01T14:00:00Z' });

    seen.length = 0;
    const second = await fetchAll(base, { checkpoint: first.at(-1)!.checkpoint });
    expect(seen[0]!.searchParams.get('since')).toBe('2024-05-01T14:00:00.000Z');
    expect(second.flatMap((p) => p.items.map((i) => i.externalId))).toEqual(['5']);
  });

  it('starts a first run at `since` and applies the lookback and the format to later ones', async () => {
    const seen = serve(items);
    const config = { ...base, since: '2024-05-01T12:00:00Z', sinceFormat: 'unix' as const, lookbackSeconds: 600 };
    const first = await fetchAll(config);
    expect(seen[0]!.searchParams.get('since')).toBe(String(Date.parse('2024-05-01T12:00:00Z') / 1000));
    seen.length = 0;
    await fetchAll(config, { checkpoint: first.at(-1)!.checkpoint });
    expect(seen[0]!.searchParams.get('since')).toBe(String(Date.parse('2024-05-01T14:00:00Z') / 1000 - 600));
  });

  it('fills {{checkpoint}} with the watermark as the API wrote it (an increasing id)', async () => {
    const seen: URL[] = [];
    server.use(http.get(API, ({ request }) => (seen.push(new URL(request.url)), HttpResponse.json([{ id: 41, text: 'a', created_at: 1714557600 }, { id: 42, text: 'b', created_at: 1714557660 }]))));
    const config: HttpConfigInput = { url: `${API}?after_id={{checkpoint}}`, checkpointPath: 'id' };
    const first = await fetchAll(config);
    expect(first[0]!.checkpoint).toEqual({ watermark: 42 });
    await fetchAll(config, { checkpoint: first[0]!.checkpoint });
    expect(seen[1]!.searchParams.get('after_id')).toBe('42');
  });

  it('a walk cut by maxPages keeps the old watermark and resumes at the next page with the same window', async () => {
    const seen = serve(items);
    const start: HttpCheckpoint = { watermark: '2024-05-01T09:00:00Z' };
    const cut = await fetchAll({ ...base, maxPages: 2 }, { checkpoint: start });
    expect(cut.map((p) => p.items.length)).toEqual([2, 2]);
    const pending = cut.at(-1)!.checkpoint;
    expect(pending).toEqual({ watermark: '2024-05-01T09:00:00Z', pending: { next: 3, walkWatermark: '2024-05-01T13:00:00Z', values: { checkpoint: '2024-05-01T09:00:00Z', since: '2024-05-01T09:00:00.000Z' } } });

    seen.length = 0;
    const rest = await fetchAll({ ...base, maxPages: 2 }, { checkpoint: JSON.parse(JSON.stringify(pending)) as HttpCheckpoint });
    expect(seen.map((u) => [u.searchParams.get('page'), u.searchParams.get('since')])).toEqual([['3', '2024-05-01T09:00:00.000Z']]);
    expect(rest.flatMap((p) => p.items.map((i) => i.externalId))).toEqual(['5']);
    expect(rest.at(-1)!.checkpoint).toEqual({ watermark: '2024-05-01T14:00:00Z' });
  });

  it('a run that fails mid-walk never advances the watermark', async () => {
    serve(items, { fail: (url) => (url.searchParams.get('page') === '2' ? HttpResponse.json({ error: 'boom' }, { status: 503 }) : undefined) });
    const pages: HttpCheckpoint[] = [];
    const error = await failure(
      (async () => {
        for await (const page of httpConnector.fetch!(fetchContext(base, { checkpoint: { watermark: '2024-05-01T09:00:00Z' } }))) pages.push(page.checkpoint);
      })(),
    );
    expect(error.code).toBe('unavailable');
    expect(pages).toHaveLength(1);
    expect(pages[0]!.watermark).toBe('2024-05-01T09:00:00Z');
    expect(pages[0]!.pending?.next).toBe(2);
  });

  it('classifies a 429 with Retry-After as rate_limited with its wait', async () => {
    serve(items, { fail: () => HttpResponse.json({ error: 'slow down' }, { status: 429, headers: { 'Retry-After': '30' } }) });
    const error = await failure(fetchAll(base));
    expect(error.code).toBe('rate_limited');
    expect(error.retryAfterMs).toBe(30_000);
  });

  it('stops between pages when the run is aborted', async () => {
    serve(items);
    const controller = new AbortController();
    const pages: unknown[] = [];
    const error = await (async () => {
      for await (const page of httpConnector.fetch!(fetchContext(base, { signal: controller.signal }))) {
        pages.push(page);
        controller.abort(new Error('stop'));
      }
    })().catch((e: unknown) => e);
    expect((error as Error).message).toBe('stop');
    expect(pages).toHaveLength(1);
  });
});

describe('http connector: auth and requests', () => {
  function capture(body: Parameters<typeof HttpResponse.json>[0] = []): Request[] {
    const seen: Request[] = [];
    server.use(
      http.all(`${API}*`, ({ request }) => {
        seen.push(request.clone());
        return HttpResponse.json(body);
      }),
    );
    return seen;
  }

  it.each([
    [{ type: 'bearer' as const }, { token: 't0k' }, 'authorization', 'Bearer t0k'],
    [{ type: 'basic' as const }, { username: 'me', password: 'pw' }, 'authorization', `Basic ${Buffer.from('me:pw').toString('base64')}`],
    [{ type: 'api-key' as const }, { apiKey: 'k1' }, 'x-api-key', 'k1'],
    [{ type: 'api-key' as const, name: 'Authorization', prefix: 'Token token=' }, { apiKey: 'k2' }, 'authorization', 'Token token=k2'],
  ])('auth %j sends its header', async (auth, credentials, header, value) => {
    const seen = capture();
    await fetchAll({ url: API, auth }, { credentials });
    expect(seen[0]!.headers.get(header)).toBe(value);
  });

  it('puts a query key on every page, including URLs from Link headers, and never in the checkpoint', async () => {
    const seen: URL[] = [];
    server.use(
      http.get(API, ({ request }) => {
        const url = new URL(request.url);
        seen.push(url);
        const page = Number(url.searchParams.get('page') ?? 1);
        // The API echoes the key in its links, as some do.
        const headers: Record<string, string> = page < 3 ? { Link: `<${API}?page=${page + 1}&api_key=secret>; rel="next"` } : {};
        return HttpResponse.json([{ id: page, text: 'x', created_at: '2024-01-01' }], { headers });
      }),
    );
    const pages = await fetchAll({ url: API, auth: { type: 'api-key', in: 'query', name: 'api_key' }, pagination: { style: 'link' }, maxPages: 2 }, { credentials: { apiKey: 'secret' } });
    expect(seen.map((u) => u.searchParams.get('api_key'))).toEqual(['secret', 'secret']);
    expect(JSON.stringify(pages.map((p) => p.checkpoint))).not.toContain('secret');
    expect(pages.at(-1)!.checkpoint.pending?.next).toBe(`${API}?page=3`);
  });

  it('names the missing credential', async () => {
    capture();
    const error = await failure(fetchAll({ url: API, auth: { type: 'bearer' } }, { credentials: { apiKey: 'wrong kind' } }));
    expect(error.code).toBe('config');
    expect(error.issues).toEqual([{ path: 'credentials.token', message: 'required by auth type "bearer"' }]);
  });

  it('POSTs a JSON body whose placeholders keep their types', async () => {
    const seen = capture({ results: [] });
    await fetchAll({
      url: `${API}/search`,
      method: 'POST',
      body: { query: 'updated > "{{since}}"', page: '{{page}}', size: 50 },
      since: '2024-01-01',
      pagination: { style: 'page', startPage: 0 },
      itemsPath: 'results',
    });
    expect(seen[0]!.method).toBe('POST');
    expect(seen[0]!.headers.get('content-type')).toBe('application/json');
    expect(await seen[0]!.json()).toEqual({ query: 'updated > "2024-01-01T00:00:00.000Z"', page: 0, size: 50 });
    // The template placed {{page}} itself, so it is not repeated in the query.
    expect(new URL(seen[0]!.url).searchParams.has('page')).toBe(false);
  });

  it('sends configured headers and asks for JSON', async () => {
    const seen = capture();
    await fetchAll({ url: API, headers: { 'X-Tenant': 'acme' } });
    expect(seen[0]!.headers.get('x-tenant')).toBe('acme');
    expect(seen[0]!.headers.get('accept')).toBe('application/json');
  });
});

describe('http connector: response shapes', () => {
  it('names itemsPath, and the arrays the response has, when the items are elsewhere', async () => {
    server.use(http.get(API, () => HttpResponse.json({ meta: {}, results: [], included: { users: [] } })));
    const error = await failure(fetchAll({ url: API, itemsPath: 'data' }));
    expect(error.code).toBe('config');
    expect(error.message).toContain('itemsPath');
    expect(error.message).toContain('"results", "included.users"');
  });

  it('stops the run, naming idPath, when an item has no id there', async () => {
    server.use(http.get(API, () => HttpResponse.json([{ uuid: 'a' }])));
    const error = await failure(fetchAll({ url: API }));
    expect(error.code).toBe('config');
    expect(error.issues[0]!.path).toBe('idPath');
  });
});

describe('http connector: parse', () => {
  const jira = HttpConfigSchema.parse({
    url: 'https://x.atlassian.net/rest/api/3/search',
    mapping: {
      title: 'fields.summary',
      text: 'fields.description',
      occurredAt: 'fields.created',
      tags: 'fields.labels',
      language: { const: 'en' },
      author: { platformUserId: 'fields.reporter.accountId', name: 'fields.reporter.displayName', email: 'fields.reporter.emailAddress' },
      attributes: { metadata: { priority: 'fields.priority.name', resolution: 'fields.resolution.name' } },
    },
  });

  it('maps a Jira issue into a draft that builds a record', () => {
    const [draft] = parseHttpItem({ externalId: 'ED-1', itemType: 'jira.issue', payload: jiraIssue(1, '2024-01-05T10:00:00.000+0200') }, { config: jira });
    expect(draft).toEqual({
      externalId: 'ED-1',
      itemType: 'jira.issue',
      occurredAt: '2024-01-05T08:00:00.000Z',
      language: 'en',
      author: { platformUserId: '5b10a2844c20165700ede21', name: 'Mia Krystof', email: 'mia@example.com' },
      content: { title: 'Customer reports checkout error 1', text: 'Payment page shows a blank screen after submitting the card.' },
      attributes: { metadata: { priority: 'Medium', resolution: null } },
      tags: ['checkout', 'customer'],
    });
    expect(() => buildRecord(draft!, { workspaceId: 'w', sourceId: 's', connector: { name: 'http', version: '0.1.0' } })).not.toThrow();
  });

  it('falls back to the usual field names and derives text from HTML', () => {
    const config = HttpConfigSchema.parse({ url: API });
    const [draft] = parseHttpItem(
      { externalId: '7', itemType: 'http.item', payload: { id: 7, content_html: '<p>Love the <b>new</b> editor&nbsp;!</p><p>Thanks</p>', createdAt: 1714557600123, labels: 'ux, editor' } },
      { config },
    );
    expect(draft).toMatchObject({ occurredAt: '2024-05-01T10:00:00.123Z', content: { text: 'Love the new editor !\nThanks', html: '<p>Love the <b>new</b> editor&nbsp;!</p><p>Thanks</p>' }, tags: ['ux', 'editor'] });
  });

  it('maps a GitHub issue with labels.*.name as tags', () => {
    const config = HttpConfigSchema.parse({ url: API, mapping: { tags: 'labels.*.name', text: 'body', author: { username: 'user.login', platformUserId: 'user.id' } } });
    const [draft] = parseHttpItem({ externalId: '3', itemType: 'http.item', payload: githubIssue(3, '2024-03-01T08:00:00Z') }, { config });
    expect(draft!.tags).toEqual(['bug', 'safari']);
    expect(draft!.author).toEqual({ username: 'octocat', platformUserId: 1 });
    expect(draft!.occurredAt).toBe('2024-02-29T08:00:00.000Z');
  });

  it('names every field it cannot read', () => {
    const config = HttpConfigSchema.parse({ url: API, mapping: { occurredAt: 'when', text: 'body', tags: 'labels' } });
    let error: unknown;
    try {
      parseHttpItem({ externalId: '1', itemType: 'http.item', payload: { when: 'last tuesday', body: { nested: true }, labels: 3 } }, { config });
    } catch (e) {
      error = e;
    }
    expect(isTributaryError(error, 'validation')).toBe(true);
    expect((error as TributaryError).issues.map((i) => i.path)).toEqual(['occurredAt', 'text', 'tags']);
    expect((error as TributaryError).message).toContain('"last tuesday" at "when" is not a time');
  });

  it('refuses an item without any time, naming the mapping', () => {
    const config = HttpConfigSchema.parse({ url: API, mapping: { occurredAt: 'submitted' } });
    expect(() => parseHttpItem({ externalId: '1', itemType: 'http.item', payload: { text: 'x' } }, { config })).toThrow(/occurredAt: no value at "submitted"/);
  });
});

describe('http connector: check and budget', () => {
  it('passes when the first page has items where itemsPath says', async () => {
    server.use(http.get(API, () => HttpResponse.json({ data: [] })));
    const ctx = fetchContext({ url: API, itemsPath: 'data' });
    await expect(httpConnector.check!({ config: ctx.config, credentials: undefined, fetch: ctx.fetch, signal: ctx.signal })).resolves.toBeUndefined();
  });

  it('fails with unauthorized on 401', async () => {
    server.use(http.get(API, () => HttpResponse.json({ error: 'bad token' }, { status: 401 })));
    const ctx = fetchContext({ url: API, auth: { type: 'bearer' } }, { credentials: { token: 'x' } });
    const error = await failure(httpConnector.check!({ config: ctx.config, credentials: { token: 'x' }, fetch: ctx.fetch, signal: ctx.signal }));
    expect(error.code).toBe('unauthorized');
  });

  it('declares the configured budget (60 a minute by default)', () => {
    expect(httpConnector.rateBudget!(HttpConfigSchema.parse({ url: API }))).toEqual({ requests: 60, perMs: 60_000, concurrency: 1 });
    expect(httpConnector.rateBudget!(HttpConfigSchema.parse({ url: API, rateLimit: { requests: 10, perSeconds: 1, concurrency: 2 } }))).toEqual({ requests: 10, perMs: 1000, concurrency: 2 });
  });
});
