/**
 * @module @tributary/adapters/postgres
 * Storage and queue on PostgreSQL (node-postgres, an optional peer: `npm install pg`).
 *
 * - Storage: versioned migrations run on first use (or from the CLI with {@link migrate}); records
 *   in a table range-partitioned by month on `occurred_at` (partitions created ahead of time and on
 *   demand), or a TimescaleDB hypertable when the extension can be created (detected at migration;
 *   untested here, see `_sql/migrations.ts`); revision history; hourly rollups maintained in the
 *   same transaction as each upsert, so `aggregate()` never scans raw rows for whole hours, and
 *   hourly topic rollups for `aggregateTopics()`; exact decimal sums (NUMERIC); batched idempotent
 *   upserts (binary COPY into a temporary staging table, then one prepared statement per chunk);
 *   raw payloads, checkpoints, lease locks and documents in JSONB; keyset pagination with opaque
 *   cursors.
 * - Queue: a table consumed with `FOR UPDATE SKIP LOCKED`, one delivery row per consumer group,
 *   visibility timeout, delayed messages, dead letters with replay, LISTEN/NOTIFY wake-ups with
 *   polling as the fallback, deduplication by message id.
 *
 * A transactional outbox for hosts that write their own database is the subpath
 * `@tributary/adapters/postgres-outbox`.
 *
 * Nothing connects, and `pg` is not even loaded, until the first call.
 *
 * @example
 * ```ts
 * import { createPostgresStorage, createPostgresQueue } from '@tributary/adapters/postgres';
 * const storage = createPostgresStorage({ connectionString: process.env.DATABASE_URL });
 * const queue = createPostgresQueue({ connectionString: process.env.DATABASE_URL });
 * ```
 */
import type { Clock } from '@tributary/core/clock';
import { checkSchemaName, dbError, lazyHandle, withRetry, type ExecutorHandle } from '../_sql/executor.js';
import { runMigrations, type MigrationComponent, type MigrationReport, type RecordsLayout } from '../_sql/migrations.js';
import { createSqlQueue, type GroupCommitOptions, type SqlQueueAdapter } from '../_sql/queue.js';
import { createSqlStorage, type SqlStorageAdapter } from '../_sql/storage.js';
import { openPoolExecutor, type PostgresConnection } from './executor.js';

export type { PostgresConnection } from './executor.js';
export type { GroupCommitOptions, SqlQueueAdapter, SqlStorageAdapter, MigrationReport, RecordsLayout, MigrationComponent };

/** Options shared by the storage and the queue. */
export interface PostgresCommonOptions extends PostgresConnection {
  /** Schema holding the tables (created if missing). @default 'tributary' */
  schema?: string;
  /** Run the migrations on first use. When false, a schema not yet migrated is a `config` error. @default true */
  migrate?: boolean;
  /** Time source for leases, delays and visibility timeouts. @default systemClock */
  clock?: Clock;
}

/** Options of {@link createPostgresStorage}. */
export interface PostgresStorageOptions extends PostgresCommonOptions {
  /** Partition the records table by month (native range partitions). Decided at the first migration. @default true */
  partitioning?: boolean;
  /** Use a TimescaleDB hypertable when the extension can be created. Decided at the first migration. @default 'auto' */
  timescale?: boolean | 'auto';
  /** Months of partitions created ahead of time at start. @default 3 */
  partitionsAhead?: number;
  /**
   * Records per statement within one upsert transaction (each chunk is staged with one COPY). With
   * several chunks in one call, the next is encoded while the server writes the previous one.
   * @default 1000
   */
  batchSize?: number;
  /**
   * New records written through this adapter between two compactions of the hourly rollups, which
   * are append-only: compaction merges the rows a group got from different batches (see
   * `compactRollups()`). @default 20000
   */
  rollupCompactEvery?: number;
}

