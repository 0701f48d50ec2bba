import type { CheckContext } from '@tributary/core/connector';
import { getFeedPage } from './http.js';
import type { JsonFeedConfig } from './schemas.js';

/** One cheap request before a source is saved: the URL must answer a valid JSON Feed. */
export async function checkJsonFeed(ctx: CheckContext<JsonFeedConfig, undefined>): Promise<void> {
  await getFeedPage(ctx.fetch, ctx.config.feedUrl, ctx.signal);
}
