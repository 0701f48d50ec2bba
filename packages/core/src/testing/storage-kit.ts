import { afterEach, beforeEach, describe } from 'vitest';
import type { StorageAdapter } from '../storage/index.js';
import { kitCases, type KitSkip } from './kit-cases.js';
import { storageAggregateCases } from './storage-cases-aggregate.js';
import { storageQueryCases } from './storage-cases-query.js';
import { storageRecordCases } from './storage-cases-records.js';
import { storageStateCases } from './storage-cases-state.js';
import { uniqueId, within } from './wait.js';

/** Options of {@link testStorageAdapter}. */
export interface StorageKitOptions {
  /** Cases to skip, each with its reason. */
  skip?: KitSkip[];
}

/** What every storage case receives. */
export interface StorageKitContext {
  /** A fresh adapter, disposed after the case. */
  readonly storage: StorageAdapter;
  /** A workspace id no other case or run uses, so a shared database needs no cleanup. */
  workspace(label?: string): string;
  /** Any other name (lock key, document scope, source id) unique to this case. */
  unique(label: string): string;
}

/** One case of the storage kit. */
export type StorageCase = (k: StorageKitContext) => Promise<void>;

/**
 * The contract every storage adapter must pass. Call it at the top level of a test file; it registers
 * one `describe` with a fresh adapter per case. Every workspace, lock key and document scope gets a
 * random suffix, so the kit can run repeatedly against a shared PostgreSQL (or other) server.
 * @example testStorageAdapter('memory', () => createMemoryStorage())
 */
export function testStorageAdapter(name: string, create: () => StorageAdapter | Promise<StorageAdapter>, options: StorageKitOptions = {}): void {
  describe(`storage adapter contract: ${name}`, () => {
    let current: StorageKitContext | undefined;

    beforeEach(async () => {
      const storage = await create();
      current = {
        storage,
        workspace: (label = 'ws') => uniqueId(`ws_${label}`),
        unique: (label) => uniqueId(`kit_${label}`),
      };
    });

    afterEach(async () => {
      const storage = current?.storage;
      current = undefined;
      if (storage) await within(storage.dispose(), 10_000, 'dispose()');
    });

    const context = (): StorageKitContext => {
      if (!current) throw new Error('[tributary] [testing] storage kit context used outside a case');
      return current;
    };
    const register = kitCases(options.skip, 30_000);
    for (const cases of [storageRecordCases, storageQueryCases, storageAggregateCases, storageStateCases]) {
      for (const [caseName, run] of Object.entries(cases)) register(caseName, () => run(context()));
    }
    register.done();
  });
}
