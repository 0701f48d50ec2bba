import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyzeRecord } from '@tributary/core/analysis';
import { buildRecord, AnalysisSchema } from '@tributary/core/record';
import { languageAnalyzer } from '@tributary/core/analyzers/language';
import { analyzeSentiment, createSentimentAnalyzer, createSentimentScorer, sentimentAnalyzer } from '@tributary/core/analyzers/sentiment';

const score = (text: string): number => analyzeSentiment(text).score;
const label = (text: string): string => analyzeSentiment(text).label;
const signal = new AbortController().signal;

describe('sentiment analyzer: lexicon', () => {
  it('labels clear positive, negative and neutral text', () => {
    expect(label('I love this product, it works great.')).toBe('positive');
    expect(label('This is the worst update ever, everything is broken.')).toBe('negative');
    expect(label('The meeting is on Tuesday at noon.')).toBe('neutral');
    expect(score('The meeting is on Tuesday at noon.')).toBe(0);
  });

  it('knows inflected forms of lexicon words', () => {
    expect(score('the luckiest day')).toBeGreaterThan(0);
    expect(score('it crashed twice')).toBeLessThan(0);
  });

  it('accepts extra words', () => {
    const scorer = createSentimentScorer({ lexicon: { snappy: 2.5, janky: -2.5 } });
    expect(scorer('The new editor is snappy').label).toBe('positive');
    expect(scorer('The new editor is janky').label).toBe('negative');
    expect(label('The new editor is snappy')).toBe('neutral');
  });
});

describe('sentiment analyzer: negation', () => {
  it('flips a negated word', () => {
    expect(score('The app is good')).toBeGreaterThan(0);
    expect(score('The app is not good')).toBeLessThan(0);
    expect(score("The app isn't good")).toBeLessThan(0);
    expect(score('The app is bad')).toBeLessThan(0);
    expect(score('The app is not bad')).toBeGreaterThan(0);
  });

  it('handles never, no and nothing', () => {
    expect(score('I never liked it')).toBeLessThan(0);
    expect(score('No problems at all')).toBeGreaterThan(0);
    expect(score('Nothing good about it')).toBeLessThan(0);
  });

  it('softens as well as flips', () => {
    expect(Math.abs(score('not good'))).toBeLessThan(Math.abs(score('good')));
  });

  it('reaches a few words, not past the clause', () => {
    expect(score("I don't think it is good")).toBeLessThan(0);
    expect(score("Not what I expected, it's great")).toBeGreaterThan(0);
    expect(score('Not sure why people complain. The support team is wonderful and helpful')).toBeGreaterThan(0);
  });

  it('reads "not only" and "never so" as emphasis, not negation', () => {
    expect(score('not only good but great')).toBeGreaterThan(0);
    expect(score('never so good')).toBeGreaterThan(score('so good') - 0.2);
  });
});

describe('sentiment analyzer: intensity', () => {
  it('strengthens with boosters and weakens with diminishers', () => {
    expect(score('very good')).toBeGreaterThan(score('good'));
    expect(score('extremely good')).toBeGreaterThan(score('good'));
    expect(score('slightly good')).toBeLessThan(score('good'));
    expect(score('kind of good')).toBeLessThan(score('good'));
    expect(score('kind of good')).toBeGreaterThan(0);
    expect(score('extremely bad')).toBeLessThan(score('bad'));
    expect(score('slightly bad')).toBeGreaterThan(score('bad'));
  });

  it('weighs capitals among lower-case words', () => {
    expect(score('The update is GREAT')).toBeGreaterThan(score('The update is great'));
    expect(score('The update is TERRIBLE')).toBeLessThan(score('The update is terrible'));
    // All capitals is just how it was typed: no emphasis.
    expect(score('THE UPDATE IS GREAT')).toBeCloseTo(score('the update is great'), 6);
  });

  it('weighs exclamation marks, up to a point', () => {
    expect(score('Great!')).toBeGreaterThan(score('Great'));
    expect(score('Great!!!')).toBeGreaterThan(score('Great!'));
    expect(score('Awful!!!')).toBeLessThan(score('Awful'));
    expect(score('Great!!!!!!!!!!')).toBeCloseTo(score('Great!!!!'), 6);
  });

  it('damps questions', () => {
    expect(Math.abs(score('Is the new version good?'))).toBeLessThan(Math.abs(score('The new version is good.')));
  });

  it('reads stretched words as emphasis', () => {
    expect(score('soooo goooood')).toBeGreaterThan(score('so good'));
  });
});

