import { describe, expect, it } from 'vitest';
import type { CategoryLabel } from '@tributary/core/record';
import { categoryAnalyzer, classifyCategory, createCategoryAnalyzer, createCategoryClassifier } from '@tributary/core/analyzers/category';
import { analyzeSentiment } from '@tributary/core/analyzers/sentiment';
import { CATEGORY_EVAL, type CategoryExample } from './analyzers-category-eval.js';
import { CATEGORY_FRESH } from './analyzers-category-fresh.js';

const signal = new AbortController().signal;
const record = {} as never;
const label = (text: string, sentiment?: number) => classifyCategory(text, { sentiment }).label;

describe('category: cues', () => {
  it.each<[string, CategoryLabel]>([
    ['It would be great if we could export to Excel', 'feature_request'],
    ['Please add a dark mode', 'feature_request'],
    ['Feature request: tags', 'feature_request'],
    ['Can you support Linux?', 'feature_request'],
    ['I wish it had a widget', 'feature_request'],
    ['The app crashes on launch', 'bug_report'],
    ["Export doesn't work", 'bug_report'],
    ['Upload is broken', 'bug_report'],
    ['Steps to reproduce: open, click, wait', 'bug_report'],
    ['How do I change my password?', 'question'],
    ['Waste of money, support never answered', 'complaint'],
    ['Thank you, love it!', 'praise'],
    ['Installed it yesterday.', 'other'],
    ['Is it just me or does the timer reset at midnight?', 'bug_report'],
    ['The totals do not add up on the monthly report.', 'bug_report'],
    ['The graph only shows the first week of the month.', 'bug_report'],
    ['Would you consider supporting Markdown in comments?', 'feature_request'],
    ['Waited 40 minutes for a reply from support.', 'complaint'],
  ])('%s → %s', (text, expected) => {
    expect(label(text)).toBe(expected);
  });

  it('reads a stack trace as a bug report', () => {
    expect(label('Hi,\nTypeError: x is undefined\n    at render (app.js:10:5)\n    at main (index.js:2:1)')).toBe('bug_report');
    expect(label('Traceback (most recent call last):\n  File "x.py", line 1')).toBe('bug_report');
  });

  it('puts the weight after a "but"', () => {
    expect(label('Great app but it crashes on startup')).toBe('bug_report');
    expect(label('Love the app, but please add multiple accounts')).toBe('feature_request');
  });

  it('turns negated praise into a complaint, and hypothetical praise into a request', () => {
    expect(label('Not great, not happy with it at all')).toBe('complaint');
    expect(label('Been using it for years, never disappointed')).toBe('praise');
    expect(label('A family plan would be amazing')).toBe('feature_request');
  });

  it('reads a request or a malfunction put as a question as such', () => {
    expect(label('Any plans to support Linux?')).toBe('feature_request');
    expect(label('Anyone else having trouble with the sync today?')).toBe('bug_report');
    expect(label('Can I pay by invoice?')).toBe('question');
  });

  it('reads praise in the past, and sarcastic praise, as a complaint', () => {
    expect(label('It used to be a great service, now it is just ads.')).toBe('complaint');
    expect(label('Oh great, yet another price increase.', 0.5)).toBe('complaint');
    expect(label('A great service, now with fewer ads.', 0.5)).toBe('praise');
  });

  it('uses sentiment to tell praise and complaint from other', () => {
    expect(label('The onboarding took an hour.')).toBe('other');
    expect(label('The onboarding took an hour.', -0.7)).toBe('complaint');
    expect(label('The onboarding took an hour.', 0.7)).toBe('praise');
    // A malfunction explains the negative sentiment.
    expect(label('The export fails with an error', -0.8)).toBe('bug_report');
  });

  it('gives a confidence in [0, 1] that grows with the evidence', () => {
    const weak = classifyCategory('Bug?');
    const strong = classifyCategory('Bug: the app crashes and shows an error. Steps to reproduce: open it.');
    for (const r of [weak, strong]) expect(r.confidence).toBeGreaterThanOrEqual(0), expect(r.confidence).toBeLessThanOrEqual(1);
    expect(strong.confidence).toBeGreaterThan(weak.confidence);
  });

  it('is deterministic', () => {
    const classify = createCategoryClassifier();
    expect(classify('Please add a dark mode')).toEqual(classify('Please add a dark mode'));
  });
});

describe('category analyzer', () => {
  it('reads the sentiment an earlier analyzer wrote', async () => {
    const text = 'The onboarding took an hour.';
    expect(await categoryAnalyzer.analyze({ text, analysis: {}, record }, { signal })).toEqual({ category: { label: 'other', confidence: expect.any(Number) } });
    const withSentiment = await categoryAnalyzer.analyze({ text, analysis: { sentiment: { label: 'negative', score: -0.7 } }, record }, { signal });
    expect(withSentiment.category?.label).toBe('complaint');
    expect(categoryAnalyzer).toMatchObject({ name: 'category', version: '1.2.0', provides: ['category'] });
  });

  it('falls back to question marks and sentiment for other languages', async () => {
    const analysis = { language: { code: 'de', confidence: 0.9 } };
    expect((await categoryAnalyzer.analyze({ text: 'Wie exportiere ich?', analysis, record }, { signal })).category).toEqual({ label: 'question', confidence: 0.4 });
    const praise = await categoryAnalyzer.analyze({ text: 'Super App', analysis: { ...analysis, sentiment: { label: 'positive', score: 0.8 } }, record }, { signal });
    expect(praise.category?.label).toBe('praise');
    const anyway = await createCategoryAnalyzer({ otherLanguages: 'classify' }).analyze({ text: 'Please add Excel export', analysis, record }, { signal });
    expect(anyway.category?.label).toBe('feature_request');
  });
});

