import type { FetchFunction, RawItem } from '@tributary/core/connector';
import { createError, isTributaryError } from '@tributary/core/errors';
import { paginateLinkHeader } from '@tributary/core/http';
import { COMPONENT } from './errors.js';
import { GithubObjectSchema } from './payload.js';
import { GITHUB_PAGE_SIZE, type GithubConfig, type GithubStreamCheckpoint } from './schemas.js';
import type { StreamSpec } from './streams.js';
import { isAfter, laterOf, secondsBefore, updatedAtOf } from './time.js';

/** What a walk needs: the GitHub fetch (auth, headers, classified errors) and the run's signal. */
export interface WalkContext {
  config: Pick<GithubConfig, 'apiUrl' | 'owner' | 'repo' | 'since' | 'overlapSeconds' | 'maxPages'>;
  fetch: FetchFunction;
  signal: AbortSignal;
}

/** One page of a walk: its items and where the stream stands after them. */
export interface StreamStep {
  items: RawItem[];
  state: GithubStreamCheckpoint;
}

type Entry = Record<string, unknown>;

/** Thrown by {@link conditionalOnce} on a 304 and caught by the walk: nothing changed since the ETag. */
class NotModified extends Error {}

/**
 * The `since` a run starts from: the newest update seen minus the overlap, never before the
 * configured backfill start; the backfill start (or everything) on the first run.
 */
export function startSince(config: Pick<GithubConfig, 'since' | 'overlapSeconds'>, watermark: string | null): string | null {
  if (watermark === null) return config.since ?? null;
  const overlapped = secondsBefore(watermark, config.overlapSeconds);
  return config.since !== undefined && isAfter(config.since, overlapped) ? config.since : overlapped;
}

/**
 * Walks one list (sorted by `updated_at`, oldest first) from the checkpoint, one step per page.
 *
 * - **Conditional start.** When the run starts at the URL of the ETag kept in the checkpoint, the
 *   first request carries `If-None-Match`; a 304 ends the walk with no items and the checkpoint as it
 *   was (and costs no rate limit).
 * - **Keyset paging.** Pages come from `Link: rel="next"`, but after each page the walk restarts at
 *   `since` = the page's newest update (minus a second, as `since` may be exclusive) instead of
 *   following `page=N+1`: an item updated mid-walk moves to the end of the list and would shift an
 *   unseen item back onto a page already read, losing it for good. The `next` link is followed only
 *   when the page's updates all lie within that second, where a restart would fetch it again.
 * - **Checkpoints.** Each step's watermark is the newest update seen so far, so a run that stops
 *   after any page resumes without a gap. An ETag is kept only for a complete single short page: a
 *   longer answer can change beyond its first page while that page's ETag stays the same.
 */
export async function* walkStream(ctx: WalkContext, stream: StreamSpec, previous: GithubStreamCheckpoint | undefined): AsyncGenerator<StreamStep> {
  const { config } = ctx;
  let watermark = previous?.updatedSince ?? null;
  let since = startSince(config, watermark);
  const firstUrl = stream.url(config, since);
  const etag = previous?.etag?.url === firstUrl ? previous.etag.value : undefined;
  let pages = 0;
  // Entries of the last page, so the overlap of a keyset restart does not yield them twice.
  let lastPage = new Set<string>();

  try {
    for (;;) {
      const url = stream.url(config, since);
      const fetch = pages === 0 && etag !== undefined ? conditionalOnce(ctx.fetch, url, etag) : ctx.fetch;
      let restartAt: string | null = null;
      const walk = paginateLinkHeader<Entry>({
        url,
        fetch,
        signal: ctx.signal,
        component: COMPONENT,
        maxPages: config.maxPages - pages,
        items: (body) => readEntries(body, stream.name, url),
        parse: (response) => readJson(response, stream.name),
      });
      for await (const page of walk) {
        pages++;
        const entries = page.items;
        const times = entries.map(updatedAtOf).filter((time): time is string => time !== null);
        const newest = times.reduce<string | null>(laterOf, null);
        const oldest = times.reduce<string | null>((acc, time) => (acc === null || isAfter(acc, time) ? time : acc), null);
        watermark = laterOf(watermark, newest);
        const items = entries
          .filter((entry) => !lastPage.has(entryKey(entry)))
          .flatMap((entry) => {
            const parsed = GithubObjectSchema.safeParse(entry);
            return parsed.success ? (stream.toItem(parsed.data) ?? []) : [];
          });
        lastPage = new Set(entries.map(entryKey));
        const complete = pages === 1 && page.next === null && entries.length < GITHUB_PAGE_SIZE;
        const newEtag = complete ? page.response.headers.get('etag') : null;
        yield { items, state: { updatedSince: watermark, ...(newEtag ? { etag: { url, value: newEtag } } : {}) } };

        if (page.next === null || pages >= config.maxPages) return;
        // A restart helps only when it leaves part of this page behind; else it would fetch it again.
        const resume = newest === null ? null : secondsBefore(newest, 1);
        if (resume !== null && oldest !== null && isAfter(resume, oldest)) {
          restartAt = resume;
          break;
        }
      }
      if (restartAt === null) return;
      since = restartAt;
    }
  } catch (error) {
    if (error instanceof NotModified) {
      yield { items: [], state: previous! };
      return;
    }
    if (ctx.signal.aborted && !isTributaryError(error, 'aborted')) {
      throw createError(COMPONENT, 'aborted', `${stream.name} aborted`, { cause: ctx.signal.reason, context: { connector: COMPONENT, operation: stream.name } });
    }
    throw error;
  }
}

/** A fetch that makes its first request to `url` conditional on `etag` and turns a 304 into {@link NotModified}. */
function conditionalOnce(fetch: FetchFunction, url: string, etag: string): FetchFunction {
  let sent = false;
  return async (input, init) => {
    const conditional = !sent && String(input) === url;
    sent = true;
    if (!conditional) return fetch(input, init);
    const headers = new Headers(init?.headers);
    headers.set('if-none-match', etag);
    const response = await fetch(input, { ...init, headers });
    if (response.status !== 304) return response;
    response.body?.cancel().catch(() => undefined);
    throw new NotModified();
  };
}

/** The entries of a list page. @throws TributaryError `connector` when the body is not a JSON array */
function readEntries(body: unknown, operation: string, url: string): Entry[] {
  if (!Array.isArray(body)) {
    const path = new URL(url).pathname;
    throw createError(COMPONENT, 'connector', `${operation} failed: ${path} answered ${body === null ? 'null' : typeof body} instead of a list`, {
      context: { connector: COMPONENT, operation, path },
    });
  }
  return body.filter((entry): entry is Entry => typeof entry === 'object' && entry !== null && !Array.isArray(entry));
}

/** The body as JSON. @throws TributaryError `connector` when it is not (a proxy's HTML page, say) */
async function readJson(response: Response, operation: string): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    const path = response.url ? new URL(response.url).pathname : operation;
    throw createError(COMPONENT, 'connector', `${operation} failed: the response of ${path} is not JSON`, {
      cause,
      context: { connector: COMPONENT, operation, status: response.status },
    });
  }
}

function entryKey(entry: Entry): string {
  return `${String(entry.id)}|${String(entry.updated_at)}`;
}
