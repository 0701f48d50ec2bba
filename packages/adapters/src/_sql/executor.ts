/**
 * The tiny "SQL executor" the PostgreSQL and PGlite adapters share: run one statement, run a function
 * in a transaction, optionally LISTEN. Everything above it (migrations, storage, queue) is written
 * once against this interface; `postgres/` wraps a `pg.Pool`, `pglite/` wraps one PGlite instance.
 *
 * Statements only ever cast their outputs to text, int4, float8, bool or jsonb, and take their
 * inputs as text (casting in SQL), so the two drivers' different type parsers never matter.
 */
import { createError, isTributaryError, type TributaryError } from '@tributary/core/errors';

export interface SqlResult<R> {
  rows: R[];
  rowCount: number;
}

/** Options of one statement. */
export interface QueryOptions {
  /**
   * A fixed, hot statement: the executor may keep it prepared per connection, so PostgreSQL plans it
   * once instead of on every call (planning a statement over a partitioned table costs as much as
   * running it).
   */
  prepare?: boolean;
}

/** Runs one statement. */
export interface SqlQueryable {
  query<R = Record<string, unknown>>(text: string, params?: unknown[], options?: QueryOptions): Promise<SqlResult<R>>;
}

/** A statement runner bound to one connection inside a transaction. */
export interface SqlTransaction extends SqlQueryable {
  /**
   * `COPY <target> FROM STDIN (FORMAT binary)` with `data` (see `copy.ts`): the cheapest way to hand
   * the server a batch, with no text or JSON parsing of the values.
   */
  copyIn(target: string, data: Uint8Array): Promise<void>;
  /**
   * Runs `setup` (DDL of session-scoped objects such as a temporary table) unless this connection
   * already ran it for `key` in a committed transaction. Behind a pooler that cannot promise the same
   * server connection across transactions, it runs every time (so `setup` must be idempotent).
   */
  sessionOnce(key: string, setup: () => Promise<void>): Promise<void>;
}

export interface SqlExecutor extends SqlQueryable {
  readonly engine: 'postgres' | 'pglite';
  /** Runs `fn` between BEGIN and COMMIT (ROLLBACK when it throws), on one connection. */
  transaction<T>(fn: (tx: SqlTransaction) => Promise<T>): Promise<T>;
  /**
   * Subscribes to NOTIFY on a channel. `onReconnect` is called after the listening connection was
   * lost and re-established (notifications may have been missed meanwhile). Resolves to an
   * unsubscribe function.
   */
  listen?(channel: string, onPayload: (payload: string) => void, onReconnect?: () => void): Promise<() => Promise<void>>;
  /** Releases what the executor owns (an injected pool or instance is left open). */
  close(): Promise<void>;
}

/** Opens an executor on first use and hands out the same one until released by everyone. */
export interface ExecutorHandle {
  acquire(): Promise<SqlExecutor>;
  release(): Promise<void>;
}

/**
 * A handle that opens lazily (once; a failed open is retried on the next call) and closes the
 * executor when the last holder released it.
 */
export function lazyHandle(open: () => Promise<SqlExecutor>): ExecutorHandle {
  let pending: Promise<SqlExecutor> | undefined;
  let closing: Promise<unknown> = Promise.resolve();
  let holders = 0;
  return {
    async acquire() {
      holders++;
      if (!pending) {
        // Never two at once: a file-backed database must be closed before it is opened again.
        pending = closing.then(open);
        pending.catch(() => {
          pending = undefined;
        });
      }
      try {
        return await pending;
      } catch (error) {
        holders--;
        throw error;
      }
    },
    async release() {
      if (holders === 0) return;
      holders--;
      if (holders > 0 || !pending) return;
      const current = pending;
      pending = undefined;
      const closed = current.then(
        (executor) => executor.close(),
        () => undefined,
      );
      closing = closed.catch(() => undefined);
      await closed;
    },
  };
}

/** Serializes async work (PGlite has a single connection: one transaction at a time). */
export function createMutex(): <T>(fn: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>) => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  };
}

const CONNECTION_CODES = new Set(['57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);
const RETRYABLE_TX_CODES = new Set(['40001', '40P01']);

/** True for errors that mean the connection (not the statement) failed. */
export function isConnectionError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' && /Connection terminated|connection ended|Client has encountered a connection error|not queryable/i.test(message);
}

function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (typeof code === 'string' && RETRYABLE_TX_CODES.has(code)) || isConnectionError(error);
}

/**
 * Runs `fn`, retrying it on deadlocks, serialization failures and lost connections (a pool hands
 * out a fresh connection on the next try). Every operation run this way is idempotent, or, for
 * queue claims, at-least-once safe.
 */
export async function withRetry<T>(fn: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= attempts || !isRetryable(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt + Math.random() * 50));
    }
  }
}

/** Turns a driver error into a Tributary error naming the component and the operation. */
export function dbError(component: string, operation: string, error: unknown): TributaryError {
  if (isTributaryError(error)) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (isConnectionError(error)) {
    return createError(component, 'unavailable', `${operation} failed: database unreachable (${message})`, { cause: error, context: { operation } });
  }
  if (code === '23505') return createError(component, 'conflict', `${operation} failed: ${message}`, { cause: error, context: { operation } });
  return createError(component, 'adapter', `${operation} failed: ${message}`, { cause: error, context: { operation, sqlState: code } });
}

/** A schema name safe to put in SQL unquoted. */
export function checkSchemaName(component: string, schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,47}$/.test(schema)) {
    throw createError(component, 'config', `invalid schema name ${JSON.stringify(schema)}: use lowercase letters, digits and _ (at most 48 characters)`);
  }
  return schema;
}

/**
 * A signed 64-bit key for `pg_advisory_*lock`, derived from a string (FNV-1a 64), as a decimal
 * string so it survives both drivers' parameter serialization.
 */
export function advisoryKey(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return BigInt.asIntN(64, hash).toString();
}

/** SQL rendering a timestamptz as ISO 8601 UTC with microseconds; see {@link isoFromDb}. */
export const isoSql = (expr: string) => `to_char((${expr}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
/** {@link isoSql} for a timestamp without time zone that already holds UTC wall time. */
export const utcIsoSql = (expr: string) => `to_char(${expr}, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** Turns {@link isoSql} output into the ISO form JavaScript writes (milliseconds, unless finer). */
export function isoFromDb(text: string): string;
export function isoFromDb(text: string | null): string | null;
export function isoFromDb(text: string | null): string | null {
  if (text === null) return null;
  return text.endsWith('000Z') ? `${text.slice(0, -4)}Z` : text;
}
