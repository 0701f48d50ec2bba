/**
 * The storage port on PostgreSQL SQL, shared by the `postgres` and `pglite` adapters.
 *
 * Tables (in the configured schema): `record_keys` (identity, content hash, revision of each
 * record: uniqueness across time partitions), `records` (the current revision, partitioned by
 * month on `occurred_at`, body in JSONB plus the columns filters and aggregates use),
 * `record_history`, the hourly rollups (see `rollups.ts`), `raw_payloads`, `checkpoints`, `locks`,
 * `documents`. Every read and write of workspace data filters by workspace.
 *
 * An upsert is one transaction. Each chunk of records is COPied (binary format) into a temporary
 * staging table, then one prepared statement (`insert-new.ts`) writes the new ones with their keys and
 * rollups: optimistically, inside a savepoint, the form that expects every key to be new, and when one
 * exists the general form; only records whose key already existed take further statements (lock,
 * compare, move the old revision to the history, subtract its contribution). No statement is issued
 * per record. The append-only rollups are compacted every `rollupCompactEvery` new records written
 * through this adapter (see `rollup-rebuild.ts`).
 *
 * Document writes (`putDocument`, `insertDocument`, `deleteDocument`) are group-committed
 * (`group-commit.ts`, as the queue's publishes): those made while a commit runs share the next one,
 * a single statement when they touch distinct documents, and each caller is answered only once the
 * commit holding its write is done. Concurrent `getDocument` calls likewise share one statement.
 */
import { systemClock, type Clock } from '@tributary/core/clock';
import { createError, isTributaryError } from '@tributary/core/errors';
import type { TributaryRecord } from '@tributary/core/record';
import {
  decodeCursor,
  encodeCursor,
  pageLimit,
  type AggregateQuery,
  type AggregateRow,
  type LockLease,
  type Page,
  type RawPayload,
  type RecordQuery,
  type StorageAdapter,
  type TopicAggregateQuery,
  type TopicAggregateRow,
  type UpsertOutcome,
} from '@tributary/core/storage';
import { aggregateRows, aggregateStatement } from './aggregate.js';
import { dbError, isoSql, withRetry, type ExecutorHandle, type SqlExecutor, type SqlQueryable, type SqlTransaction } from './executor.js';
import { createGroupCommitter, type CommitRequest, type GroupCommitOptions } from './group-commit.js';
import { appliedVersions, LATEST_VERSION, readLayout, runMigrations, type LayoutOptions, type RecordsLayout } from './migrations.js';
import { PartitionManager } from './partitions.js';
import { BinaryCopyWriter } from './copy.js';
import { insertAllNewStatement, insertNewStatement } from './insert-new.js';
import { compactRollupSql, hourLockKeys, hoursOf, LOCK_HOURS_SQL, replaceRollupSql, type RollupHour } from './rollup-rebuild.js';
import {
  contributionFromRow,
  contributionOf,
  CONTRIBUTION_COLUMNS,
  RECORD_COLUMNS,
  STAGE_DDL,
  STAGE_TABLE,
  STAGED_COLUMNS,
  STAGED_RECORD_VALUES,
  STAGED_SELECT,
  stagedRow,
  type ContributionRow,
} from './records.js';
import { repairTopicRollupSql, RollupDeltas, ROLLUPS, upsertTopicRollupSql } from './rollups.js';
import { topicAggregateRows, topicAggregateStatement } from './topics.js';

export interface SqlStorageOptions {
  /** Adapter name, e.g. `postgres`. */
  name: string;
  handle: ExecutorHandle;
  schema: string;
  migrate: boolean;
  durable: boolean;
  layout: LayoutOptions;
  /** Months of partitions created ahead of time. */
  partitionsAhead: number;
  /** Records per statement inside an upsert transaction. */
  chunkSize: number;
  /**
   * New records written through this adapter between two compactions of the append-only rollups
   * (which merge the rows a group got from different batches). @default 20000
   */
  rollupCompactEvery?: number;
  /**
   * Document writes made while a commit runs share the next transaction (each caller answered once
   * its own write committed); `false` gives every write its own statement and commit.
   * @default {} (on: at most 1000 writes or 4 MiB per commit, no linger)
   */
  groupCommit?: GroupCommitOptions | false;
  clock?: Clock;
}

/** The storage adapter plus a few engine-specific extras (used by tests, benchmarks and the CLI). */
export interface SqlStorageAdapter extends StorageAdapter {
  /** Connects and migrates now instead of on first use. */
  connect(): Promise<void>;
  /** Always present here (optional in the port): `INSERT … ON CONFLICT DO NOTHING`, group-committed. */
  insertDocument<T>(collection: string, scope: string, id: string, document: T): Promise<boolean>;
  /** The records layout in use. */
  layout(): Promise<RecordsLayout>;
  /** Partitions of the records table (empty unless `partitioned`). */
  partitions(): Promise<string[]>;
  /** Which table answers an aggregate query (a rollup level, or `records` for a raw scan). */
  explainAggregate(query: AggregateQuery): string;
  /** Per-topic counts from the topic rollups (see `topics.ts`). */
  aggregateTopics(query: TopicAggregateQuery): Promise<TopicAggregateRow[]>;
  /** Which table answers a topic query (`rollups_topics_hourly`, or `records` for a raw scan). */
  explainAggregateTopics(query: TopicAggregateQuery): string;
  /**
   * Merges, in the hours this adapter appended to again since their last compaction, the rows each
   * group of the append-only rollups got from different batches. Runs by itself every
   * `rollupCompactEvery` records; results of `aggregate()` are the same before and after.
   * @returns the rows removed.
   */
  compactRollups(): Promise<number>;
}

