/**
 * @module @tributary/core/analyzers/moderation
 * Built-in moderation analyzer: toxicity (insults, profanity, slurs, threats and hate phrases, with
 * obfuscation such as "f*ck", "sh1t" and "f u c k" undone), a profanity flag, and personal data found
 * in the text (e-mail addresses, phone numbers, payment card numbers with a Luhn check, IBANs with
 * their checksum, IPv4 addresses), counted by kind.
 *
 * Redaction: an analyzer only writes analysis, so with `redact: true` the analyzer marks the record
 * (`analysis.moderation.redacted: true`) and the pipeline rewrites the content with
 * {@link redactRecord} before storing it. {@link redactPersonalData} redacts a plain string.
 *
 * The lexicon is English and written for this project (see `lexicon.ts`). Pure and synchronous, no I/O.
 */
import { defineAnalyzer, type Analyzer } from '../../analysis/index.js';
import type { Analysis } from '../../record/schema.js';
import { countPersonalData, findPersonalData, type PersonalDataKind } from './personal-data.js';
import { scoreToxicity } from './toxicity.js';

export interface ModerationOptions {
  /**
   * Toxicity at or above which a text is flagged.
   * @default 0.5
   */
  threshold?: number;
  /**
   * Flag any text with profanity, whatever its toxicity.
   * @default false
   */
  flagProfanity?: boolean;
  /**
   * Flag any text with personal data in it.
   * @default false
   */
  flagPersonalData?: boolean;
  /**
   * Personal data kinds to look for.
   * @default ['email', 'phone', 'credit_card', 'iban', 'ipv4']
   */
  personalData?: readonly PersonalDataKind[];
  /**
   * Ask for the personal data to be redacted before storage: the analyzer sets
   * `analysis.moderation.redacted` to true when it found some (false when it found none), and the
   * pipeline applies {@link redactRecord}.
   * @default false
   */
  redact?: boolean;
}

/** What the moderation analyzer finds in one text. */
export interface ModerationResult {
  flagged: boolean;
  /** 0..1. */
  toxicity: number;
  profanity: boolean;
  /** Kinds found, with how many of each. */
  personalData: { kind: PersonalDataKind; count: number }[];
  /** Set when `redact` is on: whether there is personal data to redact. */
  redacted?: boolean;
}

/** Bump when results change, so stored records are re-analyzed. */
export const MODERATION_ANALYZER_VERSION = '1.0.1';

/**
 * Creates a plain moderation function with the analyzer's rules, for callers outside the pipeline.
 * @example createModerator()('you are an idiot, mail me at jo@example.com')
 * // { flagged: true, toxicity: 0.75, profanity: false, personalData: [{ kind: 'email', count: 1 }] }
 */
export function createModerator(options: ModerationOptions = {}): (text: string) => ModerationResult {
  const threshold = options.threshold ?? 0.5;
  const kinds = options.personalData ? new Set(options.personalData) : undefined;
  return (text) => {
    const { toxicity, profanity } = scoreToxicity(text);
    const personalData = countPersonalData(findPersonalData(text).filter((m) => !kinds || kinds.has(m.kind)));
    const flagged = toxicity >= threshold || (!!options.flagProfanity && profanity) || (!!options.flagPersonalData && personalData.length > 0);
    return { flagged, toxicity, profanity, personalData, ...(options.redact ? { redacted: personalData.length > 0 } : {}) };
  };
}

let defaultModerator: ((text: string) => ModerationResult) | undefined;

/** Moderates one text with the default options. */
export function moderate(text: string): ModerationResult {
  defaultModerator ??= createModerator();
  return defaultModerator(text);
}

/** Creates the moderation analyzer. It writes `analysis.moderation`. */
export function createModerationAnalyzer(options: ModerationOptions = {}): Analyzer {
  const check = createModerator(options);
  return defineAnalyzer({
    name: 'moderation',
    version: MODERATION_ANALYZER_VERSION,
    provides: ['moderation'],
    analyze({ text }): Partial<Analysis> {
      return { moderation: check(text) };
    },
  });
}

/** The moderation analyzer with default options (no redaction). */
export const moderationAnalyzer: Analyzer = createModerationAnalyzer();

export { findPersonalData, redactPersonalData, defaultPlaceholder, type PersonalDataKind, type PersonalDataMatch, type RedactionPlaceholder } from './personal-data.js';
export { redactJson, redactRecord, type RedactRecordOptions } from './redact-record.js';
export { scoreToxicity, type ToxicityHit, type ToxicityResult } from './toxicity.js';
export { luhnValid, ibanValid } from './checksums.js';
