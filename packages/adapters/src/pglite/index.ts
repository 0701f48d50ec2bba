/**
 * @module @tributary/adapters/pglite
 * Storage and queue on PGlite, PostgreSQL compiled to WebAssembly and embedded in the process
 * (`@electric-sql/pglite`, an optional peer: `npm install @electric-sql/pglite`). The same SQL as
 * `@tributary/adapters/postgres` (one implementation, in `_sql/`), persisted to a directory, or in
 * memory when no `dataDir` is given.
 *
 * PGlite has a single connection: statements and transactions are serialized here, one at a time.
 * The upsert's main statement takes no parameters (it reads a staging table filled by a binary COPY
 * from a blob), so it is PREPAREd once per instance instead of being planned on every batch.
 * Monthly partitioning works on PGlite (it is full PostgreSQL), so it is kept, as are LISTEN/NOTIFY
 * wake-ups (in-process) and advisory locks (trivially uncontended).
 *
 * A queue on a `dataDir` is durable: `publish()` resolves after the transaction committed, so a
 * published message survives a restart. One directory must be opened by one PGlite instance at a
 * time: the adapters of one process share an instance per directory (or pass `pglite`, or use
 * {@link createPglite}).
 *
 * PGlite runs on the calling thread by default; `thread: 'worker'` runs it in a worker thread (see
 * {@link PgliteOptions.thread}), so its work no longer blocks the event loop.
 *
 * @example
 * ```ts
 * import { createPglite } from '@tributary/adapters/pglite';
 * const { storage, queue } = createPglite({ dataDir: './.tributary/db' });
 * ```
 */
import { resolve } from 'node:path';
import type { Clock } from '@tributary/core/clock';
import { createError, missingDependency } from '@tributary/core/errors';
import type { PGlite } from '@electric-sql/pglite';
import { createHash } from 'node:crypto';
import { checkSchemaName, createMutex, lazyHandle, type ExecutorHandle, type QueryOptions, type SqlExecutor, type SqlResult, type SqlTransaction } from '../_sql/executor.js';
import { createSqlQueue, type GroupCommitOptions, type SqlQueueAdapter } from '../_sql/queue.js';
import { createSqlStorage, type SqlStorageAdapter } from '../_sql/storage.js';
import { startPgliteWorker } from './worker-executor.js';

export type { GroupCommitOptions, SqlQueueAdapter, SqlStorageAdapter };

/** Options shared by the PGlite storage and queue. */
export interface PgliteOptions {
  /** Directory the database lives in (created if missing). @default in memory, lost on close */
  dataDir?: string;
  /** An instance you created; the adapters borrow it and never close it. Overrides `dataDir`. */
  pglite?: PGlite;
  /** @default 'tributary' */
  schema?: string;
  /** Run the migrations on first use. @default true */
  migrate?: boolean;
  /** @default systemClock */
  clock?: Clock;
  /**
   * The thread PGlite runs on.
   * - `'main'`: the calling thread. Each statement is a direct call, but all of PGlite's work
   *   (parsing, planning, executing, writing the directory) blocks this thread's event loop while it
   *   runs: a server on the same thread serves nothing meanwhile.
   * - `'worker'`: a `node:worker_threads` worker owning the instance. Its work overlaps with this
   *   thread's on another core, at the cost of one message round trip per statement (tens of
   *   microseconds), a copy of every parameter and row, the worker's memory, and a start a little
   *   slower than PGlite's own. A worker that dies fails every pending and later call with an
   *   `unavailable` error (reopen the adapters).
   *
   * Worth it when the process has other work to do while the database works (a server ingesting
   * under load); a script that only waits on the database gains little. Not with `pglite` (an
   * instance stays on the thread that created it). The adapters of one process share one instance
   * per directory: the first one to open it decides its thread.
   * @default 'main'
   */
  thread?: 'main' | 'worker';
}

/** Options of {@link createPgliteStorage}. */
export interface PgliteStorageOptions extends PgliteOptions {
  /** Partition the records table by month. Decided at the first migration. @default true */
  partitioning?: boolean;
  /** Months of partitions created ahead of time at start. @default 3 */
  partitionsAhead?: number;
  /** Records per statement within one upsert transaction. @default 1000 */
  batchSize?: number;
  /**
   * New records written through this adapter between two compactions of the hourly rollups, which
   * are append-only: compaction merges the rows a group got from different batches (see
   * `compactRollups()`). @default 20000
   */
  rollupCompactEvery?: number;
}

