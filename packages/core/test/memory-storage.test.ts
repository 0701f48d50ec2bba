import { createMemoryStorage } from '@tributary/core/storage/memory';
import { testStorageAdapter } from '@tributary/core/testing';

testStorageAdapter('memory', () => createMemoryStorage());
