/**
 * `aggregate()` over the rollups. The whole hours of the range are read from the narrowest rollup
 * level that has every dimension grouped or filtered by; only the partial hours at either end of a
 * range that does not start or end on the hour are read from raw records (at most two hours of
 * them). When no level has a dimension, the whole range falls back to raw records.
 */
import { Decimal } from '@tributary/core/decimal';
import type { AggregateDimension, AggregateQuery, AggregateRow, TimeBucket } from '@tributary/core/storage';
import { isoFromDb, isoSql, utcIsoSql } from './executor.js';
import { DIM_COLUMN, ROLLUPS, type RollupLevel } from './rollups.js';

const HOUR = 3_600_000;

interface Part {
  source: 'rollup' | 'raw';
  from?: string;
  to?: string;
}

/** Splits `[from, to)` into rollup-covered whole hours and raw partial hours. */
export function planParts(from: string | undefined, to: string | undefined, hasRollup: boolean): Part[] {
  if (!hasRollup) return [{ source: 'raw', from, to }];
  const fromMs = from === undefined ? undefined : Date.parse(from);
  const toMs = to === undefined ? undefined : Date.parse(to);
  const fromHour = fromMs === undefined ? undefined : Math.ceil(fromMs / HOUR) * HOUR;
  const toHour = toMs === undefined ? undefined : Math.floor(toMs / HOUR) * HOUR;
  if (fromHour !== undefined && toHour !== undefined && fromHour >= toHour) return [{ source: 'raw', from, to }];
  const iso = (ms: number) => new Date(ms).toISOString();
  const parts: Part[] = [{ source: 'rollup', from: fromHour === undefined ? undefined : iso(fromHour), to: toHour === undefined ? undefined : iso(toHour) }];
  if (fromMs !== undefined && fromHour !== fromMs) parts.push({ source: 'raw', from, to: iso(fromHour!) });
  if (toMs !== undefined && toHour !== toMs) parts.push({ source: 'raw', from: iso(toHour!), to });
  return parts;
}

/** The narrowest rollup level with every needed dimension, if any. */
export function chooseRollup(needed: AggregateDimension[]): RollupLevel | undefined {
  return ROLLUPS.find((r) => needed.every((d) => r.dims.some((c) => c.dim === d)));
}

/** The filters that filter: an empty list of values keeps every record, as in `matchesWhere`. */
export function whereEntries(where: AggregateQuery['where']): [AggregateDimension, string[]][] {
  return Object.entries(where ?? {}).filter(([, values]) => values !== undefined && values.length > 0) as [AggregateDimension, string[]][];
}

/**
 * The UTC start of the bucket holding the timestamptz `column`, as a timestamp without time zone.
 * (`date_trunc(unit, value, 'UTC')` gives the same instant but looks the zone up on every row, which
 * costs more than the rest of a rollup scan; grouping by this and formatting per group is cheap.)
 */
export const bucketExpr = (bucket: TimeBucket, column: string) => (bucket === 'all' ? 'NULL::timestamp' : `date_trunc('${bucket}', (${column}) AT TIME ZONE 'UTC')`);

export interface AggregateStatement {
  text: string;
  params: unknown[];
  /** Which rollup level (or raw) answered. */
  source: string;
}

