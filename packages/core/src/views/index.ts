/**
 * @module @tributary/core/views
 * Renderings of a record in the layouts of the design seeds: seed 001's parsed feedback layout and
 * seed 003's value record. Views are read-only projections; the record stays the source of truth.
 */
import { createError } from '../errors/index.js';
import { int64Identifier } from '../record/ids.js';
import type { Measurement, TributaryRecord } from '../record/schema.js';
import { languageName } from './language-names.js';

export { LANGUAGE_NAMES, languageName } from './language-names.js';

/** Seed 001's parsed layout of a feedback item. */
export interface Seed001View {
  /** Signed 64-bit id derived from the record id, as a decimal string (JSON numbers cannot hold it). */
  unique_identifier: string;
  core_attributes: {
    /** Language by English name, e.g. "English"; null when undetermined. */
    language: string | null;
    tenant_info: string;
    /** The item type in PascalCase, e.g. "DiscoursePost". */
    source_info: string;
    source_id: string;
  };
  review_attributes: Record<string, unknown>;
  conversation_attributes: Record<string, unknown> & {
    sentiment_type?: 'positive' | 'negative' | 'neutral';
    /** Sentiment on seed 001's integer scale, -10 to 10 (the record's score × 10, rounded). */
    sentiment_score?: number;
  };
  metadata_attributes: Record<string, unknown>;
  user_attributes: {
    email: string | null;
    feedback_platform_user_id: string | number | null;
    username?: string | null;
  };
  context_info: {
    timestamp: string;
    url?: string | null;
  };
}

/** `discourse.post` → `DiscoursePost`. */
export function pascalCaseItemType(itemType: string): string {
  return itemType
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}

/** Renders a record in seed 001's parsed layout. */
export function toSeed001View(record: TributaryRecord): Seed001View {
  const sentiment = record.analysis.sentiment;
  const language = record.analysis.language?.code ?? record.language;
  return {
    unique_identifier: int64Identifier(record.id),
    core_attributes: {
      language: languageName(language),
      tenant_info: record.workspaceId,
      source_info: pascalCaseItemType(record.itemType),
      source_id: record.sourceId,
    },
    review_attributes: { ...record.attributes.review },
    conversation_attributes: {
      ...record.attributes.conversation,
      ...(sentiment ? { sentiment_type: sentiment.label, sentiment_score: Math.round(sentiment.score * 10) } : {}),
    },
    metadata_attributes: { ...record.attributes.metadata },
    user_attributes: {
      email: record.author?.email ?? null,
      feedback_platform_user_id: record.author?.platformUserId ?? null,
      ...(record.author?.username !== undefined ? { username: record.author.username } : {}),
    },
    context_info: {
      timestamp: record.occurredAt,
      ...(record.content?.url !== undefined ? { url: record.content.url } : {}),
    },
  };
}

/** Seed 003's record format. */
export type Seed003View = Measurement;

/**
 * Renders a measurement record in seed 003's format.
 * @throws TributaryError `validation` when the record is not a measurement
 */
export function toSeed003View(record: TributaryRecord): Seed003View {
  if (!record.measurement) {
    throw createError('views', 'validation', `record ${record.id} is a ${record.kind} record, not a measurement`);
  }
  const m = record.measurement;
  return {
    recordId: m.recordId,
    time: m.time,
    sourceId: m.sourceId,
    destinationId: m.destinationId,
    type: m.type,
    value: m.value,
    unit: m.unit,
    reference: m.reference,
  };
}
