/**
 * Every built-in analyzer takes time linear in the size of its text (reliability bug 4: a regular
 * expression retried from every position of a long word made one 64 KB record cost seconds).
 *
 * Absolute times depend on the machine and its load, so the check is relative: the same kind of text
 * 16 times larger (or 64 times, for the 1 MiB case) must take at most a generous multiple of the small
 * one's time, far below what quadratic work needs (256× and 4,096×).
 */
import { describe, expect, it } from 'vitest';
import { analyzeRecord } from '@tributary/core/analysis';
import { defaultAnalyzers } from '@tributary/core/analyzers/defaults';
import { buildRecord } from '@tributary/core/record';

const KB = 1024;
const analyzers = defaultAnalyzers();
const origin = { workspaceId: 'ws', sourceId: 'hostile', connector: { name: 'test', version: '1.0.0' }, receivedAt: '2026-01-05T10:01:00Z', parsedAt: '2026-01-05T10:01:00Z' };

/** Milliseconds for the whole default set on one text. */
async function timeDefaultSet(text: string): Promise<number> {
  const record = buildRecord({ externalId: String(text.length), itemType: 'forum.post', occurredAt: '2026-01-05T10:00:00Z', content: { text } }, origin);
  const started = performance.now();
  await analyzeRecord(record, analyzers, { now: () => new Date('2026-01-05T10:02:00Z') });
  return performance.now() - started;
}

/**
 * The fastest of a few runs on small texts, each with a different filler letter so the analyzers' word
 * memos cannot answer from an earlier run: the baseline must be honest work, or the bound would be loose
 * in the wrong direction.
 */
async function baseline(make: (size: number, variant: number) => string, size: number): Promise<number> {
  let best = Infinity;
  for (let variant = 0; variant < 3; variant++) best = Math.min(best, await timeDefaultSet(make(size, variant)));
  return best;
}

const LETTERS = 'xyzqw';
/** Shapes that made a pattern backtrack before: one long word, dotted and hyphenated runs, many short numbers, repeated cue openers. */
const SHAPES: Record<string, (size: number, variant: number) => string> = {
  'one word': (size, v) => LETTERS[v]!.repeat(size),
  'a dotted run (code-like, e-mail-like)': (size, v) => `${LETTERS[v]}.`.repeat(size / 2),
  'a hyphenated run': (size, v) => `${LETTERS[v]}-`.repeat(size / 2),
  'spaced-out digits (phone-like)': (size, v) => `${v + 1} `.repeat(size / 2),
  'a word after an e-mail opener and a stack frame': (size, v) => `jo@\n at ${LETTERS[v]!.repeat(size)}`,
  'repeated "expected:" without "actual"': (size, v) => `expected: ${LETTERS[v]} `.repeat(size / 12),
};

describe('analyzers scale linearly with the size of the text', () => {
  for (const [name, make] of Object.entries(SHAPES)) {
    it(`${name}: 256 KB within 40 × the time of 16 KB`, async () => {
      await timeDefaultSet(make(2 * KB, 4)); // warm-up: lazy word lists and JIT
      const small = await baseline(make, 16 * KB);
      const large = await timeDefaultSet(make(256 * KB, 3));
      // 16× the text; quadratic work would take 256×. The slack absorbs timer noise on tiny baselines.
      expect(large, `16 KB took ${small.toFixed(1)} ms`).toBeLessThan(40 * small + 300);
    });
  }

  it('1 MiB of mixed feedback within 160 × the time of 16 KB', async () => {
    const paragraph = (v: number) =>
      `Great app but since the update the login crashes ${v} times a day!!! Steps to reproduce: open it, tap "Sign in". ` +
      `Mail me at jo${v}@example.com or call +44 20 7946 095${v}. Why does it freeeeze?? This is f*cking terrible :( 😡 ` +
      `It would be great if you added dark mode. Thanks, love the new design. Error: TypeError at foo.bar (app.js:12:3) `;
    const make = (size: number, v: number) => paragraph(v).repeat(Math.ceil(size / paragraph(v).length)).slice(0, size);
    await timeDefaultSet(make(2 * KB, 4));
    const small = await baseline(make, 16 * KB);
    const large = await timeDefaultSet(make(1024 * KB, 3));
    // 64× the text; quadratic work would take 4,096×.
    expect(large, `16 KB took ${small.toFixed(1)} ms`).toBeLessThan(160 * small + 500);
  }, 60_000);
});
