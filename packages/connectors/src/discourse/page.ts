import { z } from 'zod';
import { createError } from '@tributary/core/errors';
import { COMPONENT, type RequestSite } from './errors.js';
import type { DiscoursePost } from './payload.js';

// Posts need an id to become items; anything else wrong with one is left for `parse` to report, so a
// single odd post fails its own item rather than stalling the whole sync.
const PagePostSchema = z.looseObject({ id: z.number().int().positive() });

const SearchPageSchema = z.looseObject({
  posts: z.array(PagePostSchema).optional(),
  topics: z.array(z.looseObject({ id: z.number().int() })).optional(),
  grouped_search_result: z.looseObject({ more_full_page_results: z.unknown().optional() }).nullish(),
});

const LatestPostsPageSchema = z.looseObject({ latest_posts: z.array(PagePostSchema).optional() });

/** The parts of a `/search.json` response a walk uses. */
export interface SearchPage {
  posts: DiscoursePost[];
  topics: Record<string, unknown>[];
  /** `grouped_search_result.more_full_page_results`: `undefined` when the forum does not send it. */
  moreFullPageResults: unknown;
}

/** Reads a `/search.json` body. @throws TributaryError `connector` when it is not the documented shape */
export function readSearchPage(body: unknown, site: RequestSite): SearchPage {
  const parsed = SearchPageSchema.safeParse(body);
  if (!parsed.success) throw malformed(site, parsed.error);
  const grouped = parsed.data.grouped_search_result;
  return {
    posts: (parsed.data.posts ?? []) as DiscoursePost[],
    topics: parsed.data.topics ?? [],
    moreFullPageResults: grouped && 'more_full_page_results' in grouped ? grouped.more_full_page_results : undefined,
  };
}

/** Reads a `/posts.json` body. @throws TributaryError `connector` when it is not the documented shape */
export function readLatestPostsPage(body: unknown, site: RequestSite): DiscoursePost[] {
  const parsed = LatestPostsPageSchema.safeParse(body);
  if (!parsed.success) throw malformed(site, parsed.error);
  return (parsed.data.latest_posts ?? []) as DiscoursePost[];
}

function malformed(site: RequestSite, error: z.ZodError): Error {
  const issues = error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
  const first = issues[0];
  return createError(COMPONENT, 'connector', `${site.operation} failed: unexpected response from ${site.path}${first ? ` (${first.path}: ${first.message})` : ''}`, {
    issues,
    cause: error,
    context: { connector: COMPONENT, operation: site.operation, path: site.path },
  });
}

/** The later of two ISO date-times (either may be null), compared as instants, not as strings. */
export function laterOf(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return Date.parse(b) > Date.parse(a) ? b : a;
}

/** `created_at` of a post when it is a valid date-time; unreadable ones never move a checkpoint. */
export function createdAtOf(post: DiscoursePost): string | null {
  const value = (post as Record<string, unknown>).created_at;
  return typeof value === 'string' && z.iso.datetime({ offset: true }).safeParse(value).success ? value : null;
}
