import { createError } from '../errors/index.js';
import { findJsonDepthExcess, jsonDepthMessage, MAX_ITEM_JSON_DEPTH } from '../json/index.js';

/** The typed error for an item that cannot be enqueued because it nests too deeply. */
export function itemTooDeep(index: number, path: string, cause?: unknown) {
  const where = path ? `items.${index}.${path}` : `items.${index}`;
  const message = jsonDepthMessage(MAX_ITEM_JSON_DEPTH);
  return createError('pipeline', 'validation', `item ${index} is ${message} (at ${where})`, { issues: [{ path: where, message }], ...(cause ? { cause } : {}) });
}

/**
 * Splits items into batches whose JSON stays under `maxBytes` (a single larger item gets its own
 * batch; the queue will refuse it with a clear error rather than this splitter hiding it).
 * Every item is serialized here first, so this is where an item nested too deeply for the stages
 * would otherwise blow the stack: it is refused instead, before anything is enqueued.
 * @throws TributaryError `validation` naming the item (`items.<index>…`) nested deeper than
 * {@link MAX_ITEM_JSON_DEPTH} levels, or too deeply to serialize
 */
export function chunkByBytes<T>(items: readonly T[], maxBytes: number, overheadBytes = 1024): T[][] {
  if (items.length === 1) {
    // One item is one batch whatever its size: no need to serialize it here (the queue does, once),
    // which spares every single-record ingest request a JSON.stringify.
    const excess = findJsonDepthExcess(items[0], MAX_ITEM_JSON_DEPTH);
    if (excess) throw itemTooDeep(0, excess.path);
    return [[items[0]!]];
  }
  const batches: T[][] = [];
  let current: T[] = [];
  let size = overheadBytes;
  for (let index = 0; index < items.length; index++) {
    const item = items[index]!;
    const excess = findJsonDepthExcess(item, MAX_ITEM_JSON_DEPTH);
    if (excess) throw itemTooDeep(index, excess.path);
    let json: string | undefined;
    try {
      json = JSON.stringify(item);
    } catch (error) {
      // Within the depth limit a RangeError can still come from a stack already deep at the call.
      if (error instanceof RangeError) throw itemTooDeep(index, '', error);
      throw error;
    }
    const bytes = Buffer.byteLength(json ?? '') + 1;
    if (current.length > 0 && size + bytes > maxBytes) {
      batches.push(current);
      current = [];
      size = overheadBytes;
    }
    current.push(item);
    size += bytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
