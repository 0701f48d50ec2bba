import { createExpiringCache } from '../cache/expiring-cache.js';
import type { Clock } from '../clock/index.js';

/**
 * A bounded, expiring cache of what the webhook handler resolves per source: its enabled flag,
 * webhook settings, connector, parsed config and decrypted secret. Resolving costs a storage read
 * and a decryption per request; under load that was most of a webhook's cost after the HTTP layer.
 *
 * Staleness bound: a source changed through the same pipeline is dropped at once (the handler
 * listens to `sources.onChange`); one changed by another process (another API replica, the CLI) is
 * seen within `ttlMs`, so a source disabled or a secret rotated elsewhere still verifies with the
 * old settings for at most that long. Credentials are never held: only what verification needs.
 */
export interface ResolvedSourceCache<V> {
  /** The value from the cache or resolved; errors (a missing source) are not cached. */
  get(workspaceId: string, sourceId: string): Promise<V>;
  /** The cached value when it is still fresh, else undefined; resolves nothing. */
  peek(workspaceId: string, sourceId: string): V | undefined;
  /** Forgets a source now (it changed in this process). */
  invalidate(workspaceId: string, sourceId: string): void;
}

/**
 * Creates the cache. Concurrent misses for one source share a single resolution; a resolution that
 * started before an invalidation of its source is returned to its callers but not kept, so a change
 * made here can never be overwritten by a read that raced it.
 */
export function createResolvedSourceCache<V>(deps: { resolve: (workspaceId: string, sourceId: string) => Promise<V>; clock: Clock; ttlMs: number; maxEntries?: number }): ResolvedSourceCache<V> {
  return createExpiringCache<V>(deps);
}