/** Options of {@link createPgliteQueue}. */
export interface PgliteQueueOptions extends PgliteOptions {
  /** How often idle consumers poll when no notification arrives. @default 1000 */
  pollIntervalMs?: number;
  /** Largest JSON payload accepted, in bytes. @default 1 MiB */
  maxPayloadBytes?: number;
  /** Errors a consumer recovered from. @default ignored */
  onError?: (error: Error) => void;
  /**
   * Publishes arriving while a commit runs share the next transaction (each resolves once its own
   * messages are committed); `false` gives every publish its own transaction.
   * @default on: at most 1000 messages or 4 MiB per commit, no linger
   */
  groupCommit?: GroupCommitOptions | false;
}

type PgliteModule = typeof import('@electric-sql/pglite');

async function loadPglite(): Promise<PgliteModule> {
  try {
    return (await import('@electric-sql/pglite')) as PgliteModule;
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') throw missingDependency('pglite', '@electric-sql/pglite', error);
    throw error;
  }
}

const normalize = <R>(r: { rows: unknown[]; affectedRows?: number }): SqlResult<R> => ({ rows: r.rows as R[], rowCount: r.affectedRows ?? r.rows.length });

/** Per instance (one session): what every executor on it has set up, shared by all of them. */
interface SessionState {
  /** Committed `sessionOnce` keys. */
  setups: Set<string>;
  /** Names of the statements prepared with PREPARE. */
  prepared: Set<string>;
}
const sessionStates = new WeakMap<PGlite, SessionState>();

type Runner = Pick<PGlite, 'query'>;

/**
 * Runs a statement, through a server-side prepared statement when asked and it takes no parameters:
 * PGlite's `query()` parses and plans every call (planning the upsert statement, over a partitioned
 * table, costs about as much as running it). PREPARE persists for the session whatever becomes of
 * the transaction it ran in; EXECUTE cannot take bind parameters here, hence the parameter-free rule.
 */
