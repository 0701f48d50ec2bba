import type { FetchFunction } from '../connector/index.js';
import { createError } from '../errors/index.js';
import { parseLinkHeader } from './link-header.js';
import { errorForResponse } from './response-error.js';

/** A request as the pagination callbacks build it: a URL, or a URL with `fetch` options. */
export type PageRequest = string | URL | { url: string | URL; init?: RequestInit };

/** One page yielded by the pagination helpers. */
export interface PageResult<Item, Marker> {
  items: Item[];
  /** The parsed body. */
  body: unknown;
  /** The response (its body already read); headers such as ETag or rate limits are still there. */
  response: Response;
  /** Pages yielded so far, this one included (from 1). */
  pageCount: number;
  /** What fetched this page: the page number, cursor, URL or offset. Store it in a checkpoint to resume. */
  marker: Marker;
  /** The marker of the next page, or null on the last page. */
  next: Marker | null;
}

/** Options every helper takes. */
export interface PaginateOptionsBase<Item> {
  /** The connector's fetch (from its context): throttled, with retries. */
  fetch: FetchFunction;
  /** Reads the items of a page. */
  items: (body: unknown, response: Response) => Item[];
  /**
   * Stops after this many pages, even if the source has more: a bound on one run (connectors save a
   * checkpoint per page, so the next run continues) and a guard against a source that never ends.
   * @default 10000
   */
  maxPages?: number;
  /** Stops between pages when aborted (pass the run's signal). */
  signal?: AbortSignal;
  /** Reads the body. A non-2xx response throws (see `errorForResponse`) before this is called. @default response.json() */
  parse?: (response: Response) => Promise<unknown>;
  /** Names the component in errors. @default 'http' */
  component?: string;
}

/** Options of {@link paginatePageNumber}. */
export interface PageNumberOptions<Item> extends PaginateOptionsBase<Item> {
  request: (page: number) => PageRequest;
  /** @default 1 */
  startPage?: number;
  /** When given, a page with fewer items is the last one (saves one empty request). @default none */
  pageSize?: number;
  /** Whether another page follows. @default a non-empty page (and a full one, with `pageSize`) */
  hasNext?: (page: { body: unknown; items: Item[]; page: number; response: Response }) => boolean;
}

/** Options of {@link paginateCursor}. */
export interface CursorOptions<Item, Cursor> extends PaginateOptionsBase<Item> {
  /** Builds the request for a cursor; `undefined` is the first page (unless `startCursor` is given). */
  request: (cursor: Cursor | undefined) => PageRequest;
  /** Reads the next cursor; null, undefined or an empty string ends the iteration. */
  nextCursor: (body: unknown, response: Response) => Cursor | null | undefined;
  /** Resume from a saved cursor. @default undefined (first page) */
  startCursor?: Cursor;
}

/** Options of {@link paginateLinkHeader}. */
export interface LinkHeaderOptions<Item> extends Omit<PaginateOptionsBase<Item>, 'items'> {
  /** The first URL (or a saved `next` URL, to resume). */
  url: string | URL;
  /** Options for every request (headers, say). */
  init?: RequestInit;
  /** Reads the items. @default the body itself when it is an array */
  items?: (body: unknown, response: Response) => Item[];
  /** The relation to follow. @default 'next' */
  rel?: string;
}

/** Options of {@link paginateOffset}. */
export interface OffsetOptions<Item> extends PaginateOptionsBase<Item> {
  request: (offset: number, limit: number) => PageRequest;
  /** Items asked for per page. */
  limit: number;
  /** @default 0 */
  startOffset?: number;
  /** The total number of items, when the API reports it; iteration stops once it is reached. */
  total?: (body: unknown, response: Response) => number | undefined;
}

const DEFAULT_MAX_PAGES = 10_000;

/**
 * Walks `?page=1, 2, 3…` until a page is empty (or short, with `pageSize`). A trailing empty page is
 * not yielded (the first page always is, so a caller can checkpoint an empty source).
 * @example
 * ```ts
 * for await (const page of paginatePageNumber({
 *   fetch, request: (page) => `${base}/latest.json?page=${page}`, items: (b) => (b as Latest).topic_list.topics,
 * })) yield { items: page.items.map(toRawItem), checkpoint: { page: page.marker } };
 * ```
 */
