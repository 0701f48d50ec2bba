import type { TributaryRecord } from '../../record/schema.js';
import { redactPersonalData, type PersonalDataKind, type RedactionPlaceholder } from './personal-data.js';

/** Options of {@link redactRecord}. */
export interface RedactRecordOptions {
  /** @default `[email]`, `[phone]`, … */
  placeholder?: RedactionPlaceholder;
  /** Kinds to redact. @default all */
  kinds?: readonly PersonalDataKind[];
}

/**
 * Returns the record with the personal data in its content (title, text and HTML) replaced by
 * placeholders, and `analysis.moderation.redacted` set when anything was replaced. Pure.
 *
 * `contentHash` is kept: it identifies the version of the item at its source, so the next delivery
 * of the same item is still recognised as unchanged (and redacted again only if it changed). The
 * hash is one-way, so keeping it stores nothing readable. Author fields are left alone: they identify
 * the author on purpose and are governed by the source's own settings.
 *
 * @example
 * ```ts
 * const analyzed = await analyzeRecord(record, analyzers);
 * const stored = analyzed.analysis.moderation?.redacted ? redactRecord(analyzed) : analyzed;
 * ```
 */
export function redactRecord(record: TributaryRecord, options: RedactRecordOptions = {}): TributaryRecord {
  const content = record.content;
  if (!content) return record;
  const next = { ...content };
  let changed = false;
  for (const key of ['title', 'text', 'html'] as const) {
    const value = content[key];
    if (typeof value !== 'string') continue;
    const redacted = redactPersonalData(value, options);
    if (redacted !== value) {
      next[key] = redacted;
      changed = true;
    }
  }
  if (!changed) return record;
  const moderation = record.analysis.moderation ?? { flagged: false, toxicity: 0, profanity: false, personalData: [] };
  return { ...record, content: next, analysis: { ...record.analysis, moderation: { ...moderation, redacted: true } } };
}

/**
 * Redacts the personal data in every string inside a JSON value (object keys are left alone), for
 * what is stored besides the record, such as the raw payload it was parsed from. Pure; returns the
 * very same value when nothing was redacted.
 */
export function redactJson<T>(value: T, options: RedactRecordOptions = {}): T {
  if (typeof value === 'string') return redactPersonalData(value, options) as T;
  if (Array.isArray(value)) {
    const items = value.map((item) => redactJson(item, options));
    return (items.some((item, i) => item !== value[i]) ? items : value) as T;
  }
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const entries = Object.entries(value).map(([k, v]) => [k, redactJson(v, options)] as const);
    return (entries.some(([k, v]) => v !== (value as Record<string, unknown>)[k]) ? Object.fromEntries(entries) : value) as T;
  }
  return value;
}
