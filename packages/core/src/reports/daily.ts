import type { StorageAdapter } from '../storage/index.js';
import { isoOrThrow, round } from './dates.js';

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
