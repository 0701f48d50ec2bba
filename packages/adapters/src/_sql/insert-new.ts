/**
 * The statement that writes the new records of a staged batch (see `STAGE_TABLE` in `records.ts`):
 * it claims their keys (a key another transaction is inserting makes it wait for that one), writes
 * the records and adds them to every rollup, each aggregated in SQL so a rollup row is written once
 * per group, not once per record. It returns the staged keys that already existed (the edit path takes
 * those). It takes no parameters, so it is prepared once per connection and never planned again.
 */
import { RECORD_COLUMNS, STAGED_RECORD_VALUES, STAGED_SELECT } from './records.js';
import { addRowsRollupSql, addRowsTopicRollupSql, ROLLUPS } from './rollups.js';

/** Parts left out, for `bench/postgres-ingest-parts.ts`, which measures what each one costs. */
export interface InsertNewOmissions {
  /** No `record_keys` (so no idempotency): every staged row is written. */
  keys?: boolean;
  /** Rollup levels left out, by table name (`rollups_source_hourly`, `rollups_hourly`, `rollups_topics_hourly`). */
  rollups?: string[];
}

export function insertNewStatement(schema: string, omit: InsertNewOmissions = {}): string {
  const s = schema;
  const skipped = new Set(omit.rollups ?? []);
  const ctes = [`x AS MATERIALIZED (${STAGED_SELECT})`];
  if (omit.keys) {
    ctes.push(`n AS (SELECT * FROM x)`);
  } else {
    ctes.push(
      `k AS (
      INSERT INTO ${s}.record_keys (workspace_id, id, occurred_at, content_hash, revision, source_updated_at)
      SELECT x.w, x.i, x.t, x.h, 1, x.u FROM x ORDER BY x.w, x.i
      ON CONFLICT (workspace_id, id) DO NOTHING
      RETURNING workspace_id, id)`,
      // The new rows: all of them when every key was created (the usual case, and then the join is
      // never run: the count comparison is evaluated once and gates its branch), else those whose key was.
      `all_new AS MATERIALIZED (SELECT (SELECT count(*) FROM k) = (SELECT count(*) FROM x) AS yes)`,
      `n AS MATERIALIZED (
      SELECT x.* FROM x WHERE (SELECT yes FROM all_new)
      UNION ALL
      SELECT x.* FROM x JOIN k ON k.workspace_id = x.w AND k.id = x.i WHERE NOT (SELECT yes FROM all_new))`,
    );
  }
  ctes.push(`r AS (INSERT INTO ${s}.records (${RECORD_COLUMNS}) SELECT ${STAGED_RECORD_VALUES} FROM n AS x)`);
  ROLLUPS.forEach((rollup, i) => {
    if (!skipped.has(rollup.table)) ctes.push(`g${i} AS (${addRowsRollupSql(s, rollup, 'n')})`);
  });
  if (!skipped.has('rollups_topics_hourly')) ctes.push(`gt AS (${addRowsTopicRollupSql(s, 'n')})`);
  const existing = omit.keys
    ? `SELECT NULL::text AS workspace_id, NULL::text AS id WHERE false`
    : `SELECT x.w AS workspace_id, x.i AS id FROM x WHERE NOT (SELECT yes FROM all_new) AND NOT EXISTS (SELECT 1 FROM k WHERE k.workspace_id = x.w AND k.id = x.i)`;
  return `WITH ${ctes.join(',\n    ')}\n    ${existing}`;
}
