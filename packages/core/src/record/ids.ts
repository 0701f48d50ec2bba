import * as nodeCrypto from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

// `crypto.hash` (Node ≥ 20.12 / 21.7) digests in one call: about 0.3 µs for a short string against
// 1.2 µs through a `Hash` object, and ingest hashes on every request (record ids, API keys).
const oneShot = (nodeCrypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

/** SHA-256 hex digest of a string (UTF-8). */
export const sha256Hex: (text: string) => string = oneShot ? (text) => oneShot('sha256', text, 'hex') : (text) => nodeCrypto.createHash('sha256').update(text).digest('hex');

/**
 * The record id: deterministic in workspace, source and the item's own id, so a duplicate delivery
 * of the same item (pulled twice, pushed and pulled) collapses into one record.
 * The NUL separators keep `("a:b","c")` and `("a","b:c")` apart.
 */
export function recordId(workspaceId: string, sourceId: string, externalId: string): string {
  return `rec_${sha256Hex(`${workspaceId}\u0000${sourceId}\u0000${externalId}`).slice(0, 32)}`;
}

/** The id of a raw payload: the item it belongs to plus a hash of the payload itself. */
export function rawPayloadId(workspaceId: string, sourceId: string, externalId: string, payload: unknown): string {
  return `raw_${sha256Hex(`${workspaceId}\u0000${sourceId}\u0000${externalId}\u0000${canonicalJson(payload)}`).slice(0, 32)}`;
}

/**
 * A signed 64-bit integer view of a record id, as seed 001's `unique_identifier`. Returned as a
 * decimal string because JSON numbers lose precision past 2^53.
 */
export function int64Identifier(id: string): string {
  const hex = sha256Hex(id).slice(0, 16);
  return BigInt.asIntN(64, BigInt(`0x${hex}`)).toString();
}
