/**
 * Exponential backoff with full jitter (a uniform wait between 0 and the exponential cap), which
 * spreads the retries of many clients hit by the same outage instead of synchronising them.
 * @param attempt the attempt that just failed, from 1
 */
export function fullJitterDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const cap = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * cap);
}
