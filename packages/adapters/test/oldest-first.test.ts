import { describe, expect, it } from 'vitest';
import { oldestFirst } from '../src/_shared/oldest-first.js';

describe('oldestFirst', () => {
  it('follows the oldest entry as entries are deleted from the front and the middle, and added at the end', () => {
    const map = new Map<string, { n: number }>();
    const oldest = oldestFirst(map);
    expect(oldest.peek()).toBeUndefined();
    for (let n = 0; n < 5; n++) map.set(`k${n}`, { n });
    expect(oldest.peek()?.[0]).toBe('k0');
    map.delete('k0');
    map.delete('k2');
    expect(oldest.peek()?.[0]).toBe('k1');
    map.delete('k1');
    // k2 was deleted while behind the cursor's position: skipped.
    expect(oldest.peek()?.[0]).toBe('k3');
    map.set('k9', { n: 9 });
    map.delete('k3');
    map.delete('k4');
    expect(oldest.peek()?.[0]).toBe('k9');
  });

  it('a key set again with a new value moves to the end of the order', () => {
    const map = new Map<string, { n: number }>();
    const oldest = oldestFirst(map);
    map.set('a', { n: 1 });
    map.set('b', { n: 2 });
    expect(oldest.peek()?.[0]).toBe('a');
    map.delete('a');
    map.set('a', { n: 3 });
    expect(oldest.peek()).toEqual(['b', { n: 2 }]);
    map.delete('b');
    expect(oldest.peek()).toEqual(['a', { n: 3 }]);
  });

  it('starts again once the map was emptied, and survives the table being rebuilt', () => {
    const map = new Map<string, { n: number }>();
    const oldest = oldestFirst(map);
    map.set('x', { n: 0 });
    expect(oldest.peek()?.[0]).toBe('x');
    map.delete('x');
    expect(oldest.peek()).toBeUndefined();
    // Enough churn to grow, rebuild and shrink the table under the cursor.
    for (let n = 0; n < 10_000; n++) map.set(`m${n}`, { n });
    for (let n = 0; n < 9_990; n++) {
      expect(oldest.peek()?.[0]).toBe(`m${n}`);
      map.delete(`m${n}`);
    }
    expect(oldest.peek()?.[0]).toBe('m9990');
    map.clear();
    expect(oldest.peek()).toBeUndefined();
    map.set('after', { n: 1 });
    expect(oldest.peek()?.[0]).toBe('after');
  });
});