describe('sentiment analyzer: contrast', () => {
  it('gives the clause after "but" more weight', () => {
    expect(score('The food was great but the service was terrible')).toBeLessThan(0);
    expect(score('The service was terrible but the food was great')).toBeGreaterThan(0);
  });

  it('carries a sentence-initial "But" back to the previous sentence', () => {
    expect(score('The screen is lovely. But the battery is awful.')).toBeLessThan(0);
  });

  it('discounts a concessive clause', () => {
    expect(score('Although the design is nice, the app is useless')).toBeLessThan(0);
  });
});

describe('sentiment analyzer: emoji and emoticons', () => {
  it('reads emoticons', () => {
    expect(score(':)')).toBeGreaterThan(0);
    expect(score(':-)')).toBeGreaterThan(0);
    expect(score(':D')).toBeGreaterThan(0);
    expect(score('<3')).toBeGreaterThan(0);
    expect(score(':(')).toBeLessThan(0);
    expect(score(":'(")).toBeLessThan(0);
    expect(score('that was fun:)')).toBeGreaterThan(score('that was fun'));
  });

  it('reads emoji, with or without variation selectors and skin tones', () => {
    expect(score('😀')).toBeGreaterThan(0);
    expect(score('👍')).toBeGreaterThan(0);
    expect(score('👍🏽')).toBeGreaterThan(0);
    expect(score('❤️')).toBeGreaterThan(0);
    expect(score('😡')).toBeLessThan(0);
    expect(score('👎')).toBeLessThan(0);
    expect(label('Delivery took three weeks 😡')).toBe('negative');
    expect(label('Delivery took three days🎉')).toBe('positive');
  });

  it('does not negate emoji, nor read links as emoticons', () => {
    expect(score('not bad 😀')).toBeGreaterThan(0);
    expect(score('see https://example.com/a:/b')).toBe(0);
  });
});

