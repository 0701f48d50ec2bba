// The short-lived API key cache of shared engines: two key stores on one storage stand for two server
// processes sharing PostgreSQL. The revoking one stops the key at once; the other within its TTL.
import { createManualClock } from '@tributary/core/clock';
import { createMemoryStorage } from '@tributary/core/storage/memory';
import type { StorageAdapter } from '@tributary/core/storage';
import { describe, expect, it } from 'vitest';
import { GLOBAL_SCOPE } from '@tributary/core/storage';
import { API_KEYS, createApiKeyStore } from '../src/api-keys.js';
import { createAuth, WORKSPACES } from '../src/auth.js';
import { loadConfig } from '../src/config.js';

/** Counts reads of key documents, to tell a cache hit from a lookup. */
function countingStorage(storage: StorageAdapter) {
  let keyReads = 0;
  const wrapped: StorageAdapter = Object.assign(Object.create(storage) as StorageAdapter, {
    getDocument: ((collection, scope, id) => {
      if (collection === API_KEYS) keyReads++;
      return storage.getDocument(collection, scope, id);
    }) as StorageAdapter['getDocument'],
  });
  return { storage: wrapped, reads: () => keyReads };
}

describe('API key cache with shared engines', () => {
  it('a key revoked by another process stops working here within the TTL, and at once in the revoking one', async () => {
    const clock = createManualClock();
    const shared = createMemoryStorage();
    const a = createApiKeyStore({ storage: shared, clock, cacheTtlMs: 2000 });
    const counted = countingStorage(shared);
    const b = createApiKeyStore({ storage: counted.storage, clock, cacheTtlMs: 2000 });
    const { apiKey: first, key } = await a.create('ws1');
    await a.create('ws1'); // a second key, so the first is not the last
    expect(await b.verify(first)).toEqual({ workspaceId: 'ws1', keyId: key.id });
    expect(await b.verify(first)).not.toBeNull();
    expect(counted.reads()).toBe(1); // the second check came from the cache

    expect(await a.verify(first)).not.toBeNull(); // a caches it too
    expect(await a.revoke('ws1', key.id, { allowLast: false })).toBe(true);
    expect(await a.verify(first)).toBeNull(); // the revoking process: at once

    await clock.advance(1999);
    expect(await b.verify(first)).not.toBeNull(); // the other process: still cached, within the bound
    await clock.advance(1);
    expect(await b.verify(first)).toBeNull(); // the bound reached: read again, gone
  });

  it('a wrong secret for a cached key id is refused, and the cache holds no plaintext key', async () => {
    const clock = createManualClock();
    const store = createApiKeyStore({ storage: createMemoryStorage(), clock, cacheTtlMs: 2000 });
    const { apiKey } = await store.create('ws1');
    expect(await store.verify(apiKey)).not.toBeNull();
    const forged = `${apiKey.slice(0, apiKey.indexOf('.') + 1)}${'A'.repeat(43)}`;
    expect(await store.verify(forged)).toBeNull();
    // Expiry is checked on every call, cached or not.
    const { apiKey: expiring } = await store.create('ws1', { expiresAt: new Date(clock.now() + 1000).toISOString() });
    expect(await store.verify(expiring)).not.toBeNull();
    await clock.advance(1000);
    expect(await store.verify(expiring)).toBeNull();
  });

  it('a read that started before a rotation here is not cached after it', async () => {
    const clock = createManualClock();
    const shared = createMemoryStorage();
    let hold: (() => void) | undefined;
    const slow: StorageAdapter = Object.assign(Object.create(shared) as StorageAdapter, {
      getDocument: (async (collection: string, scope: string, id: string) => {
        const doc = await shared.getDocument(collection, scope, id);
        if (collection === API_KEYS && hold === undefined) await new Promise<void>((r) => (hold = r));
        return doc;
      }) as StorageAdapter['getDocument'],
    });
    const store = createApiKeyStore({ storage: slow, clock, cacheTtlMs: 2000 });
    const { apiKey: old, key } = await createApiKeyStore({ storage: shared, clock }).create('ws1');
    const pending = store.verify(old); // reads the document, then waits
    while (!hold) await new Promise((r) => setTimeout(r, 1));
    const { apiKey: next } = await store.rotate('ws1', key.id, { graceMs: 0 });
    hold();
    expect(await pending).not.toBeNull(); // it read before the rotation
    expect(await store.verify(old)).toBeNull(); // but did not cache the old document
    expect(await store.verify(next)).not.toBeNull();
  });

  it('verifyCached answers as verify does once the document is cached, and undefined when a read is needed', async () => {
    const clock = createManualClock();
    const counted = countingStorage(createMemoryStorage());
    const store = createApiKeyStore({ storage: counted.storage, clock, cacheTtlMs: 2000 });
    const { apiKey, key } = await store.create('ws1');
    await store.create('ws1');
    const forged = `${apiKey.slice(0, apiKey.indexOf('.') + 1)}${'A'.repeat(43)}`;
    const readsBefore = counted.reads();
    expect(store.verifyCached(apiKey)).toBeUndefined(); // never read: undecided, and nothing is read
    expect(store.verifyCached('not-a-key')).toBeNull(); // not even the shape of a key
    expect(counted.reads()).toBe(readsBefore);
    expect(await store.verify(apiKey)).toEqual({ workspaceId: 'ws1', keyId: key.id });
    expect(store.verifyCached(apiKey)).toEqual({ workspaceId: 'ws1', keyId: key.id });
    expect(store.verifyCached(forged)).toBeNull();
    expect(counted.reads()).toBe(readsBefore + 1);
    await clock.advance(2000);
    expect(store.verifyCached(apiKey)).toBeUndefined(); // the cached document went stale
    expect(await store.verify(apiKey)).not.toBeNull();
    expect(await store.revoke('ws1', key.id, { allowLast: false })).toBe(true);
    expect(store.verifyCached(apiKey)).toBeUndefined(); // revoked here: dropped, so read again
    expect(await store.verify(apiKey)).toBeNull();
    // Without a cache, every answer needs a read.
    const uncached = createApiKeyStore({ storage: createMemoryStorage(), clock });
    const { apiKey: other } = await uncached.create('ws2');
    expect(await uncached.verify(other)).not.toBeNull();
    expect(uncached.verifyCached(other)).toBeUndefined();
  });

  it('authorizeWorkspace answers the same from its caches as through the store', async () => {
    const clock = createManualClock();
    const storage = createMemoryStorage();
    await storage.putDocument(WORKSPACES, GLOBAL_SCOPE, 'ws1', { id: 'ws1', name: 'one', createdAt: new Date(clock.now()).toISOString() });
    await storage.putDocument(WORKSPACES, GLOBAL_SCOPE, 'ws2', { id: 'ws2', name: 'two', createdAt: new Date(clock.now()).toISOString() });
    const auth = createAuth({ storage, adminToken: 'admin-token-of-this-test', clock, keyCacheTtlMs: 2000 });
    const { apiKey } = await auth.createApiKey('ws1');
    const outcome = (p: Promise<unknown>) => p.then(() => 'ok', (error: { code?: string }) => error.code);
    // Twice each: the first reads the store, the second answers from the caches.
    for (let round = 0; round < 2; round++) {
      expect(await auth.authorizeWorkspace(`Bearer ${apiKey}`, 'ws1')).toMatchObject({ principal: { kind: 'key', workspaceId: 'ws1' }, workspace: { id: 'ws1' } });
      expect(await outcome(auth.authorizeWorkspace(`Bearer ${apiKey}`, 'ws2'))).toBe('forbidden');
      expect(await outcome(auth.authorizeWorkspace(`Bearer ${apiKey}x`, 'ws1'))).toBe('unauthorized');
      expect(await outcome(auth.authorizeWorkspace(undefined, 'ws1'))).toBe('unauthorized');
      expect(await auth.authorizeWorkspace('Bearer admin-token-of-this-test', 'ws2')).toMatchObject({ principal: { kind: 'admin' }, workspace: { id: 'ws2' } });
      expect(await outcome(auth.authorizeWorkspace('Bearer admin-token-of-this-test', 'ws-missing'))).toBe('not_found');
    }
  });

  it('TRIBUTARY_API_KEY_CACHE_MS defaults to 2 s and is validated', () => {
    expect(loadConfig({}).TRIBUTARY_API_KEY_CACHE_MS).toBe(2000);
    expect(loadConfig({ TRIBUTARY_API_KEY_CACHE_MS: '0' }).TRIBUTARY_API_KEY_CACHE_MS).toBe(0);
    expect(() => loadConfig({ TRIBUTARY_API_KEY_CACHE_MS: '-1' })).toThrow(/TRIBUTARY_API_KEY_CACHE_MS/);
  });
});
