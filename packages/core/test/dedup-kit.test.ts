// The dedup store contract on the storage-backed store, in each of its claim modes: the delivery's
// own document (insertDocument), leases (a storage without insertDocument) and in-process claims.
import type { StorageAdapter } from '@tributary/core/storage';
import { createMemoryStorage } from '@tributary/core/storage/memory';
import { testDedupStore } from '@tributary/core/testing';
import { createStorageDedupStore } from '@tributary/core/webhooks';

/** The storage without `insertDocument`, as an adapter that predates it. */
const withoutInsert = (storage: StorageAdapter): StorageAdapter =>
  new Proxy(storage, { get: (target, name, receiver) => (name === 'insertDocument' ? undefined : Reflect.get(target, name, receiver)) });

testDedupStore('storage (document claims)', () => ({ store: createStorageDedupStore(createMemoryStorage()) }));
testDedupStore('storage (lease claims)', () => ({ store: createStorageDedupStore(withoutInsert(createMemoryStorage())) }));
testDedupStore('storage (in-process claims)', () => ({ store: createStorageDedupStore(createMemoryStorage(), { localClaims: true }) }));
