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

  it('knows everyday exclamations of chat and a few common words AFINN lacks (1.2.0)', () => {
    expect(label('woot')).toBe('positive');
    expect(label('incredible pictures')).toBe('positive');
    expect(label('my fav song')).toBe('positive');
    expect(label('sheesh')).toBe('negative');
    expect(label('dang')).toBe('negative');
  });

  it('reads affirmations as agreement, not praise (1.2.0)', () => {
    expect(label('Yep.')).toBe('neutral');
    expect(label('Yes, I can do that too.')).toBe('neutral');
    expect(label('Fair enough.')).toBe('neutral');
    expect(label('Why not?')).toBe('neutral');
    // They still agree: a little positive, so they tip nothing else but do not outweigh a complaint.
    expect(score('Yes')).toBeGreaterThan(0);
    expect(label('yup, right back for a refund')).toBe('negative');
    expect(label('Yes! It works great')).toBe('positive');
  });

  it('does not read sentence adverbs, grading adverbs or nouns as the praise they look derived from (1.2.0)', () => {
    expect(score('Honestly, I expected that.')).toBe(0);
    expect(score('Originally it shipped in May')).toBe(0);
    expect(score('Naturally, the export is in the file menu')).toBe(0);
    expect(score('The lights are on')).toBe(0);
    expect(score('He was fined')).toBe(0);
    expect(label('It is simply a point and shoot camera')).toBe('neutral');
    // "simply" and "practically" grade the word after them instead.
    expect(score('simply the best')).toBeGreaterThan(score('the best'));
    expect(score('practically perfect')).toBeLessThan(score('perfect'));
    expect(score('practically perfect')).toBeGreaterThan(0);
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

  it('reads exclamation marks with no sentiment word as enthusiasm, but not in a request (1.2.0)', () => {
    expect(label('Pizza time!')).toBe('positive');
    expect(label('Version 2 is out!')).toBe('positive');
    expect(label('Pizza time.')).toBe('neutral');
    // Feedback: an exclaimed request or demand is not praise.
    expect(label('Fix the login!!!')).toBe('neutral');
    expect(label('Please add a dark mode!')).toBe('neutral');
    expect(label('Guys, bring back the old menu!')).toBe('neutral');
    expect(label('The update is out. Fix the login!')).toBe('neutral');
    // Punctuation alone exclaims nothing.
    expect(label('!!!')).toBe('neutral');
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

describe('sentiment analyzer: words that depend on their context', () => {
  it('reads "wish" as longing, but not in a complaint', () => {
    expect(label('I wish I was there with you!')).toBe('positive');
    expect(label('wish I could be there!')).toBe('positive');
    expect(label('I wish!')).toBe('positive');
    expect(label('Best wishes to the whole team')).toBe('positive');
    // Feedback: a wish about the product is a complaint or a request, never praise.
    expect(label('I wish it worked')).not.toBe('positive');
    expect(label('I wish the app had a dark mode')).not.toBe('positive');
    expect(label('I wish I could export to CSV')).not.toBe('positive');
  });

  it('reads "party" as a celebration only with an event word before it', () => {
    expect(label('Our holiday party is tonight')).toBe('positive');
    expect(label('Details on the birthday party')).toBe('positive');
    expect(score('It works with third-party plugins')).toBe(0);
    expect(score('It works with 3rd party plugins')).toBe(0);
    expect(score('The party leaders met on Tuesday')).toBe(0);
  });

  it('reads "well" as praise after a verb or degree word, not as an opener, "as well" or "may well"', () => {
    expect(label('The migration went well')).toBe('positive');
    expect(label('It runs very well on my phone')).toBe('positive');
    expect(label('The API is well documented')).toBe('positive');
    expect(label('Get well soon')).toBe('positive');
    expect(label("The migration didn't go well")).toBe('negative');
    expect(label("It doesn't work well with Safari")).toBe('negative');
    expect(score('Well, the export is in the file menu')).toBe(0);
    expect(score('It exports PDF as well')).toBe(0);
    expect(score('The cache may well be the cause')).toBe(0);
    expect(score('You would do well to read the manual first')).toBe(0);
  });

  it('reads "play" as a pastime only with what one plays', () => {
    expect(label('Played guitar with friends all evening')).toBe('positive');
    expect(label('We played with the kids')).toBe('positive');
    expect(label("The video won't play")).toBe('negative');
    expect(label("It won't play music from the SD card")).toBe('negative');
    expect(score('Install it from the Play Store')).toBe(0);
    expect(score('Press the play button')).toBe(0);
    expect(score('It plays music over Bluetooth')).toBe(0);
  });

  it('reads "ok" as a verdict after a linking word, and as agreement otherwise (1.2.0)', () => {
    expect(label('The sound is ok')).toBe('positive');
    expect(label('Looks okay to me')).toBe('positive');
    expect(label('It is alright')).toBe('positive');
    expect(label('ok x')).toBe('neutral');
    expect(label('Ok, I will try the beta tonight')).toBe('neutral');
    expect(label('OK gonna try this thing')).toBe('neutral');
  });

  it('reads "rocks" as praise when it is a verb', () => {
    expect(label('This app rocks!')).toBe('positive');
    expect(label('rocking my new shirt')).toBe('positive');
    expect(score('Ice and rocks everywhere')).toBe(0);
    expect(score('They were throwing rocks')).toBe(0);
  });
});

describe('sentiment analyzer: constructions', () => {
  it('reads "could have been worse" as relief and "couldn\'t be happier" as emphasis', () => {
    expect(label('It could have been a lot worse')).toBe('positive');
    expect(label("It couldn't be worse")).toBe('negative');
    expect(label("I couldn't be happier with it")).toBe('positive');
    expect(label("Setup couldn't be any easier")).toBe('positive');
    expect(label("It can't get any better")).toBe('positive');
    // Without a comparative, "can't" still negates.
    expect(label("It can't be good for the battery")).toBe('negative');
  });

  it('reads "haven\'t been this" and "never ... so" as emphasis', () => {
    expect(label("Haven't been this sore in a while")).toBe('negative');
    expect(label('I have never slept so well')).toBe('positive');
    expect(label('I have never felt so happy')).toBe('positive');
    // "hasn't been that bad" is still a negation.
    expect(label("It hasn't been that bad")).toBe('positive');
  });

  it('reads "can\'t recommend it enough" and "can\'t get enough" as emphasis (1.2.0)', () => {
    expect(label("I can't recommend it enough")).toBe('positive');
    expect(label("Can't thank you enough!")).toBe('positive');
    expect(label("I can't say enough good things about the support team")).toBe('positive');
    expect(label("I can't get enough of it")).toBe('positive');
    expect(label("I can't recommend it")).toBe('negative');
    expect(label('It is not good enough')).toBe('negative');
    expect(label("It can't be fast enough")).toBe('negative');
  });

  it('does not let a negator reach into a clause of its own', () => {
    expect(label("I can't believe how fast it is now")).toBe('positive');
    expect(label("I don't think it is good")).toBe('negative');
  });

  it('does not negate laughter', () => {
    expect(score("I don't know lol")).toBeGreaterThan(0);
    expect(score('not funny lol')).toBeGreaterThan(score('not funny'));
  });

  it('reads a lone word of praise after a complaint as sarcasm', () => {
    expect(label('The app crashed again. Great.')).toBe('negative');
    expect(label('Lost all my data. Perfect...')).toBe('negative');
    expect(label('The export works now. Great.')).toBe('positive');
    expect(label('Good morning. Great.')).toBe('positive');
  });

  it('reads praise of something missing as a complaint', () => {
    expect(label('A dark mode would have been nice.')).toBe('negative');
    expect(label('It would be great if the export kept the formatting.')).toBe('negative');
    expect(label('Folders would be much better.')).toBe('negative');
    expect(label('It would be nice to have keyboard shortcuts.')).toBe('negative');
    // Looking forward is not a complaint.
    expect(label('That would be great!')).toBe('positive');
    expect(label('That would be super')).toBe('positive');
    expect(label('It should be good for our team.')).toBe('positive');
  });

  it('reads "an issue" as a problem, and its negation as reassurance (1.2.0)', () => {
    expect(label('There is an issue with the sync')).toBe('negative');
    expect(label("Sync hasn't been an issue")).toBe('positive');
    expect(score('The May issue is out')).toBe(0);
    expect(score('an issue of the magazine')).toBe(0);
  });

  it('knows everyday complaint words of feedback', () => {
    expect(label('The app is slow')).toBe('negative');
    expect(label('Pages load slowly since the update')).toBe('negative');
    expect(label('What the hell happened to the search?')).toBe('negative');
    expect(label('We learned that the hard way')).toBe('negative');
    expect(label('The new version is productive')).toBe('positive');
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
    // Words it cannot read are not enthusiasm either, exclaimed or not.
    const exclaimed = await analyzer.analyze({ text: 'Das ist nicht gut!', analysis: { language: german }, record: {} as never }, { signal });
    expect(exclaimed.sentiment?.score).toBe(0);
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
