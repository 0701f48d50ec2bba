import type { Clock } from '../../clock/index.js';
import type { FetchFunction } from '../../connector/index.js';
import type { RateLimit, RateLimiter } from '../../dispatcher/limiter.js';
import { createError, isTributaryError, type TributaryError } from '../../errors/index.js';
import { fullJitterDelay } from '../../http/backoff.js';
import { errorForResponse } from '../../http/response-error.js';
import { retryAfterHint } from '../../http/wait-hints.js';
import type { RemoteRequest } from './protocols.js';

/** How requests are paced, timed out and retried. */
export interface SendSettings {
  component: string;
  fetch: FetchFunction;
  clock: Clock;
  limiter: RateLimiter;
  limiterKey: string;
  rateLimit: RateLimit;
  timeoutMs: number;
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  maxRetryAfterMs: number;
  random: () => number;
}

const retryableStatus = (status: number) => status === 408 || status === 429 || status >= 500;

/**
 * Sends one request and returns its JSON body. Each attempt first takes a slot from the rate limiter
 * and runs under a timeout; network errors, timeouts, 408, 429 and 5xx are retried with full-jitter
 * backoff. A `Retry-After` pauses the whole key in the limiter (every request to that endpoint waits,
 * not just this one) instead of sleeping here; a wait longer than `maxRetryAfterMs` is not slept
 * through but thrown at once with its `retryAfterMs`, so the queue redelivers no sooner.
 *
 * @throws TributaryError: `timeout`, `unavailable` or `rate_limited` once the attempts are spent;
 *   `unauthorized`, `validation`… for other refusals; `connector` for a body that is not JSON.
 */
export async function sendJson(request: RemoteRequest, settings: SendSettings, signal: AbortSignal): Promise<unknown> {
  const { clock, component } = settings;
  let lastError: TributaryError | undefined;
  for (let attempt = 1; attempt <= settings.maxAttempts; attempt++) {
    await settings.limiter.acquire(settings.limiterKey, settings.rateLimit, { signal });
    const timeout = new AbortController();
    const timer = clock.setTimeout(() => timeout.abort(createError(component, 'timeout', `no answer from ${where(request.url)} within ${settings.timeoutMs} ms`)), settings.timeoutMs);
    // Linked by hand and unlinked in `finally`, not `AbortSignal.any([signal, timeout.signal])`:
    // `signal` is usually a consumer's, alive as long as the process, and on Node 20 it would keep
    // every request's dependent signal (see dispatcher/deadline.ts, reliability bug 7).
    const onAbort = () => timeout.abort(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    let retryAfterMs: number | undefined;
    try {
      const response = await settings.fetch(request.url, { ...request.init, signal: timeout.signal });
      if (response.ok) {
        const text = await response.text();
        try {
          return JSON.parse(text) as unknown;
        } catch {
          throw createError(component, 'connector', `the answer from ${where(request.url)} is not JSON: ${text.slice(0, 120)}`, { retryable: true, context: { status: response.status } });
        }
      }
      // Reads Retry-After into `retryAfterMs`, so the queue waits at least that long if this was the last try.
      const error = await errorForResponse(response, { component, clock, waitHints: [retryAfterHint] });
      await response.body?.cancel().catch(() => undefined);
      if (!retryableStatus(response.status)) throw error;
      retryAfterMs = error.retryAfterMs;
      if (retryAfterMs !== undefined && retryAfterMs > settings.maxRetryAfterMs) throw error;
      lastError = error;
    } catch (thrown) {
      if (signal.aborted) throw signal.reason;
      if (timeout.signal.aborted) lastError = timeout.signal.reason as TributaryError;
      else if (isTributaryError(thrown)) throw thrown;
      else lastError = createError(component, 'unavailable', `request to ${where(request.url)} failed: ${(thrown as Error)?.message ?? String(thrown)}`, { cause: thrown });
    } finally {
      signal.removeEventListener('abort', onAbort);
      clock.clearTimeout(timer);
    }
    if (attempt === settings.maxAttempts) break;
    if (retryAfterMs !== undefined) {
      // The next acquire waits out the pause, shared with every other request to this endpoint.
      await settings.limiter.pause(settings.limiterKey, retryAfterMs);
    } else {
      await clock.sleep(fullJitterDelay(attempt, settings.baseDelayMs, settings.maxDelayMs, settings.random), signal);
    }
  }
  throw lastError ?? createError(component, 'internal', 'no attempt was made');
}

/** Origin and path only: query strings may carry keys. */
export function where(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return url.split('?')[0] ?? url;
  }
}
