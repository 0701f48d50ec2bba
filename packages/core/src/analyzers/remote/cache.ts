import type { Analysis } from '../../record/schema.js';
import { GLOBAL_SCOPE, type StorageAdapter } from '../../storage/index.js';
import { createOldestEvictor } from '../../cache/evict-oldest.js';

/**
 * Where the remote analyzer keeps the answers it got, by content hash. May be synchronous or not.
 * A cache that fails is treated as a miss (on read) or ignored (on write): it saves requests, it
 * never decides whether analysis succeeds.
 */
export interface AnalysisCache {
  get(key: string): Partial<Analysis> | null | undefined | Promise<Partial<Analysis> | null | undefined>;
  set(key: string, value: Partial<Analysis>): void | Promise<void>;
}

/**
 * An in-memory cache that forgets the least recently used entry past `maxEntries`. The default of
 * the remote analyzer, per analyzer instance.
 * @param maxEntries @default 1000
 */
export function createLruCache(maxEntries = 1000): AnalysisCache {
  const entries = new Map<string, Partial<Analysis>>();
  const evictOldest = createOldestEvictor(entries);
  return {
    get(key) {
      const value = entries.get(key);
      if (value === undefined) return undefined;
      // A Map iterates in insertion order: re-inserting marks the entry as the most recent.
      entries.delete(key);
      entries.set(key, value);
      return value;
    },
    set(key, value) {
      entries.delete(key);
      entries.set(key, value);
      while (entries.size > Math.max(1, maxEntries)) evictOldest();
    },
  };
}

/**
 * A cache in the document store of a {@link StorageAdapter}, shared by every process using that
 * storage and kept across restarts. Entries are never expired: a changed analyzer version changes
 * the key, so stale entries are simply no longer read.
 * @example createRemoteAnalyzer({ …, cache: createStorageCache(storage) })
 */
export function createStorageCache(storage: StorageAdapter, options: { collection?: string; scope?: string } = {}): AnalysisCache {
  const collection = options.collection ?? 'analysis-cache';
  const scope = options.scope ?? GLOBAL_SCOPE;
  return {
    get: (key) => storage.getDocument<Partial<Analysis>>(collection, scope, key),
    set: (key, value) => storage.putDocument(collection, scope, key, value),
  };
}
