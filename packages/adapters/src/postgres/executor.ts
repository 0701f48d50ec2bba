/** The SQL executor over a node-postgres pool, and the lazy loading of `pg`. */
import { missingDependency } from '@tributary/core/errors';
import type { Client, ClientConfig, Notification, Pool, PoolClient, PoolConfig } from 'pg';
import { createHash } from 'node:crypto';
import { isConnectionError, type QueryOptions, type SqlExecutor, type SqlResult, type SqlTransaction } from '../_sql/executor.js';

type PgModule = typeof import('pg');

function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

/** Imports `pg` (an optional peer dependency) on first use. `importer` is for tests. */
export async function loadPg(importer: () => Promise<unknown> = () => import('pg')): Promise<PgModule> {
  try {
    const mod = (await importer()) as PgModule & { default?: PgModule };
    return mod.default ?? mod;
  } catch (error) {
    if (isModuleNotFound(error)) throw missingDependency('postgres', 'pg', error);
    throw error;
  }
}

/** How to reach the server. */
export interface PostgresConnection {
  /**
   * A connection URL, e.g. `postgres://user@127.0.0.1:5432/app`. Ignored when `pool` is given.
   * @default process.env.DATABASE_URL, else node-postgres' own defaults (PGHOST, PGUSER…)
   */
  connectionString?: string;
  /** A pool you created; the adapter borrows it and never ends it. */
  pool?: Pool;
  /** Size of the pool the adapter creates. @default 10 */
  maxConnections?: number;
  /** `application_name` of the adapter's connections (shown in pg_stat_activity). @default 'tributary' */
  applicationName?: string;
  /**
   * Keep the hot statements prepared on each connection. Turn off behind a pooler in transaction
   * mode (PgBouncer before 1.21), which cannot follow prepared statements across connections.
   * @default true
   */
  preparedStatements?: boolean;
}

/** Creates (or borrows) a pool and wraps it; nothing connects until the first statement. */
export async function openPoolExecutor(connection: PostgresConnection): Promise<SqlExecutor> {
  const pg = await loadPg();
  const prepare = connection.preparedStatements ?? true;
  if (connection.pool) return poolExecutor(pg, connection.pool, false, prepare);
  const config: PoolConfig = {
    connectionString: connection.connectionString ?? process.env.DATABASE_URL,
    max: connection.maxConnections ?? 10,
    application_name: connection.applicationName ?? 'tributary',
  };
  const pool = new pg.Pool(config);
  // An idle connection dropped by the server surfaces here; the pool replaces it on the next query.
  pool.on('error', () => undefined);
  return poolExecutor(pg, pool, true, prepare);
}

const result = <R>(r: { rows: unknown[]; rowCount: number | null }): SqlResult<R> => ({ rows: r.rows as R[], rowCount: r.rowCount ?? r.rows.length });

/** The protocol hooks of node-postgres a submittable query implements (what pg-copy-streams uses). */
interface CopyConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  sendCopyFail(message: string): void;
}

/**
 * `COPY … FROM STDIN` with node-postgres alone: a submittable that answers the server's CopyIn with
 * the whole payload. Settles on the first error (the connection may be gone) or at ReadyForQuery.
 */
export function copyFromStdin(client: Pick<PoolClient, 'query'>, statement: string, data: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      if (error) reject(error);
      else resolve();
    };
    const submittable = {
      submit(connection: CopyConnection) {
        connection.query(statement);
      },
      handleCopyInResponse(connection: CopyConnection) {
        connection.sendCopyFromChunk(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
        connection.endCopyFrom();
      },
      handleError(error: Error) {
        settle(error);
      },
      handleReadyForQuery() {
        settle();
      },
      handleCommandComplete() {},
      handleRowDescription() {},
      handleDataRow() {},
      handleEmptyQuery() {},
      handlePortalSuspended() {},
      handleCopyData() {},
    };
    (client.query as unknown as (query: object) => void)(submittable);
  });
}

