import { describe, expect, it } from 'vitest';
import type { CategoryLabel } from '@tributary/core/record';
import { categoryAnalyzer, classifyCategory, createCategoryAnalyzer, createCategoryClassifier } from '@tributary/core/analyzers/category';
import { analyzeSentiment } from '@tributary/core/analyzers/sentiment';
import { CATEGORY_EVAL, type CategoryExample } from './analyzers-category-eval.js';

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
    expect(categoryAnalyzer).toMatchObject({ name: 'category', version: '1.1.0', provides: ['category'] });
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
 * `holdout` was written after the rules were frozen. The figures are printed; the floors are what the
 * rules meet, so a change that loses accuracy fails.
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
        `held-out (n=${holdout.length}) ${pct(figures.holdoutWithSentiment)} with sentiment, ${pct(figures.holdoutWordsOnly)} words only`,
    );
    expect(figures.seenWithSentiment).toBeGreaterThanOrEqual(0.95);
    expect(figures.seenWordsOnly).toBeGreaterThanOrEqual(0.95);
    expect(figures.holdoutWithSentiment).toBeGreaterThanOrEqual(0.6);
    expect(figures.holdoutWordsOnly).toBeGreaterThanOrEqual(0.6);
  });

  it('labels each category of the held-out set better than chance', () => {
    const byLabel = (['bug_report', 'feature_request', 'question', 'complaint', 'praise', 'other'] as const).map((l) => [l, accuracy(holdout.filter((e) => e.label === l), true)] as const);
    console.log(`category held-out recall: ${byLabel.map(([l, a]) => `${l} ${(a * 100).toFixed(0)} %`).join(', ')}`);
    for (const [, a] of byLabel) expect(a).toBeGreaterThan(1 / 6);
  });
});
