import { createError, type TributaryError, type TributaryErrorCode } from '@tributary/core/errors';
import { parseRetryAfter } from '@tributary/core/http';

/** The component name every GitHub error carries: `[tributary] [github] …`. */
export const COMPONENT = 'github';

/** GitHub's advice when a secondary limit gives no hint: wait at least a minute. */
const SECONDARY_LIMIT_WAIT_MS = 60_000;

/** Where a failed request was made, for the error's context (never holds credentials). */
export interface RequestSite {
  /** e.g. `issues`, `comments`, `check`. */
  operation: string;
  /** Path and query of the request. The token travels in a header, so this is safe to keep. */
  path: string;
  /** `owner/repo`, to name it when GitHub says it does not exist. */
  repository: string;
}

/**
 * Turns a failed GitHub response into a Tributary error the runtime can act on:
 * - 403 or 429 over a rate limit → `rate_limited` with `retryAfterMs`: from `Retry-After`
 *   (secondary limits), else from `X-RateLimit-Reset` when `X-RateLimit-Remaining` is 0 (the
 *   hourly budget), else a minute (a secondary limit without a hint), as GitHub's docs advise;
 * - 401 → `unauthorized` (bad or expired token); any other 403 → `forbidden` (the token lacks access);
 * - 404 and 410 → `config` naming the repository (absent, private to the token, or issues disabled);
 * - 5xx → `unavailable`; anything else → `connector`.
 */
export async function errorFromResponse(response: Response, site: RequestSite, now: number): Promise<TributaryError> {
  const status = response.status;
  const message = await githubMessage(response);
  const wait = status === 403 || status === 429 ? rateLimitWait(response, message, now) : undefined;
  const code = codeFor(status, wait !== undefined);
  const text =
    code === 'config'
      ? `${site.operation} failed: repository ${site.repository} ${status === 410 ? 'has issues disabled' : 'was not found, or the token cannot see it'} (HTTP ${status} on ${site.path})`
      : `${site.operation} failed: HTTP ${status} on ${site.path}${message ? ` (${message})` : ''}`;
  return createError(COMPONENT, code, text, {
    context: { connector: COMPONENT, operation: site.operation, path: site.path, status, ...rateLimitContext(response) },
    ...(wait !== undefined ? { retryAfterMs: wait } : {}),
  });
}

function codeFor(status: number, rateLimited: boolean): TributaryErrorCode {
  if (rateLimited) return 'rate_limited';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404 || status === 410) return 'config';
  if (status >= 500) return 'unavailable';
  return 'connector';
}

/**
 * How long GitHub asks us to wait, or undefined when the 403 is not about rate limits. The order is
 * GitHub's documented one: `Retry-After`, then the primary limit's reset, then a minute.
 */
export function rateLimitWait(response: Response, message: string | undefined, now: number): number | undefined {
  const retryAfter = parseRetryAfter(response.headers.get('retry-after'), now);
  if (retryAfter !== undefined) return retryAfter;
  if (response.headers.get('x-ratelimit-remaining')?.trim() === '0') {
    const reset = Number(response.headers.get('x-ratelimit-reset'));
    if (Number.isFinite(reset) && reset > 0) return Math.max(0, reset * 1000 - now);
  }
  if (response.status === 429 || (message !== undefined && /rate limit|abuse/i.test(message))) return SECONDARY_LIMIT_WAIT_MS;
  return undefined;
}

/** The rate-limit headers worth keeping with an error, for whoever reads the logs. */
function rateLimitContext(response: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [header, key] of [
    ['x-ratelimit-limit', 'rateLimitLimit'],
    ['x-ratelimit-remaining', 'rateLimitRemaining'],
    ['x-ratelimit-reset', 'rateLimitReset'],
    ['x-ratelimit-resource', 'rateLimitResource'],
    ['x-github-request-id', 'requestId'],
  ] as const) {
    const value = response.headers.get(header);
    if (value !== null) out[key] = value;
  }
  return out;
}

/** GitHub's `{"message": …}`, bounded: a proxy's error page should not end up in logs whole. */
async function githubMessage(response: Response): Promise<string | undefined> {
  try {
    const body: unknown = JSON.parse(await response.text());
    const message = typeof body === 'object' && body !== null ? (body as { message?: unknown }).message : undefined;
    return typeof message === 'string' ? message.slice(0, 200) : undefined;
  } catch {
    return undefined;
  }
}
