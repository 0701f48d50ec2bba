/**
 * @module @tributary/core/reports
 * Reports read from storage: the daily report per source (volume and average sentiment) and seed
 * 003's value aggregates grouped by destination with exact decimal totals. Both are computed by the
 * storage port's `aggregate` and `queryRecords`, so engines with rollups answer them without scans.
 */
import { Decimal } from '../decimal/index.js';
import { createError } from '../errors/index.js';
import type { Measurement, TributaryRecord } from '../record/schema.js';
import type { StorageAdapter } from '../storage/index.js';

/** One source on one day. */
export interface DailySourceRow {
  /** `YYYY-MM-DD` (UTC). */
  day: string;
  sourceId: string;
  count: number;
  /** Mean sentiment score in [-1, 1] of the records that have one; null when none has. */
  averageSentiment: number | null;
  positive: number;
  negative: number;
  neutral: number;
}

/** The daily report of a workspace. */
export interface DailyReport {
  workspaceId: string;
  from: string;
  to: string;
  rows: DailySourceRow[];
}

const isoOrThrow = (value: string, field: string): string => {
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw createError('reports', 'validation', `${field} is not a date`, { issues: [{ path: field, message: 'expected an ISO 8601 date or date-time' }] });
  return new Date(t).toISOString();
};

/**
 * Count and average sentiment per source per UTC day, for records whose `occurredAt` is in
 * [`from`, `to`).
 */
export async function dailyReport(storage: StorageAdapter, query: { workspaceId: string; from: string; to: string; sourceIds?: string[] }): Promise<DailyReport> {
  const from = isoOrThrow(query.from, 'from');
  const to = isoOrThrow(query.to, 'to');
  const rows = await storage.aggregate({
    workspaceId: query.workspaceId,
    from,
    to,
    bucket: 'day',
    groupBy: ['sourceId'],
    ...(query.sourceIds ? { where: { sourceId: query.sourceIds } } : {}),
  });
  return {
    workspaceId: query.workspaceId,
    from,
    to,
    rows: rows
      .map((r) => ({
        day: (r.bucket ?? from).slice(0, 10),
        sourceId: r.group.sourceId ?? '',
        count: r.count,
        averageSentiment: r.sentimentCount > 0 ? round(r.sentimentSum / r.sentimentCount, 4) : null,
        positive: r.positive,
        negative: r.negative,
        neutral: r.neutral,
      }))
      .sort((a, b) => (a.day === b.day ? a.sourceId.localeCompare(b.sourceId) : a.day < b.day ? -1 : 1)),
  };
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

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
