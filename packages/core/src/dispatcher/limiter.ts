import type { Clock } from '../clock/index.js';
import { systemClock } from '../clock/index.js';
import { createError } from '../errors/index.js';
import type { AnnouncedBudget } from '../target/index.js';

/** The limit of one target: a hard ceiling the dispatcher never exceeds. */
export interface RateLimit {
  /** Sustained requests per second. */
  perSecond: number;
  /** Requests that may go at once after a quiet period. @default 1 */
  burst?: number;
}

/**
 * Paces requests to targets. `key` names a target (shared by every process that sends to it). The
 * in-process implementation is {@link createLocalLimiter}; `@tributary/adapters/redis` has one shared
 * across processes.
 */
export interface RateLimiter {
  /**
   * Waits until one request (of `cost` units) may be sent to `key`, then takes it.
   * @throws the signal's reason when it aborts first
   */
  acquire(key: string, limit: RateLimit, options?: { cost?: number; signal?: AbortSignal }): Promise<void>;
  /** Pauses `key` entirely for `ms` (a 429 or `Retry-After` pauses the whole target, not one request). */
  pause(key: string, ms: number): Promise<void>;
  /**
   * Tells the limiter what the target said about its budget; the limiter uses it instead of guessing
   * (never allowing more than the configured limit).
   */
  observe(key: string, limit: RateLimit, budget: AnnouncedBudget): Promise<void>;
  dispose(): Promise<void>;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
  pausedUntil: number;
  waiters: { cost: number; resolve: () => void; reject: (e: unknown) => void; signal?: AbortSignal; onAbort?: () => void }[];
  timer?: ReturnType<Clock['setTimeout']>;
}

/** Validates a rate limit. */
export function checkRateLimit(limit: RateLimit): Required<RateLimit> {
  const burst = limit.burst ?? 1;
  if (!(limit.perSecond > 0) || !Number.isFinite(limit.perSecond)) throw createError('dispatcher', 'validation', 'rateLimit.perSecond must be a positive number', { issues: [{ path: 'rateLimit.perSecond', message: 'must be > 0' }] });
  if (!(burst >= 1) || !Number.isFinite(burst)) throw createError('dispatcher', 'validation', 'rateLimit.burst must be at least 1', { issues: [{ path: 'rateLimit.burst', message: 'must be >= 1' }] });
  return { perSecond: limit.perSecond, burst };
}

/**
 * A token bucket per key, on an injectable clock: `burst` tokens at most, refilled at `perSecond`,
 * starting from one token.
 * Waiters are served in arrival order, so a steady stream cannot starve an earlier request.
 */
export function createLocalLimiter(options: { clock?: Clock } = {}): RateLimiter {
  const clock = options.clock ?? systemClock;
  const buckets = new Map<string, Bucket>();
  const limits = new Map<string, Required<RateLimit>>();

  const bucketOf = (key: string, limit: Required<RateLimit>): Bucket => {
    let b = buckets.get(key);
    if (!b) {
      // Start with one token, not a full burst: at startup nobody knows how much of the target's
      // burst is left (a process that just stopped may have spent it), and the first requests wait
      // on connection setup and would arrive bunched with the ones after them.
      b = { tokens: Math.min(1, limit.burst), updatedAt: clock.now(), pausedUntil: 0, waiters: [] };
      buckets.set(key, b);
    }
    limits.set(key, limit);
    return b;
  };

  const refill = (b: Bucket, limit: Required<RateLimit>) => {
    const now = clock.now();
    // updatedAt may lie in the future after a pause: no tokens accrue until the pause ends.
    if (now <= b.updatedAt) return;
    b.tokens = Math.min(limit.burst, b.tokens + ((now - b.updatedAt) / 1000) * limit.perSecond);
    b.updatedAt = now;
  };

  const serve = (key: string) => {
    const b = buckets.get(key);
    const limit = limits.get(key);
    if (!b || !limit) return;
    if (b.timer !== undefined) {
      clock.clearTimeout(b.timer);
      b.timer = undefined;
    }
    refill(b, limit);
    const now = clock.now();
    while (b.waiters.length > 0) {
      if (now < b.pausedUntil) break;
      const head = b.waiters[0]!;
      if (b.tokens < head.cost) break;
      b.tokens -= head.cost;
      b.waiters.shift();
      if (head.onAbort) head.signal?.removeEventListener('abort', head.onAbort);
      head.resolve();
    }
    if (b.waiters.length > 0) {
      const head = b.waiters[0]!;
      const waitPause = Math.max(0, b.pausedUntil - now);
      const waitTokens = Math.max(0, ((head.cost - b.tokens) / limit.perSecond) * 1000);
      b.timer = clock.setTimeout(() => serve(key), Math.max(1, Math.ceil(Math.max(waitPause, waitTokens))));
    }
  };

  return {
    async acquire(key, limit, o = {}) {
      const checked = checkRateLimit(limit);
      const cost = o.cost ?? 1;
      const b = bucketOf(key, checked);
      return new Promise<void>((resolve, reject) => {
        if (o.signal?.aborted) return reject(o.signal.reason);
        const waiter: Bucket['waiters'][number] = { cost: Math.min(cost, checked.burst), resolve, reject, signal: o.signal };
        if (o.signal) {
          waiter.onAbort = () => {
            const i = b.waiters.indexOf(waiter);
            if (i >= 0) b.waiters.splice(i, 1);
            reject(o.signal!.reason);
          };
          o.signal.addEventListener('abort', waiter.onAbort, { once: true });
        }
        b.waiters.push(waiter);
        serve(key);
      });
    },
    async pause(key, ms) {
      const limit = limits.get(key);
      const b = limit ? bucketOf(key, limit) : undefined;
      if (!b) {
        buckets.set(key, { tokens: 0, updatedAt: clock.now(), pausedUntil: clock.now() + ms, waiters: [] });
        return;
      }
      b.pausedUntil = Math.max(b.pausedUntil, clock.now() + ms);
      // After a pause the target starts again from an empty bucket, not a full burst.
      b.tokens = 0;
      b.updatedAt = Math.max(b.updatedAt, b.pausedUntil);
      serve(key);
    },
    async observe(key, limit, budget) {
      const checked = checkRateLimit(limit);
      const b = bucketOf(key, checked);
      refill(b, checked);
      // Never more than the target says is left; never more than our own ceiling.
      b.tokens = Math.min(b.tokens, Math.max(0, budget.remaining));
      if (budget.remaining <= 0 && budget.resetAt !== undefined && budget.resetAt > clock.now()) {
        b.pausedUntil = Math.max(b.pausedUntil, budget.resetAt);
      }
      serve(key);
    },
    async dispose() {
      for (const [, b] of buckets) {
        if (b.timer !== undefined) clock.clearTimeout(b.timer);
        for (const w of b.waiters) w.reject(createError('dispatcher', 'aborted', 'limiter disposed'));
      }
      buckets.clear();
    },
  };
}
