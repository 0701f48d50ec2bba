/**
 * @module @tributary/adapters/postgres-outbox
 * A transactional outbox for hosts that write their own PostgreSQL database (node-postgres, an
 * optional peer: `npm install pg`). The host writes its data and an outbox row in one transaction,
 * with its own client, so both commit or neither does; a relay then publishes committed rows to any
 * Tributary queue and marks them published.
 *
 * - `write(client, topic, payload)` inserts the row through the host's client (inside the host's
 *   transaction) and NOTIFYs the relays, which PostgreSQL delivers only on commit. A rolled-back
 *   transaction leaves neither row nor notification.
 * - `startRelay({ queue })` takes rows in `id` order with `FOR UPDATE SKIP LOCKED` (several relays
 *   share the work, never the same row), publishes, then marks: at least once. The queue message id
 *   is the row's `message_id`, so a deduplicating queue drops a republish.
 * - Order: one relay publishes the rows it takes in `id` (insertion) order, and a failed publish
 *   blocks the rows after it until it goes through. A transaction that commits after a later-numbered
 *   row was published is published after it; with several relays, order holds within each relay's round.
 * - The table comes from versioned migrations (component `outbox:<table>` in the schema's
 *   `migrations` table, the same system as the storage and queue), run on first use or by `migrate()`.
 *
 * Nothing connects, and `pg` is not loaded, until the first call.
 *
 * @example
 * ```ts
 * import { createOutbox } from '@tributary/adapters/postgres-outbox';
 * const outbox = createOutbox({ pool });
 * const client = await pool.connect();
 * try {
 *   await client.query('BEGIN');
 *   await client.query('INSERT INTO orders (id, total) VALUES ($1, $2)', [id, total]);
 *   await outbox.write(client, 'orders.created', { id, total });
 *   await client.query('COMMIT');
 * } catch (error) {
 *   await client.query('ROLLBACK');
 *   throw error;
 * } finally {
 *   client.release();
 * }
 * const relay = outbox.startRelay({ queue, signal: controller.signal });
 * ```
 */
import { randomUUID } from 'node:crypto';
import { createError } from '@tributary/core/errors';
import { checkSchemaName, dbError, lazyHandle, withRetry, type SqlExecutor } from '../_sql/executor.js';
import { appliedVersion, runComponentMigrations } from '../_sql/migrations.js';
import { openPoolExecutor, type PostgresConnection } from '../postgres/executor.js';
import { startRelay, type Relay, type RelayOptions } from './relay.js';
import { outboxMigrations, outboxNames } from './schema.js';

export type { Relay, RelayOptions } from './relay.js';
export type { PostgresConnection } from '../postgres/executor.js';

/** Options of {@link createOutbox}. */
export interface OutboxOptions extends PostgresConnection {
  /** Schema of the outbox table (created if missing). @default 'tributary' */
  schema?: string;
  /** Name of the outbox table. @default 'outbox' */
  table?: string;
  /** Create the table on first use. When false, a missing table is a `config` error. @default true */
  migrate?: boolean;
  /** Largest JSON payload accepted, in bytes. @default 1 MiB */
  maxPayloadBytes?: number;
}

/** Options of {@link Outbox.write}. */
export interface OutboxWriteOptions {
  /**
   * The message id on the queue. Writing the same id twice keeps the first row only, so a host
   * retrying its transaction cannot publish twice. @default a new `obx_<uuid>`
   */
  id?: string;
  key?: string;
  headers?: Record<string, string>;
}

/** The host's connection: a node-postgres `Client` or `PoolClient`, or anything with its `query`. */
export interface OutboxClient {
  query(text: string, values?: unknown[]): Promise<unknown>;
}

/** What is in the outbox. */
export interface OutboxStats {
  /** Rows not yet published. */
  pending: number;
  /** Pending rows whose last publish failed. */
  failing: number;
  /** Age of the oldest pending row, or null when none is pending. */
  oldestPendingAgeMs: number | null;
}

export interface Outbox {
  /** `schema.table`. */
  readonly table: string;
  /** Applies the missing migrations now (idempotent; concurrent callers are serialized). Returns what it applied. */
  migrate(): Promise<string[]>;
  /**
   * Inserts one outbox row through `client`. Call it inside the host's transaction (between its
   * BEGIN and COMMIT): the row, and the relays' wake-up, then exist only if that transaction commits.
   * Resolves to the message id.
   */
  write<T>(client: OutboxClient, topic: string, payload: T, options?: OutboxWriteOptions): Promise<string>;
  /** {@link write} for several messages of one topic, in one statement. */
  writeMany<T>(client: OutboxClient, topic: string, messages: { payload: T; options?: OutboxWriteOptions }[]): Promise<string[]>;
  /** Starts a relay on the outbox's own connections. */
  startRelay(options: RelayOptions): Relay;
  stats(): Promise<OutboxStats>;
  /** Stops the relays started here and closes the connections the outbox opened. */
  dispose(): Promise<void>;
}

const COMPONENT = 'postgres-outbox';

