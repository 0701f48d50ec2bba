/**
 * @module rate-limit
 * Per-workspace request limits: a token bucket per key (workspace and kind of route), in process.
 * A refused request gets 429 with `Retry-After`. Several API processes each apply the limit on
 * their own share of the traffic.
 */

/** Outcome of {@link RequestLimiter.take}. */
export type TakeResult = { ok: true } | { ok: false; retryAfterMs: number };

/** Token buckets by key. */
export interface RequestLimiter {
  take(key: string): TakeResult;
}

/** Options of {@link createRequestLimiter}. */
export interface RequestLimiterOptions {
  /** Tokens added per second; 0 turns limiting off. */
  perSecond: number;
  /** Bucket size. */
  burst: number;
  now?: () => number;
  /** Most buckets kept; the idle ones are dropped first. @default 100000 */
  maxKeys?: number;
}

/** Creates the limiter. */
export function createRequestLimiter(options: RequestLimiterOptions): RequestLimiter {
  const now = options.now ?? Date.now;
  const maxKeys = options.maxKeys ?? 100_000;
  const buckets = new Map<string, { tokens: number; at: number }>();
  if (options.perSecond <= 0) return { take: () => ({ ok: true }) };
  const rate = options.perSecond / 1000;
  const burst = Math.max(1, options.burst);

  return {
    take(key) {
      const t = now();
      let bucket = buckets.get(key);
      if (!bucket) {
        if (buckets.size >= maxKeys) {
          // A full bucket is as good as a fresh one: dropping those loses nothing.
          for (const [k, b] of buckets) if (b.tokens + (t - b.at) * rate >= burst) buckets.delete(k);
          if (buckets.size >= maxKeys) buckets.delete(buckets.keys().next().value!);
        }
        bucket = { tokens: burst, at: t };
        buckets.set(key, bucket);
      } else {
        bucket.tokens = Math.min(burst, bucket.tokens + (t - bucket.at) * rate);
        bucket.at = t;
      }
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { ok: true };
      }
      return { ok: false, retryAfterMs: Math.ceil((1 - bucket.tokens) / rate) };
    },
  };
}
