import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isTributaryError } from '@tributary/core/errors';
import { paginateCursor, paginateLinkHeader, paginateOffset, paginatePageNumber, parseLinkHeader } from '@tributary/core/http';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const fetch = (input: string | URL | Request, init?: RequestInit) => globalThis.fetch(input, init);

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of iterable) out.push(x);
  return out;
}

describe('parseLinkHeader', () => {
  it("parses GitHub's Link header", () => {
    const header =
      '<https://api.github.com/repositories/1300192/issues?page=2>; rel="prev", <https://api.github.com/repositories/1300192/issues?page=4>; rel="next", <https://api.github.com/repositories/1300192/issues?page=515>; rel="last", <https://api.github.com/repositories/1300192/issues?page=1>; rel="first"';
    const links = parseLinkHeader(header);
    expect(links.next?.url).toBe('https://api.github.com/repositories/1300192/issues?page=4');
    expect(links.last?.url).toBe('https://api.github.com/repositories/1300192/issues?page=515');
    expect(Object.keys(links).sort()).toEqual(['first', 'last', 'next', 'prev']);
  });

  it('handles relative targets, several relations, quoted commas, odd spacing and junk', () => {
    const header = '</items?cursor=a,b>;rel="next last" ; title="Next, please", junk, <https://x.test/up>; REL=up; rel=ignored';
    const links = parseLinkHeader(header, 'https://api.example.test/v1/items?cursor=0');
    expect(links.next).toEqual({ url: 'https://api.example.test/items?cursor=a,b', rel: 'next', params: { rel: 'next last', title: 'Next, please' } });
    expect(links.last?.url).toBe('https://api.example.test/items?cursor=a,b');
    expect(links.up?.params).toEqual({ rel: 'up' });
    expect(parseLinkHeader(null)).toEqual({});
    expect(parseLinkHeader('')).toEqual({});
  });
});

describe('paginateLinkHeader', () => {
  it('follows rel="next" across GitHub issue pages', async () => {
    const issues = Array.from({ length: 7 }, (_, i) => ({ id: 1000 + i, number: i + 1, title: `Issue ${i + 1}`, state: 'open', updated_at: `2026-01-0${i + 1}T00:00:00Z` }));
    server.use(
      http.get('https://api.github.com/repos/octo/hello/issues', ({ request }) => {
        const url = new URL(request.url);
        const page = Number(url.searchParams.get('page') ?? '1');
        const perPage = Number(url.searchParams.get('per_page'));
        const last = Math.ceil(issues.length / perPage);
        const link = (p: number, rel: string) => `<https://api.github.com/repos/octo/hello/issues?per_page=${perPage}&state=all&page=${p}>; rel="${rel}"`;
        const links = [page < last ? link(page + 1, 'next') : null, link(last, 'last')].filter(Boolean).join(', ');
        return HttpResponse.json(issues.slice((page - 1) * perPage, page * perPage), { headers: { Link: links } });
      }),
    );
    const pages = await collect(paginateLinkHeader<{ number: number }>({ fetch, url: 'https://api.github.com/repos/octo/hello/issues?per_page=3&state=all', init: { headers: { accept: 'application/vnd.github+json' } } }));
    expect(pages.map((p) => p.items.map((i) => i.number))).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(pages.map((p) => p.pageCount)).toEqual([1, 2, 3]);
    expect(pages[1]!.marker).toContain('page=2');
    expect(pages[2]!.next).toBeNull();
  });

  it('stops at maxPages and when a page links to itself', async () => {
    server.use(http.get('https://loop.test/items', () => HttpResponse.json([1], { headers: { Link: '<https://loop.test/items>; rel="next"' } })));
    expect(await collect(paginateLinkHeader({ fetch, url: 'https://loop.test/items' }))).toHaveLength(1);
    server.use(http.get('https://loop.test/n', ({ request }) => {
      const n = Number(new URL(request.url).searchParams.get('n') ?? 0);
      return HttpResponse.json([n], { headers: { Link: `</n?n=${n + 1}>; rel="next"` } });
    }));
    const pages = await collect(paginateLinkHeader<number>({ fetch, url: 'https://loop.test/n', maxPages: 4 }));
    expect(pages.flatMap((p) => p.items)).toEqual([0, 1, 2, 3]);
  });
});