/**
 * Accuracy on the labelled set of `analyzers-category-eval.ts`. `dev`, `round2` and `round3` were used
 * to write the rules (each of `round2` and `round3` was first measured once, unseen: 52 % and 63 %);
 * `holdout` was written after the rules of version 1.1.0 were frozen (65.5 %), and version 1.2.0 was
 * tuned on it, so it is tuning data now: the unseen figure is the fresh set's, below. The figures are
 * printed; the floors are what the rules meet, so a change that loses accuracy fails.
 */
describe('category: accuracy on the labelled set', () => {
  const classify = createCategoryClassifier();
  const accuracy = (examples: readonly CategoryExample[], withSentiment: boolean) => {
    const hits = examples.filter((e) => classify(e.text, { sentiment: withSentiment ? analyzeSentiment(e.text).score : undefined }).label === e.label).length;
    return hits / examples.length;
  };
  const seen = CATEGORY_EVAL.filter((e) => e.split !== 'holdout');
  const holdout = CATEGORY_EVAL.filter((e) => e.split === 'holdout');

  it('has at least 150 varied examples of every category', () => {
    expect(CATEGORY_EVAL.length).toBeGreaterThanOrEqual(150);
    for (const l of ['complaint', 'question', 'feature_request', 'bug_report', 'praise', 'other'] as const) {
      expect(CATEGORY_EVAL.filter((e) => e.label === l).length).toBeGreaterThanOrEqual(20);
    }
    expect(new Set(CATEGORY_EVAL.map((e) => e.text)).size).toBe(CATEGORY_EVAL.length);
  });

  it('meets its floors, with and without sentiment', () => {
    const figures = {
      seenWithSentiment: accuracy(seen, true),
      seenWordsOnly: accuracy(seen, false),
      holdoutWithSentiment: accuracy(holdout, true),
      holdoutWordsOnly: accuracy(holdout, false),
    };
    const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
    console.log(
      `category accuracy: rules' own examples (n=${seen.length}) ${pct(figures.seenWithSentiment)} with sentiment, ${pct(figures.seenWordsOnly)} words only; ` +
        `old held-out, now tuning data (n=${holdout.length}) ${pct(figures.holdoutWithSentiment)} with sentiment, ${pct(figures.holdoutWordsOnly)} words only`,
    );
    expect(figures.seenWithSentiment).toBeGreaterThanOrEqual(0.95);
    expect(figures.seenWordsOnly).toBeGreaterThanOrEqual(0.95);
    expect(figures.holdoutWithSentiment).toBeGreaterThanOrEqual(0.95);
    expect(figures.holdoutWordsOnly).toBeGreaterThanOrEqual(0.95);
  });
});

/**
 * Accuracy on the fresh held-out set of `analyzers-category-fresh.ts`, written before the rules were
 * read and never used to change them: the figure to expect on real feedback. Version 1.1.0 scored
 * 73.2 % on it (with and without sentiment). The floors sit a few points below what version 1.2.0
 * measured, so a regression fails but a changed sentiment lexicon moving one or two texts does not.
 */
describe('category: accuracy on the fresh held-out set', () => {
  const classify = createCategoryClassifier();
  const labels = ['bug_report', 'feature_request', 'question', 'complaint', 'praise', 'other'] as const;
  const hits = (withSentiment: boolean) =>
    CATEGORY_FRESH.map((e) => classify(e.text, { sentiment: withSentiment ? analyzeSentiment(e.text).score : undefined }).label === e.label);

  it('has about 150 texts, about 25 of each label but other, none of them tuning data', () => {
    expect(CATEGORY_FRESH.length).toBeGreaterThanOrEqual(145);
    for (const l of labels) expect(CATEGORY_FRESH.filter((e) => e.label === l).length).toBeGreaterThanOrEqual(l === 'other' ? 13 : 24);
    expect(new Set(CATEGORY_FRESH.map((e) => e.text)).size).toBe(CATEGORY_FRESH.length);
    const tuning = new Set(CATEGORY_EVAL.map((e) => e.text));
    expect(CATEGORY_FRESH.filter((e) => tuning.has(e.text))).toEqual([]);
  });

  it('meets its floors, overall and by label', () => {
    const withSentiment = hits(true);
    const wordsOnly = hits(false);
    const share = (xs: boolean[]) => xs.filter(Boolean).length / xs.length;
    const recall = Object.fromEntries(labels.map((l) => [l, share(withSentiment.filter((_, i) => CATEGORY_FRESH[i]!.label === l))])) as Record<(typeof labels)[number], number>;
    const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
    console.log(
      [
        `category accuracy on the fresh held-out set (n=${CATEGORY_FRESH.length}): ${pct(share(withSentiment))} with sentiment, ${pct(share(wordsOnly))} words only`,
        '| label | n | recall |',
        '|---|---|---|',
        ...labels.map((l) => `| ${l} | ${CATEGORY_FRESH.filter((e) => e.label === l).length} | ${pct(recall[l])} |`),
      ].join('\n'),
    );
    expect(share(withSentiment)).toBeGreaterThanOrEqual(FRESH_FLOORS.withSentiment);
    expect(share(wordsOnly)).toBeGreaterThanOrEqual(FRESH_FLOORS.wordsOnly);
    for (const l of labels) expect(recall[l], l).toBeGreaterThanOrEqual(FRESH_FLOORS.recall[l]);
  });
});

/** A few points below version 1.2.0's measurement on the fresh set (see docs/analysis.md, "Category"). */
const FRESH_FLOORS = {
  withSentiment: 0.76, // measured 79.2 %
  wordsOnly: 0.77, // measured 79.9 %
  recall: { bug_report: 0.6, feature_request: 0.75, question: 0.8, complaint: 0.7, praise: 0.67, other: 0.84 },
};
