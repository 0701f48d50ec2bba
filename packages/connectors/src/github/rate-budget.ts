import type { RateBudget } from '@tributary/core/connector';
import type { GithubConfig } from './schemas.js';

const HOUR_MS = 3_600_000;

/**
 * GitHub's primary rate limit: 5,000 requests an hour for a token (personal or installation), 60 for
 * anonymous requests. One request at a time: GitHub's secondary limits punish concurrency, and a
 * walk is sequential anyway. `rateBudget` sees only the config, so anonymity is read from
 * `config.anonymous`.
 */
export function githubRateBudget(config: Pick<GithubConfig, 'anonymous' | 'requestsPerHour'>): RateBudget {
  return { requests: config.requestsPerHour ?? (config.anonymous ? 60 : 5000), perMs: HOUR_MS, concurrency: 1 };
}
