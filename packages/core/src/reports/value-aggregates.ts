import { Decimal } from '../decimal/index.js';
import type { Measurement, TributaryRecord } from '../record/schema.js';
import type { StorageAdapter } from '../storage/index.js';
import { isoOrThrow } from './dates.js';

/** One destination's group in seed 003's aggregation. */
export interface ValueAggregateGroup {
  destinationId: string;
  count: number;
  /** Exact decimal sum of the values, e.g. "0.3". */
  total: string;
  /** The matching records, in seed 003's format, oldest first. */
  records: Measurement[];
}

/**
 * Seed 003's aggregation: value records filtered by optional start/end time and type, grouped by
 * destination, each group with its records and an exact total.
 */
export async function valueAggregates(storage: StorageAdapter, query: { workspaceId: string; start?: string; end?: string; type?: 'positive' | 'negative' }): Promise<{ groups: ValueAggregateGroup[] }> {
  const start = query.start === undefined ? undefined : isoOrThrow(query.start, 'start');
  const end = query.end === undefined ? undefined : isoOrThrow(query.end, 'end');
  const groups = new Map<string, { records: Measurement[]; total: Decimal }>();
  let cursor: string | undefined;
  do {
    const page = await storage.queryRecords({
      workspaceId: query.workspaceId,
      kinds: ['measurement'],
      ...(start ? { from: start } : {}),
      ...(end ? { to: end } : {}),
      ...(query.type ? { measurementTypes: [query.type] } : {}),
      order: 'asc',
      limit: 1000,
      cursor,
    });
    for (const record of page.items as TributaryRecord[]) {
      const m = record.measurement;
      if (!m) continue;
      const g = groups.get(m.destinationId) ?? { records: [], total: Decimal.ZERO };
      g.records.push(m);
      g.total = g.total.plus(m.value);
      groups.set(m.destinationId, g);
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return {
    groups: [...groups.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([destinationId, g]) => ({ destinationId, count: g.records.length, total: g.total.toString(), records: g.records })),
  };
}
