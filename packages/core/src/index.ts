/**
 * @module @tributary/core
 * The small core of Tributary: the uniform record, errors, exact decimals, time, the event bus, the
 * connector/target/analyzer interfaces, the storage and queue ports, and the pipeline that ties them
 * together. Adapters, connectors and analyzers live behind their own subpaths; this entry never
 * imports one.
 */
export * from './errors/index.js';
export * from './clock/index.js';
export * from './decimal/index.js';
export * from './record/index.js';
export * from './events/index.js';
export * from './connector/index.js';
export * from './target/index.js';
export * from './analysis/index.js';
export * from './queue/index.js';
export * from './storage/index.js';
