// The oldest entry of a Map, across calls, without walking the slots of entries deleted before it.
//
// V8 keeps a deleted entry's slot as a hole until the table is rebuilt, and every new iterator walks
// the holes at the table's front. A Map consumed from its front (records expiring in the order they
// were added, the oldest evicted at a size bound) therefore made each `map.entries().next()` cost the
// number of entries removed before it, until the next rebuild: the file dedup store at its
// `maxRecords` went from 3 µs to 180 µs a delivery over 600,000 deliveries. One iterator kept across
// calls walks each hole once.

/** See {@link oldestFirst}. */
export interface OldestFirst<K, V> {
  /** The oldest entry still in the map (as `[key, value]`), or undefined when it is empty. */
  peek(): [K, V] | undefined;
}

/**
 * Follows the oldest entry of `map`. Each value must be a fresh object each time it is set (a
 * re-inserted key gets a new value): an entry seen before is known to be still the oldest when the
 * map still holds that very value under its key.
 */
export function oldestFirst<K, V extends object>(map: Map<K, V>): OldestFirst<K, V> {
  let cursor: MapIterator<[K, V]> | undefined;
  let head: [K, V] | undefined;
  return {
    peek() {
      if (head && map.get(head[0]) === head[1]) return head;
      // A live iterator goes on from where it was: the entries it passed are gone (else `head`
      // would still be there), and entries added since are ahead of it, in order.
      cursor ??= map.entries();
      const step = cursor.next();
      if (step.done) {
        // Only when the map is empty: an exhausted iterator stays exhausted, so the next call starts anew.
        cursor = undefined;
        head = undefined;
        return undefined;
      }
      head = step.value;
      return head;
    },
  };
}
