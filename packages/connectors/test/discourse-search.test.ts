import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { discourseConnector, DiscourseConfigSchema, type DiscourseCheckpoint, type DiscoursePostPayload } from '@tributary/connectors/discourse';
import { isTributaryError } from '@tributary/core/errors';
import { BASE_URL, collect, fetchContext, queryOf, searchPosts, searchResponse } from './fixtures/discourse/factories.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const fetchPages = discourseConnector.fetch!;

/** Serves `pages` in order to /search.json and records each request. */
function serveSearch(pages: Record<string, unknown>[]): Request[] {
  const requests: Request[] = [];
  server.use(
    http.get(`${BASE_URL}/search.json`, ({ request }) => {
      requests.push(request);
      const page = Number(new URL(request.url).searchParams.get('page'));
      const body = pages[page - 1];
      return body ? HttpResponse.json(body) : HttpResponse.json(searchResponse([]));
    }),
  );
  return requests;
}

describe('discourse search mode', () => {
  it('walks three pages with seed 001’s query string (term, after, before, page)', async () => {
    const requests = serveSearch([
      searchResponse(searchPosts(1, 50, '2021-02-19T12:00:00.000Z'), true),
      searchResponse(searchPosts(51, 50, '2021-02-01T12:00:00.000Z'), true),
      searchResponse(searchPosts(101, 7, '2021-01-15T12:00:00.000Z')),
    ]);
    const pages = await collect(fetchPages(fetchContext({ baseUrl: BASE_URL, searchTerm: 'test', after: '2021-01-01', before: '2021-02-20' })));

    expect(requests.map(queryOf)).toEqual([
      '?page=1&q=test+after%3A2021-01-01+before%3A2021-02-20+order%3Alatest',
      '?page=2&q=test+after%3A2021-01-01+before%3A2021-02-20+order%3Alatest',
      '?page=3&q=test+after%3A2021-01-01+before%3A2021-02-20+order%3Alatest',
    ]);
    expect(requests.every((request) => new URL(request.url).pathname === '/search.json')).toBe(true);
    expect(pages.map((page) => page.items.length)).toEqual([50, 50, 7]);
    expect(pages[0]!.items[0]).toMatchObject({ externalId: '1', itemType: 'discourse.post' });
    // Only the last page moves the watermark; earlier ones say where to resume.
    expect(pages.map((page) => page.checkpoint)).toEqual([
      { mode: 'search', newestCreatedAt: null, pending: { nextPage: 2, after: '2021-01-01', newestCreatedAt: '2021-02-19T12:00:00.000Z' } },
      { mode: 'search', newestCreatedAt: null, pending: { nextPage: 3, after: '2021-01-01', newestCreatedAt: '2021-02-19T12:00:00.000Z' } },
      { mode: 'search', newestCreatedAt: '2021-02-19T12:00:00.000Z' },
    ]);
  });

  it('builds seed 001’s exact URL when only dates are set', async () => {
    const requests = serveSearch([searchResponse([])]);
    await collect(fetchPages(fetchContext({ baseUrl: BASE_URL, after: '2021-01-01', before: '2021-02-20' })));
    expect(queryOf(requests[0]!)).toBe('?page=1&q=after%3A2021-01-01+before%3A2021-02-20+order%3Alatest');
  });

  it('adds category and tags filters to q', async () => {
    const requests = serveSearch([searchResponse([])]);
    await collect(fetchPages(fetchContext({ baseUrl: BASE_URL, searchTerm: 'bounce', category: 'support', tags: ['email', 'ses'] })));
    expect(new URL(requests[0]!.url).searchParams.get('q')).toBe('bounce #support tags:email,ses order:latest');
  });

  it('attaches each post’s topic from the response', async () => {
    const posts = searchPosts(1, 2, '2021-01-11T03:24:05.977Z');
    posts[1]!.topic_id = posts[0]!.topic_id;
    serveSearch([searchResponse(posts)]);
    const [page] = await collect(fetchPages(fetchContext({ baseUrl: BASE_URL, searchTerm: 'test' })));
    const payloads = page!.items.map((item) => item.payload as DiscoursePostPayload);
    expect(payloads.map((payload) => payload.topic?.title)).toEqual(['Topic 1001', 'Topic 1001']);
    expect(payloads[0]!.post).toEqual(posts[0]);
  });

  it('stops when more_full_page_results is false even on a full page', async () => {
    const requests = serveSearch([searchResponse(searchPosts(1, 50, '2021-02-19T12:00:00.000Z'), false), searchResponse(searchPosts(51, 3, '2021-01-19T12:00:00.000Z'))]);
    const pages = await collect(fetchPages(fetchContext({ baseUrl: BASE_URL, searchTerm: 'test' })));
    expect(requests).toHaveLength(1);
    expect(pages.at(-1)!.checkpoint).toEqual({ mode: 'search', newestCreatedAt: '2021-02-19T12:00:00.000Z' });
  });

  it('ends on an empty result, keeping the previous watermark', async () => {
    serveSearch([searchResponse([])]);
    const checkpoint: DiscourseCheckpoint = { mode: 'search', newestCreatedAt: '2021-02-19T12:00:00.000Z' };
    const pages = await collect(fetchPages(fetchContext({ baseUrl: BASE_URL, searchTerm: 'test' }, { checkpoint })));
    expect(pages).toEqual([{ items: [], checkpoint }]);
  });

  it('searches incrementally from the checkpoint minus lookbackDays and advances it', async () => {
    const requests = serveSearch([searchResponse(searchPosts(500, 3, '2021-03-02T08:00:00.000Z'))]);
    const checkpoint: DiscourseCheckpoint = { mode: 'search', newestCreatedAt: '2021-02-19T10:00:00.000Z' };
    const pages = await collect(fetchPages(fetchContext({ baseUrl: BASE_URL, searchTerm: 'test', after: '2021-01-01', lookbackDays: 2 }, { checkpoint })));
    expect(queryOf(requests[0]!)).toBe('?page=1&q=test+after%3A2021-02-17+order%3Alatest');
    expect(pages.at(-1)!.checkpoint).toEqual({ mode: 'search', newestCreatedAt: '2021-03-02T08:00:00.000Z' });
  });

  it('uses the default one-day lookback, but never searches before the configured after', async () => {
    const requests = serveSearch([searchResponse([])]);
    const checkpoint: DiscourseCheckpoint = { mode: 'search', newestCreatedAt: '2021-02-19T10:00:00.000Z' };
    await collect(fetchPages(fetchContext({ baseUrl: BASE_URL, searchTerm: 'test' }, { checkpoint })));
    await collect(fetchPages(fetchContext({ baseUrl: BASE_URL, searchTerm: 'test', after: '2021-02-19' }, { checkpoint })));
    expect(requests.map((request) => new URL(request.url).searchParams.get('q'))).toEqual([
      'test after:2021-02-18 order:latest',
      'test after:2021-02-19 order:latest',
    ]);
  });

  it('never moves the watermark past what was yielded when maxPages cuts a walk, and resumes it next run', async () => {
    const pagesServed = [
      searchResponse(searchPosts(1, 50, '2021-02-19T12:00:00.000Z'), true),
      searchResponse(searchPosts(51, 50, '2021-02-01T12:00:00.000Z'), true),
      searchResponse(searchPosts(101, 5, '2021-01-15T12:00:00.000Z')),
    ];
    const requests = serveSearch(pagesServed);
    const old: DiscourseCheckpoint = { mode: 'search', newestCreatedAt: '2021-01-05T00:00:00.000Z' };
    const first = await collect(fetchPages(fetchContext({ baseUrl: BASE_URL, searchTerm: 'test', maxPages: 2 }, { checkpoint: old })));
    expect(first).toHaveLength(2);
    expect(first.at(-1)!.checkpoint).toEqual({
      mode: 'search',
      newestCreatedAt: '2021-01-05T00:00:00.000Z',
      pending: { nextPage: 3, after: '2021-01-04', newestCreatedAt: '2021-02-19T12:00:00.000Z' },
    });

    const second = await collect(fetchPages(fetchContext({ baseUrl: BASE_URL, searchTerm: 'test', maxPages: 2 }, { checkpoint: first.at(-1)!.checkpoint })));
    expect(queryOf(requests.at(-1)!)).toBe('?page=3&q=test+after%3A2021-01-04+order%3Alatest');
    expect(second).toHaveLength(1);
    expect(second[0]!.items.map((item) => item.externalId)).toEqual(['101', '102', '103', '104', '105']);
    expect(second[0]!.checkpoint).toEqual({ mode: 'search', newestCreatedAt: '2021-02-19T12:00:00.000Z' });
  });

  it('ignores a checkpoint of the other mode', async () => {
    const requests = serveSearch([searchResponse([])]);
    await collect(fetchPages(fetchContext({ baseUrl: BASE_URL, searchTerm: 'test' }, { checkpoint: { mode: 'latest-posts', highestPostId: 40 } })));
    expect(queryOf(requests[0]!)).toBe('?page=1&q=test+order%3Alatest');
  });

  it('goes through context.fetch with the run’s signal, not global fetch', async () => {
    serveSearch([searchResponse(searchPosts(1, 2, '2021-01-11T03:24:05.977Z'))]);
    const controller = new AbortController();
    const calls: { url: string; signal: AbortSignal | null | undefined }[] = [];
    const spy = (input: string | URL | Request, init?: RequestInit) => {
      calls.push({ url: String(input), signal: init?.signal });
      return fetch(input, init);
    };
    await collect(fetchPages(fetchContext({ baseUrl: `${BASE_URL}/`, searchTerm: 'test' }, { fetch: spy, signal: controller.signal })));
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe(`${BASE_URL}/search.json?page=1&q=test+order%3Alatest`);
    expect(calls[0]!.signal).toBe(controller.signal);
  });

  it('stops with an aborted error when the signal fires between pages', async () => {
    serveSearch([searchResponse(searchPosts(1, 50, '2021-02-19T12:00:00.000Z'), true), searchResponse([])]);
    const controller = new AbortController();
    const iterator = fetchPages(fetchContext({ baseUrl: BASE_URL, searchTerm: 'test' }, { signal: controller.signal }))[Symbol.asyncIterator]();
    await iterator.next();
    controller.abort();
    const error = await iterator.next().catch((e: unknown) => e);
    expect(isTributaryError(error, 'aborted')).toBe(true);
  });

  it('keeps a sub-folder install’s path', async () => {
    const requests: string[] = [];
    server.use(http.get('https://example.com/forum/search.json', ({ request }) => (requests.push(request.url), HttpResponse.json(searchResponse([])))));
    await collect(fetchPages(fetchContext({ baseUrl: 'https://example.com/forum', searchTerm: 'x y' })));
    expect(requests).toEqual(['https://example.com/forum/search.json?page=1&q=x+y+order%3Alatest']);
  });
});