/** Creates an outbox; nothing connects until the first call. */
export function createOutbox(options: OutboxOptions = {}): Outbox {
  const schema = checkSchemaName(COMPONENT, options.schema ?? 'tributary');
  const table = checkSchemaName(COMPONENT, options.table ?? 'outbox');
  const names = outboxNames(schema, table);
  const migrations = outboxMigrations(schema, table);
  const maxPayloadBytes = options.maxPayloadBytes ?? 1024 * 1024;
  const handle = lazyHandle(() => openPoolExecutor(options));
  const relays = new Set<Relay>();
  let state: Promise<SqlExecutor> | undefined;
  let acquired = false;
  let disposed = false;

  const start = async () => {
    const db = await handle.acquire();
    acquired = true;
    try {
      if (options.migrate ?? true) await withRetry(() => runComponentMigrations(db, schema, migrations));
      else if ((await appliedVersion(db, schema, names.component)) < migrations.length) {
        throw createError(COMPONENT, 'config', `outbox table ${names.qualified} is not migrated: call migrate() or pass migrate: true`);
      }
      return db;
    } catch (error) {
      acquired = false;
      await handle.release();
      throw error;
    }
  };
  const ready = () => {
    if (disposed) return Promise.reject(createError(COMPONENT, 'unavailable', 'outbox was disposed'));
    if (!state) {
      state = start();
      state.catch(() => {
        state = undefined;
      });
    }
    return state;
  };
  const guarded = async <T>(operation: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      throw dbError(COMPONENT, operation, error);
    }
  };

  const encode = (topic: string, payload: unknown): string => {
    if (typeof topic !== 'string' || topic.length === 0) throw createError(COMPONENT, 'validation', 'topic must be a non-empty string');
    const json = JSON.stringify(payload);
    if (json === undefined) throw createError(COMPONENT, 'validation', 'payload must be JSON-serializable');
    if (Buffer.byteLength(json) > maxPayloadBytes) throw createError(COMPONENT, 'payload_too_large', `payload over ${maxPayloadBytes} bytes`);
    return json;
  };

  const outbox: Outbox = {
    table: names.qualified,

    migrate: () => guarded('migrate', async () => runComponentMigrations(await ready(), schema, migrations)),

    async write(client, topic, payload, writeOptions = {}) {
      const [id] = await outbox.writeMany(client, topic, [{ payload, options: writeOptions }]);
      return id!;
    },

    async writeMany(client, topic, messages) {
      if (messages.length === 0) return [];
      const rows = messages.map((m) => ({
        i: m.options?.id ?? `obx_${randomUUID()}`,
        p: encode(topic, m.payload),
        h: JSON.stringify(m.options?.headers ?? {}),
        k: m.options?.key ?? null,
      }));
      await guarded('write', () => ready());
      // One statement: the rows, and a notification PostgreSQL sends only if the transaction commits.
      await guarded('write', () =>
        client.query(
          `WITH w AS (
             INSERT INTO ${names.qualified} (message_id, topic, payload, headers, key)
             SELECT x.i, $2, x.p::jsonb, x.h::jsonb, x.k FROM ROWS FROM (jsonb_to_recordset($1::text::jsonb) AS (i text, p text, h text, k text)) WITH ORDINALITY AS x(i, p, h, k, n)
             ORDER BY x.n
             ON CONFLICT (message_id) DO NOTHING)
           SELECT pg_notify($3, '')`,
          [JSON.stringify(rows), topic, names.channel],
        ),
      );
      return rows.map((r) => r.i);
    },

    startRelay(relayOptions) {
      if (disposed) throw createError(COMPONENT, 'unavailable', 'outbox was disposed');
      const relay = startRelay({ ready, qualified: names.qualified, channel: names.channel }, relayOptions);
      relays.add(relay);
      void relay.done.finally(() => relays.delete(relay));
      return relay;
    },

    stats: () =>
      guarded('stats', async () => {
        const db = await ready();
        const result = await db.query<{ pending: number; failing: number; oldest_ms: number | null }>(
          `SELECT count(*)::int AS pending, (count(*) FILTER (WHERE last_error IS NOT NULL))::int AS failing,
             (extract(epoch FROM now() - min(created_at)) * 1000)::float8 AS oldest_ms
           FROM ${names.qualified} WHERE published_at IS NULL`,
        );
        const row = result.rows[0]!;
        return { pending: row.pending, failing: row.failing, oldestPendingAgeMs: row.oldest_ms === null ? null : Math.max(0, Math.round(row.oldest_ms)) };
      }),

    async dispose() {
      if (disposed) return;
      await Promise.allSettled([...relays].map((r) => r.stop()));
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
  return outbox;
}

/** Options of {@link migrateOutbox}. */
export interface OutboxMigrateOptions extends PostgresConnection {
  /** @default 'tributary' */
  schema?: string;
  /** @default 'outbox' */
  table?: string;
}

/** Creates or updates the outbox table (for the CLI, or before starting with `migrate: false`). */
export async function migrateOutbox(options: OutboxMigrateOptions = {}): Promise<string[]> {
  const schema = checkSchemaName(COMPONENT, options.schema ?? 'tributary');
  const table = checkSchemaName(COMPONENT, options.table ?? 'outbox');
  const db = await openPoolExecutor(options);
  try {
    return await withRetry(() => runComponentMigrations(db, schema, outboxMigrations(schema, table)));
  } catch (error) {
    throw dbError(COMPONENT, 'migrate', error);
  } finally {
    await db.close();
  }
}
