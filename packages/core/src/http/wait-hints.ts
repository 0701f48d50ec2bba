/**
 * A function that reads how long a provider asks the caller to wait from one of its responses.
 * Returns milliseconds, or undefined when the response carries no such hint.
 * `now` is the client's clock, so hints given as absolute times become exact waits in tests.
 */
export type WaitHint = (response: Response, now: number) => number | undefined | Promise<number | undefined>;

/**
 * Parses a `Retry-After` value: delay-seconds or an HTTP date (RFC 9110 §10.2.3).
 * Returns milliseconds from `now` (never negative), or undefined when the value is neither.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  // Only plain (possibly fractional) numbers are seconds; Date.parse would accept "5" as a year.
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** The standard `Retry-After` header (429, 503, and GitHub's secondary rate limits on 403). */
export const retryAfterHint: WaitHint = (response, now) => parseRetryAfter(response.headers.get('retry-after'), now);

/**
 * Discourse's rate-limit body: `{"error_type":"rate_limit","extras":{"wait_seconds":N}}` on a 429.
 * Reads a clone, so the caller still gets the body intact.
 */
export const discourseWaitHint: WaitHint = async (response) => {
  if (response.status !== 429) return undefined;
  const type = response.headers.get('content-type') ?? '';
  if (!type.includes('json')) return undefined;
  try {
    const body = (await response.clone().json()) as { error_type?: unknown; extras?: { wait_seconds?: unknown } } | null;
    const seconds = body?.extras?.wait_seconds;
    if (body?.error_type !== 'rate_limit' || typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return undefined;
    return Math.ceil(seconds * 1000);
  } catch {
    // A malformed body carries no hint; the status alone still drives the backoff.
    return undefined;
  }
};

/**
 * GitHub's primary rate limit: `X-RateLimit-Remaining: 0` with `X-RateLimit-Reset` (epoch seconds).
 * Also meaningful on a successful response: the next request would be refused until the reset.
 */
export const githubRateLimitHint: WaitHint = (response, now) => {
  if (response.headers.get('x-ratelimit-remaining')?.trim() !== '0') return undefined;
  const reset = Number(response.headers.get('x-ratelimit-reset'));
  if (!Number.isFinite(reset) || reset <= 0) return undefined;
  return Math.max(0, reset * 1000 - now);
};

/** The hints checked on failed responses by default. */
export const defaultWaitHints: readonly WaitHint[] = [retryAfterHint, discourseWaitHint, githubRateLimitHint];

/** The hints checked on successful responses by default: only those that announce an exhausted budget. */
export const defaultBudgetHints: readonly WaitHint[] = [githubRateLimitHint];

/** The longest wait any of `hints` asks for, or undefined when none applies. */
export async function readWaitHints(hints: readonly WaitHint[], response: Response, now: number): Promise<number | undefined> {
  let longest: number | undefined;
  for (const hint of hints) {
    const ms = await hint(response, now);
    if (ms !== undefined && Number.isFinite(ms) && ms >= 0) longest = Math.max(longest ?? 0, ms);
  }
  return longest;
}