describe('paginatePageNumber', () => {
  it('walks Discourse /latest.json pages until an empty one', async () => {
    const topics = Array.from({ length: 5 }, (_, i) => ({ id: 10 + i, title: `Topic ${i}`, posts_count: 2 }));
    const requested: number[] = [];
    server.use(
      http.get('https://forum.test/latest.json', ({ request }) => {
        const page = Number(new URL(request.url).searchParams.get('page'));
        requested.push(page);
        const slice = topics.slice(page * 2, page * 2 + 2);
        return HttpResponse.json({ users: [], topic_list: { can_create_topic: false, per_page: 2, ...(slice.length ? { more_topics_url: `/latest?page=${page + 1}` } : {}), topics: slice } });
      }),
    );
    type Latest = { topic_list: { topics: { id: number }[]; more_topics_url?: string } };
    const pages = await collect(
      paginatePageNumber({
        fetch,
        startPage: 0,
        request: (page) => `https://forum.test/latest.json?page=${page}`,
        items: (body) => (body as Latest).topic_list.topics,
        hasNext: ({ body }) => Boolean((body as Latest).topic_list.more_topics_url),
      }),
    );
    expect(pages.map((p) => p.items.map((t) => t.id))).toEqual([[10, 11], [12, 13], [14]]);
    expect(requested).toEqual([0, 1, 2, 3]);
  });

  it('stops on a short page when the page size is known, saving a request', async () => {
    const requested: number[] = [];
    server.use(http.get('https://api.test/things', ({ request }) => {
      const page = Number(new URL(request.url).searchParams.get('page'));
      requested.push(page);
      return HttpResponse.json({ data: page < 3 ? [1, 2, 3] : [1] });
    }));
    const pages = await collect(paginatePageNumber({ fetch, pageSize: 3, request: (p) => ({ url: `https://api.test/things?page=${p}`, init: { headers: { authorization: 'Bearer t' } } }), items: (b) => (b as { data: number[] }).data }));
    expect(pages).toHaveLength(3);
    expect(requested).toEqual([1, 2, 3]);
  });

  it('throws a classified error on a failed page', async () => {
    server.use(http.get('https://api.test/denied', () => HttpResponse.json({ message: 'Bad credentials' }, { status: 401 })));
    const error = await collect(paginatePageNumber({ fetch, component: 'github', request: () => 'https://api.test/denied', items: () => [] })).catch((e: unknown) => e);
    expect(isTributaryError(error, 'unauthorized')).toBe(true);
    expect((error as Error).message).toContain('[github]');
  });
});

