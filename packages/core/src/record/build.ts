import { fromZodError } from '../errors/index.js';
import { canonicalJson } from './canonical-json.js';
import { recordId, sha256Hex } from './ids.js';
import {
  RECORD_SCHEMA_VERSION,
  RecordDraftSchema,
  TributaryRecordSchema,
  ValueRecordInputSchema,
  type ComponentVersion,
  type RecordDraft,
  type TributaryRecord,
  type ValueRecordInput,
} from './schema.js';

/**
 * Hash of the parts of a record that say what the item *is*. Metadata attributes (view counters,
 * scores) and timestamps of receipt are left out on purpose: they change without the item being
 * edited, and must not create a new revision on every pull.
 */
export function contentHashOf(record: Pick<TributaryRecord, 'kind' | 'itemType' | 'occurredAt' | 'language' | 'author' | 'content' | 'attributes' | 'measurement' | 'tags'>): string {
  return `sha256:${sha256Hex(
    canonicalJson({
      kind: record.kind,
      itemType: record.itemType,
      occurredAt: record.occurredAt,
      language: record.language,
      author: record.author,
      content: record.content,
      review: record.attributes?.review,
      conversation: record.attributes?.conversation,
      measurement: record.measurement,
      tags: record.tags,
    }),
  )}`;
}

/** Where a draft came from, needed to turn it into a record. */
export interface RecordOrigin {
  workspaceId: string;
  sourceId: string;
  connector: ComponentVersion;
  rawId?: string;
  /** When Tributary received the item. @default now */
  receivedAt?: string | Date;
  /** @default now */
  parsedAt?: string | Date;
}

/** `2026-01-01T10:00:00+02:00` → `2026-01-01T08:00:00.000Z`. */
export function canonicalTime(value: string): string {
  return new Date(value).toISOString();
}

const iso = (v: string | Date | undefined): string => (v === undefined ? new Date().toISOString() : typeof v === 'string' ? v : v.toISOString());

/**
 * Turns a connector's draft into a validated record: derives the id and content hash and records
 * provenance. The result has revision 1 and no analysis; storage raises the revision on edits.
 * @throws TributaryError `validation` naming the offending field
 */
export function buildRecord(draft: RecordDraft, origin: RecordOrigin): TributaryRecord {
  const parsed = RecordDraftSchema.safeParse(draft);
  if (!parsed.success) throw fromZodError('record', 'record draft', parsed.error);
  const d = parsed.data;
  const base = {
    kind: d.kind,
    itemType: d.itemType,
    // One canonical form (UTC, milliseconds), so stored times sort and compare as strings everywhere.
    occurredAt: canonicalTime(d.occurredAt),
    language: d.language,
    author: d.author,
    content: d.content,
    attributes: { review: d.attributes?.review ?? {}, conversation: d.attributes?.conversation ?? {}, metadata: d.attributes?.metadata ?? {} },
    measurement: d.measurement,
    tags: d.tags ?? [],
  };
  const record = {
    schemaVersion: RECORD_SCHEMA_VERSION,
    id: recordId(origin.workspaceId, origin.sourceId, d.externalId),
    workspaceId: origin.workspaceId,
    sourceId: origin.sourceId,
    externalId: d.externalId,
    ...base,
    sourceUpdatedAt: d.sourceUpdatedAt === undefined ? undefined : canonicalTime(d.sourceUpdatedAt),
    receivedAt: canonicalTime(iso(origin.receivedAt)),
    contentHash: contentHashOf(base),
    revision: 1,
    rawId: origin.rawId,
    analysis: {},
    provenance: { connector: origin.connector, analyzers: [], parsedAt: iso(origin.parsedAt) },
  };
  return parseRecord(record);
}

/**
 * Validates a record (for example one read back from storage or received over HTTP).
 * @throws TributaryError `validation` naming the offending field
 */
export function parseRecord(input: unknown): TributaryRecord {
  const parsed = TributaryRecordSchema.safeParse(input);
  if (!parsed.success) throw fromZodError('record', 'record', parsed.error);
  return parsed.data;
}

/**
 * Turns seed 003's record format into a draft. The draft's external id is the `recordId`, so the
 * same record sent twice is one record.
 * @throws TributaryError `validation` naming the offending field
 */
export function draftFromValueRecord(input: ValueRecordInput): RecordDraft {
  const parsed = ValueRecordInputSchema.safeParse(input);
  if (!parsed.success) throw fromZodError('record', 'value record', parsed.error);
  const m = parsed.data;
  return {
    externalId: m.recordId,
    kind: 'measurement',
    itemType: 'value.record',
    occurredAt: m.time,
    measurement: m,
  };
}
