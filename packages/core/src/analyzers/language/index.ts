/**
 * @module @tributary/core/analyzers/language
 * Built-in language analyzer: ISO 639-1 code with a confidence, good on short texts (a post, a review,
 * one sentence). Writing systems used by one language decide at once (Greek, Hebrew, Thai, Hangul,
 * kana, Han, Devanagari, …); inside Latin, Cyrillic and Arabic script, character trigram profiles, very
 * frequent words and letters particular to some languages decide. Pure and synchronous, no I/O;
 * the profiles are indexed on first use.
 *
 * Data: trigram profiles from the npm package `trigrams` 5.2.0 (MIT; counts over the Universal
 * Declaration of Human Rights translations), see `trigram-profiles.ts`; frequent-word lists written for
 * this project, see `common-words.ts`.
 */
import { defineAnalyzer, type Analyzer } from '../../analysis/index.js';
import type { Analysis } from '../../record/schema.js';
import { detect, type Detection } from './detect.js';
import { TRIGRAM_PROFILES } from './trigram-profiles.js';
import { SINGLE_LANGUAGE_SCRIPTS } from './scripts.js';

export interface LanguageOptions {
  /**
   * Only ever answer one of these ISO 639-1 codes (or `und`). Narrowing to the languages you expect
   * makes short texts more reliable.
   * @example ['en', 'de', 'fr']
   */
  languages?: readonly string[];
  /**
   * Texts with fewer letters than this are `und` (an ideograph counts as three letters, a Hangul or Thai
   * letter as two).
   * @default 3
   */
  minLetters?: number;
  /**
   * Answers below this confidence become `und`.
   * @default 0.2
   */
  minConfidence?: number;
}

export interface LanguageResult {
  /** ISO 639-1 code, or `und` when undetermined. */
  code: string;
  /** 0..1. */
  confidence: number;
}

/** Bump when results change, so stored records are re-analyzed. */
export const LANGUAGE_ANALYZER_VERSION = '1.0.1';

/** The ISO 639-1 codes the analyzer can return (besides `und`). */
export const SUPPORTED_LANGUAGES: readonly string[] = [...new Set([...Object.keys(TRIGRAM_PROFILES), ...Object.values(SINGLE_LANGUAGE_SCRIPTS), 'ja', 'zh'])].sort();

/**
 * Creates a plain detection function with the analyzer's rules, for callers outside the pipeline.
 * `alternatives` lists the runner-up languages where the script is shared.
 * @example createLanguageDetector()('¿Dónde está la estación?') // { code: 'es', confidence: 0.8, alternatives: [...] }
 */
export function createLanguageDetector(options: LanguageOptions = {}): (text: string) => Detection {
  const settings = {
    only: options.languages ? new Set(options.languages) : undefined,
    minLetters: options.minLetters ?? 3,
    minConfidence: options.minConfidence ?? 0.2,
  };
  return (text) => detect(text, settings);
}

let defaultDetector: ((text: string) => Detection) | undefined;

/** Detects the language of one text with the default options. */
export function detectLanguage(text: string): LanguageResult {
  defaultDetector ??= createLanguageDetector();
  const { code, confidence } = defaultDetector(text);
  return { code, confidence };
}

/** Creates the language analyzer. It writes `analysis.language`. */
export function createLanguageAnalyzer(options: LanguageOptions = {}): Analyzer {
  const detector = createLanguageDetector(options);
  return defineAnalyzer({
    name: 'language',
    version: LANGUAGE_ANALYZER_VERSION,
    provides: ['language'],
    analyze({ text }): Partial<Analysis> {
      const { code, confidence } = detector(text);
      return { language: { code, confidence } };
    },
  });
}

/** The language analyzer with default options. */
export const languageAnalyzer: Analyzer = createLanguageAnalyzer();

export type { Detection as LanguageDetection };