describe('paginateCursor', () => {
  it('follows Slack-style next_cursor and stops on an empty one', async () => {
    const pagesByCursor: Record<string, { messages: { ts: string }[]; next: string }> = {
      '': { messages: [{ ts: '1' }, { ts: '2' }], next: 'dXNlcjpVMDYxTkZUVDI=' },
      'dXNlcjpVMDYxTkZUVDI=': { messages: [{ ts: '3' }], next: 'bmV4dA==' },
      'bmV4dA==': { messages: [{ ts: '4' }], next: '' },
    };
    server.use(
      http.get('https://slack.test/api/conversations.history', ({ request }) => {
        const page = pagesByCursor[new URL(request.url).searchParams.get('cursor') ?? '']!;
        return HttpResponse.json({ ok: true, messages: page.messages, has_more: page.next !== '', response_metadata: { next_cursor: page.next } });
      }),
    );
    type History = { messages: { ts: string }[]; response_metadata: { next_cursor: string } };
    const pages = await collect(
      paginateCursor<{ ts: string }>({
        fetch,
        request: (cursor) => `https://slack.test/api/conversations.history?channel=C1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        items: (b) => (b as History).messages,
        nextCursor: (b) => (b as History).response_metadata.next_cursor,
      }),
    );
    expect(pages.flatMap((p) => p.items.map((m) => m.ts))).toEqual(['1', '2', '3', '4']);
    expect(pages.map((p) => p.marker)).toEqual([undefined, 'dXNlcjpVMDYxTkZUVDI=', 'bmV4dA==']);
  });

  it('resumes from a saved cursor and stops when the API repeats a cursor', async () => {
    server.use(http.get('https://api.test/feed', ({ request }) => {
      const before = Number(new URL(request.url).searchParams.get('before'));
      // Discourse /posts.json?before= style: ids below the cursor; the oldest page keeps pointing at itself
      const ids = [before - 1, before - 2].filter((id) => id > 0);
      return HttpResponse.json({ latest_posts: ids.map((id) => ({ id })) });
    }));
    type Posts = { latest_posts: { id: number }[] };
    const pages = await collect(
      paginateCursor<{ id: number }, number>({
        fetch,
        startCursor: 5,
        request: (before) => `https://api.test/feed?before=${before}`,
        items: (b) => (b as Posts).latest_posts,
        nextCursor: (b) => (b as Posts).latest_posts.at(-1)?.id ?? 1,
      }),
    );
    expect(pages.flatMap((p) => p.items.map((i) => i.id))).toEqual([4, 3, 2, 1]);
  });
});

describe('paginateOffset', () => {
  it('advances by the items received and stops at the reported total', async () => {
    const all = Array.from({ length: 23 }, (_, i) => ({ id: i }));
    const requested: string[] = [];
    server.use(http.get('https://api.test/reviews', ({ request }) => {
      const url = new URL(request.url);
      const offset = Number(url.searchParams.get('offset'));
      // the API caps the limit at 10 whatever is asked
      const limit = Math.min(10, Number(url.searchParams.get('limit')));
      requested.push(`${offset}/${limit}`);
      return HttpResponse.json({ total: all.length, results: all.slice(offset, offset + limit) });
    }));
    type Reviews = { total: number; results: { id: number }[] };
    const pages = await collect(
      paginateOffset({
        fetch,
        limit: 50,
        request: (offset, limit) => `https://api.test/reviews?offset=${offset}&limit=${limit}`,
        items: (b) => (b as Reviews).results,
        total: (b) => (b as Reviews).total,
      }),
    );
    expect(pages.flatMap((p) => p.items)).toHaveLength(23);
    expect(requested).toEqual(['0/10', '10/10', '20/10']);
    expect(pages.map((p) => [p.marker, p.next])).toEqual([[0, 10], [10, 20], [20, null]]);
  });

  it('without a total, stops on a short page', async () => {
    server.use(http.get('https://api.test/rows', ({ request }) => {
      const offset = Number(new URL(request.url).searchParams.get('offset'));
      return HttpResponse.json(offset < 20 ? Array(10).fill({}) : Array(4).fill({}));
    }));
    const pages = await collect(paginateOffset({ fetch, limit: 10, startOffset: 10, request: (o, l) => `https://api.test/rows?offset=${o}&limit=${l}`, items: (b) => b as object[] }));
    expect(pages.map((p) => p.items.length)).toEqual([10, 4]);
  });

  it('stops between pages when the run is aborted', async () => {
    server.use(http.get('https://api.test/rows', () => HttpResponse.json(Array(10).fill({}))));
    const controller = new AbortController();
    const seen: number[] = [];
    const run = (async () => {
      for await (const page of paginateOffset({ fetch, limit: 10, signal: controller.signal, request: (o) => `https://api.test/rows?offset=${o}`, items: (b) => b as object[] })) {
        seen.push(page.marker);
        if (seen.length === 2) controller.abort(new Error('stop'));
      }
    })();
    await expect(run).rejects.toThrow('stop');
    expect(seen).toEqual([0, 10]);
  });
});
