import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { discourseConnector, DiscourseConfigSchema, type DiscourseCheckpoint } from '@tributary/connectors/discourse';
import { isTributaryError } from '@tributary/core/errors';
import { BASE_URL, collect, fetchContext, idsDown, latestResponse } from './fixtures/discourse/factories.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const fetchPages = discourseConnector.fetch!;

/**
 * A forum whose posts have ids 1..newest, answering `/posts.json` like Discourse: the 50 newest
 * posts with ids up to `before` (inclusive). Records the `before` of each request.
 */
function serveForum(newest: number, pageSize = 50): (number | null)[] {
  const befores: (number | null)[] = [];
  server.use(
    http.get(`${BASE_URL}/posts.json`, ({ request }) => {
      const param = new URL(request.url).searchParams.get('before');
      befores.push(param === null ? null : Number(param));
      const top = param === null ? newest : Math.min(newest, Number(param));
      return HttpResponse.json(latestResponse(top < 1 ? [] : idsDown(top, Math.max(1, top - pageSize + 1))));
    }),
  );
  return befores;
}

const config = { baseUrl: BASE_URL, mode: 'latest-posts' } as const;

describe('discourse latest-posts mode', () => {
  it('walks the full history backwards with before=<lowest id - 1> until the first post', async () => {
    const befores = serveForum(120);
    const pages = await collect(fetchPages(fetchContext(config)));
    expect(befores).toEqual([null, 70, 20]);
    expect(pages.map((page) => page.items.length)).toEqual([50, 50, 20]);
    expect(pages.flatMap((page) => page.items.map((item) => Number(item.externalId)))).toEqual(idsDown(120, 1));
    expect(pages.map((page) => page.checkpoint)).toEqual([
      { mode: 'latest-posts', highestPostId: null, pending: { before: 70, highestPostId: 120 } },
      { mode: 'latest-posts', highestPostId: null, pending: { before: 20, highestPostId: 120 } },
      { mode: 'latest-posts', highestPostId: 120 },
    ]);
  });

  it('pages until a page comes back empty', async () => {
    const befores: (number | null)[] = [];
    // Ids with gaps (deleted posts): the walk cannot know it has reached the start until a page is empty.
    server.use(
      http.get(`${BASE_URL}/posts.json`, ({ request }) => {
        const before = new URL(request.url).searchParams.get('before');
        befores.push(before === null ? null : Number(before));
        if (before === null) return HttpResponse.json(latestResponse([90, 80, 70]));
        if (before === '69') return HttpResponse.json(latestResponse([40, 30]));
        return HttpResponse.json({ latest_posts: [] });
      }),
    );
    const pages = await collect(fetchPages(fetchContext(config)));
    expect(befores).toEqual([null, 69, 29]);
    expect(pages.at(-1)).toEqual({ items: [], checkpoint: { mode: 'latest-posts', highestPostId: 90 } });
  });

  it('stops an incremental run at ids <= the checkpoint and raises it to the highest id seen', async () => {
    const befores = serveForum(180);
    const checkpoint: DiscourseCheckpoint = { mode: 'latest-posts', highestPostId: 100 };
    const pages = await collect(fetchPages(fetchContext(config, { checkpoint })));
    expect(befores).toEqual([null, 130]);
    expect(pages.flatMap((page) => page.items.map((item) => Number(item.externalId)))).toEqual(idsDown(180, 101));
    expect(pages.at(-1)!.checkpoint).toEqual({ mode: 'latest-posts', highestPostId: 180 });
  });

  it('requests one page and keeps the checkpoint when nothing is new', async () => {
    const befores = serveForum(100);
    const checkpoint: DiscourseCheckpoint = { mode: 'latest-posts', highestPostId: 100 };
    const pages = await collect(fetchPages(fetchContext(config, { checkpoint })));
    expect(befores).toEqual([null]);
    expect(pages).toEqual([{ items: [], checkpoint }]);
  });

  it('resumes a walk cut by maxPages without skipping older posts', async () => {
    const befores = serveForum(300);
    const checkpoint: DiscourseCheckpoint = { mode: 'latest-posts', highestPostId: 100 };
    const first = await collect(fetchPages(fetchContext({ ...config, maxPages: 2 }, { checkpoint })));
    expect(first.at(-1)!.checkpoint).toEqual({ mode: 'latest-posts', highestPostId: 100, pending: { before: 200, highestPostId: 300 } });

    const second = await collect(fetchPages(fetchContext({ ...config, maxPages: 2 }, { checkpoint: first.at(-1)!.checkpoint })));
    expect(befores).toEqual([null, 250, 200, 150]);
    expect([...first, ...second].flatMap((page) => page.items.map((item) => Number(item.externalId)))).toEqual(idsDown(300, 101));
    expect(second.at(-1)!.checkpoint).toEqual({ mode: 'latest-posts', highestPostId: 300 });
  });

  it('fails instead of looping when the forum ignores before=', async () => {
    server.use(http.get(`${BASE_URL}/posts.json`, () => HttpResponse.json(latestResponse(idsDown(120, 71)))));
    const error = await collect(fetchPages(fetchContext(config))).catch((e: unknown) => e);
    expect(isTributaryError(error, 'connector')).toBe(true);
  });

  it('rejects search filters in latest-posts mode', () => {
    const result = DiscourseConfigSchema.safeParse({ ...config, searchTerm: 'test' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['searchTerm']);
  });
});
