/**
 * Splits items into batches whose JSON stays under `maxBytes` (a single larger item gets its own
 * batch; the queue will refuse it with a clear error rather than this splitter hiding it).
 */
export function chunkByBytes<T>(items: readonly T[], maxBytes: number, overheadBytes = 1024): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let size = overheadBytes;
  for (const item of items) {
    const bytes = Buffer.byteLength(JSON.stringify(item) ?? '') + 1;
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
