import type { RateBudget } from '@tributary/core/connector';
import type { DiscourseConfig } from './schemas.js';

const MINUTE_MS = 60_000;

/**
 * Discourse's default per-key limits: 60 requests a minute for admin keys, 20 for user API keys.
 * Anonymous access gets the most conservative budget, since forums throttle anonymous search hardest.
 * `rateBudget` sees only the config, so the key's kind is read from `config.keyKind`.
 */
export function discourseRateBudget(config: Pick<DiscourseConfig, 'keyKind' | 'requestsPerMinute'>): RateBudget {
  if (config.requestsPerMinute !== undefined) return { requests: config.requestsPerMinute, perMs: MINUTE_MS, concurrency: 2 };
  if (config.keyKind === 'admin') return { requests: 60, perMs: MINUTE_MS, concurrency: 4 };
  if (config.keyKind === 'user') return { requests: 20, perMs: MINUTE_MS, concurrency: 2 };
  return { requests: 15, perMs: MINUTE_MS, concurrency: 1 };
}
