// The Redis dedup store's batching, alone: the claims and records of one event-loop turn go out as
// one send (records first), and drain() sends what waits at once (a shutdown must not close the
// connection under them).
import { describe, expect, it } from 'vitest';
import { turnBatch, type TurnEntry } from '../src/redis-dedup/turn-batch.js';

const entry = (redisKey: string): TurnEntry => ({ redisKey, value: `{"k":"${redisKey}"}`, ttlMs: 1000 });
const keys = (entries: TurnEntry[]) => entries.map((e) => e.redisKey);

describe('turnBatch', () => {
  it('the claims of one turn go out as one send, answered in order; more than maxBatch go as several', async () => {
    const sends: string[][] = [];
    const batch = turnBatch(async (records, claims) => {
      sends.push(keys(claims));
      expect(records).toEqual([]);
      return claims.map((c) => (c.redisKey === 'b' ? 'held by another' : null));
    }, 3);
    const answers = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((k) => batch.claim(entry(k))));
    expect(answers).toEqual([null, 'held by another', null, null, null]);
    expect(sends).toEqual([
      ['a', 'b', 'c'],
      ['d', 'e'],
    ]);
  });

  it("a turn's records and claims share one send, chunked by maxBatch of each", async () => {
    const sends: { records: string[]; claims: string[] }[] = [];
    const batch = turnBatch(async (records, claims) => {
      sends.push({ records: keys(records), claims: keys(claims) });
      return claims.map(() => null);
    }, 2);
    await Promise.all([batch.remember(entry('r1')), batch.claim(entry('c1')), batch.remember(entry('r2')), batch.remember(entry('r3'))]);
    expect(sends).toEqual([
      { records: ['r1', 'r2'], claims: ['c1'] },
      { records: ['r3'], claims: [] },
    ]);
    // A later turn is a send of its own.
    await batch.claim(entry('c2'));
    expect(sends).toHaveLength(3);
    expect(sends[2]).toEqual({ records: [], claims: ['c2'] });
  });

  it('a failed send fails every call it carried, and only those', async () => {
    const batch = turnBatch(async (records, claims) => {
      if (keys(claims).includes('bad')) throw new Error('refused');
      return claims.map(() => null);
    }, 2);
    const outcomes = await Promise.allSettled([batch.claim(entry('a')), batch.remember(entry('r')), batch.claim(entry('bad')), batch.claim(entry('c'))]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected', 'fulfilled']);
  });

  it('drain() sends the waiting calls before the next turn and resolves once they settled', async () => {
    let turnPassed = false;
    setImmediate(() => (turnPassed = true));
    const sentBeforeTurn: boolean[] = [];
    const batch = turnBatch(async (_records, claims) => {
      sentBeforeTurn.push(!turnPassed);
      await new Promise((resolve) => setTimeout(resolve, 20));
      return claims.map(() => null);
    }, 10);
    let remembered = false;
    const late = batch.remember(entry('late record')).then(() => (remembered = true));
    await batch.drain();
    expect(sentBeforeTurn).toEqual([true]);
    expect(remembered).toBe(true);
    await late;
    // Nothing waits any more: the turn's own flush sends nothing.
    await new Promise((resolve) => setImmediate(resolve));
    expect(sentBeforeTurn).toHaveLength(1);
  });
});