interface KeyRow {
  workspace_id: string;
  id: string;
  content_hash: string;
  revision: number;
  source_updated_at: string | null;
  occurred_at: string;
}

/** Records of one statement, with their positions in the caller's batch. */
interface Chunk {
  records: TributaryRecord[];
  positions: number[];
}

/**
 * One document write of a group commit. `changed` is set by the commit that holds it: whether the
 * insert stored the document, whether the delete found one (a put always stores).
 */
interface DocumentWrite {
  kind: 'put' | 'insert' | 'delete';
  collection: string;
  scope: string;
  id: string;
  /** The document as JSON text (put and insert). */
  json: string;
  changed: boolean;
}

const keyOf = (workspaceId: string, id: string) => `${workspaceId}\u0000${id}`;
const documentKey = (w: DocumentWrite) => `${w.collection}\u0000${w.scope}\u0000${w.id}`;
/** Sorts writes by key, so two processes' transactions lock rows in one order (no deadlock between them). */
const byDocumentKey = (a: DocumentWrite, b: DocumentWrite) => {
  const ka = documentKey(a);
  const kb = documentKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};
/** Hours remembered for compaction (see `appendedHours`): a few years of one workspace, or a week of a few hundred. */
const KNOWN_HOURS = 50_000;
const PREPARE = { prepare: true } as const;

