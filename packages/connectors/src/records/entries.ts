import type { RawItem } from '@tributary/core/connector';
import { createError, type FieldIssue } from '@tributary/core/errors';
import { ValueRecordInputSchema } from '@tributary/core/record';
import { contentId, isObject } from '../_mapping/index.js';
import { COMPONENT, VALUE_RECORD_ITEM_TYPE } from './errors.js';

/** An entry that is not a valid value record, with every problem named by its field. */
export interface RejectedEntry {
  /** Where the entry sits in the body: `records.2`, `2`, or `` for a body that is one record. */
  path: string;
  /** Its `recordId`, when it has a usable one. */
  recordId?: string;
  issues: FieldIssue[];
}

/** What {@link splitValueRecords} found in a body. */
export interface SplitValueRecords {
  /** One item per valid entry, idempotent on `recordId` (its external id). */
  accepted: RawItem[];
  /** Entries that are no valid value record, one per entry. */
  rejected: RejectedEntry[];
  /** Items for the rejected entries, for runtimes that report rejections in their parse stage. */
  rejectedItems: RawItem[];
}

/**
 * Splits a pushed body of seed 003 value records — one record, an array of them, or `{ records: [...] }`
 * — into items for the valid entries and a rejection per invalid one, naming its fields
 * (`records.2.value: must be a decimal number`). A bad entry never costs the valid ones beside it.
 * Hosts with their own records endpoint can answer with `rejected` directly.
 * @throws TributaryError `validation` when the body is none of those shapes
 * @example
 * ```ts
 * const { accepted, rejected } = splitValueRecords(await request.json());
 * await pipeline.ingest(workspaceId, sourceId, accepted);
 * return Response.json({ accepted: accepted.length, rejected }, { status: rejected.length ? 207 : 202 });
 * ```
 */
export function splitValueRecords(body: unknown): SplitValueRecords {
  const result: SplitValueRecords = { accepted: [], rejected: [], rejectedItems: [] };
  for (const { entry, path } of locate(body)) {
    const item = valueRecordItem(entry);
    const parsed = ValueRecordInputSchema.safeParse(entry);
    if (parsed.success) {
      result.accepted.push(item);
      continue;
    }
    const recordId = isObject(entry) && typeof entry.recordId === 'string' && entry.recordId ? entry.recordId : undefined;
    result.rejected.push({
      path,
      ...(recordId ? { recordId } : {}),
      issues: parsed.error.issues.map((issue) => ({ path: [path, ...issue.path.map(String)].filter(Boolean).join('.') || 'body', message: issue.message })),
    });
    result.rejectedItems.push(item);
  }
  return result;
}

/**
 * A value record as a raw item. Its external id is the `recordId`, so the same record pushed or
 * pulled twice is one record; an entry without one gets a hash of its content, only so its rejection
 * can be reported.
 */
export function valueRecordItem(entry: unknown): RawItem {
  const recordId = isObject(entry) && typeof entry.recordId === 'string' && entry.recordId.trim() ? entry.recordId : undefined;
  return {
    externalId: recordId ?? `invalid:${contentId(entry)}`,
    itemType: VALUE_RECORD_ITEM_TYPE,
    payload: entry,
  };
}

function locate(body: unknown): { entry: unknown; path: string }[] {
  if (Array.isArray(body)) return body.map((entry, i) => ({ entry, path: String(i) }));
  if (isObject(body) && Array.isArray(body.records)) return body.records.map((entry, i) => ({ entry, path: `records.${i}` }));
  if (isObject(body)) return [{ entry: body, path: '' }];
  throw createError(COMPONENT, 'validation', 'invalid records body (body: expected a value record, an array of them, or { "records": [...] })', {
    issues: [{ path: 'body', message: body === undefined ? 'the body is empty' : 'expected a value record, an array of them, or { "records": [...] }' }],
  });
}
