import type { FetchFunction } from '@tributary/core/connector';
import { paginateCursor, paginateLinkHeader, paginateOffset, paginatePageNumber, type PageResult } from '@tributary/core/http';
import { readPath } from '../_mapping/index.js';
import { COMPONENT } from './errors.js';
import { itemsAt } from './items.js';
import { buildRequest } from './request.js';
import type { HttpConfig } from './schemas.js';

/** One page of a walk, whatever the style: its items and what fetches the next page (null on the last). */
export interface WalkPage {
  items: unknown[];
  next: string | number | null;
}

/** What a walk needs: the authenticated fetch, the run's signal, its pinned template values and where to start. */
export interface WalkOptions {
  config: HttpConfig;
  fetch: FetchFunction;
  signal: AbortSignal;
  values: { checkpoint: string; since: string };
  /** A saved `next` marker to resume from; the first page when undefined. */
  start: string | number | undefined;
}

/**
 * Walks the API's pages in its pagination style with the core helpers, at most `maxPages` of them.
 * Every style reduces to items plus a JSON-safe `next` marker, which is what a checkpoint keeps.
 */
export async function* walk(options: WalkOptions): AsyncGenerator<WalkPage> {
  const { config, values, start } = options;
  const base = {
    fetch: options.fetch,
    signal: options.signal,
    maxPages: config.maxPages,
    component: COMPONENT,
    items: (body: unknown, response: Response) => itemsAt(body, config, response.url),
  };
  const p = config.pagination;
  let pages: AsyncGenerator<PageResult<unknown, unknown>>;
  switch (p.style) {
    case 'none':
      pages = paginatePageNumber({ ...base, request: () => buildRequest(config, values), hasNext: () => false });
      break;
    case 'page':
      pages = paginatePageNumber({
        ...base,
        request: (page) => buildRequest(config, { ...values, page, ...(p.pageSize ? { pageSize: p.pageSize } : {}) }),
        startPage: typeof start === 'number' ? start : p.startPage,
        ...(p.pageSize ? { pageSize: p.pageSize } : {}),
      });
      break;
    case 'offset':
      pages = paginateOffset({
        ...base,
        request: (offset, limit) => buildRequest(config, { ...values, offset, limit }),
        limit: p.limit,
        startOffset: typeof start === 'number' ? start : 0,
        ...(p.totalPath ? { total: (body: unknown) => numberAt(body, p.totalPath!) } : {}),
      });
      break;
    case 'cursor':
      if (p.nextUrlPath !== undefined) {
        const nextUrlPath = p.nextUrlPath;
        const first = buildRequest(config, values);
        pages = paginateCursor<unknown, string>({
          ...base,
          // Later pages are the URLs the API handed back, resolved against the first one.
          request: (url) => (url === undefined ? first : { url: new URL(url, first.url).toString(), init: first.init }),
          nextCursor: (body) => stringAt(body, nextUrlPath),
          ...(typeof start === 'string' ? { startCursor: start } : {}),
        });
      } else {
        const cursorPath = p.cursorPath!;
        pages = paginateCursor<unknown, string | number>({
          ...base,
          request: (cursor) => buildRequest(config, { ...values, ...(cursor === undefined ? {} : { cursor }) }),
          nextCursor: (body) => cursorAt(body, cursorPath),
          ...(start !== undefined ? { startCursor: start } : {}),
        });
      }
      break;
    case 'link': {
      const first = buildRequest(config, values);
      pages = paginateLinkHeader({
        ...base,
        url: typeof start === 'string' ? start : first.url,
        init: first.init,
        rel: p.rel,
      });
      break;
    }
  }
  for await (const page of pages) yield { items: page.items, next: (page.next as string | number | null | undefined) ?? null };
}

function numberAt(body: unknown, path: string): number | undefined {
  const value = readPath(body, path);
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

function stringAt(body: unknown, path: string): string | undefined {
  const value = readPath(body, path);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function cursorAt(body: unknown, path: string): string | number | undefined {
  const value = readPath(body, path);
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)) ? value : undefined;
}
