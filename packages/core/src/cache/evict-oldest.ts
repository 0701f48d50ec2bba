/**
 * Evicts a Map's oldest entry, call after call, in amortized constant time. Internal to core (the
 * bounded caches use it; no subpath export).
 *
 * `map.delete(map.keys().next().value)` is not that: V8 keeps a deleted entry's slot as a hole until
 * the table is rebuilt, and a new iterator walks every hole at the table's front, so a cache evicting
 * at its bound paid, per eviction, for every entry evicted (or moved by a hit) before it. One iterator
 * kept across calls walks each hole once: every entry it passed was deleted by this function, so the
 * next one it yields is the oldest left, and entries added or re-inserted since come later, in order.
 */
export function createOldestEvictor<K>(map: Map<K, unknown>): () => void {
  let cursor: MapIterator<K> | undefined;
  return () => {
    cursor ??= map.keys();
    let step = cursor.next();
    // An exhausted iterator stays exhausted: entries added after it ended need a new one.
    if (step.done) {
      cursor = map.keys();
      step = cursor.next();
    }
    if (!step.done) map.delete(step.value);
  };
}