async function run<R>(db: Runner, state: SessionState, text: string, params: unknown[] | undefined, options: QueryOptions | undefined): Promise<SqlResult<R>> {
  if (!options?.prepare || (params !== undefined && params.length > 0)) return normalize<R>(await db.query(text, params));
  const name = `tributary_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
  if (!state.prepared.has(name)) {
    const existing = await db.query(`SELECT 1 FROM pg_prepared_statements WHERE name = $1`, [name]);
    if (existing.rows.length === 0) await db.query(`PREPARE ${name} AS ${text}`);
    state.prepared.add(name);
  }
  return normalize<R>(await db.query(`EXECUTE ${name}`));
}

/** Wraps a PGlite instance in the SQL executor, one statement or transaction at a time. */
export function pgliteExecutor(db: PGlite, onClose: () => Promise<void>): SqlExecutor {
  const exclusive = createMutex();
  let state = sessionStates.get(db);
  if (!state) sessionStates.set(db, (state = { setups: new Set(), prepared: new Set() }));
  const session = state;
  return {
    engine: 'pglite',
    query: <R>(text: string, params?: unknown[], options?: QueryOptions) => exclusive(() => run<R>(db, session, text, params, options)),
    transaction: <T>(fn: (tx: SqlTransaction) => Promise<T>) =>
      exclusive(async () => {
        const pending: string[] = [];
        const value = await db.transaction((tx) =>
          fn({
            query: <R>(text: string, params?: unknown[], options?: QueryOptions) => run<R>(tx, session, text, params, options),
            async copyIn(target, data) {
              await tx.query(`COPY ${target} FROM '/dev/blob' (FORMAT binary)`, [], { blob: new Blob([data as Uint8Array<ArrayBuffer>]) });
            },
            async sessionOnce(key, setup) {
              if (session.setups.has(key) || pending.includes(key)) return;
              await setup();
              pending.push(key);
            },
          }),
        );
        for (const key of pending) session.setups.add(key);
        return value;
      }),
    async listen(channel, onPayload) {
      const unlisten = await exclusive(() => db.listen(channel, onPayload));
      return () => exclusive(() => unlisten()).catch(() => undefined);
    },
    close: () => exclusive(onClose),
  };
}

/** One instance per directory within this process, shared by every adapter opened on it. */
const openDirectories = new Map<string, ExecutorHandle>();

function handleFor(options: PgliteOptions, component: string): ExecutorHandle {
  const thread = options.thread ?? 'main';
  if (thread !== 'main' && thread !== 'worker') throw createError(component, 'config', `invalid thread ${JSON.stringify(thread)}: use 'main' or 'worker'`);
  if (options.pglite) {
    if (thread === 'worker') throw createError(component, 'config', "thread: 'worker' cannot take an injected PGlite instance (it stays on the thread that created it): pass dataDir instead");
    const injected = options.pglite;
    return lazyHandle(async () => pgliteExecutor(injected, async () => undefined));
  }
  const dataDir = options.dataDir ? resolve(options.dataDir) : undefined;
  const open =
    thread === 'worker'
      ? () => startPgliteWorker(dataDir)
      : async () => {
          const { PGlite } = await loadPglite();
          const db = await PGlite.create(dataDir ? { dataDir } : {});
          return pgliteExecutor(db, () => db.close());
        };
  if (!dataDir) return lazyHandle(open);
  const path = dataDir;
  const existing = openDirectories.get(path);
  if (existing) return existing;
  const inner = lazyHandle(open);
  let holders = 0;
  const shared: ExecutorHandle = {
    async acquire() {
      holders++;
      try {
        return await inner.acquire();
      } catch (error) {
        holders--;
        throw error;
      }
    },
    async release() {
      holders = Math.max(0, holders - 1);
      if (holders === 0 && openDirectories.get(path) === shared) openDirectories.delete(path);
      await inner.release();
    },
  };
  openDirectories.set(path, shared);
  return shared;
}

function storageOn(handle: ExecutorHandle, options: PgliteStorageOptions): SqlStorageAdapter {
  return createSqlStorage({
    name: 'pglite',
    handle,
    schema: checkSchemaName('storage:pglite', options.schema ?? 'tributary'),
    migrate: options.migrate ?? true,
    durable: options.dataDir !== undefined || options.pglite !== undefined,
    // TimescaleDB does not exist for PGlite; skip the detection.
    layout: { partitioning: options.partitioning, timescale: false },
    partitionsAhead: options.partitionsAhead ?? 3,
    chunkSize: options.batchSize ?? 1000,
    rollupCompactEvery: options.rollupCompactEvery,
    clock: options.clock,
  });
}

function queueOn(handle: ExecutorHandle, options: PgliteQueueOptions): SqlQueueAdapter {
  return createSqlQueue({
    name: 'pglite',
    handle,
    schema: checkSchemaName('queue:pglite', options.schema ?? 'tributary'),
    migrate: options.migrate ?? true,
    durable: options.dataDir !== undefined || options.pglite !== undefined,
    pollIntervalMs: options.pollIntervalMs ?? 1000,
    maxPayloadBytes: options.maxPayloadBytes ?? 1024 * 1024,
    notify: true,
    clock: options.clock,
    onError: options.onError,
    groupCommit: options.groupCommit,
  });
}

/** Creates the PGlite storage adapter. */
export function createPgliteStorage(options: PgliteStorageOptions = {}): SqlStorageAdapter {
  return storageOn(handleFor(options, 'storage:pglite'), options);
}

/** Creates the PGlite queue adapter. */
export function createPgliteQueue(options: PgliteQueueOptions = {}): SqlQueueAdapter {
  return queueOn(handleFor(options, 'queue:pglite'), options);
}

/**
 * Storage and queue on one PGlite instance (in memory too). The instance opens on first use and
 * closes when both are disposed.
 */
export function createPglite(options: PgliteStorageOptions & PgliteQueueOptions = {}): { storage: SqlStorageAdapter; queue: SqlQueueAdapter } {
  const handle = handleFor(options, 'pglite');
  return { storage: storageOn(handle, options), queue: queueOn(handle, options) };
}
