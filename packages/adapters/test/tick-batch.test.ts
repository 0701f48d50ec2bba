// The Redis dedup store's batching, alone: calls of one event-loop turn go out as one send, and
// drain() sends what waits at once (a shutdown must not close the connection under them).
import { describe, expect, it } from 'vitest';
import { tickBatch } from '../src/redis-dedup/tick-batch.js';

describe('tickBatch', () => {
  it('the calls of one turn go out as one send, answered in order; more than maxBatch go as several', async () => {
    const sends: number[][] = [];
    const double = tickBatch(async (inputs: number[]) => {
      sends.push(inputs);
      return inputs.map((n) => n * 2);
    }, 3);
    const answers = await Promise.all([1, 2, 3, 4, 5].map((n) => double(n)));
    expect(answers).toEqual([2, 4, 6, 8, 10]);
    expect(sends).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it('a failed send fails every call of its batch, and only those', async () => {
    const flaky = tickBatch(async (inputs: string[]) => {
      if (inputs.includes('bad')) throw new Error('refused');
      return inputs;
    }, 2);
    const outcomes = await Promise.allSettled(['a', 'bad', 'c'].map((s) => flaky(s)));
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
  });

  it('drain() sends the waiting calls before the next turn and resolves once they settled', async () => {
    let turnPassed = false;
    setImmediate(() => (turnPassed = true));
    const sentBeforeTurn: boolean[] = [];
    const echo = tickBatch(async (inputs: string[]) => {
      sentBeforeTurn.push(!turnPassed);
      await new Promise((resolve) => setTimeout(resolve, 20));
      return inputs;
    }, 10);
    const answered = echo('late record');
    await echo.drain();
    expect(sentBeforeTurn).toEqual([true]);
    await expect(answered).resolves.toBe('late record');
    // Nothing waits any more: the turn's own flush sends nothing.
    await new Promise((resolve) => setImmediate(resolve));
    expect(sentBeforeTurn).toHaveLength(1);
  });
});