/** Options of {@link createPostgresQueue}. */
export interface PostgresQueueOptions extends PostgresCommonOptions {
  /** How often idle consumers poll when no notification arrives. @default 1000 */
  pollIntervalMs?: number;
  /** Largest JSON payload accepted, in bytes. @default 1 MiB */
  maxPayloadBytes?: number;
  /** Wake consumers with LISTEN/NOTIFY (one extra connection per queue). @default true */
  listen?: boolean;
  /** Errors a consumer recovered from (lost connection, failed claim). @default ignored */
  onError?: (error: Error) => void;
  /**
   * Publishes arriving while a commit runs share the next transaction (each resolves once its own
   * messages are committed); `false` gives every publish its own transaction.
   * @default on: at most 1000 messages or 4 MiB per commit, no linger
   */
  groupCommit?: GroupCommitOptions | false;
}

const DEFAULT_SCHEMA = 'tributary';

function storageOn(handle: ExecutorHandle, options: PostgresStorageOptions): SqlStorageAdapter {
  return createSqlStorage({
    name: 'postgres',
    handle,
    schema: checkSchemaName('storage:postgres', options.schema ?? DEFAULT_SCHEMA),
    migrate: options.migrate ?? true,
    durable: true,
    layout: { partitioning: options.partitioning, timescale: options.timescale },
    partitionsAhead: options.partitionsAhead ?? 3,
    chunkSize: options.batchSize ?? 1000,
    rollupCompactEvery: options.rollupCompactEvery,
    clock: options.clock,
  });
}

function queueOn(handle: ExecutorHandle, options: PostgresQueueOptions): SqlQueueAdapter {
  return createSqlQueue({
    name: 'postgres',
    handle,
    schema: checkSchemaName('queue:postgres', options.schema ?? DEFAULT_SCHEMA),
    migrate: options.migrate ?? true,
    durable: true,
    pollIntervalMs: options.pollIntervalMs ?? 1000,
    maxPayloadBytes: options.maxPayloadBytes ?? 1024 * 1024,
    notify: options.listen ?? true,
    clock: options.clock,
    onError: options.onError,
    groupCommit: options.groupCommit,
  });
}

/** Creates the PostgreSQL storage adapter. */
export function createPostgresStorage(options: PostgresStorageOptions = {}): SqlStorageAdapter {
  return storageOn(
    lazyHandle(() => openPoolExecutor(options)),
    options,
  );
}

/** Creates the PostgreSQL queue adapter. */
export function createPostgresQueue(options: PostgresQueueOptions = {}): SqlQueueAdapter {
  return queueOn(
    lazyHandle(() => openPoolExecutor(options)),
    options,
  );
}

/** Storage and queue over one pool; the pool closes when both are disposed. */
export function createPostgres(options: PostgresStorageOptions & PostgresQueueOptions = {}): { storage: SqlStorageAdapter; queue: SqlQueueAdapter } {
  const handle = lazyHandle(() => openPoolExecutor(options));
  return { storage: storageOn(handle, options), queue: queueOn(handle, options) };
}

/** Options of {@link migrate}. */
export interface PostgresMigrateOptions extends PostgresConnection {
  /** @default 'tributary' */
  schema?: string;
  /** @default ['storage', 'queue'] */
  components?: MigrationComponent[];
  /** See {@link PostgresStorageOptions.partitioning}. */
  partitioning?: boolean;
  /** See {@link PostgresStorageOptions.timescale}. */
  timescale?: boolean | 'auto';
}

/**
 * Applies the missing migrations (for the CLI, or to migrate before starting with `migrate: false`).
 * Idempotent; concurrent callers are serialized by an advisory lock.
 */
export async function migrate(options: PostgresMigrateOptions = {}): Promise<MigrationReport> {
  const schema = checkSchemaName('postgres', options.schema ?? DEFAULT_SCHEMA);
  const db = await openPoolExecutor(options);
  try {
    return await withRetry(() => runMigrations(db, schema, options.components ?? ['storage', 'queue'], { partitioning: options.partitioning, timescale: options.timescale }));
  } catch (error) {
    throw dbError('postgres', 'migrate', error);
  } finally {
    await db.close();
  }
}
