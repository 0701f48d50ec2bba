import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

/** SHA-256 hex digest of a string. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

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
