/**
 * @module @tributary/core/record
 * The uniform record: its zod schema and type, deterministic ids, content hashes, and the builders
 * that turn a connector's draft (or seed 003's value record) into a record.
 */
export * from './schema.js';
export { buildRecord, canonicalTime, contentHashOf, draftFromValueRecord, parseRecord, type RecordOrigin } from './build.js';
export { int64Identifier, rawPayloadId, recordId, sha256Hex } from './ids.js';
export { canonicalJson } from './canonical-json.js';
