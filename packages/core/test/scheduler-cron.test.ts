import { describe, expect, it } from 'vitest';
import { isTributaryError } from '@tributary/core/errors';
import { compileSchedule, parseCron } from '@tributary/core/scheduler';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The next `n` fire times after `from`. */
function fires(expression: string, from: string, n: number): string[] {
  const cron = parseCron(expression);
  const out: string[] = [];
  let t = at(from);
  for (let i = 0; i < n; i++) {
    const next = cron.next(t);
    if (next === null) break;
    out.push(iso(next)!);
    t = next;
  }
  return out;
}

describe('parseCron', () => {
  it.each([
    ['*/15 * * * *', '2026-01-01T00:07:30Z', ['2026-01-01T00:15:00.000Z', '2026-01-01T00:30:00.000Z', '2026-01-01T00:45:00.000Z']],
    ['* * * * *', '2026-01-01T00:00:00Z', ['2026-01-01T00:01:00.000Z', '2026-01-01T00:02:00.000Z']],
    // 2026-01-02 is a Friday: next weekday 09:00 is Monday the 5th
    ['0 9 * * mon-fri', '2026-01-02T10:00:00Z', ['2026-01-05T09:00:00.000Z', '2026-01-06T09:00:00.000Z']],
    ['30 2 1,15 * *', '2026-01-01T03:00:00Z', ['2026-01-15T02:30:00.000Z', '2026-02-01T02:30:00.000Z', '2026-02-15T02:30:00.000Z']],
    ['5-59/20 * * * *', '2026-01-01T00:00:00Z', ['2026-01-01T00:05:00.000Z', '2026-01-01T00:25:00.000Z', '2026-01-01T00:45:00.000Z', '2026-01-01T01:05:00.000Z']],
    ['10/25 8-9 * * *', '2026-01-01T00:00:00Z', ['2026-01-01T08:10:00.000Z', '2026-01-01T08:35:00.000Z', '2026-01-01T09:10:00.000Z', '2026-01-01T09:35:00.000Z', '2026-01-02T08:10:00.000Z']],
    ['0 0 1 jan,jul *', '2026-02-01T00:00:00Z', ['2026-07-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z']],
    // both day fields restricted: either matches (Vixie cron)
    ['0 0 13 * fri', '2026-01-01T00:00:00Z', ['2026-01-02T00:00:00.000Z', '2026-01-09T00:00:00.000Z', '2026-01-13T00:00:00.000Z', '2026-01-16T00:00:00.000Z']],
    // one day field a wildcard step: only the other restricts
    ['0 0 */10 * *', '2026-01-01T00:00:00Z', ['2026-01-11T00:00:00.000Z', '2026-01-21T00:00:00.000Z', '2026-01-31T00:00:00.000Z', '2026-02-01T00:00:00.000Z']],
    ['0 12 * * 7', '2026-01-01T00:00:00Z', ['2026-01-04T12:00:00.000Z', '2026-01-11T12:00:00.000Z']],
    ['0 0 29 2 *', '2026-03-01T00:00:00Z', ['2028-02-29T00:00:00.000Z', '2032-02-29T00:00:00.000Z']],
    ['@hourly', '2026-01-01T00:59:59Z', ['2026-01-01T01:00:00.000Z', '2026-01-01T02:00:00.000Z']],
    ['@weekly', '2026-01-01T00:00:00Z', ['2026-01-04T00:00:00.000Z']],
    ['@monthly', '2026-12-15T00:00:00Z', ['2027-01-01T00:00:00.000Z']],
    ['59 23 31 12 *', '2026-12-31T23:59:00Z', ['2027-12-31T23:59:00.000Z']],
  ])('%s after %s', (expression, from, expected) => {
    expect(fires(expression, from, expected.length)).toEqual(expected);
  });

  it('treats 0 and 7 as Sunday, and names as numbers', () => {
    expect(fires('0 0 * * 0', '2026-01-01T00:00:00Z', 2)).toEqual(fires('0 0 * * SUN', '2026-01-01T00:00:00Z', 2));
    expect(fires('0 0 * * 7', '2026-01-01T00:00:00Z', 2)).toEqual(fires('0 0 * * sun', '2026-01-01T00:00:00Z', 2));
  });

  it('matches the minute of a fire time', () => {
    const cron = parseCron('*/5 10 * * *');
    expect(cron.matches(at('2026-01-01T10:05:30Z'))).toBe(true);
    expect(cron.matches(at('2026-01-01T10:06:00Z'))).toBe(false);
    expect(cron.matches(new Date('2026-01-01T11:05:00Z'))).toBe(false);
  });

  it('returns null for an expression that can never fire', () => {
    expect(parseCron('0 0 31 2 *').next(at('2026-01-01T00:00:00Z'))).toBeNull();
  });

  it.each(['60 * * * *', '* 24 * * *', '* * 0 * *', '* * * 13 *', '* * * * 8', '* * *', '* * * * * *', '5-1 * * * *', '*/0 * * * *', 'a * * * *', '1,,2 * * * *', '1-2-3 * * * *', '*/2/3 * * * *', ''])(
    'rejects %j naming the problem',
    (expression) => {
      let error: unknown;
      try {
        parseCron(expression);
      } catch (e) {
        error = e;
      }
      expect(isTributaryError(error, 'validation')).toBe(true);
      expect((error as Error).message).toContain('invalid cron expression');
    },
  );
});

describe('compileSchedule', () => {
  const start = at('2026-01-01T00:00:00Z');

  it('aligns intervals to the epoch, so every process computes the same ticks', () => {
    const schedule = compileSchedule({ everyMs: 60_000 }, { spread: false });
    expect(iso(schedule.next(start))).toBe('2026-01-01T00:01:00.000Z');
    expect(iso(schedule.next(start + 59_999))).toBe('2026-01-01T00:01:00.000Z');
    expect(iso(schedule.next(start + 60_000))).toBe('2026-01-01T00:02:00.000Z');
  });

  it('spreads sources over the interval by a stable hash', () => {
    const a = compileSchedule({ everyMs: 3_600_000 }, { key: 'ws1/a' });
    const b = compileSchedule({ everyMs: 3_600_000 }, { key: 'ws1/b' });
    expect(a.next(start)).not.toBe(b.next(start));
    expect(compileSchedule({ everyMs: 3_600_000 }, { key: 'ws1/a' }).next(start)).toBe(a.next(start));
    expect(a.next(a.next(start)!)! - a.next(start)!).toBe(3_600_000);
  });

  it('fires at the ticks of either when given both', () => {
    const both = compileSchedule({ everyMs: 20 * 60_000, cron: '30 * * * *' }, { spread: false });
    const times: (string | null)[] = [];
    for (let t = start, i = 0; i < 5; i++) times.push(iso((t = both.next(t)!)));
    expect(times).toEqual(['2026-01-01T00:20:00.000Z', '2026-01-01T00:30:00.000Z', '2026-01-01T00:40:00.000Z', '2026-01-01T01:00:00.000Z', '2026-01-01T01:20:00.000Z']);
  });

  it('rejects empty schedules and bad intervals', () => {
    expect(() => compileSchedule({})).toThrow(/needs everyMs or cron/);
    expect(() => compileSchedule({ everyMs: 0 })).toThrow(/positive/);
    expect(() => compileSchedule({ cron: 'nope' })).toThrow(/invalid cron/);
  });
});
