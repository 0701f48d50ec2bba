import type { FetchFunction } from '@tributary/core/connector';
import { createError, fromZodError } from '@tributary/core/errors';
import { errorForResponse } from '@tributary/core/http';
import { FeedPageSchema, type FeedPage } from './feed.js';

/** Names this connector in every error: `[tributary] [json-feed] …`. */
export const COMPONENT = 'json-feed';

/**
 * GETs one feed page through the runtime's fetch (which throttles and retries) and validates it.
 * A failed status becomes the matching Tributary error (`unauthorized`, `not_found`, `rate_limited`
 * with its wait…), so the runtime knows whether and when to retry.
 */
export async function getFeedPage(fetch: FetchFunction, url: string, signal: AbortSignal): Promise<FeedPage> {
  const response = await fetch(url, { headers: { Accept: 'application/feed+json, application/json' }, signal });
  if (!response.ok) throw await errorForResponse(response, { component: COMPONENT });
  let body: unknown;
  try {
    body = await response.json();
  } catch (cause) {
    throw createError(COMPONENT, 'connector', `${url} did not answer JSON`, { cause });
  }
  const page = FeedPageSchema.safeParse(body);
  if (!page.success) throw fromZodError(COMPONENT, `JSON Feed page ${url}`, page.error);
  return page.data;
}
