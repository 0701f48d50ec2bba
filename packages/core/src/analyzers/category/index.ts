/**
 * @module @tributary/core/analyzers/category
 * Built-in category analyzer for English feedback: `bug_report`, `feature_request`, `question`,
 * `complaint`, `praise` or `other`, with a confidence. Rules and cue phrases ("steps to reproduce",
 * "it would be great if", "how do I", "waste of money", "thank you"), stack traces and error names,
 * question marks, and the sentiment found by the sentiment analyzer when it ran before (it should:
 * praise and complaint are told apart mostly by sentiment). Pure and synchronous, no I/O.
 *
 * Cue phrases written for this project; see `cues.ts`.
 */
import { defineAnalyzer, type Analyzer } from '../../analysis/index.js';
import type { Analysis, CategoryLabel } from '../../record/schema.js';
import { classify, type Classification } from './classify.js';

export interface CategoryOptions {
  /**
   * Evidence another category needs to beat `other`. Raise it to label fewer texts, lower it to
   * label more.
   * @default 1.5
   */
  otherScore?: number;
  /**
   * What to do when the text is not English (the cues are English), as found by an earlier analyzer
   * (`analysis.language`, confidence ≥ 0.5) or declared by the source (`record.language`): `'sentiment'`
   * decides between praise, complaint and other from sentiment and question marks only, with a lower
   * confidence; `'classify'` applies the English cues anyway.
   * @default 'sentiment'
   */
  otherLanguages?: 'sentiment' | 'classify';
}

/** The category of one text. */
export interface CategoryResult {
  label: CategoryLabel;
  /** 0..1. */
  confidence: number;
}

/** Bump when results change, so stored records are re-analyzed. */
export const CATEGORY_ANALYZER_VERSION = '1.2.0';

/**
 * Creates a plain classification function with the analyzer's rules, for callers outside the
 * pipeline. Pass the sentiment score (-1..1) when you have it.
 * @example createCategoryClassifier()('Please add a dark mode!') // { label: 'feature_request', confidence: 0.83, scores: {…} }
 */
export function createCategoryClassifier(options: CategoryOptions = {}): (text: string, signals?: { sentiment?: number }) => Classification {
  const settings = { otherScore: options.otherScore ?? 1.5 };
  return (text, signals = {}) => classify(text, signals, settings);
}

let defaultClassifier: ((text: string, signals?: { sentiment?: number }) => Classification) | undefined;

/** Classifies one text with the default options. */
export function classifyCategory(text: string, signals: { sentiment?: number } = {}): CategoryResult {
  defaultClassifier ??= createCategoryClassifier();
  const { label, confidence } = defaultClassifier(text, signals);
  return { label, confidence };
}

/**
 * Creates the category analyzer. It writes `analysis.category`, and reads `analysis.sentiment` when an
 * earlier analyzer wrote it.
 */
export function createCategoryAnalyzer(options: CategoryOptions = {}): Analyzer {
  const classifier = createCategoryClassifier(options);
  const otherLanguages = options.otherLanguages ?? 'sentiment';
  return defineAnalyzer({
    name: 'category',
    version: CATEGORY_ANALYZER_VERSION,
    provides: ['category'],
    analyze({ text, analysis, record }): Partial<Analysis> {
      const sentiment = analysis.sentiment?.score;
      if (otherLanguages === 'sentiment' && foreign(analysis, record?.language)) return { category: bySentiment(text, sentiment) };
      const { label, confidence } = classifier(text, { sentiment });
      return { category: { label, confidence } };
    },
  });
}

/** The category analyzer with default options. */
export const categoryAnalyzer: Analyzer = createCategoryAnalyzer();

function foreign(analysis: Analysis, declared: string | undefined): boolean {
  const detected = analysis.language && analysis.language.confidence >= 0.5 ? analysis.language.code : undefined;
  const code = (detected ?? declared ?? 'und').toLowerCase();
  return code !== 'und' && code !== 'en' && !code.startsWith('en-');
}

/** Without language cues: a question mark, else the sentiment's sign, at half confidence. */
function bySentiment(text: string, sentiment: number | undefined): CategoryResult {
  if (/[?？¿]/.test(text)) return { label: 'question', confidence: 0.4 };
  if (sentiment !== undefined && sentiment >= 0.3) return { label: 'praise', confidence: round(0.25 + sentiment / 4) };
  if (sentiment !== undefined && sentiment <= -0.3) return { label: 'complaint', confidence: round(0.25 - sentiment / 4) };
  return { label: 'other', confidence: 0.3 };
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

export type { Classification as CategoryClassification };
