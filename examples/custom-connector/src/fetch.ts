import type { FetchContext, FetchPage, RawItem } from '@tributary/core/connector';
import { fromZodError } from '@tributary/core/errors';
import { paginateCursor } from '@tributary/core/http';
import { FeedPageSchema, itemTime, JSON_FEED_ITEM_TYPE, type FeedItemPayload, type FeedPage } from './feed.js';
import { COMPONENT } from './http.js';
import type { JsonFeedCheckpoint, JsonFeedConfig } from './schemas.js';

/**
 * Walks the feed from its first page along `next_url`, newest items first, and stops at the first
 * page with nothing newer than the checkpoint. The checkpoint's `newest` only moves when a walk
 * completes: until then each page saves the walk's position in `pending`, so a run that stops
 * part-way resumes at the next page, and a run that fails never skips anything.
 */
export async function* fetchJsonFeed(ctx: FetchContext<JsonFeedConfig, undefined, JsonFeedCheckpoint>): AsyncGenerator<FetchPage<JsonFeedCheckpoint>> {
  const watermark = ctx.checkpoint?.newest ?? null;
  let walkNewest = ctx.checkpoint?.pending?.newest ?? null;
  const pages = paginateCursor<unknown, string>({
    fetch: ctx.fetch,
    signal: ctx.signal,
    component: COMPONENT,
    maxPages: ctx.config.maxPages,
    request: (url) => ({ url: url ?? ctx.config.feedUrl, init: { headers: { Accept: 'application/feed+json, application/json' } } }),
    items: (body) => readPage(body).items,
    nextCursor: (body, response) => nextUrl(readPage(body), response.url || ctx.config.feedUrl),
    ...(ctx.checkpoint?.pending ? { startCursor: ctx.checkpoint.pending.nextUrl } : {}),
  });

  for await (const page of pages) {
    const feed = readPage(page.body);
    const fresh = page.items.filter((item) => isNewer(itemTime(item), watermark));
    for (const item of fresh) walkNewest = later(walkNewest, itemTime(item));
    const items = fresh.flatMap((item) => toRawItem(item, feed));

    // Items are newest first: a page with nothing new means the rest is older still.
    if (!page.next || fresh.length === 0) {
      yield { items, checkpoint: { newest: later(watermark, walkNewest) } };
      return;
    }
    yield { items, checkpoint: { newest: watermark, pending: { nextUrl: page.next, newest: walkNewest } } };
  }
}

/**
 * One feed item as a raw item: the item verbatim plus the feed facts that parsing needs. The spec
 * requires an `id`; an item without one cannot be told apart from the others, so it is skipped.
 */
function toRawItem(item: unknown, feed: FeedPage): RawItem[] {
  const id = (item as { id?: unknown } | null)?.id;
  if ((typeof id !== 'string' || id === '') && typeof id !== 'number') return [];
  const payload: FeedItemPayload = {
    item,
    feed: {
      title: feed.title,
      ...(feed.home_page_url ? { home_page_url: feed.home_page_url } : {}),
      ...(feed.language ? { language: feed.language } : {}),
      ...(feed.authors ? { authors: feed.authors } : {}),
    },
  };
  return [{ externalId: String(id), itemType: JSON_FEED_ITEM_TYPE, payload }];
}

function readPage(body: unknown): FeedPage {
  const page = FeedPageSchema.safeParse(body);
  if (!page.success) throw fromZodError(COMPONENT, 'JSON Feed page', page.error);
  return page.data;
}

/** `next_url` made absolute (the spec wants it absolute; relative ones exist in the wild). */
function nextUrl(page: FeedPage, base: string): string | undefined {
  return page.next_url ? new URL(page.next_url, base).toString() : undefined;
}

/** Items without any time are always taken: there is nothing to compare, and records dedupe by id. */
function isNewer(time: string | null, watermark: string | null): boolean {
  return time === null || watermark === null || Date.parse(time) > Date.parse(watermark);
}

function later(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return Date.parse(b) > Date.parse(a) ? b : a;
}
