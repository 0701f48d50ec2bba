import { describe, expect, it } from 'vitest';
import { isoString } from '../src/cache/iso-string.js';

describe('isoString', () => {
  it('formats as toISOString does, for the same millisecond again and for each new one', () => {
    const base = Date.UTC(2026, 10, 23, 1, 2, 3, 456);
    for (const ms of [base, base, base + 1, base - 1, base - 1, 0, -1, 8.64e15]) expect(isoString(ms)).toBe(new Date(ms).toISOString());
  });

  it('throws RangeError for an invalid time, and the next valid one is still right', () => {
    const ms = Date.UTC(2026, 0, 1);
    expect(isoString(ms)).toBe('2026-01-01T00:00:00.000Z');
    expect(() => isoString(Number.NaN)).toThrow(RangeError);
    expect(() => isoString(8.64e15 + 1)).toThrow(RangeError);
    expect(isoString(ms)).toBe('2026-01-01T00:00:00.000Z');
    expect(isoString(ms + 1)).toBe('2026-01-01T00:00:00.001Z');
  });
});
