import type { FetchFunction } from '@tributary/core/connector';
import { createError, isTributaryError } from '@tributary/core/errors';
import { COMPONENT, errorFromResponse, type RequestSite } from './errors.js';
import type { DiscourseConfig, DiscourseCredentials } from './schemas.js';

/** What a request needs: the runtime's fetch (rate budget, timeouts, retries) and the run's signal. */
export interface RequestContext {
  config: Pick<DiscourseConfig, 'baseUrl'>;
  credentials: DiscourseCredentials;
  fetch: FetchFunction;
  signal: AbortSignal;
  /** Epoch ms, for `Retry-After` dates. @default Date.now */
  now?: () => number;
}

/** The headers that authenticate a request; none for anonymous access. */
export function authHeaders(credentials: DiscourseCredentials): Record<string, string> {
  if (!credentials) return {};
  if ('apiKey' in credentials) {
    return { 'Api-Key': credentials.apiKey, ...(credentials.apiUsername ? { 'Api-Username': credentials.apiUsername } : {}) };
  }
  return {
    'User-Api-Key': credentials.userApiKey,
    ...(credentials.userApiClientId ? { 'User-Api-Client-Id': credentials.userApiClientId } : {}),
  };
}

/** Throws an `aborted` error when the run was cancelled, so a walk stops between pages. */
export function throwIfAborted(signal: AbortSignal, operation: string): void {
  if (signal.aborted) throw createError(COMPONENT, 'aborted', `${operation} aborted`, { cause: signal.reason, context: { connector: COMPONENT, operation } });
}

/**
 * GETs `path` (relative to the forum's base URL) as JSON.
 * @throws TributaryError classified by {@link errorFromResponse}; `unavailable` when the request
 *   itself fails; `aborted` when the signal fires; `connector` when the body is not JSON
 */
export async function getJson(ctx: RequestContext, site: RequestSite): Promise<unknown> {
  throwIfAborted(ctx.signal, site.operation);
  // Concatenate rather than `new URL(path, base)`, which would drop a sub-folder install's path.
  const url = `${ctx.config.baseUrl.replace(/\/+$/, '')}${site.path}`;
  let response: Response;
  try {
    response = await ctx.fetch(url, {
      method: 'GET',
      headers: { Accept: 'application/json', ...authHeaders(ctx.credentials) },
      signal: ctx.signal,
    });
  } catch (cause) {
    if (isTributaryError(cause)) throw cause;
    throwIfAborted(ctx.signal, site.operation);
    throw createError(COMPONENT, 'unavailable', `${site.operation} failed: could not reach ${site.path}`, {
      cause,
      context: { connector: COMPONENT, operation: site.operation, path: site.path },
    });
  }
  if (!response.ok) throw await errorFromResponse(response, site, (ctx.now ?? Date.now)());
  try {
    return (await response.json()) as unknown;
  } catch (cause) {
    throw createError(COMPONENT, 'connector', `${site.operation} failed: the response of ${site.path} is not JSON`, {
      cause,
      context: { connector: COMPONENT, operation: site.operation, path: site.path, status: response.status },
    });
  }
}

/** A `connector` error for a 2xx response whose body is not the shape Discourse documents. */
export function unexpectedBody(site: RequestSite, what: string): Error {
  return createError(COMPONENT, 'connector', `${site.operation} failed: ${site.path} answered ${what}`, {
    context: { connector: COMPONENT, operation: site.operation, path: site.path },
  });
}
