/**
 * @module @tributary/core/dispatcher
 * The rate-limited dispatcher: pushes messages to targets whose limit is a hard ceiling. Requests are
 * paced by a token bucket per target (shared across processes with a distributed limiter), capped in
 * concurrency, adapted to what the target says (a 429 or `Retry-After` pauses the whole target; an
 * announced budget replaces guessing), timed out, retried with backoff and jitter, and dead-lettered
 * after the last attempt. A message is acknowledged only after the target accepted it. A message its
 * target cannot take now is handed back as a delayed copy without spending an attempt, so one slow or
 * paused target never holds the slots other targets need.
 */
export { createDispatcher, pacedLimit, type Dispatcher, type DispatchContext, type DispatcherOptions, type DispatchResult, type DispatchTarget, type TargetMetrics } from './dispatcher.js';
export { DEFERRAL_HEADERS, deferralDelay, deliveryAttempt, deliveryHistory, requeueDeferred, type DeliveryHistory } from './deferral.js';
export { dispatchQueued, type QueuedDelivery } from './queued.js';
export { createLocalLimiter, checkRateLimit, type RateLimit, type RateLimiter } from './limiter.js';
export { startProcessor, type ProcessorOptions } from './processor.js';
