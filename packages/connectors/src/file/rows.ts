import type { RawItem } from '@tributary/core/connector';
import { isObject, itemId } from '../_mapping/index.js';
import { FILE_REJECTED_ITEM_TYPE, type FileConfig } from './schemas.js';

/** A row as a raw item, or a rejected item when it has no id. */
export function rowItem(row: unknown, line: number, config: Pick<FileConfig, 'idPath' | 'itemType'>): RawItem {
  if (!isObject(row) || Array.isArray(row)) return rejectedItem(line, 'expected a JSON object');
  const id = itemId(row, config.idPath);
  if (id === undefined) return rejectedItem(line, `no id at ${JSON.stringify(config.idPath)}`);
  return { externalId: id, itemType: config.itemType, payload: { line, row } };
}

/**
 * A line that could not become a row. It travels as an item so the runtime's parse stage reports it
 * with its line number (`record.rejected`) and keeps it among the raw payloads.
 */
export function rejectedItem(line: number, error: string): RawItem {
  return { externalId: `line:${line}`, itemType: FILE_REJECTED_ITEM_TYPE, payload: { line, error } };
}
