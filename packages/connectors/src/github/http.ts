import { bearerAuth, withAuth } from '@tributary/core/auth';
import type { FetchFunction } from '@tributary/core/connector';
import { createError, isTributaryError } from '@tributary/core/errors';
import { COMPONENT, errorFromResponse, type RequestSite } from './errors.js';
import type { GithubConfig, GithubCredentials } from './schemas.js';

/** The REST API version every request pins, so a new default version cannot change shapes under us. */
export const GITHUB_API_VERSION = '2022-11-28';

/** What a request needs: the runtime's fetch (rate budget, timeouts, retries) and the run's signal. */
export interface RequestContext {
  config: Pick<GithubConfig, 'apiUrl' | 'owner' | 'repo'>;
  /** `null` or `undefined` for anonymous access (the pipeline hands over `null` when none are stored). */
  credentials: GithubCredentials | null;
  fetch: FetchFunction;
  signal: AbortSignal;
  /** Epoch ms, for `X-RateLimit-Reset` and `Retry-After`. @default Date.now */
  now?: () => number;
}

/** `owner/repo` of the configured repository. */
export function repositoryName(config: Pick<GithubConfig, 'owner' | 'repo'>): string {
  return `${config.owner}/${config.repo}`;
}

/** `https://api.github.com/repos/{owner}/{repo}{suffix}`, the names URL-encoded. */
export function repoUrl(config: Pick<GithubConfig, 'apiUrl' | 'owner' | 'repo'>, suffix = ''): string {
  return `${config.apiUrl}/repos/${encodeURIComponent(config.owner)}/${encodeURIComponent(config.repo)}${suffix}`;
}

/** Throws an `aborted` error when the run was cancelled, so a walk stops between pages. */
export function throwIfAborted(signal: AbortSignal, operation: string): void {
  if (signal.aborted) throw createError(COMPONENT, 'aborted', `${operation} aborted`, { cause: signal.reason, context: { connector: COMPONENT, operation } });
}

/**
 * A fetch for GitHub's REST API: the token as `Authorization: Bearer`, GitHub's media type and API
 * version, the run's signal. Answers 2xx and 304 are returned; any other status is thrown as the
 * error {@link errorFromResponse} classifies it as, so callers (and the pagination helper) see only
 * usable responses.
 * @throws TributaryError classified from the response; `unavailable` when the request itself fails;
 *   `aborted` when the signal fires
 */
export function githubFetch(ctx: RequestContext, operation: string): FetchFunction {
  const authed = ctx.credentials ? withAuth(ctx.fetch, bearerAuth(ctx.credentials)) : ctx.fetch;
  const now = ctx.now ?? Date.now;
  return async (input, init) => {
    throwIfAborted(ctx.signal, operation);
    const site: RequestSite = { operation, path: pathOf(input), repository: repositoryName(ctx.config) };
    const headers = new Headers(init?.headers);
    headers.set('accept', 'application/vnd.github+json');
    headers.set('x-github-api-version', GITHUB_API_VERSION);
    // GitHub refuses requests without a User-Agent; runtimes that send none would be turned away.
    if (!headers.has('user-agent')) headers.set('user-agent', 'tributary-github-connector');
    let response: Response;
    try {
      response = await authed(input, { ...init, method: init?.method ?? 'GET', headers, signal: ctx.signal });
    } catch (cause) {
      if (isTributaryError(cause)) throw cause;
      throwIfAborted(ctx.signal, operation);
      throw createError(COMPONENT, 'unavailable', `${operation} failed: could not reach ${site.path}`, {
        cause,
        context: { connector: COMPONENT, operation, path: site.path },
      });
    }
    if (response.ok || response.status === 304) return response;
    throw await errorFromResponse(response, site, now());
  };
}

/** Path and query of a request URL, for messages (the origin is always the configured API). */
export function pathOf(input: string | URL | Request): string {
  const raw = input instanceof Request ? input.url : String(input);
  try {
    const url = new URL(raw);
    return `${url.pathname}${url.search}`;
  } catch {
    return raw;
  }
}
