/**
 * @module api-records
 * Records sent to `POST /v1/workspaces/:ws/records` enter the pipeline like any push: as raw items
 * of an internal source of the workspace (id `api`), parsed by the connector below. Each entry is
 * either a uniform record draft (with its `externalId`) or seed 003's value record; entries are
 * validated one by one here, so a bad entry is refused with its index and fields while the good
 * ones of the same request go on.
 */
import { z } from 'zod';
import { defineConnector, type RawItem } from '@tributary/core/connector';
import { fromZodError, type FieldIssue } from '@tributary/core/errors';
import { draftFromValueRecord, RecordDraftSchema, ValueRecordInputSchema, type RecordDraft } from '@tributary/core/record';

/** Id of the internal source that holds API-ingested records, in every workspace. */
export const API_SOURCE_ID = 'api';
/** Name of the connector of that source (internal: users cannot create sources with it). */
export const API_CONNECTOR_NAME = 'api';
/** Item type of a seed 003 value record. */
export const VALUE_RECORD_ITEM_TYPE = 'value.record';
/** Most entries in one request. */
export const MAX_RECORDS_PER_REQUEST = 1000;

/** One entry of the records API: a uniform draft or a seed 003 value record. */
export const RecordEntrySchema = z.union([RecordDraftSchema.meta({ title: 'RecordDraft' }), ValueRecordInputSchema.meta({ title: 'ValueRecord (seed 003)' })]);

/** The body of the records API: one entry or `{ records: [...] }`. */
export const RecordsBodySchema = z.union([RecordEntrySchema, z.object({ records: z.array(RecordEntrySchema).min(1).max(MAX_RECORDS_PER_REQUEST) })]);

/** Which format an entry claims: seed 003's has `recordId` and no `externalId`. */
function isValueRecord(entry: Record<string, unknown>): boolean {
  return !('externalId' in entry) && ('recordId' in entry || 'destinationId' in entry);
}

/** The outcome of validating one entry. */
export type EntryResult = { ok: true; item: RawItem } | { ok: false; issues: FieldIssue[] };

/** Validates one entry and turns it into a raw item; issues name fields relative to the entry. */
export function entryToItem(entry: unknown): EntryResult {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return { ok: false, issues: [{ path: '', message: 'expected a record object' }] };
  if (isValueRecord(entry as Record<string, unknown>)) {
    const parsed = ValueRecordInputSchema.safeParse(entry);
    if (!parsed.success) return { ok: false, issues: fromZodError('api', 'value record', parsed.error).issues };
    return { ok: true, item: { externalId: parsed.data.recordId, itemType: VALUE_RECORD_ITEM_TYPE, payload: parsed.data } };
  }
  const parsed = RecordDraftSchema.safeParse(entry);
  if (!parsed.success) return { ok: false, issues: fromZodError('api', 'record', parsed.error).issues };
  return { ok: true, item: { externalId: parsed.data.externalId, itemType: parsed.data.itemType, payload: entry } };
}

/** The entries of a body: a lone record or the `records` array. */
export function entriesOf(body: unknown): { entries: unknown[]; batch: boolean } {
  if (typeof body === 'object' && body !== null && !Array.isArray(body) && 'records' in body) {
    const records = (body as { records: unknown }).records;
    return { entries: Array.isArray(records) ? records : [records], batch: true };
  }
  return { entries: [body], batch: false };
}

/** The internal connector of the `api` source: its items were validated on the way in. */
export const apiRecordsConnector = defineConnector<Record<string, never>>({
  name: API_CONNECTOR_NAME,
  version: '1.0.0',
  displayName: 'Records API',
  description: 'Records pushed to POST /v1/workspaces/:ws/records (uniform drafts or seed 003 value records).',
  configSchema: z.object({}).strict() as unknown as z.ZodType<Record<string, never>>,
  parse(item): RecordDraft[] {
    if (item.itemType === VALUE_RECORD_ITEM_TYPE) return [draftFromValueRecord(item.payload as z.input<typeof ValueRecordInputSchema>)];
    return [item.payload as RecordDraft];
  },
});
