import type { RawItem } from '@tributary/core/connector';
import { createError, fromZodError } from '@tributary/core/errors';
import { draftFromValueRecord, ValueRecordInputSchema, type RecordDraft } from '@tributary/core/record';
import { COMPONENT, VALUE_RECORD_ITEM_TYPE } from './errors.js';

/**
 * Turns a value record item into its measurement draft (`draftFromValueRecord`): the external id is
 * the `recordId`, so the record is idempotent on it.
 * @throws TributaryError `validation` naming each invalid field (`value: must be a decimal number…`)
 */
export function parseValueRecordItem(item: RawItem): RecordDraft[] {
  if (item.itemType !== VALUE_RECORD_ITEM_TYPE) {
    throw createError(COMPONENT, 'validation', `invalid item ${item.externalId} (itemType: expected "${VALUE_RECORD_ITEM_TYPE}", got "${item.itemType}")`, {
      issues: [{ path: 'itemType', message: `expected "${VALUE_RECORD_ITEM_TYPE}"` }],
    });
  }
  if (typeof item.payload === 'string') {
    throw createError(COMPONENT, 'validation', `invalid value record ${item.externalId} (entry: not a JSON object: ${JSON.stringify(item.payload.slice(0, 80))})`, {
      issues: [{ path: '', message: 'not a JSON object' }],
    });
  }
  const parsed = ValueRecordInputSchema.safeParse(item.payload);
  if (!parsed.success) throw fromZodError(COMPONENT, `value record ${item.externalId}`, parsed.error);
  return [draftFromValueRecord(parsed.data)];
}
