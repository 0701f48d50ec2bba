import { describe, expect, it } from 'vitest';
import { createOldestEvictor } from '../src/cache/evict-oldest.js';

describe('createOldestEvictor', () => {
  it('evicts in insertion order, a re-inserted key (a cache hit) counting as new', () => {
    const map = new Map<string, number>();
    const evict = createOldestEvictor(map);
    for (const k of ['a', 'b', 'c', 'd']) map.set(k, 0);
    evict();
    expect([...map.keys()]).toEqual(['b', 'c', 'd']);
    // A hit on b moves it to the end.
    map.delete('b');
    map.set('b', 1);
    map.set('e', 0);
    evict();
    evict();
    expect([...map.keys()]).toEqual(['b', 'e']);
    evict();
    evict();
    expect(map.size).toBe(0);
    // Nothing to evict is not an error, and entries added after the map ran dry are found.
    evict();
    map.set('f', 0);
    map.set('g', 0);
    evict();
    expect([...map.keys()]).toEqual(['g']);
  });

  it('keeps a bounded map at its bound through heavy churn, always dropping the least recent', () => {
    const map = new Map<number, number>();
    const evict = createOldestEvictor(map);
    const bound = 1000;
    for (let n = 0; n < 50_000; n++) {
      map.set(n, n);
      // Every tenth step touches the entry 500 back, as a hit would.
      if (n % 10 === 0 && map.has(n - 500)) {
        map.delete(n - 500);
        map.set(n - 500, n - 500);
      }
      while (map.size > bound) evict();
    }
    expect(map.size).toBe(bound);
    // The survivors are the most recently set or touched: nothing older than the window of the last
    // 1,000 insertions, except touched entries, which are all younger than 500 back from their touch.
    for (const k of map.keys()) expect(k).toBeGreaterThanOrEqual(50_000 - bound - 500);
  });
});
