/**
 * @module @tributary/core/testing
 * Contract test kits: the suites every queue adapter, storage adapter, webhook dedup store and
 * connector must pass, with the in-memory adapters as their first users. Each kit registers vitest cases (vitest is an optional
 * peer dependency, needed only here) and takes a skip list whose reasons show in the test names.
 *
 * @example
 * import { testQueueAdapter } from '@tributary/core/testing';
 * testQueueAdapter('redis', () => createRedisQueue({ url }), { visibilityTimeoutMs: 1000 });
 */
export { testQueueAdapter, type QueueKitOptions } from './queue-kit.js';
export { testStorageAdapter, type StorageKitOptions } from './storage-kit.js';
export { testConnector, type ConnectorKitOptions } from './connector-kit.js';
export { testDedupStore, type DedupKitOptions, type DedupKitSubject } from './dedup-kit.js';
export type { KitSkip } from './kit-cases.js';
export { FIXTURE_CONNECTOR, makeMeasurement, makeRecord, type MeasurementFixture, type RecordFixture } from './records.js';
export { createGate, eventually, sleep, uniqueId, type Gate } from './wait.js';
