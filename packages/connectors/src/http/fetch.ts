import type { FetchContext, FetchPage } from '@tributary/core/connector';
import { applyAuth, authenticatedFetch, withoutAuthQuery } from './auth.js';
import { rawItem } from './items.js';
import { walk } from './pages.js';
import type { HttpCheckpoint, HttpConfig, HttpCredentials } from './schemas.js';
import { laterOf, templateValues, walkWatermark } from './watermark.js';

/**
 * Pulls the configured API. A walk starts from the watermark (`{{checkpoint}}`/`{{since}}`) and pages
 * through the results; until it completes, each page's checkpoint keeps the old watermark plus the
 * walk's position and pinned values, so a run that stops part-way resumes exactly there. The
 * watermark advances only on the walk's last page: a failed run never moves it.
 */
export async function* fetchHttp(ctx: FetchContext<HttpConfig, HttpCredentials, HttpCheckpoint>): AsyncGenerator<FetchPage<HttpCheckpoint>> {
  const { config } = ctx;
  ctx.signal.throwIfAborted();
  const auth = applyAuth(config.auth, ctx.credentials);
  const watermark = ctx.checkpoint?.watermark ?? null;
  const pending = ctx.checkpoint?.pending;
  const values = pending?.values ?? templateValues(config, watermark);
  let walkMax = pending?.walkWatermark ?? null;
  let pageNo = 0;

  for await (const page of walk({ config, fetch: authenticatedFetch(ctx.fetch, auth), signal: ctx.signal, values, start: pending?.next })) {
    pageNo++;
    const items = page.items.map((item, i) => rawItem(item, config, `item ${i} of page ${pageNo}`));
    walkMax = walkWatermark(page.items, config.checkpointPath, walkMax);
    if (page.next === null) {
      yield { items, checkpoint: { watermark: laterOf(watermark, walkMax) } };
      return;
    }
    // Page URLs (Link headers, next URLs) may echo a key sent in the query; checkpoints are stored in clear.
    const next = typeof page.next === 'string' && carriesUrls(config) ? withoutAuthQuery(page.next, auth) : page.next;
    yield { items, checkpoint: { watermark, pending: { next, walkWatermark: walkMax, values } } };
  }
}

/** Whether the style's `next` markers are URLs (rather than page numbers, offsets or opaque cursors). */
function carriesUrls(config: HttpConfig): boolean {
  return config.pagination.style === 'link' || (config.pagination.style === 'cursor' && config.pagination.nextUrlPath !== undefined);
}
