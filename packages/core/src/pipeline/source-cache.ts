import { createExpiringCache } from '../cache/expiring-cache.js';
import type { Clock } from '../clock/index.js';
import type { ComponentVersion } from '../record/schema.js';

/**
 * Options of the cache `pipeline.ingest` keeps of the sources it accepts items for.
 *
 * Staleness bound: a change made through this pipeline's own `sources` API (update, delete,
 * credentials) is seen by the next ingest; a change made by another process (another API replica,
 * the CLI) is seen within `ttlMs`. So a source deleted or disabled elsewhere stops accepting pushes
 * at most `ttlMs` later.
 */
export interface SourceCacheOptions {
  /** How long an entry is trusted. @default 5000 */
  ttlMs?: number;
  /** Sources remembered at once; the least recently used goes first. @default 10000 */
  maxEntries?: number;
}

/**
 * What ingest needs of a source, and nothing more: no config, no credentials, no webhook secret (the
 * cache never holds a secret, in plain text or not).
 */
export interface IngestSource {
  connector: ComponentVersion;
  enabled: boolean;
}

/** A bounded, expiring cache of {@link IngestSource}s by workspace and source. */
export interface SourceCache {
  /** The source, from the cache or loaded; null when it does not exist (absence is not cached). */
  get(workspaceId: string, sourceId: string): Promise<IngestSource | null>;
  /** The cached source when it is still fresh, else undefined; loads nothing. */
  peek(workspaceId: string, sourceId: string): IngestSource | undefined;
  /** Forgets a source now (it changed or was deleted in this process). */
  invalidate(workspaceId: string, sourceId: string): void;
}

/**
 * Creates the cache. Concurrent misses for one source share a single load. A load that started
 * before an invalidation of its source is returned to its callers but not kept, so an in-process
 * change can never be overwritten by a read that raced it. A missing source is not cached.
 */
export function createSourceCache(deps: { load: (workspaceId: string, sourceId: string) => Promise<IngestSource | null>; clock: Clock; options?: SourceCacheOptions }): SourceCache {
  const cache = createExpiringCache<IngestSource | null>({
    resolve: deps.load,
    clock: deps.clock,
    ttlMs: deps.options?.ttlMs ?? 5000,
    ...(deps.options?.maxEntries !== undefined ? { maxEntries: deps.options.maxEntries } : {}),
    keep: (value) => value !== null,
  });
  return {
    get: cache.get,
    // Absence is never kept, so a kept entry is a source.
    peek: (workspaceId, sourceId) => cache.peek(workspaceId, sourceId) ?? undefined,
    invalidate: cache.invalidate,
  };
}
