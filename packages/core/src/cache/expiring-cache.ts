import type { Clock } from '../clock/index.js';
import { createOldestEvictor } from './evict-oldest.js';

/**
 * A bounded, expiring cache of values resolved per (workspace, id), with one resolution in flight per
 * key. Internal to core: the ingest path's source cache and the webhook handler's both use it (no
 * subpath export: this folder has no index).
 */
export interface ExpiringCache<V> {
  /** The value from the cache or resolved now; rejections are not cached. */
  get(workspaceId: string, id: string): Promise<V>;
  /**
   * The cached value when it is still fresh, else undefined (nothing is resolved): lets a hot path
   * skip a promise and its await on a hit, calling {@link ExpiringCache.get} only on a miss.
   */
  peek(workspaceId: string, id: string): V | undefined;
  /** Forgets an entry now (it changed in this process). */
  invalidate(workspaceId: string, id: string): void;
}

/** How a {@link createExpiringCache} behaves. */
export interface ExpiringCacheOptions<V> {
  resolve: (workspaceId: string, id: string) => Promise<V>;
  clock: Clock;
  /** How long an entry is trusted; 0 resolves on every call. */
  ttlMs: number;
  /** Entries kept at once; the least recently used goes first. @default 10000 */
  maxEntries?: number;
  /** Whether a resolved value may be kept (e.g. not a `null` for a missing source). @default always */
  keep?: (value: V) => boolean;
}

interface Entry<V> {
  value: V;
  expiresAt: number;
}

/**
 * Creates the cache. Concurrent misses for one key share a single resolution. A resolution that
 * started before an invalidation of its key is returned to its callers but not kept, so a change
 * made in this process can never be overwritten by a read that raced it.
 */
export function createExpiringCache<V>(options: ExpiringCacheOptions<V>): ExpiringCache<V> {
  const ttlMs = Math.max(0, options.ttlMs);
  const maxEntries = Math.max(1, options.maxEntries ?? 10_000);
  const keep = options.keep ?? (() => true);
  const entries = new Map<string, Entry<V>>();
  /** Resolutions in flight; an invalidation removes its key's, which is how one knows it raced. */
  const loading = new Map<string, Promise<V>>();
  // NUL cannot occur in the ids that reach here (route parameters, JSON ids), so keys never collide.
  const keyOf = (workspaceId: string, id: string) => `${workspaceId}\u0000${id}`;
  const evictOldest = createOldestEvictor(entries);

  const remember = (key: string, value: V) => {
    entries.delete(key);
    entries.set(key, { value, expiresAt: options.clock.now() + ttlMs });
    // Map iteration follows insertion order, and a hit re-inserts: the first key is the least recent.
    while (entries.size > maxEntries) evictOldest();
  };

  /** A fresh entry, marked as the most recently used; expired ones are dropped. */
  const fresh = (key: string): Entry<V> | undefined => {
    const entry = entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= options.clock.now()) {
      entries.delete(key);
      return undefined;
    }
    // Recency matters only once evictions are near: below half the bound the re-insertion (a
    // delete and a set, on every hit of every request) is skipped.
    if (entries.size > maxEntries / 2) {
      entries.delete(key);
      entries.set(key, entry);
    }
    return entry;
  };

  return {
    peek(workspaceId, id) {
      return ttlMs === 0 ? undefined : fresh(keyOf(workspaceId, id))?.value;
    },

    get(workspaceId, id) {
      if (ttlMs === 0) return options.resolve(workspaceId, id);
      const key = keyOf(workspaceId, id);
      const entry = fresh(key);
      if (entry) return Promise.resolve(entry.value);
      const pending = loading.get(key);
      if (pending) return pending;
      const load: Promise<V> = options.resolve(workspaceId, id).then(
        (value) => {
          if (loading.get(key) === load) {
            loading.delete(key);
            if (keep(value)) remember(key, value);
          }
          return value;
        },
        (error: unknown) => {
          if (loading.get(key) === load) loading.delete(key);
          throw error;
        },
      );
      loading.set(key, load);
      return load;
    },

    invalidate(workspaceId, id) {
      const key = keyOf(workspaceId, id);
      entries.delete(key);
      loading.delete(key);
    },
  };
}
