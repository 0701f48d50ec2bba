import type { AnnouncedBudget } from '@tributary/core/target';

const number = (value: string | null): number | undefined => {
  if (value === null) return undefined;
  const n = Number(value.trim());
  return value.trim() !== '' && Number.isFinite(n) && n >= 0 ? n : undefined;
};

// Above this a reset value is an epoch time in seconds (GitHub), below it a delay in seconds (the
// IETF draft, most gateways): no delay is 30 years long, and no epoch second is this early.
const EPOCH_SECONDS_FLOOR = 1e9;

/**
 * Reads the common rate-limit headers into a budget: `RateLimit-Remaining` / `X-RateLimit-Remaining`,
 * `…-Limit`, and `…-Reset` (a delay in seconds, or epoch seconds when the value is that large).
 * @returns undefined when the response announces no remaining count
 */
export function readRateLimitHeaders(headers: Headers, now: number): AnnouncedBudget | undefined {
  const read = (name: string) => number(headers.get(`ratelimit-${name}`)) ?? number(headers.get(`x-ratelimit-${name}`));
  const remaining = read('remaining');
  if (remaining === undefined) return undefined;
  const limit = read('limit');
  const reset = read('reset');
  return {
    remaining,
    ...(limit !== undefined ? { limit } : {}),
    ...(reset !== undefined ? { resetAt: reset >= EPOCH_SECONDS_FLOOR ? reset * 1000 : now + reset * 1000 } : {}),
  };
}