export function poolExecutor(pg: PgModule, pool: Pool, owned: boolean, prepareStatements = true): SqlExecutor {
  const listeners = new Set<() => Promise<void>>();
  const names = new Map<string, string>();
  /** Session setups each pooled connection has committed (see `SqlTransaction.sessionOnce`). */
  const sessions = new WeakMap<PoolClient, Set<string>>();
  /** A statement config: named (so pg prepares it once per connection) when asked and allowed. */
  const statement = (text: string, params: unknown[] | undefined, options: QueryOptions | undefined) => {
    if (!options?.prepare || !prepareStatements) return { text, values: params };
    let name = names.get(text);
    if (!name) {
      name = `tributary_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
      names.set(text, name);
    }
    return { name, text, values: params };
  };
  return {
    engine: 'postgres',

    async query<R>(text: string, params?: unknown[], options?: QueryOptions) {
      return result<R>(await pool.query(statement(text, params, options)));
    },

    async transaction<T>(fn: (tx: SqlTransaction) => Promise<T>): Promise<T> {
      const client: PoolClient = await pool.connect();
      let broken: Error | undefined;
      // A connection lost between statements (server restart, pg_terminate_backend) is reported as an
      // 'error' event on the checked-out client, which would otherwise be an unhandled error; the next
      // statement fails anyway, and the client is discarded on release.
      const onError = (error: Error) => {
        broken = error;
      };
      client.on('error', onError);
      const pending: string[] = [];
      const tx: SqlTransaction = {
        query: async <R>(text: string, params?: unknown[], options?: QueryOptions) => result<R>(await client.query(statement(text, params, options))),
        copyIn: (target, data) => copyFromStdin(client, `COPY ${target} FROM STDIN (FORMAT binary)`, data),
        async sessionOnce(key, setup) {
          // Without prepared statements we may be behind a transaction-mode pooler: the next
          // transaction may run on another server connection, so nothing is remembered.
          if (prepareStatements && (sessions.get(client)?.has(key) || pending.includes(key))) return;
          await setup();
          pending.push(key);
        },
      };
      try {
        await client.query('BEGIN');
        const value = await fn(tx);
        await client.query('COMMIT');
        if (pending.length > 0) {
          const done = sessions.get(client) ?? new Set<string>();
          for (const key of pending) done.add(key);
          sessions.set(client, done);
        }
        return value;
      } catch (error) {
        if (isConnectionError(error)) broken = error as Error;
        else await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
        throw error;
      } finally {
        client.removeListener('error', onError);
        client.release(broken);
      }
    },

    async listen(channel, onPayload, onReconnect) {
      // A connection of its own (not from the pool), re-established with backoff when it drops.
      const config = { ...(pool as Pool & { options: ClientConfig }).options };
      let client: Client | undefined;
      let stopped = false;
      let failures = 0;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const onNotification = (msg: Notification) => {
        if (msg.channel === channel) onPayload(msg.payload ?? '');
      };
      const connect = async (): Promise<void> => {
        const c = new pg.Client(config);
        c.on('notification', onNotification);
        const lost = () => {
          if (client !== c) return;
          client = undefined;
          void c.end().catch(() => undefined);
          schedule();
        };
        c.on('error', lost);
        c.on('end', lost);
        try {
          await c.connect();
          await c.query(`LISTEN "${channel}"`);
        } catch (error) {
          await c.end().catch(() => undefined);
          throw error;
        }
        if (stopped) {
          await c.end().catch(() => undefined);
          return;
        }
        client = c;
      };
      const schedule = () => {
        if (stopped) return;
        const delay = Math.min(10_000, 100 * 2 ** Math.min(failures++, 7));
        timer = setTimeout(() => {
          connect().then(
            () => {
              failures = 0;
              onReconnect?.();
            },
            () => schedule(),
          );
        }, delay);
        timer.unref?.();
      };
      await connect();
      const unlisten = async () => {
        stopped = true;
        if (timer) clearTimeout(timer);
        listeners.delete(unlisten);
        const c = client;
        client = undefined;
        await c?.end().catch(() => undefined);
      };
      listeners.add(unlisten);
      return unlisten;
    },

    async close() {
      await Promise.all([...listeners].map((stop) => stop()));
      if (owned) await pool.end();
    },
  };
}
