import type { FetchContext, FetchPage } from '@tributary/core/connector';
import { getJson } from './http.js';
import { createdAtOf, laterOf, readSearchPage } from './page.js';
import { postItem, type DiscourseTopic } from './payload.js';
import { DISCOURSE_PAGE_SIZE, type DiscourseCheckpoint, type DiscourseConfig, type DiscourseCredentials } from './schemas.js';

const DAY_MS = 86_400_000;

type SearchFilters = Pick<DiscourseConfig, 'searchTerm' | 'before' | 'category' | 'tags'>;

/**
 * The `q` of a search: term first, then the advanced filters, newest first so a walk's first page
 * holds its newest post. E.g. `test after:2021-01-01 before:2021-02-20 order:latest`.
 */
export function searchQuery(config: SearchFilters, after: string | null): string {
  const parts: string[] = [];
  if (config.searchTerm) parts.push(config.searchTerm);
  if (config.category !== undefined) parts.push(typeof config.category === 'number' ? `category:${config.category}` : `#${config.category}`);
  if (config.tags?.length) parts.push(`tags:${config.tags.join(',')}`);
  if (after) parts.push(`after:${after}`);
  if (config.before) parts.push(`before:${config.before}`);
  parts.push('order:latest');
  return parts.join(' ');
}

/** Path and query of one search page, in seed 001's layout: `/search.json?page=1&q=…`. */
export function searchPath(config: SearchFilters, after: string | null, page: number): string {
  return `/search.json?${new URLSearchParams([
    ['page', String(page)],
    ['q', searchQuery(config, after)],
  ]).toString()}`;
}

/**
 * The `after:` day of a new walk: the newest post already seen minus the lookback overlap, but never
 * earlier than the configured `after`.
 */
export function walkAfter(config: Pick<DiscourseConfig, 'after' | 'lookbackDays'>, newestCreatedAt: string | null): string | null {
  if (newestCreatedAt === null) return config.after ?? null;
  const day = new Date(Date.parse(newestCreatedAt) - config.lookbackDays * DAY_MS).toISOString().slice(0, 10);
  return config.after !== undefined && config.after > day ? config.after : day;
}

/**
 * Walks `/search.json` pages newest first. Each page's checkpoint keeps the last completed walk's
 * watermark plus where this walk stands, so a run that stops part-way (failure or `maxPages`) is
 * resumed at the next page instead of jumping ahead and losing the older pages. The watermark moves
 * to the newest post seen only on the walk's last page.
 */
export async function* fetchSearch(
  ctx: FetchContext<DiscourseConfig, DiscourseCredentials, DiscourseCheckpoint>,
): AsyncGenerator<FetchPage<DiscourseCheckpoint>> {
  const { config } = ctx;
  const previous = ctx.checkpoint?.mode === 'search' ? ctx.checkpoint : null;
  const watermark = previous?.newestCreatedAt ?? null;
  let page = previous?.pending?.nextPage ?? 1;
  const after = previous?.pending ? previous.pending.after : walkAfter(config, watermark);
  let walkNewest = previous?.pending?.newestCreatedAt ?? null;
  const request = { ...ctx, now: () => ctx.clock.now() };

  for (let requested = 0; requested < config.maxPages; requested++) {
    const site = { operation: 'search', path: searchPath(config, after, page) };
    const result = readSearchPage(await getJson(request, site), site);
    const topics = new Map(result.topics.map((topic) => [topic.id, topic as DiscourseTopic]));
    const items = result.posts.map((post) => postItem(post, topics.get((post as Record<string, unknown>).topic_id)));
    for (const post of result.posts) walkNewest = laterOf(walkNewest, createdAtOf(post));

    // Forums that send `more_full_page_results` say null/false on the last page; older ones don't send
    // it, and a short page is then the only sign.
    const last =
      result.posts.length < DISCOURSE_PAGE_SIZE || result.moreFullPageResults === false || result.moreFullPageResults === null;
    if (last || walkNewest === null) {
      yield { items, checkpoint: { mode: 'search', newestCreatedAt: laterOf(watermark, walkNewest) } };
      return;
    }
    page += 1;
    yield { items, checkpoint: { mode: 'search', newestCreatedAt: watermark, pending: { nextPage: page, after, newestCreatedAt: walkNewest } } };
  }
}
