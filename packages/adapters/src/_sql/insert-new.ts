/**
 * The statements that write the new records of a staged batch (see `STAGE_TABLE` in `records.ts`):
 * they claim their keys (a key another transaction is inserting makes them wait for that one), write
 * the records and add them to every rollup, each aggregated in SQL so a rollup row is written once
 * per group, not once per record. They take no parameters, so each is prepared once per connection
 * and never planned again.
 *
 * Two forms. {@link insertNewStatement} claims keys with `ON CONFLICT DO NOTHING` and returns the
 * staged keys that already existed (the edit path takes those). {@link insertAllNewStatement} is for
 * the usual case, a batch of records never seen: a plain insert of the keys, which fails with a unique
 * violation (23505) as soon as one exists; the caller runs it inside a savepoint and falls back to the
 * first form. It skips the speculative insertion of every key and the bookkeeping that picks the new
 * rows (server time per 1,000 new records: 32.7 ms instead of 38.0 here, see bench/README.md).
 */
import { RECORD_COLUMNS, STAGED_NARROW_SELECT, STAGED_RECORD_VALUES, STAGED_SELECT } from './records.js';
import { addRowsRollupSql, addRowsTopicRollupSql, ROLLUPS } from './rollups.js';

/** Parts left out, for `bench/postgres-ingest-parts.ts`, which measures what each one costs. */
export interface InsertNewOmissions {
  /** The optimistic form ({@link insertAllNewStatement}) instead of the general one. */
  allNew?: boolean;
  /** No `record_keys` (so no idempotency): every staged row is written. */
  keys?: boolean;
  /** Rollup levels left out, by table name (`rollups_source_hourly`, `rollups_hourly`, `rollups_topics_hourly`). */
  rollups?: string[];
}

export function insertNewStatement(schema: string, omit: InsertNewOmissions = {}): string {
  const s = schema;
  const skipped = new Set(omit.rollups ?? []);
  const ctes = [`x AS MATERIALIZED (${omit.allNew ? STAGED_NARROW_SELECT : STAGED_SELECT})`];
  // Where the new rows are read from: the staged rows themselves unless some keys may exist.
  let rows = 'x';
  if (omit.allNew && !omit.keys) {
    // Ordered, so two writers of the same new keys wait for each other in one order (no deadlock).
    ctes.push(
      `k AS (
      INSERT INTO ${s}.record_keys (workspace_id, id, occurred_at, content_hash, revision, source_updated_at)
      SELECT x.w, x.i, x.t, x.h, 1, x.u FROM x ORDER BY x.w, x.i)`,
    );
  } else if (!omit.keys) {
    rows = 'n';
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
  // Every staged row is new in the optimistic form: the records take them from the staging table.
  const recordRows = omit.allNew ? `(${STAGED_SELECT})` : rows;
  ctes.push(`r AS (INSERT INTO ${s}.records (${RECORD_COLUMNS}) SELECT ${STAGED_RECORD_VALUES} FROM ${recordRows} AS x)`);
  ROLLUPS.forEach((rollup, i) => {
    if (!skipped.has(rollup.table)) ctes.push(`g${i} AS (${addRowsRollupSql(s, rollup, rows)})`);
  });
  if (!skipped.has('rollups_topics_hourly')) ctes.push(`gt AS (${addRowsTopicRollupSql(s, rows)})`);
  const existing = omit.keys || omit.allNew
    ? `SELECT NULL::text AS workspace_id, NULL::text AS id WHERE false`
    : `SELECT x.w AS workspace_id, x.i AS id FROM x WHERE NOT (SELECT yes FROM all_new) AND NOT EXISTS (SELECT 1 FROM k WHERE k.workspace_id = x.w AND k.id = x.i)`;
  return `WITH ${ctes.join(',\n    ')}\n    ${existing}`;
}

/**
 * The optimistic form: every staged key must be new, else the statement fails with 23505 and writes
 * nothing. Returns no rows.
 */
export function insertAllNewStatement(schema: string): string {
  return insertNewStatement(schema, { allNew: true });
}