describe('sentiment analyzer: contract', () => {
  it('keeps scores in [-1, 1] and confidence in [0, 1]', () => {
    const texts = [
      '',
      '!!!',
      'best best best best best best best amazing amazing wonderful perfect love love love!!!! 😍😍😍',
      'worst worst horrible awful terrible hate hate disgusting!!!! 😡😡😡',
      'a'.repeat(5000),
      'NOT GOOD NOT GOOD not good not bad very very very extremely good but terrible',
    ];
    for (const text of texts) {
      const r = analyzeSentiment(text);
      expect(r.score).toBeGreaterThanOrEqual(-1);
      expect(r.score).toBeLessThanOrEqual(1);
      expect(r.confidence).toBeGreaterThanOrEqual(0);
      expect(r.confidence).toBeLessThanOrEqual(1);
      expect(AnalysisSchema.parse({ sentiment: r }).sentiment).toEqual(r);
    }
  });

  it('treats words named like object members as plain words', () => {
    const r = analyzeSentiment('the constructor of toString and __proto__ hasOwnProperty is good');
    expect(Number.isFinite(r.score)).toBe(true);
    expect(r.label).toBe('positive');
  });

  it('is deterministic', () => {
    const text = 'The new release is fast, but the login page still crashes :( Not great.';
    const first = analyzeSentiment(text);
    for (let i = 0; i < 5; i++) expect(analyzeSentiment(text)).toEqual(first);
  });

  it('is an analyzer that writes analysis.sentiment', async () => {
    expect(sentimentAnalyzer.name).toBe('sentiment');
    expect(sentimentAnalyzer.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(sentimentAnalyzer.provides).toEqual(['sentiment']);
    const result = await sentimentAnalyzer.analyze({ text: 'Thanks, works perfectly!', analysis: {}, record: {} as never }, { signal });
    expect(result.sentiment?.label).toBe('positive');
  });

  it('scores only emoji and emoticons when the text is in another language', async () => {
    const analyzer = createSentimentAnalyzer();
    const german = { code: 'de', confidence: 0.9 };
    const words = await analyzer.analyze({ text: 'Das ist nicht gut, aber die App ist super', analysis: { language: german }, record: {} as never }, { signal });
    expect(words.sentiment?.score).toBe(0);
    const emoji = await analyzer.analyze({ text: 'Lieferung kam pünktlich 👍', analysis: { language: german }, record: {} as never }, { signal });
    expect(emoji.sentiment?.label).toBe('positive');
    const declared = await analyzer.analyze({ text: 'super', analysis: {}, record: { language: 'de' } as never }, { signal });
    expect(declared.sentiment?.score).toBe(0);
    const english = await analyzer.analyze({ text: 'super', analysis: { language: { code: 'en', confidence: 0.9 } }, record: { language: 'de' } as never }, { signal });
    expect(english.sentiment?.label).toBe('positive');
    const anyway = await createSentimentAnalyzer({ otherLanguages: 'score' }).analyze({ text: 'super', analysis: { language: german }, record: {} as never }, { signal });
    expect(anyway.sentiment?.label).toBe('positive');
  });

  it('honours a custom neutral band', () => {
    const strict = createSentimentScorer({ neutralThreshold: 0.6 });
    expect(strict('It is okay').label).toBe('neutral');
    expect(analyzeSentiment('It is okay').label).toBe('positive');
  });
});

describe('built-in analyzers: import', () => {
  it('print nothing and touch no files when imported', () => {
    const script = [
      "import fs from 'node:fs';",
      "import { syncBuiltinESMExports } from 'node:module';",
      'const touched = [];',
      "for (const name of ['readFileSync', 'readFile', 'openSync', 'existsSync', 'statSync']) { const original = fs[name]; fs[name] = (...args) => { touched.push(name); return original(...args); }; }",
      // Named imports of node:fs see the patched functions too.
      'syncBuiltinESMExports();',
      "await import('@tributary/core/analyzers/sentiment');",
      "await import('@tributary/core/analyzers/language');",
      "if (touched.length) process.stderr.write('touched ' + touched.join(','));",
    ].join('\n');
    const run = spawnSync(process.execPath, ['--conditions=@tributary/source', '--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('');
    expect(run.status).toBe(0);
  });
});

describe('analyzeRecord with the built-in analyzers', () => {
  it('fills record.analysis with language and sentiment and records the versions', async () => {
    const record = buildRecord(
      {
        kind: 'feedback',
        externalId: 'post-1',
        itemType: 'discourse.post',
        occurredAt: '2026-01-05T10:00:00Z',
        content: { title: 'Export is broken', text: 'Since the last update the CSV export fails every time. Very frustrating :(' },
      },
      { workspaceId: 'ws', sourceId: 'forum', connector: { name: 'test', version: '1.0.0' }, receivedAt: '2026-01-05T10:01:00Z', parsedAt: '2026-01-05T10:01:00Z' },
    );
    const analyzed = await analyzeRecord(record, [languageAnalyzer, sentimentAnalyzer], { now: () => new Date('2026-01-05T10:02:00Z') });
    expect(analyzed.analysis.language).toEqual({ code: 'en', confidence: expect.any(Number) });
    expect(analyzed.analysis.language!.confidence).toBeGreaterThan(0.5);
    expect(analyzed.analysis.sentiment).toMatchObject({ label: 'negative' });
    expect(AnalysisSchema.parse(analyzed.analysis)).toEqual(analyzed.analysis);
    expect(analyzed.provenance.analyzers).toEqual([
      { name: 'language', version: languageAnalyzer.version },
      { name: 'sentiment', version: sentimentAnalyzer.version },
    ]);
    expect(analyzed.provenance.analyzedAt).toBe('2026-01-05T10:02:00.000Z');
  });
});
