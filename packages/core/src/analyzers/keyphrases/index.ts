/**
 * @module @tributary/core/analyzers/keyphrases
 * Built-in keyphrase and topic analyzer for English. Keyphrases are the noun phrases of a text
 * (1–3 words between stopwords and punctuation, lower case, plurals made singular, numbers, URLs and
 * e-mail addresses left out), scored by frequency, position and length. Topics are the best of them
 * reduced to a canonical key, so the same theme groups across records however it is worded:
 * "file uploads", "uploading files" and "upload of files" are all the topic `file upload`.
 *
 * No part-of-speech tagger and no dictionary: word lists and suffix rules written for this project
 * (see `words.ts` and `lemma.ts`). Pure and synchronous, no I/O.
 */
import { defineAnalyzer, type Analyzer } from '../../analysis/index.js';
import type { Analysis } from '../../record/schema.js';
import { extractKeyphrases as extract, type Keyphrase } from './extract.js';

export interface KeyphraseOptions {
  /**
   * Keyphrases kept per record, best first.
   * @default 10
   */
  maxKeyphrases?: number;
  /**
   * Topics kept per record, best first.
   * @default 3
   */
  maxTopics?: number;
  /**
   * What to do when the text is not English, as found by an earlier analyzer (`analysis.language`,
   * confidence ≥ 0.5) or declared by the source (`record.language`): `'skip'` writes no keyphrases
   * and no topics (English stopwords would cut another language into nonsense phrases);
   * `'extract'` extracts anyway.
   * @default 'skip'
   */
  otherLanguages?: 'skip' | 'extract';
}

/** Keyphrases and topics of one text. */
export interface KeyphraseResult {
  keyphrases: Keyphrase[];
  /** Canonical topic keys, best first. */
  topics: string[];
}

/** Bump when results change, so stored records are re-analyzed. */
export const KEYPHRASE_ANALYZER_VERSION = '1.0.1';

/**
 * Extracts keyphrases and topics from one text, for callers outside the pipeline.
 * @example extractKeyphrases('Uploading files fails. File uploads are slow.').topics // ['file upload']
 */
export function extractKeyphrases(text: string, options: Pick<KeyphraseOptions, 'maxKeyphrases' | 'maxTopics'> = {}): KeyphraseResult {
  return extract(text, settingsOf(options));
}

function settingsOf(options: KeyphraseOptions) {
  return { maxKeyphrases: Math.max(0, options.maxKeyphrases ?? 10), maxTopics: Math.max(0, options.maxTopics ?? 3) };
}

/** Creates the keyphrase analyzer. It writes `analysis.keyphrases` and `analysis.topics`. */
export function createKeyphraseAnalyzer(options: KeyphraseOptions = {}): Analyzer {
  const settings = settingsOf(options);
  const otherLanguages = options.otherLanguages ?? 'skip';
  return defineAnalyzer({
    name: 'keyphrases',
    version: KEYPHRASE_ANALYZER_VERSION,
    provides: ['keyphrases', 'topics'],
    analyze({ text, analysis, record }): Partial<Analysis> {
      if (otherLanguages === 'skip' && !isEnglish(analysis, record?.language)) return { keyphrases: [], topics: [] };
      const { keyphrases, topics } = extract(text, settings);
      return { keyphrases: keyphrases.map(({ phrase, score }) => ({ phrase, score })), topics };
    },
  });
}

/** English, or not known to be something else. */
function isEnglish(analysis: Analysis, declared: string | undefined): boolean {
  const detected = analysis.language && analysis.language.confidence >= 0.5 ? analysis.language.code : undefined;
  const code = (detected ?? declared ?? 'und').toLowerCase();
  return code === 'und' || code === 'en' || code.startsWith('en-');
}

/** The keyphrase analyzer with default options. */
export const keyphraseAnalyzer: Analyzer = createKeyphraseAnalyzer();

export type { Keyphrase };
