import { describe, expect, it } from 'vitest';
import { AnalysisSchema, type Analysis } from '@tributary/core/record';
import { createKeyphraseAnalyzer, extractKeyphrases, keyphraseAnalyzer } from '@tributary/core/analyzers/keyphrases';

const topics = (text: string) => extractKeyphrases(text).topics;
const phrases = (text: string) => extractKeyphrases(text).keyphrases.map((k) => k.phrase);
const signal = new AbortController().signal;

describe('keyphrases: topics group one theme however it is worded', () => {
  it.each([
    'File uploads keep failing.',
    'Uploading files is broken.',
    'The upload of files is broken since yesterday.',
    'Please fix file upload!',
    'I cannot upload files anymore.',
    'Any update on the file upload issue?',
  ])('%s → file upload', (text) => {
    expect(topics(text)[0]).toBe('file upload');
  });

  it('lemmatizes plurals and -ing forms', () => {
    expect(topics('Crashes everywhere.')).toEqual(['crash']);
    expect(topics('It keeps crashing.')).toEqual(['crash']);
    expect(topics('Exporting data to CSV')).toContain('data export');
    expect(topics('data exports')).toEqual(['data export']);
    expect(topics('categories and replies')).toEqual(['category', 'reply']);
  });

  it('keeps -ing nouns and compounds whose head is modified', () => {
    expect(topics('The shipping costs are way too high.')).toEqual(['shipping cost']);
    expect(topics('The upload button is hidden.')).toEqual(['upload button']);
    expect(topics('Billing issues again.')).toEqual(['billing']);
    expect(topics('The speed of uploading is terrible.')).toEqual(['upload speed']);
  });

  it('reads phrasal verbs as one word', () => {
    expect(topics('I cannot log in with Google.')[0]).toBe('login');
    expect(topics('Login problems since Monday')[0]).toBe('login');
    expect(topics('Signing in fails')[0]).toBe('login');
  });

  it('drops vague quantities before "of"', () => {
    expect(topics('Lots of crashes after the update. The number of crashes is insane.')[0]).toBe('crash');
  });
});

describe('keyphrases: extraction', () => {
  it('splits at stopwords and punctuation, never across a sentence', () => {
    const result = phrases('I love the dark mode, but the app crashes when I open settings.');
    expect(result).toContain('dark mode');
    expect(result).toContain('app crash');
    expect(result).toContain('setting');
    expect(result.some((p) => p.includes('mode app'))).toBe(false);
  });

  it('leaves out numbers, URLs, e-mail addresses, mentions and code', () => {
    const result = phrases('Version 2.3.1 on iPhone 12: see https://example.com/x, mail bob@example.com, ping @alice, TypeError at app.render()');
    expect(result.join(' ')).not.toMatch(/\d|example|bob|alice|render/);
    expect(result).toContain('iphone');
  });

  it('drops evaluative words, verbs and past participles at the end of a phrase', () => {
    expect(phrases('Great app, awesome support team!')).toEqual(['support team']);
    expect(phrases('The payment failed.')).toEqual(['payment']);
    expect(phrases('Sync is slow')).toEqual(['sync']);
    expect(phrases('detailed reports')).toEqual(['detailed report']);
  });

  it('prefers a longer phrase to the words inside it', () => {
    const result = extractKeyphrases('Dark mode please. The dark mode toggle is hidden.').keyphrases;
    expect(result[0]!.phrase).toBe('dark mode');
    expect(result.map((k) => k.phrase)).not.toContain('dark');
  });

  it('scores by frequency, position and length', () => {
    const [first, second] = extractKeyphrases('Notifications are late. Notifications are missing. Also the logo.').keyphrases;
    expect(first!.phrase).toBe('notification');
    expect(second!.phrase).toBe('logo');
    expect(first!.score).toBeGreaterThan(second!.score);
  });

  it('is deterministic and honours the limits', () => {
    const text = 'Calendar sync, export to PDF, dark mode, offline mode, keyboard shortcuts, widgets, reminders, tags, labels, filters, templates and search.';
    expect(extractKeyphrases(text)).toEqual(extractKeyphrases(text));
    expect(extractKeyphrases(text).keyphrases).toHaveLength(10);
    expect(extractKeyphrases(text, { maxKeyphrases: 2, maxTopics: 1 })).toMatchObject({ keyphrases: [{}, {}], topics: [expect.any(String)] });
  });

  it('returns nothing for empty or stopword-only text', () => {
    expect(extractKeyphrases('')).toEqual({ keyphrases: [], topics: [] });
    expect(extractKeyphrases('It is what it is, and so on.')).toEqual({ keyphrases: [], topics: [] });
  });

  it('is fast (a guard against runaway patterns; bench/analyzers.ts measures speed)', () => {
    const docs = Array.from({ length: 2000 }, (_, i) => `Doc ${i}: the export of reports to Excel fails when the file upload is larger than ${i} MB, please fix the sync.`);
    for (const d of docs.slice(0, 200)) extractKeyphrases(d);
    const started = performance.now();
    for (const d of docs) extractKeyphrases(d);
    const perSecond = docs.length / ((performance.now() - started) / 1000);
    // Far below the ≥ 5,000/s the bench measures, so a loaded machine does not fail it.
    expect(perSecond).toBeGreaterThan(1000);
  });
});

describe('keyphrases analyzer', () => {
  const record = { language: undefined } as never;

  it('writes keyphrases and topics that fit the analysis schema', async () => {
    const out = await keyphraseAnalyzer.analyze({ text: 'Uploading files fails. File uploads are slow.', analysis: {}, record }, { signal });
    expect(out.topics).toEqual(['file upload']);
    expect(out.keyphrases?.map((k) => k.phrase)).toEqual(['file', 'uploading file', 'file upload']);
    expect(out.keyphrases?.[0]).toEqual({ phrase: 'file', score: expect.any(Number) });
    expect(AnalysisSchema.parse(out)).toEqual(out);
    expect(keyphraseAnalyzer).toMatchObject({ name: 'keyphrases', version: '1.0.1', provides: ['keyphrases', 'topics'] });
  });

  it('skips text in another language unless told to extract', async () => {
    const analysis: Analysis = { language: { code: 'de', confidence: 0.9 } };
    const text = 'Der Datei-Upload funktioniert nicht';
    expect(await keyphraseAnalyzer.analyze({ text, analysis, record }, { signal })).toEqual({ keyphrases: [], topics: [] });
    const anyway = await createKeyphraseAnalyzer({ otherLanguages: 'extract' }).analyze({ text, analysis, record }, { signal });
    expect(anyway.keyphrases?.length).toBeGreaterThan(0);
    expect(await keyphraseAnalyzer.analyze({ text: 'File upload broken', analysis: {}, record: { language: 'fr' } as never }, { signal })).toEqual({ keyphrases: [], topics: [] });
  });
});

describe('keyphrases: topics of whole reports', () => {
  it.each<[string, string[]]>([
    ['File upload crashes\nSince the last update, uploading files crashes the app every time.', ['file upload', 'crash']],
    ['Sync error on Android. The sync fails every night since 3.2.', ['sync', 'android']],
    ['The app crashes constantly.', ['app crash']],
    ['Login issues: I get a login error whenever I sign in with Google.', ['login', 'google']],
  ])('%s', (text, expected) => {
    expect(topics(text)).toEqual(expected);
  });
});
