import type { TributaryRecord } from '../../record/schema.js';
import { dimensionOf, type RecordQuery } from '../index.js';

const inList = <T>(list: T[] | undefined, value: T | null): boolean => !list || list.length === 0 || (value !== null && list.includes(value));

/** True when a record passes every filter of a query (the workspace included). */
export function recordMatches(r: TributaryRecord, q: RecordQuery): boolean {
  if (r.workspaceId !== q.workspaceId) return false;
  if (q.from && r.occurredAt < q.from) return false;
  if (q.to && r.occurredAt >= q.to) return false;
  if (!inList(q.sourceIds, r.sourceId)) return false;
  if (!inList(q.kinds, r.kind)) return false;
  if (!inList(q.itemTypes, r.itemType)) return false;
  if (!inList(q.sentiments as string[] | undefined, dimensionOf(r, 'sentiment'))) return false;
  if (!inList(q.languages, dimensionOf(r, 'language'))) return false;
  if (!inList(q.categories as string[] | undefined, dimensionOf(r, 'category'))) return false;
  if (!inList(q.measurementTypes as string[] | undefined, dimensionOf(r, 'measurementType'))) return false;
  if (!inList(q.destinationIds, dimensionOf(r, 'destinationId'))) return false;
  if (!inList(q.references, r.measurement?.reference ?? null)) return false;
  if (q.text) {
    const needle = q.text.toLowerCase();
    const hay = `${r.content?.title ?? ''}\n${r.content?.text ?? ''}`.toLowerCase();
    if (!hay.includes(needle)) return false;
  }
  return true;
}
