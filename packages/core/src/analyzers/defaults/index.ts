/**
 * @module @tributary/core/analyzers/defaults
 * The built-in analyzers, in the order they must run: language first (the others read it to skip or
 * soften what they cannot do in other languages), sentiment (category reads it), keyphrases and
 * topics, category, moderation. No configuration and no network needed.
 */
import type { Analyzer } from '../../analysis/index.js';
import { createCategoryAnalyzer, type CategoryOptions } from '../category/index.js';
import { createKeyphraseAnalyzer, type KeyphraseOptions } from '../keyphrases/index.js';
import { createLanguageAnalyzer, type LanguageOptions } from '../language/index.js';
import { createModerationAnalyzer, type ModerationOptions } from '../moderation/index.js';
import { createSentimentAnalyzer, type SentimentOptions } from '../sentiment/index.js';

/** Options of each built-in analyzer; `false` leaves one out. */
export interface DefaultAnalyzersOptions {
  language?: LanguageOptions | false;
  sentiment?: SentimentOptions | false;
  keyphrases?: KeyphraseOptions | false;
  category?: CategoryOptions | false;
  /** @example { redact: true } to have personal data redacted before storage */
  moderation?: ModerationOptions | false;
}

/**
 * The built-in analyzers: language, sentiment, keyphrases, category, moderation, in that order.
 * @example createPipeline({ …, analyzers: defaultAnalyzers() })
 * @example defaultAnalyzers({ language: { languages: ['en', 'de'] }, moderation: { redact: true } })
 */
export function defaultAnalyzers(options: DefaultAnalyzersOptions = {}): Analyzer[] {
  const pick = <T>(value: T | false | undefined): T | undefined => (value === false ? undefined : (value ?? ({} as T)));
  const steps: (Analyzer | undefined)[] = [
    use(pick(options.language), createLanguageAnalyzer),
    use(pick(options.sentiment), createSentimentAnalyzer),
    use(pick(options.keyphrases), createKeyphraseAnalyzer),
    use(pick(options.category), createCategoryAnalyzer),
    use(pick(options.moderation), createModerationAnalyzer),
  ];
  return steps.filter((a): a is Analyzer => a !== undefined);
}

function use<T>(options: T | undefined, create: (options: T) => Analyzer): Analyzer | undefined {
  return options === undefined ? undefined : create(options);
}