describe('discourse config', () => {
  it('applies the defaults and drops a trailing slash', () => {
    expect(DiscourseConfigSchema.parse({ baseUrl: `${BASE_URL}/` })).toEqual({
      baseUrl: BASE_URL,
      mode: 'search',
      maxPages: 100,
      lookbackDays: 1,
      includePrivateMessages: false,
    });
  });

  it.each([
    [{ baseUrl: 'ftp://meta.discourse.org' }, 'baseUrl'],
    [{ baseUrl: BASE_URL, after: '2021-1-1' }, 'after'],
    [{ baseUrl: BASE_URL, after: '2021-02-20', before: '2021-01-01' }, 'before'],
    [{ baseUrl: BASE_URL, maxPages: 0 }, 'maxPages'],
    [{ baseUrl: BASE_URL, lookbackDays: -1 }, 'lookbackDays'],
  ])('rejects %j at %s', (input, field) => {
    const result = DiscourseConfigSchema.safeParse(input);
    expect(result.error?.issues[0]?.path).toEqual([field]);
  });

  it('searches a category by id', async () => {
    const requests = serveSearch([searchResponse([])]);
    await collect(fetchPages(fetchContext({ baseUrl: BASE_URL, category: 7 })));
    expect(new URL(requests[0]!.url).searchParams.get('q')).toBe('category:7 order:latest');
  });
});
