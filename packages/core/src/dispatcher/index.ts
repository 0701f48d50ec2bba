/**
 * @module @tributary/core/dispatcher
 * The rate-limited dispatcher: pushes messages to targets whose limit is a hard ceiling. Requests are
 * paced by a token bucket per target (shared across processes with a distributed limiter), capped in
 * concurrency, adapted to what the target says (a 429 or `Retry-After` pauses the whole target; an
 * announced budget replaces guessing), timed out, retried with backoff and jitter, and dead-lettered
 * after the last attempt. A message is acknowledged only after the target accepted it.
 */
export { createDispatcher, pacedLimit, type Dispatcher, type DispatcherOptions, type DispatchTarget, type TargetMetrics } from './dispatcher.js';
export { createLocalLimiter, checkRateLimit, type RateLimit, type RateLimiter } from './limiter.js';
export { startProcessor, type ProcessorOptions } from './processor.js';
