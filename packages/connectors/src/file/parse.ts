import type { ParseContext, RawItem } from '@tributary/core/connector';
import { createError, fromZodError } from '@tributary/core/errors';
import type { RecordDraft } from '@tributary/core/record';
import { applyMapping, USUAL_SHAPES } from '../_mapping/index.js';
import { COMPONENT } from './errors.js';
import { FILE_REJECTED_ITEM_TYPE, FileRejectedPayloadSchema, FileRowPayloadSchema, type FileConfig } from './schemas.js';

/**
 * Turns a row into a record draft through the mapping. A line that could not be read arrives as a
 * `file.rejected` item and is rejected here, with its line number, so the runtime reports it
 * (`record.rejected`) while the rows around it go on.
 * @throws TributaryError `validation` naming the line and each field that could not be read
 */
export function parseFileItem(item: RawItem, context: Pick<ParseContext<Pick<FileConfig, 'mapping'>>, 'config'>): RecordDraft[] {
  if (item.itemType === FILE_REJECTED_ITEM_TYPE) {
    const rejected = FileRejectedPayloadSchema.safeParse(item.payload);
    const line = rejected.success ? rejected.data.line : '?';
    const message = rejected.success ? rejected.data.error : 'unreadable line';
    throw createError(COMPONENT, 'validation', `line ${line}: ${message}`, { issues: [{ path: `lines.${line}`, message }] });
  }
  const parsed = FileRowPayloadSchema.safeParse(item.payload);
  if (!parsed.success) throw fromZodError(COMPONENT, `row ${item.externalId}`, parsed.error);
  const { line, row } = parsed.data;
  return [
    applyMapping(row, context.config.mapping, {
      externalId: item.externalId,
      itemType: item.itemType,
      component: COMPONENT,
      what: `row at line ${line}`,
      defaults: USUAL_SHAPES,
    }),
  ];
}