export async function* paginatePageNumber<Item>(options: PageNumberOptions<Item>): AsyncGenerator<PageResult<Item, number>, void, undefined> {
  const max = maxPagesOf(options);
  let page = options.startPage ?? 1;
  for (let count = 1; count <= max; count++) {
    checkAborted(options);
    const { response, body, items } = await fetchPage(options, options.request(page));
    const more = options.hasNext
      ? options.hasNext({ body, items, page, response })
      : items.length > 0 && (options.pageSize === undefined || items.length >= options.pageSize);
    if (items.length > 0 || count === 1 || more) yield { items, body, response, pageCount: count, marker: page, next: more ? page + 1 : null };
    if (!more) return;
    page++;
  }
}

/**
 * Follows a cursor (a token, an id, a timestamp) taken from each body until there is none. Stops as
 * well if the API hands back the cursor it was given, which would otherwise loop forever.
 */
export async function* paginateCursor<Item, Cursor = string>(options: CursorOptions<Item, Cursor>): AsyncGenerator<PageResult<Item, Cursor | undefined>, void, undefined> {
  const max = maxPagesOf(options);
  let cursor = options.startCursor;
  const seen = new Set<string>();
  for (let count = 1; count <= max; count++) {
    checkAborted(options);
    const { response, body, items } = await fetchPage(options, options.request(cursor));
    seen.add(JSON.stringify(cursor) ?? '');
    const raw = options.nextCursor(body, response);
    const next = raw === null || raw === undefined || raw === '' ? null : raw;
    const repeats = next !== null && seen.has(JSON.stringify(next));
    yield { items, body, response, pageCount: count, marker: cursor, next: repeats ? null : next };
    if (next === null || repeats) return;
    cursor = next;
  }
}

/**
 * Follows RFC 8288 `Link: <…>; rel="next"` headers (GitHub, GitLab, many REST APIs) until a page has
 * none. Relative targets resolve against the URL that was fetched.
 */
export async function* paginateLinkHeader<Item = unknown>(options: LinkHeaderOptions<Item>): AsyncGenerator<PageResult<Item, string>, void, undefined> {
  const max = maxPagesOf(options);
  const rel = (options.rel ?? 'next').toLowerCase();
  const items = options.items ?? ((body: unknown) => (Array.isArray(body) ? (body as Item[]) : []));
  let url = String(options.url);
  const seen = new Set<string>();
  for (let count = 1; count <= max; count++) {
    checkAborted(options);
    seen.add(url);
    const page = await fetchPage({ ...options, items }, { url, ...(options.init ? { init: options.init } : {}) });
    const target = parseLinkHeader(page.response.headers.get('link'), page.response.url || url)[rel]?.url;
    const next = target && !seen.has(target) ? target : null;
    yield { ...page, pageCount: count, marker: url, next };
    if (next === null) return;
    url = next;
  }
}

/**
 * Walks `?offset=0&limit=100, 100, 200…`, advancing by the items actually received (an API may cap
 * the limit lower than asked). Stops on an empty page, on a short page when no total is known, or
 * once `total` items are behind.
 */
export async function* paginateOffset<Item>(options: OffsetOptions<Item>): AsyncGenerator<PageResult<Item, number>, void, undefined> {
  if (!Number.isInteger(options.limit) || options.limit < 1) throw createError(options.component ?? 'http', 'config', `paginateOffset: limit must be an integer ≥ 1, got ${options.limit}`);
  const max = maxPagesOf(options);
  let offset = options.startOffset ?? 0;
  for (let count = 1; count <= max; count++) {
    checkAborted(options);
    const { response, body, items } = await fetchPage(options, options.request(offset, options.limit));
    const total = options.total?.(body, response);
    const after = offset + items.length;
    const more = items.length > 0 && (total !== undefined ? after < total : items.length >= options.limit);
    if (items.length > 0 || count === 1 || more) yield { items, body, response, pageCount: count, marker: offset, next: more ? after : null };
    if (!more) return;
    offset = after;
  }
}

async function fetchPage<Item>(options: PaginateOptionsBase<Item>, spec: PageRequest): Promise<{ response: Response; body: unknown; items: Item[] }> {
  const { url, init } = typeof spec === 'string' || spec instanceof URL ? { url: spec, init: undefined } : spec;
  const response = await options.fetch(url, { ...init, ...(options.signal ? { signal: options.signal } : {}) });
  if (!response.ok) throw await errorForResponse(response, { component: options.component ?? 'http' });
  const body = options.parse ? await options.parse(response) : await response.json();
  return { response, body, items: options.items(body, response) };
}

function maxPagesOf(options: { maxPages?: number }): number {
  return options.maxPages ?? DEFAULT_MAX_PAGES;
}

function checkAborted(options: { signal?: AbortSignal }): void {
  options.signal?.throwIfAborted();
}
