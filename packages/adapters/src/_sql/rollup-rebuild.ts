/**
 * Maintenance of the append-only rollups (see `rollups.ts`): rebuilding the groups an edit touched
 * from the records, and merging the rows of one group into one.
 *
 * Appending never conflicts with anything, but rebuilding and merging both delete rows and write
 * others, so two of them on the same hour could each count what the other wrote. Both first take a
 * transaction-scoped advisory lock per (schema, workspace, hour), in one global order, in a statement
 * of their own: the statement that rewrites then takes its snapshot after the previous holder
 * committed, and sees all of it. A concurrent append needs no lock: the rewrite deletes only rows its
 * snapshot sees and counts only records its snapshot sees, so an append committed later is in neither
 * and keeps its own row.
 */
import { advisoryKey } from './executor.js';
import type { RollupKey, RollupLevel } from './rollups.js';

/** The measures of a rollup row, aggregated over records `r`. */
const RECORD_MEASURES = `count(*), count(r.sentiment), coalesce(sum(r.sentiment_score) FILTER (WHERE r.sentiment IS NOT NULL), 0),
      count(*) FILTER (WHERE r.sentiment = 'positive'), count(*) FILTER (WHERE r.sentiment = 'negative'), count(*) FILTER (WHERE r.sentiment = 'neutral'),
      coalesce(sum(r.value), 0), min(r.occurred_at), max(r.occurred_at)`;

const MEASURE_COLUMNS = 'count, sentiment_count, sentiment_sum, positive, negative, neutral, value_sum, first_at, last_at';

/** An hour of one workspace: what the advisory locks and the compaction work on. */
export interface RollupHour {
  w: string;
  /** Start of the hour, ISO 8601. */
  h: string;
}

/**
 * The advisory lock keys of some hours, deduplicated and sorted, so every transaction takes them in
 * the same order (no deadlock between two rewriters).
 */
export function hourLockKeys(schema: string, hours: Iterable<RollupHour>): string[] {
  const keys = new Set<string>();
  for (const { w, h } of hours) keys.add(advisoryKey(`tributary:rollup:${schema}:${w}:${h}`));
  return [...keys].sort();
}

/** Takes the locks of {@link hourLockKeys} (`$1`, as text), in array order. */
export const LOCK_HOURS_SQL = `SELECT count(pg_advisory_xact_lock(k)) AS locked FROM unnest($1::text[]::bigint[]) WITH ORDINALITY AS u(k, o)`;

/**
 * Statement rebuilding groups of a rollup level from the records: `$1` lists {@link RollupKey}s
 * (workspace, hour, dimension values). Every row of each group is deleted and, when the group still
 * has records, one row recomputed from them is written (exact counts, sums and first/last instants).
 * Run it after the records were changed, holding the hours' locks.
 */
export function replaceRollupSql(schema: string, rollup: RollupLevel): string {
  const cols = rollup.dims.map((d) => d.column);
  const keyCols = cols.map((c, i) => `x.d->>${i} AS ${c}`).join(', ');
  const same = (a: string, b: string) => cols.map((c) => `${a}.${c} IS NOT DISTINCT FROM ${b}.${c}`).join(' AND ');
  // The rows to delete are found hour by hour through the (workspace, hour) index (a LATERAL subquery
  // that OFFSET 0 keeps from being flattened into a join), then deleted by row id: joined as sets,
  // the planner estimates few key rows and scans the whole table.
  return `WITH k AS (SELECT DISTINCT x.w, x.h::timestamptz AS h, ${keyCols} FROM jsonb_to_recordset($1::text::jsonb) AS x(w text, h text, d jsonb)),
    old AS (SELECT t.row_id FROM k CROSS JOIN LATERAL (
      SELECT r.ctid AS row_id FROM ${schema}.${rollup.table} r WHERE r.workspace_id = k.w AND r.hour = k.h AND ${same('r', 'k')} OFFSET 0) AS t),
    gone AS (DELETE FROM ${schema}.${rollup.table} t WHERE t.ctid = ANY (ARRAY(SELECT row_id FROM old)))
    INSERT INTO ${schema}.${rollup.table} (workspace_id, hour, ${cols.join(', ')}, ${MEASURE_COLUMNS})
    SELECT k.w, k.h, ${cols.map((c) => `k.${c}`).join(', ')}, ${RECORD_MEASURES}
    FROM k JOIN ${schema}.records r ON r.workspace_id = k.w AND r.occurred_at >= k.h AND r.occurred_at < k.h + INTERVAL '1 hour' AND ${same('r', 'k')}
    GROUP BY k.w, k.h, ${cols.map((c) => `k.${c}`).join(', ')}`;
}

/**
 * Statement merging the rows of each group of a rollup level that has more than one, within some
 * hours (`$1` lists {@link RollupHour}s): sums and first/last instants are kept as they were.
 * Returns one row, `removed`: how many rows fewer the level has. Hold the hours' locks.
 */
export function compactRollupSql(schema: string, rollup: RollupLevel): string {
  const cols = rollup.dims.map((d) => d.column);
  // As in replaceRollupSql: read hour by hour through the index, delete by row id.
  return `WITH hours AS (SELECT DISTINCT x.w, x.h::timestamptz AS h FROM jsonb_to_recordset($1::text::jsonb) AS x(w text, h text)),
    rows AS MATERIALIZED (
      SELECT t.row_id, count(*) OVER (PARTITION BY t.workspace_id, t.hour, ${cols.map((c) => `t.${c}`).join(', ')}) AS n
      FROM hours CROSS JOIN LATERAL (
        SELECT r.ctid AS row_id, r.workspace_id, r.hour, ${cols.map((c) => `r.${c}`).join(', ')} FROM ${schema}.${rollup.table} r WHERE r.workspace_id = hours.w AND r.hour = hours.h OFFSET 0) AS t),
    gone AS (DELETE FROM ${schema}.${rollup.table} t WHERE t.ctid = ANY (ARRAY(SELECT row_id FROM rows WHERE n > 1)) RETURNING t.*),
    merged AS (
      INSERT INTO ${schema}.${rollup.table} (workspace_id, hour, ${cols.join(', ')}, ${MEASURE_COLUMNS})
      SELECT workspace_id, hour, ${cols.join(', ')}, sum(count), sum(sentiment_count), sum(sentiment_sum), sum(positive), sum(negative), sum(neutral),
        sum(value_sum), min(first_at), max(last_at)
      FROM gone GROUP BY workspace_id, hour, ${cols.join(', ')}
      RETURNING 1)
    SELECT ((SELECT count(*) FROM gone) - (SELECT count(*) FROM merged))::int AS removed`;
}

/** The hours of some rollup keys. */
export const hoursOf = (keys: readonly RollupKey[]): RollupHour[] => keys.map((k) => ({ w: k.w, h: k.h }));
