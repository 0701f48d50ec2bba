// The JSON Feed example connector: the connector contract against a simulated feed (msw), then what
// is specific to it — incremental walks, resumed walks, failures, parsing and check().
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '@tributary/core/clock';
import type { FetchPage, RawItem } from '@tributary/core/connector';
import { isTributaryError } from '@tributary/core/errors';
import { testConnector } from '@tributary/core/testing';
import { jsonFeedConnector, JsonFeedConfigSchema, parseJsonFeedItem, type JsonFeedCheckpoint } from '../src/index.js';
import { FEED_URL, feedItem, feedPages } from './fixtures/feed.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

// Serves `pages` at FEED_URL and FEED_URL?page=N, recording each page asked for.
function serveFeed(pages: (Record<string, unknown> | undefined)[]): number[] {
  const asked: number[] = [];
  server.use(
    http.get(FEED_URL, ({ request }) => {
      const page = Number(new URL(request.url).searchParams.get('page') ?? '1');
      asked.push(page);
      const body = pages[page - 1];
      return body ? HttpResponse.json(body) : HttpResponse.json({ error: 'no such page' }, { status: 404 });
    }),
  );
  return asked;
}

const items = Array.from({ length: 7 }, (_, i) => feedItem(i + 1));
const config = JsonFeedConfigSchema.parse({ feedUrl: FEED_URL });

testConnector('json-feed', {
  connector: jsonFeedConnector,
  config,
  samples: feedPages(items, 3)
    .flatMap((page) => (page.items as Record<string, unknown>[]).map((item) => ({ item, feed: { title: page.title as string, language: 'en' } })))
    .map((payload): RawItem => ({ externalId: payload.item.id as string, itemType: 'json-feed.item', payload })),
  fetch: { setup: () => void serveFeed(feedPages(items, 3)), expectItems: 7 },
});

function run(checkpoint: JsonFeedCheckpoint | null, overrides: Partial<typeof config> = {}) {
  return jsonFeedConnector.fetch!({
    workspaceId: 'ws',
    sourceId: 'src',
    config: { ...config, ...overrides },
    credentials: undefined,
    checkpoint,
    fetch: (input, init) => globalThis.fetch(input, init),
    signal: new AbortController().signal,
    clock: systemClock,
  });
}

async function all(pages: AsyncIterable<FetchPage<JsonFeedCheckpoint>>) {
  const out: FetchPage<JsonFeedCheckpoint>[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

const ids = (pages: FetchPage<JsonFeedCheckpoint>[]) => pages.flatMap((p) => p.items.map((i) => i.externalId.replace('https://community.example.org/t/', '')));

describe('json-feed: incremental walks', () => {
  it('takes everything on a first run and remembers the newest time', async () => {
    serveFeed(feedPages(items, 3));
    const pages = await all(run(null));
    expect(ids(pages)).toEqual(['1001', '1002', '1003', '1004', '1005', '1006', '1007']);
    expect(pages.at(-1)!.checkpoint).toEqual({ newest: '2024-05-10T12:00:00Z' });
  });

  it('stops after the first page with nothing new', async () => {
    const newer = [feedItem(0, { id: 'https://community.example.org/t/1000', date_published: '2024-05-10T13:00:00Z' }), ...items];
    const asked = serveFeed(feedPages(newer, 3));
    const pages = await all(run({ newest: '2024-05-10T12:00:00Z' }));
    expect(ids(pages)).toEqual(['1000']);
    // Page 1 still had a new item, so page 2 is looked at; it has none, and the walk ends there.
    expect(asked).toEqual([1, 2]);
    expect(pages.at(-1)!.checkpoint).toEqual({ newest: '2024-05-10T13:00:00Z' });
  });

  it('picks up an edited item by date_modified', async () => {
    const edited = items.map((item, i) => (i === 1 ? { ...item, date_modified: '2024-05-11T08:00:00Z' } : item));
    serveFeed(feedPages(edited, 10));
    const pages = await all(run({ newest: '2024-05-10T12:00:00Z' }));
    expect(ids(pages)).toEqual(['1002']);
    expect(pages.at(-1)!.checkpoint.newest).toBe('2024-05-11T08:00:00Z');
  });

  it('a walk cut by maxPages resumes at the next page; the watermark moves only when it completes', async () => {
    const asked = serveFeed(feedPages(items, 3));
    const cut = await all(run(null, { maxPages: 2 }));
    expect(ids(cut)).toEqual(['1001', '1002', '1003', '1004', '1005', '1006']);
    const pending = cut.at(-1)!.checkpoint;
    expect(pending).toEqual({ newest: null, pending: { nextUrl: `${FEED_URL}?page=3`, newest: '2024-05-10T12:00:00Z' } });

    asked.length = 0;
    const rest = await all(run(pending));
    expect(asked).toEqual([3]);
    expect(ids(rest)).toEqual(['1007']);
    expect(rest.at(-1)!.checkpoint).toEqual({ newest: '2024-05-10T12:00:00Z' });
  });

  it('a failed page fails the run and leaves the last saved checkpoint behind it', async () => {
    const pages = feedPages(items, 3);
    serveFeed([pages[0], undefined, pages[2]]);
    const saved: JsonFeedCheckpoint[] = [];
    const error = await (async () => {
      for await (const page of run(null)) saved.push(page.checkpoint);
    })().catch((e: unknown) => e);
    expect(isTributaryError(error, 'not_found')).toBe(true);
    expect(saved).toEqual([{ newest: null, pending: { nextUrl: `${FEED_URL}?page=2`, newest: '2024-05-10T12:00:00Z' } }]);
  });
});

describe('json-feed: parse', () => {
  it('turns an item into a feedback draft, text from its HTML', () => {
    const [draft] = parseJsonFeedItem({ externalId: 'x', itemType: 'json-feed.item', payload: { item: feedItem(2), feed: { title: 'Example Community — Feedback', language: 'en' } } });
    expect(draft).toEqual({
      externalId: 'https://community.example.org/t/1002',
      itemType: 'json-feed.item',
      occurredAt: '2024-05-10T11:00:00Z',
      language: 'en',
      author: { name: 'Member 2', profileUrl: 'https://community.example.org/u/member2', avatarUrl: 'https://community.example.org/avatars/2.png' },
      content: {
        title: 'Feedback #1002',
        text: 'Sync fails when a note has more than 1 000 attachments.',
        html: '<p>Sync fails when a note has more than 1&nbsp;000 attachments.</p>',
        url: 'https://community.example.org/t/1002',
      },
      attributes: { metadata: { feed: 'Example Community — Feedback', summary: 'Thread 1002' } },
      tags: ['feedback', 'bug'],
    });
  });

  it('refuses an item with no date, naming the field', () => {
    const item = feedItem(1, { date_published: undefined });
    expect(() => parseJsonFeedItem({ externalId: 'x', itemType: 'json-feed.item', payload: { item, feed: { title: 't' } } })).toThrow(/date_published/);
  });
});

describe('json-feed: check', () => {
  const check = () => jsonFeedConnector.check!({ config, credentials: undefined, fetch: (i, init) => globalThis.fetch(i, init), signal: new AbortController().signal });

  it('passes for a JSON Feed', async () => {
    serveFeed(feedPages(items, 3));
    await expect(check()).resolves.toBeUndefined();
  });

  it('names what is wrong with something that is not a JSON Feed', async () => {
    server.use(http.get(FEED_URL, () => HttpResponse.json({ rss: '2.0', channel: {} })));
    await expect(check()).rejects.toThrow(/\[json-feed\] invalid JSON Feed page .* \(version:/);
  });
});