export function createSqlStorage(options: SqlStorageOptions): SqlStorageAdapter {
  const { schema: s, handle } = options;
  const component = `storage:${options.name}`;
  const clock = options.clock ?? systemClock;
  let state: Promise<{ db: SqlExecutor; layout: RecordsLayout; partitions?: PartitionManager }> | undefined;
  let acquired = false;
  let disposed = false;

  const start = async () => {
    const db = await handle.acquire();
    try {
      const started = await prepare(db);
      acquired = true;
      return started;
    } catch (error) {
      await handle.release();
      throw error;
    }
  };

  const prepare = async (db: SqlExecutor) => {
    if (options.migrate) {
      await withRetry(() => runMigrations(db, s, ['storage'], options.layout));
    } else {
      const versions = await appliedVersions(db, s);
      if (versions.storage < LATEST_VERSION.storage) {
        throw createError(component, 'config', `schema "${s}" is at storage version ${versions.storage}, this adapter needs ${LATEST_VERSION.storage}: run migrate() or pass migrate: true`);
      }
    }
    const layout = (await readLayout(db, s)) ?? 'plain';
    let partitions: PartitionManager | undefined;
    if (layout === 'partitioned') {
      partitions = new PartitionManager(db, s, options.partitionsAhead);
      await withRetry(() => partitions!.start(clock.now()));
    }
    return { db, layout, partitions };
  };

  const ready = () => {
    if (disposed) return Promise.reject(createError(component, 'unavailable', 'storage was disposed'));
    if (!state) {
      state = start();
      state.catch(() => {
        state = undefined;
      });
    }
    return state;
  };

  /** Runs an operation with retries on transient failures, turning driver errors into Tributary errors. */
  const op = async <T>(operation: string, fn: (db: SqlExecutor, ctx: Awaited<ReturnType<typeof ready>>) => Promise<T>): Promise<T> => {
    try {
      const ctx = await ready();
      return await withRetry(() => fn(ctx.db, ctx));
    } catch (error) {
      throw dbError(component, operation, error);
    }
  };

  const strictCursor = (cursor: string | undefined, shape: 'string' | 'time+id'): unknown[] | null => {
    if (cursor === undefined || cursor === '') return null;
    const parts = decodeCursor(cursor);
    const valid =
      parts !== null &&
      (shape === 'string'
        ? parts.length === 1 && typeof parts[0] === 'string'
        : parts.length === 2 && typeof parts[0] === 'string' && typeof parts[1] === 'string' && !Number.isNaN(Date.parse(parts[0] as string)));
    if (!valid) throw createError(component, 'validation', 'malformed cursor', { issues: [{ path: 'cursor', message: 'not a cursor returned by this API' }] });
    return parts;
  };

  const insertNewSql = insertNewStatement(s);
  const insertAllNewSql = insertAllNewStatement(s);
  /**
   * Whether the next chunk tries the optimistic statement first: yes until a chunk meets existing keys
   * (a redelivered batch usually has more of them), then again once a chunk had none.
   */
  let expectNew = true;
  const compactEvery = options.rollupCompactEvery ?? 20_000;
  /**
   * Per workspace, the hours (epoch ms / 3,600,000) this adapter appended to, with how many rows a
   * group of the hour may hold: the appends since the hour's last compaction, plus one for the merged
   * row. One statement appends at most one row per group, so only an hour counted twice can hold a
   * group with two rows, and compaction reads only those. Hours stay known after a compaction (at 1),
   * so batches that come back to an hour later (a backfill in slices, say) are merged too; the
   * oldest hours at 1 are forgotten beyond {@link KNOWN_HOURS}. Rows another process appended are
   * merged whenever this one counts the hour twice.
   */
  const appendedHours = new Map<string, Map<number, number>>();
  let knownHours = 0;
  let writtenSinceCompaction = 0;

  /** A chunk's records in COPY binary form, each body at revision 1. */
  function encodeChunk(chunk: Chunk): Uint8Array {
    const writer = new BinaryCopyWriter(STAGED_COLUMNS.length, chunk.records.length * 1536);
    for (const record of chunk.records) writer.row(stagedRow(record, 1));
    return writer.finish();
  }

  /**
   * Upserts chunks of records whose keys are unique within each chunk, in order. Pipelined: while the
   * server runs one chunk's statement, the next chunk is encoded here.
   */
  async function upsertChunks(tx: SqlTransaction, chunks: Chunk[], outcomes: UpsertOutcome[]) {
    await tx.sessionOnce(STAGE_TABLE, async () => {
      await tx.query(STAGE_DDL);
    });
    let payload = encodeChunk(chunks[0]!);
    const savepoint = { open: false };
    for (let c = 0; c < chunks.length; c++) {
      // The table empties itself at commit; later chunks of one transaction empty it here.
      if (c > 0) await tx.query(`DELETE FROM ${STAGE_TABLE}`, [], PREPARE);
      await tx.copyIn(`${STAGE_TABLE} (${STAGED_COLUMNS.join(', ')})`, payload);
      const inserting = insertStaged(tx, savepoint);
      if (c + 1 < chunks.length) {
        try {
          payload = encodeChunk(chunks[c + 1]!);
        } catch (error) {
          await inserting.catch(() => undefined);
          throw error;
        }
      }
      await settleChunk(tx, chunks[c]!, await inserting, outcomes);
    }
  }

  /**
   * Writes the new records of the staged chunk; returns the staged keys that already existed. The
   * optimistic statement runs in a savepoint taken after the COPY (a rollback to it keeps the staged
   * rows). The savepoint is left open, COMMIT ends it: only a later chunk of the same transaction
   * releases it first, so savepoints never nest (and a one-chunk upsert spends no round trip on RELEASE).
   */
  async function insertStaged(tx: SqlTransaction, savepoint: { open: boolean }): Promise<{ workspace_id: string; id: string }[]> {
    if (expectNew) {
      if (savepoint.open) await tx.query('RELEASE SAVEPOINT tributary_new');
      await tx.query('SAVEPOINT tributary_new');
      savepoint.open = true;
      try {
        await tx.query(insertAllNewSql, [], PREPARE);
        return [];
      } catch (error) {
        if ((error as { code?: unknown } | null)?.code !== '23505') throw error;
        await tx.query('ROLLBACK TO SAVEPOINT tributary_new');
      }
    }
    const existing = (await tx.query<{ workspace_id: string; id: string }>(insertNewSql, [], PREPARE)).rows;
    expectNew = existing.length === 0;
    return existing;
  }

  /** Outcomes of a staged chunk once its new records are in; the existing ones go through the edit path. */
  async function settleChunk(tx: SqlTransaction, chunk: Chunk, existingKeys: { workspace_id: string; id: string }[], outcomes: UpsertOutcome[]) {
    const batch = chunk.records;
    const positions = chunk.positions;
    const existingSet = new Set(existingKeys.map((r) => keyOf(r.workspace_id, r.id)));
    const existing: { record: TributaryRecord; at: number }[] = [];
    batch.forEach((r, i) => {
      if (existingSet.has(keyOf(r.workspaceId, r.id))) existing.push({ record: r, at: positions[i]! });
      else outcomes[positions[i]!] = { id: r.id, status: 'created', revision: 1 };
    });
    if (existing.length === 0) return;

    // Lock the existing keys, then (in a new statement, so it sees the latest committed rows) read them.
    const updates: { incoming: TributaryRecord; previous: KeyRow }[] = [];
    const locked = await tx.query<KeyRow>(
      `SELECT k.workspace_id, k.id, k.content_hash, k.revision, k.source_updated_at, ${isoSql('k.occurred_at')} AS occurred_at
       FROM ${s}.record_keys k JOIN unnest($1::text[], $2::text[]) AS x(w, i) ON k.workspace_id = x.w AND k.id = x.i
       ORDER BY k.workspace_id, k.id FOR UPDATE OF k`,
      [existing.map((e) => e.record.workspaceId), existing.map((e) => e.record.id)],
      PREPARE,
    );
    const byKey = new Map(locked.rows.map((row) => [keyOf(row.workspace_id, row.id), row]));
    for (const { record: incoming, at } of existing) {
      const previous = byKey.get(keyOf(incoming.workspaceId, incoming.id));
      if (!previous) throw new Error(`record ${incoming.id} vanished during upsert`);
      if (previous.content_hash === incoming.contentHash) {
        outcomes[at] = { id: incoming.id, status: 'unchanged', revision: previous.revision };
      } else if (previous.source_updated_at && incoming.sourceUpdatedAt && incoming.sourceUpdatedAt < previous.source_updated_at) {
        outcomes[at] = { id: incoming.id, status: 'stale', revision: previous.revision };
      } else {
        updates.push({ incoming, previous });
        outcomes[at] = { id: incoming.id, status: 'updated', revision: previous.revision + 1 };
      }
    }
    if (updates.length === 0) return;

    // Edits: subtract the old contribution, move the old revision to the history, write the new one
    // from the staged row (its body given the new revision).
    const deltas = new RollupDeltas();
    const old = updates.map((u) => ({ w: u.previous.workspace_id, i: u.previous.id, o: u.previous.occurred_at, r: u.previous.revision }));
    const oldJson = JSON.stringify(old);
    const previousRows = await tx.query<ContributionRow>(
      `SELECT ${CONTRIBUTION_COLUMNS} FROM ${s}.records r
       JOIN jsonb_to_recordset($1::text::jsonb) AS x(w text, i text, o text, r int) ON r.workspace_id = x.w AND r.occurred_at = x.o::timestamptz AND r.id = x.i`,
      [oldJson],
      PREPARE,
    );
    for (const row of previousRows.rows) deltas.add(contributionFromRow(row), -1);
    await tx.query(
      `WITH old AS (
         DELETE FROM ${s}.records r USING jsonb_to_recordset($1::text::jsonb) AS x(w text, i text, o text, r int)
         WHERE r.workspace_id = x.w AND r.occurred_at = x.o::timestamptz AND r.id = x.i
         RETURNING r.workspace_id, r.id, x.r, r.body)
       INSERT INTO ${s}.record_history (workspace_id, id, revision, body) SELECT workspace_id, id, r, body FROM old
       ON CONFLICT (workspace_id, id, revision) DO NOTHING`,
      [oldJson],
      PREPARE,
    );
    const next = updates.map((u) => ({ ...u.incoming, revision: u.previous.revision + 1 }));
    await tx.query(
      `WITH u AS (SELECT * FROM unnest($1::text[], $2::text[], $3::int[]) AS u(w, i, r)),
       k AS (
         UPDATE ${s}.record_keys k SET occurred_at = x.t, content_hash = x.h, revision = u.r, source_updated_at = x.u
         FROM u JOIN (${STAGED_SELECT}) AS x ON x.w = u.w AND x.i = u.i
         WHERE k.workspace_id = u.w AND k.id = u.i)
       INSERT INTO ${s}.records (${RECORD_COLUMNS})
       SELECT ${STAGED_RECORD_VALUES.replace('x.b::jsonb', "jsonb_set(x.b::jsonb, '{revision}', to_jsonb(u.r))")}
       FROM u JOIN (${STAGED_SELECT}) AS x ON x.w = u.w AND x.i = u.i`,
      [next.map((r) => r.workspaceId), next.map((r) => r.id), next.map((r) => r.revision)],
      PREPARE,
    );
    for (const r of next) deltas.add(contributionOf(r), 1);
    await applyDeltas(tx, deltas);
  }

  /** Applies rollup changes; call it once the records table holds the new state (the levels are rebuilt from it). */
  async function applyDeltas(tx: SqlQueryable, deltas: RollupDeltas) {
    if (deltas.empty) return;
    const levels = deltas.levels().filter((l) => l.touched.length > 0);
    if (levels.length > 0) await tx.query(LOCK_HOURS_SQL, [hourLockKeys(s, levels.flatMap((l) => hoursOf(l.touched)))]);
    for (const { rollup, touched } of levels) await tx.query(replaceRollupSql(s, rollup), [JSON.stringify(touched)], PREPARE);
    const topics = deltas.topics();
    if (topics.rows.length > 0) await tx.query(upsertTopicRollupSql(s), [JSON.stringify(topics.rows)], PREPARE);
    if (topics.repair.length > 0) await tx.query(repairTopicRollupSql(s), [JSON.stringify(topics.repair)], PREPARE);
  }

  /** Notes the hours new records were appended to (an edit rebuilds its groups whole), and compacts when enough were. */
  async function afterUpsert(records: readonly TributaryRecord[], instants: readonly number[], outcomes: readonly UpsertOutcome[]) {
    let created = 0;
    const touched = new Map<string, Set<number>>();
    let workspace: string | undefined;
    let hours: Set<number> | undefined;
    for (let i = 0; i < records.length; i++) {
      if (outcomes[i]?.status !== 'created') continue;
      created++;
      const record = records[i]!;
      if (record.workspaceId !== workspace) {
        workspace = record.workspaceId;
        hours = touched.get(workspace);
        if (!hours) touched.set(workspace, (hours = new Set()));
      }
      hours!.add(Math.floor(instants[i]! / 3_600_000));
    }
    for (const [w, set] of touched) {
      let counts = appendedHours.get(w);
      if (!counts) appendedHours.set(w, (counts = new Map()));
      for (const hour of set) {
        const n = counts.get(hour);
        if (n === undefined) knownHours++;
        counts.set(hour, (n ?? 0) + 1);
      }
    }
    writtenSinceCompaction += created;
    if (writtenSinceCompaction < compactEvery) return;
    // The upsert committed: a failed compaction must not report it as failed (the caller would
    // retry it for nothing). Its hours stay dirty and the next trigger, or compactRollups(), retries.
    await compact().catch(() => undefined);
  }

  /** Compacts the hours counted twice, a slice at a time (each slice its own transaction, locks held briefly). */
  async function compact(): Promise<number> {
    writtenSinceCompaction = 0;
    const hours: RollupHour[] = [];
    for (const [w, counts] of appendedHours) for (const [hour, n] of counts) if (n > 1) hours.push({ w, h: new Date(hour * 3_600_000).toISOString() });
    let removed = 0;
    const { db } = await ready();
    for (let i = 0; i < hours.length; i += 500) {
      const slice = hours.slice(i, i + 500);
      removed += await withRetry(() =>
        db.transaction(async (tx) => {
          await tx.query(LOCK_HOURS_SQL, [hourLockKeys(s, slice)]);
          let rows = 0;
          for (const rollup of ROLLUPS) {
            const merged = await tx.query<{ removed: number }>(compactRollupSql(s, rollup), [JSON.stringify(slice)]);
            rows += merged.rows[0]?.removed ?? 0;
          }
          return rows;
        }),
      );
      // Merged: one row per group now. (A slice that failed keeps its counts, so the next run retries it.)
      for (const { w, h } of slice) appendedHours.get(w)?.set(Date.parse(h) / 3_600_000, 1);
    }
    forgetHours();
    return removed;
  }

  /** Keeps the memory of hours bounded: forgets the oldest-noted hours that hold one row per group. */
  function forgetHours() {
    for (const [w, counts] of appendedHours) {
      for (const [hour, n] of counts) {
        if (knownHours <= KNOWN_HOURS) return;
        if (n > 1) continue;
        counts.delete(hour);
        knownHours--;
      }
      if (counts.size === 0) appendedHours.delete(w);
    }
  }

  /**
   * Document writes in rounds equivalent to the callers' order: writes to different documents
   * commute, so a round holds the first write of every document, the next round the second write of
   * those written twice, and so on; a document's own writes keep their order.
   */
  function documentRounds(writes: DocumentWrite[]): DocumentWrite[][] {
    const rounds: DocumentWrite[][] = [];
    const seen = new Map<string, number>();
    for (const w of writes) {
      const key = documentKey(w);
      const round = seen.get(key) ?? 0;
      seen.set(key, round + 1);
      (rounds[round] ??= []).push(w);
    }
    return rounds;
  }

  /**
   * One statement for a round: its deletes, inserts and puts as data-modifying CTEs (its documents
   * are distinct, so no row is touched twice), each kind sorted by key. A single statement is atomic
   * by itself, so a one-round commit needs no BEGIN and COMMIT: one round trip in all.
   */
  async function applyRound(db: SqlQueryable, round: DocumentWrite[]) {
    const params: unknown[] = [];
    const param = (values: string[]) => `$${params.push(values)}::text[]`;
    const parts: string[] = [];
    const reported: string[] = [];
    const of = (kind: DocumentWrite['kind']) => round.filter((w) => w.kind === kind).sort(byDocumentKey);
    const keys = (list: DocumentWrite[]) => `${param(list.map((w) => w.collection))}, ${param(list.map((w) => w.scope))}, ${param(list.map((w) => w.id))}`;
    const deletes = of('delete');
    const inserts = of('insert');
    const puts = of('put');
    if (deletes.length > 0) {
      parts.push(`gone AS (DELETE FROM ${s}.documents d USING unnest(${keys(deletes)}) AS x(c, sc, i)
        WHERE d.collection = x.c AND d.scope = x.sc AND d.id = x.i RETURNING d.collection, d.scope, d.id)`);
      reported.push('SELECT collection, scope, id FROM gone');
    }
    if (inserts.length > 0) {
      parts.push(`stored AS (INSERT INTO ${s}.documents (collection, scope, id, document)
        SELECT x.c, x.sc, x.i, x.d::jsonb FROM unnest(${keys(inserts)}, ${param(inserts.map((w) => w.json))}) AS x(c, sc, i, d)
        ON CONFLICT (collection, scope, id) DO NOTHING RETURNING collection, scope, id)`);
      reported.push('SELECT collection, scope, id FROM stored');
    }
    if (puts.length > 0) {
      parts.push(`replaced AS (INSERT INTO ${s}.documents (collection, scope, id, document)
        SELECT x.c, x.sc, x.i, x.d::jsonb FROM unnest(${keys(puts)}, ${param(puts.map((w) => w.json))}) AS x(c, sc, i, d)
        ON CONFLICT (collection, scope, id) DO UPDATE SET document = excluded.document, updated_at = now() RETURNING 1)`);
      // A data-modifying CTE runs whether or not the main query reads it; a put has nothing to report.
      reported.push(`SELECT NULL, NULL, NULL FROM replaced WHERE false`);
    }
    const result = await db.query<{ collection: string; scope: string; id: string }>(`WITH ${parts.join(',\n')}\n${reported.join('\nUNION ALL\n')}`, params, PREPARE);
    const changed = new Set(result.rows.map((r) => `${r.collection}\u0000${r.scope}\u0000${r.id}`));
    for (const w of deletes) w.changed = changed.has(documentKey(w));
    for (const w of inserts) w.changed = changed.has(documentKey(w));
    for (const w of puts) w.changed = true;
  }

  /** Applies document writes: one statement when they make one round, else a transaction of rounds. */
  async function applyDocumentWrites(db: SqlExecutor, writes: DocumentWrite[]) {
    const rounds = documentRounds(writes);
    if (rounds.length === 1) return applyRound(db, rounds[0]!);
    await db.transaction(async (tx) => {
      for (const round of rounds) await applyRound(tx, round);
    });
  }

  const documentCommitter =
    options.groupCommit === false
      ? undefined
      : createGroupCommitter<DocumentWrite, CommitRequest<DocumentWrite>>({
          commit: (requests) => op('writeDocuments', (db) => applyDocumentWrites(db, requests.flatMap((r) => r.messages))),
          // Unreachable database: retrying each caller alone would only fail each again.
          sharedFailure: (error) => isTributaryError(error, 'unavailable'),
          clock,
          options: options.groupCommit,
        });

  /** Writes one document, in a shared commit unless group commit is off; resolves once committed. */
  async function writeDocument(operation: string, write: DocumentWrite): Promise<boolean> {
    if (documentCommitter) {
      await documentCommitter.submit({ messages: [write], bytes: write.json.length });
    } else {
      await op(operation, (db) => applyDocumentWrites(db, [write]));
    }
    return write.changed;
  }

  interface PendingRead {
    collection: string;
    scope: string;
    id: string;
    resolve: (document: unknown) => void;
    reject: (error: unknown) => void;
  }
  /** Reads waiting for the one in flight to finish; they go together in the next statement. */
  let waitingReads: PendingRead[] = [];
  let reading = false;

  /**
   * Reads documents, one statement at a time: a read made while another is running waits and joins
   * the next, so concurrent callers (a webhook delivery each, under load) cost one statement between
   * them instead of one each. A lone read runs at once, as before.
   */
  function readDocument<T>(collection: string, scope: string, id: string): Promise<T | null> {
    return new Promise<unknown>((resolve, reject) => {
      waitingReads.push({ collection, scope, id, resolve, reject });
      if (!reading) void drainReads();
    }) as Promise<T | null>;
  }

  async function drainReads() {
    reading = true;
    try {
      while (waitingReads.length > 0) {
        const batch = waitingReads;
        waitingReads = [];
        try {
          const found = await op('getDocument', async (db) => {
            if (batch.length === 1) {
              const { collection, scope, id } = batch[0]!;
              const result = await db.query<{ document: unknown }>(`SELECT document FROM ${s}.documents WHERE collection = $1 AND scope = $2 AND id = $3`, [collection, scope, id], PREPARE);
              return result.rows.length > 0 ? [result.rows[0]!.document] : [null];
            }
            const result = await db.query<{ n: number; document: unknown }>(
              `SELECT x.n::int AS n, d.document FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS x(c, sc, i, n)
               JOIN ${s}.documents d ON d.collection = x.c AND d.scope = x.sc AND d.id = x.i`,
              [batch.map((r) => r.collection), batch.map((r) => r.scope), batch.map((r) => r.id)],
              PREPARE,
            );
            const documents: unknown[] = batch.map(() => null);
            for (const row of result.rows) documents[row.n - 1] = row.document;
            return documents;
          });
          batch.forEach((r, i) => r.resolve(found[i] ?? null));
        } catch (error) {
          for (const r of batch) r.reject(error);
        }
      }
    } finally {
      reading = false;
    }
  }

  const adapter: SqlStorageAdapter = {
    name: options.name,
    capabilities: { durable: options.durable, rollups: true, atomicBatches: true },

    async connect() {
      await op('connect', async () => undefined);
    },

    async layout() {
      return (await op('layout', async (_db, ctx) => ctx)).layout;
    },

    async partitions() {
      return op('partitions', async (_db, ctx) => (ctx.partitions ? ctx.partitions.list() : []));
    },

    explainAggregate(query) {
      return aggregateStatement(s, query).source;
    },

    async upsertRecords(records) {
      if (records.length === 0) return [];
      const instants = records.map((r) => Date.parse(r.occurredAt));
      const result = await op('upsertRecords', async (db, ctx) => {
        if (ctx.partitions) await ctx.partitions.ensure(instants);
        // A key repeated within the batch is applied in order, one occurrence per round.
        const rounds: { records: TributaryRecord[]; positions: number[] }[] = [];
        const seen = new Map<string, number>();
        records.forEach((record, position) => {
          const key = keyOf(record.workspaceId, record.id);
          const round = seen.get(key) ?? 0;
          seen.set(key, round + 1);
          (rounds[round] ??= { records: [], positions: [] }).records.push(record);
          rounds[round]!.positions.push(position);
        });
        const outcomes: UpsertOutcome[] = new Array(records.length);
        const chunks: Chunk[] = [];
        for (const round of rounds) {
          for (let i = 0; i < round.records.length; i += options.chunkSize) {
            chunks.push({ records: round.records.slice(i, i + options.chunkSize), positions: round.positions.slice(i, i + options.chunkSize) });
          }
        }
        await db.transaction((tx) => upsertChunks(tx, chunks, outcomes));
        return outcomes;
      });
      await afterUpsert(records, instants, result);
      return result;
    },

    async getRecord(workspaceId, id) {
      return op('getRecord', async (db) => {
        const result = await db.query<{ body: TributaryRecord }>(
          `SELECT r.body FROM ${s}.record_keys k JOIN ${s}.records r ON r.workspace_id = k.workspace_id AND r.occurred_at = k.occurred_at AND r.id = k.id
           WHERE k.workspace_id = $1 AND k.id = $2`,
          [workspaceId, id],
          PREPARE,
        );
        return result.rows[0]?.body ?? null;
      });
    },

    async getRecordHistory(workspaceId, id) {
      return op('getRecordHistory', async (db) => {
        const result = await db.query<{ body: TributaryRecord }>(`SELECT body FROM ${s}.record_history WHERE workspace_id = $1 AND id = $2 ORDER BY revision`, [workspaceId, id]);
        return result.rows.map((r) => r.body);
      });
    },

    async updateAnalysis(workspaceId, id, contentHash, analysis, provenance) {
      return op('updateAnalysis', (db) =>
        db.transaction(async (tx) => {
          const key = await tx.query<{ content_hash: string }>(`SELECT content_hash FROM ${s}.record_keys WHERE workspace_id = $1 AND id = $2 FOR UPDATE`, [workspaceId, id]);
          if (key.rows[0]?.content_hash !== contentHash) return false;
          const current = await tx.query<ContributionRow & { body: TributaryRecord }>(
            `SELECT ${CONTRIBUTION_COLUMNS}, r.body FROM ${s}.record_keys k JOIN ${s}.records r ON r.workspace_id = k.workspace_id AND r.occurred_at = k.occurred_at AND r.id = k.id
             WHERE k.workspace_id = $1 AND k.id = $2`,
            [workspaceId, id],
          );
          const row = current.rows[0];
          if (!row) return false;
          const next: TributaryRecord = { ...row.body, analysis, provenance };
          const contribution = contributionOf(next);
          await tx.query(
            `UPDATE ${s}.records SET language = $4, sentiment = $5, sentiment_score = $6::numeric, category = $7, body = $8::text::jsonb
             WHERE workspace_id = $1 AND occurred_at = $2::timestamptz AND id = $3`,
            [workspaceId, next.occurredAt, id, contribution.dims.language, contribution.sentiment, contribution.score, contribution.dims.category, JSON.stringify(next)],
          );
          const deltas = new RollupDeltas();
          deltas.add(contributionFromRow(row), -1);
          deltas.add(contribution, 1);
          await applyDeltas(tx, deltas);
          return true;
        }),
      );
    },

    async queryRecords(query: RecordQuery): Promise<Page<TributaryRecord>> {
      const limit = pageLimit(query.limit);
      const desc = (query.order ?? 'desc') === 'desc';
      const after = strictCursor(query.cursor, 'time+id');
      const params: unknown[] = [query.workspaceId];
      const p = (value: unknown, cast = 'text') => {
        params.push(value);
        return `$${params.length}::${cast}`;
      };
      const conditions: string[] = ['workspace_id = $1'];
      if (query.from) conditions.push(`occurred_at >= ${p(query.from, 'timestamptz')}`);
      if (query.to) conditions.push(`occurred_at < ${p(query.to, 'timestamptz')}`);
      const list = (column: string, values: readonly string[] | undefined) => {
        if (values && values.length > 0) conditions.push(`${column} = ANY(${p(values, 'text[]')})`);
      };
      list('source_id', query.sourceIds);
      list('kind', query.kinds);
      list('item_type', query.itemTypes);
      list('sentiment', query.sentiments);
      list('language', query.languages);
      list('category', query.categories);
      list('measurement_type', query.measurementTypes);
      list('destination_id', query.destinationIds);
      list('reference', query.references);
      if (query.text) conditions.push(`strpos(search_text, ${p(query.text.toLowerCase())}) > 0`);
      if (after) conditions.push(`(occurred_at, id) ${desc ? '<' : '>'} (${p(after[0], 'timestamptz')}, ${p(after[1])})`);
      const direction = desc ? 'DESC' : 'ASC';
      return op('queryRecords', async (db) => {
        const result = await db.query<{ body: TributaryRecord; c_at: string; id: string }>(
          `SELECT body, ${isoSql('occurred_at')} AS c_at, id FROM ${s}.records WHERE ${conditions.join(' AND ')}
           ORDER BY occurred_at ${direction}, id ${direction} LIMIT ${limit + 1}`,
          params,
        );
        const rows = result.rows.slice(0, limit);
        const last = rows[rows.length - 1];
        return { items: rows.map((r) => r.body), nextCursor: result.rows.length > limit && last ? encodeCursor([last.c_at, last.id]) : null };
      });
    },

    async aggregate(query: AggregateQuery): Promise<AggregateRow[]> {
      const statement = aggregateStatement(s, query);
      return op('aggregate', async (db) => {
        const result = await db.query(statement.text, statement.params);
        return aggregateRows(query, result.rows as never);
      });
    },

    async aggregateTopics(query: TopicAggregateQuery): Promise<TopicAggregateRow[]> {
      const statement = topicAggregateStatement(s, query);
      return op('aggregateTopics', async (db) => {
        const result = await db.query(statement.text, statement.params);
        return topicAggregateRows(query, result.rows as never);
      });
    },

    explainAggregateTopics(query) {
      return topicAggregateStatement(s, query).source;
    },

    async compactRollups() {
      try {
        return await compact();
      } catch (error) {
        throw dbError(component, 'compactRollups', error);
      }
    },

    async putRawPayloads(payloads) {
      if (payloads.length === 0) return;
      await op('putRawPayloads', async (db) => {
        await db.query(
          `INSERT INTO ${s}.raw_payloads (workspace_id, id, source_id, received_at, body)
           SELECT x.w, x.i, x.s, x.r::timestamptz, x.b FROM jsonb_to_recordset($1::text::jsonb) AS x(w text, i text, s text, r text, b jsonb)
           ON CONFLICT (workspace_id, id) DO NOTHING`,
          [JSON.stringify(payloads.map((p) => ({ w: p.workspaceId, i: p.id, s: p.sourceId, r: p.receivedAt, b: p })))],
        );
      });
    },

    async getRawPayload(workspaceId, id) {
      return op('getRawPayload', async (db) => {
        const result = await db.query<{ body: RawPayload }>(`SELECT body FROM ${s}.raw_payloads WHERE workspace_id = $1 AND id = $2`, [workspaceId, id]);
        return result.rows[0]?.body ?? null;
      });
    },

    async listRawPayloads(workspaceId, sourceId, listOptions = {}) {
      const limit = pageLimit(listOptions.limit);
      const after = strictCursor(listOptions.cursor, 'time+id');
      return op('listRawPayloads', async (db) => {
        const result = await db.query<{ body: RawPayload; c_at: string; id: string }>(
          `SELECT body, ${isoSql('received_at')} AS c_at, id FROM ${s}.raw_payloads
           WHERE workspace_id = $1 AND source_id = $2 ${after ? 'AND (received_at, id) > ($3::timestamptz, $4::text)' : ''}
           ORDER BY received_at, id LIMIT ${limit + 1}`,
          after ? [workspaceId, sourceId, after[0], after[1]] : [workspaceId, sourceId],
        );
        const rows = result.rows.slice(0, limit);
        const last = rows[rows.length - 1];
        return { items: rows.map((r) => r.body), nextCursor: result.rows.length > limit && last ? encodeCursor([last.c_at, last.id]) : null };
      });
    },

    async getCheckpoint<T>(workspaceId: string, sourceId: string, stream = 'default') {
      return op('getCheckpoint', async (db) => {
        const result = await db.query<{ value: T | null }>(`SELECT value FROM ${s}.checkpoints WHERE workspace_id = $1 AND source_id = $2 AND stream = $3`, [workspaceId, sourceId, stream]);
        return result.rows[0]?.value ?? null;
      });
    },

    async setCheckpoint(workspaceId, sourceId, value, stream = 'default') {
      const json = value === undefined ? null : JSON.stringify(value);
      await op('setCheckpoint', async (db) => {
        await db.query(
          `INSERT INTO ${s}.checkpoints (workspace_id, source_id, stream, value) VALUES ($1, $2, $3, $4::text::jsonb)
           ON CONFLICT (workspace_id, source_id, stream) DO UPDATE SET value = excluded.value, updated_at = now()`,
          [workspaceId, sourceId, stream, json],
        );
      });
    },

    async acquireLock(key, owner, ttlMs): Promise<LockLease | null> {
      const now = clock.now();
      return op('acquireLock', async (db) => {
        const result = await db.query<{ owner: string; expires_at: string }>(
          `INSERT INTO ${s}.locks AS l (key, owner, expires_at) VALUES ($1, $2, $3::text::bigint)
           ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
           WHERE l.owner = excluded.owner OR l.expires_at <= $4::text::bigint
           RETURNING owner, expires_at::text AS expires_at`,
          [key, owner, String(now + ttlMs), String(now)],
        );
        const row = result.rows[0];
        return row ? { key, owner: row.owner, expiresAt: Number(row.expires_at) } : null;
      });
    },

    async renewLock(key, owner, ttlMs) {
      const now = clock.now();
      return op('renewLock', async (db) => {
        const result = await db.query(`UPDATE ${s}.locks SET expires_at = $3::text::bigint WHERE key = $1 AND owner = $2 AND expires_at > $4::text::bigint`, [key, owner, String(now + ttlMs), String(now)]);
        return result.rowCount > 0;
      });
    },

    async releaseLock(key, owner) {
      await op('releaseLock', async (db) => {
        await db.query(`DELETE FROM ${s}.locks WHERE key = $1 AND owner = $2`, [key, owner]);
      });
    },

    async putDocument(collection, scope, id, document) {
      await writeDocument('putDocument', { kind: 'put', collection, scope, id, json: JSON.stringify(document ?? null), changed: false });
    },

    async insertDocument(collection, scope, id, document) {
      return writeDocument('insertDocument', { kind: 'insert', collection, scope, id, json: JSON.stringify(document ?? null), changed: false });
    },

    async getDocument<T>(collection: string, scope: string, id: string) {
      return readDocument<T>(collection, scope, id);
    },

    async listDocuments<T>(collection: string, scope: string, listOptions: { limit?: number; cursor?: string } = {}) {
      const limit = pageLimit(listOptions.limit);
      const after = strictCursor(listOptions.cursor, 'string');
      return op('listDocuments', async (db) => {
        const result = await db.query<{ id: string; document: T }>(
          `SELECT id, document FROM ${s}.documents WHERE collection = $1 AND scope = $2 ${after ? 'AND id > $3' : ''} ORDER BY id LIMIT ${limit + 1}`,
          after ? [collection, scope, after[0]] : [collection, scope],
        );
        const items = result.rows.slice(0, limit).map((r) => ({ id: r.id, document: r.document }));
        const last = items[items.length - 1];
        return { items, nextCursor: result.rows.length > limit && last ? encodeCursor([last.id]) : null };
      });
    },

    async deleteDocument(collection, scope, id) {
      return writeDocument('deleteDocument', { kind: 'delete', collection, scope, id, json: '', changed: false });
    },

    async dispose() {
      if (disposed) return;
      // Writes already submitted still commit (their callers are waiting), before the executor goes.
      await documentCommitter?.idle();
      disposed = true;
      const pending = state;
      state = undefined;
      await pending?.catch(() => undefined);
      if (acquired) {
        acquired = false;
        await handle.release();
      }
    },
  };
  return adapter;
}