export function aggregateStatement(schema: string, query: AggregateQuery): AggregateStatement {
  const bucket = query.bucket ?? 'all';
  const groupBy = query.groupBy ?? [];
  const where = whereEntries(query.where);
  const needed = [...new Set([...groupBy, ...where.map(([d]) => d)])];
  const rollup = chooseRollup(needed);
  const params: unknown[] = [query.workspaceId];
  const param = (value: unknown, cast: string) => {
    params.push(value);
    return `$${params.length}::${cast}`;
  };
  const whereSql = where.map(([dim, values]) => ` AND coalesce(${DIM_COLUMN[dim]}, '') = ANY(${param(values, 'text[]')})`).join('');
  const dimSelect = needed.map((d) => `${DIM_COLUMN[d]} AS d_${DIM_COLUMN[d]}`);
  const selects = planParts(query.from, query.to, rollup !== undefined).map((part) => {
    if (part.source === 'rollup') {
      const range = `${part.from !== undefined ? ` AND hour >= ${param(part.from, 'timestamptz')}` : ''}${part.to !== undefined ? ` AND hour < ${param(part.to, 'timestamptz')}` : ''}`;
      return `SELECT hour AS t, ${[...dimSelect, ''].join(', ')}count AS c, sentiment_count AS sc, sentiment_sum AS ss, positive AS p, negative AS n, neutral AS u, value_sum AS v, first_at AS f, last_at AS l
        FROM ${schema}.${rollup!.table} WHERE workspace_id = $1${range}${whereSql}`;
    }
    const range = `${part.from !== undefined ? ` AND occurred_at >= ${param(part.from, 'timestamptz')}` : ''}${part.to !== undefined ? ` AND occurred_at < ${param(part.to, 'timestamptz')}` : ''}`;
    return `SELECT occurred_at AS t, ${[...dimSelect, ''].join(', ')}1::bigint AS c, (sentiment IS NOT NULL)::int::bigint AS sc, coalesce(sentiment_score, 0) AS ss,
        (sentiment IS NOT DISTINCT FROM 'positive')::int::bigint AS p, (sentiment IS NOT DISTINCT FROM 'negative')::int::bigint AS n, (sentiment IS NOT DISTINCT FROM 'neutral')::int::bigint AS u,
        coalesce(value, 0) AS v, occurred_at AS f, occurred_at AS l
      FROM ${schema}.records WHERE workspace_id = $1${range}${whereSql}`;
  });
  const groupCols = groupBy.map((d) => `d_${DIM_COLUMN[d]}`);
  const bucketSql = bucketExpr(bucket, 't');
  const text = `SELECT ${utcIsoSql(bucketSql)} AS bucket${groupCols.map((c) => `, ${c}`).join('')},
      sum(c)::float8 AS count, sum(sc)::float8 AS sentiment_count, sum(ss)::float8 AS sentiment_sum,
      sum(p)::float8 AS positive, sum(n)::float8 AS negative, sum(u)::float8 AS neutral, sum(v)::text AS value_sum,
      ${isoSql('min(f)')} AS first_at, ${isoSql('max(l)')} AS last_at
    FROM (${selects.join('\n UNION ALL\n')}) AS u
    GROUP BY ${bucketSql}${groupCols.map((_, i) => `, ${i + 2}`).join('')}
    HAVING sum(c) > 0`;
  return { text, params, source: rollup?.table ?? 'records' };
}

interface AggregateDbRow {
  bucket: string | null;
  count: number;
  sentiment_count: number;
  sentiment_sum: number;
  positive: number;
  negative: number;
  neutral: number;
  value_sum: string;
  first_at: string;
  last_at: string;
  [column: string]: unknown;
}

export function aggregateRows(query: AggregateQuery, rows: AggregateDbRow[]): AggregateRow[] {
  const groupBy = query.groupBy ?? [];
  const bucket = query.bucket ?? 'all';
  return rows
    .map((row) => ({
      bucket: bucket === 'all' ? null : isoFromDb(row.bucket),
      group: Object.fromEntries(groupBy.map((d) => [d, (row[`d_${DIM_COLUMN[d]}`] as string | null) ?? null])),
      count: row.count,
      sentimentCount: row.sentiment_count,
      sentimentSum: row.sentiment_sum,
      positive: row.positive,
      negative: row.negative,
      neutral: row.neutral,
      valueSum: Decimal.parse(row.value_sum ?? '0').toString(),
      firstAt: isoFromDb(row.first_at),
      lastAt: isoFromDb(row.last_at),
    }))
    .sort((a, b) => compareKeys([a.bucket, JSON.stringify(a.group)], [b.bucket, JSON.stringify(b.group)]));
}

/** The order `aggregateRecords` returns rows in. */
function compareKeys(a: unknown[], b: unknown[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = String(a[i] ?? '');
    const y = String(b[i] ?? '');
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return 0;
}
