/**
 * Versioned, idempotent migrations for the SQL adapters.
 *
 * - Each migration runs in its own transaction, under a transaction-scoped advisory lock derived
 *   from the schema name, so concurrent starters are serialized: the second waits, then sees the
 *   migration recorded and skips it.
 * - Applied migrations are recorded in `<schema>.migrations (component, version)`; storage and
 *   queue migrate independently, so a queue-only deployment creates only queue tables. An outbox
 *   table is a component of its own, `outbox:<table>` (see `postgres-outbox/schema.ts`).
 * - The records layout is decided once, by the first storage migration, and kept in `<schema>.meta`:
 *   `hypertable` when the `timescaledb` extension can be created, else `partitioned` (native monthly
 *   range partitions), or `plain` when partitioning was turned off.
 *
 * TimescaleDB cannot be installed on the machines this project is developed and tested on: the
 * hypertable branch below is written against TimescaleDB 2.x documentation but is untested.
 */
import { advisoryKey, type SqlExecutor, type SqlQueryable } from './executor.js';
import { bodyTopicsSql, ROLLUPS, TOPIC_ROLLUP } from './rollups.js';

export type MigrationComponent = 'storage' | 'queue';
export type RecordsLayout = 'partitioned' | 'hypertable' | 'plain';

/** Options that shape the storage migration. */
export interface LayoutOptions {
  /** Native monthly partitions of the records table. @default true */
  partitioning?: boolean;
  /** Use TimescaleDB when it can be created: `'auto'` detects. @default 'auto' */
  timescale?: boolean | 'auto';
}

export interface MigrationContext {
  schema: string;
  layout: LayoutOptions;
}

/**
 * One versioned migration. Components other than storage and queue (the outbox tables, named
 * `outbox:<table>`) bring their own list and run it with {@link runComponentMigrations}.
 */
export interface Migration {
  component: string;
  version: number;
  name: string;
  up(tx: SqlQueryable, ctx: MigrationContext): Promise<void>;
  /** Work that cannot run inside a transaction (TimescaleDB continuous aggregates), run after commit. */
  after?(db: SqlExecutor, ctx: MigrationContext): Promise<void>;
}

const run = async (tx: SqlQueryable, statements: string[]) => {
  for (const statement of statements) await tx.query(statement);
};

async function chooseLayout(tx: SqlQueryable, options: LayoutOptions): Promise<RecordsLayout> {
  const timescale = options.timescale ?? 'auto';
  if (timescale !== false) {
    const available = await tx.query<{ installed: boolean }>(
      `SELECT installed_version IS NOT NULL AS installed FROM pg_available_extensions WHERE name = 'timescaledb'`,
    );
    if (available.rows.length > 0) {
      // Available is not loadable (it needs shared_preload_libraries): try inside a savepoint.
      await tx.query('SAVEPOINT tributary_timescale');
      try {
        await tx.query('CREATE EXTENSION IF NOT EXISTS timescaledb');
        await tx.query('RELEASE SAVEPOINT tributary_timescale');
        return 'hypertable';
      } catch (error) {
        await tx.query('ROLLBACK TO SAVEPOINT tributary_timescale');
        if (timescale === true) throw error;
      }
    } else if (timescale === true) {
      throw new Error('the timescaledb extension is not available on this server');
    }
  }
  return options.partitioning === false ? 'plain' : 'partitioned';
}

const recordColumns = `
  workspace_id text COLLATE "C" NOT NULL,
  occurred_at timestamptz NOT NULL,
  id text COLLATE "C" NOT NULL,
  source_id text COLLATE "C" NOT NULL,
  kind text COLLATE "C" NOT NULL,
  item_type text COLLATE "C" NOT NULL,
  language text COLLATE "C",
  sentiment text COLLATE "C",
  sentiment_score numeric,
  category text COLLATE "C",
  destination_id text COLLATE "C",
  measurement_type text COLLATE "C",
  unit text COLLATE "C",
  value numeric,
  reference text COLLATE "C",
  search_text text NOT NULL,
  body jsonb NOT NULL,
  PRIMARY KEY (workspace_id, occurred_at, id)`;

const MIGRATIONS: Migration[] = [
  {
    component: 'storage',
    version: 1,
    name: 'records, history, rollups, raw payloads, checkpoints, locks, documents',
    async up(tx, { schema: s, layout }) {
      const chosen = await chooseLayout(tx, layout);
      await tx.query(`INSERT INTO ${s}.meta (key, value) VALUES ('records_layout', $1::text::jsonb) ON CONFLICT (key) DO NOTHING`, [JSON.stringify(chosen)]);
      await run(tx, [
        // Identity and edit bookkeeping of each record, outside the partitioned table: uniqueness
        // of (workspace, id) cannot be enforced across partitions keyed by time.
        `CREATE TABLE ${s}.record_keys (
          workspace_id text COLLATE "C" NOT NULL,
          id text COLLATE "C" NOT NULL,
          occurred_at timestamptz NOT NULL,
          content_hash text NOT NULL,
          revision integer NOT NULL,
          source_updated_at text,
          PRIMARY KEY (workspace_id, id))`,
        chosen === 'partitioned' ? `CREATE TABLE ${s}.records (${recordColumns}) PARTITION BY RANGE (occurred_at)` : `CREATE TABLE ${s}.records (${recordColumns})`,
        ...(chosen === 'partitioned' ? [`CREATE TABLE ${s}.records_default PARTITION OF ${s}.records DEFAULT`] : []),
        ...(chosen === 'hypertable'
          ? [`SELECT create_hypertable('${s}.records', 'occurred_at', chunk_time_interval => INTERVAL '1 month', if_not_exists => TRUE)`]
          : []),
        `CREATE TABLE ${s}.record_history (
          workspace_id text COLLATE "C" NOT NULL,
          id text COLLATE "C" NOT NULL,
          revision integer NOT NULL,
          body jsonb NOT NULL,
          replaced_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (workspace_id, id, revision))`,
        ...ROLLUPS.map(
          (r) => `CREATE TABLE ${s}.${r.table} (
          workspace_id text COLLATE "C" NOT NULL,
          hour timestamptz NOT NULL,
          dims_key text COLLATE "C" NOT NULL,
          ${r.dims.map((d) => `${d.column} text COLLATE "C"`).join(',\n          ')},
          count bigint NOT NULL,
          sentiment_count bigint NOT NULL,
          sentiment_sum numeric NOT NULL,
          positive bigint NOT NULL,
          negative bigint NOT NULL,
          neutral bigint NOT NULL,
          value_sum numeric NOT NULL,
          first_at timestamptz,
          last_at timestamptz,
          PRIMARY KEY (workspace_id, hour, dims_key))`,
        ),
        `CREATE TABLE ${s}.raw_payloads (
          workspace_id text COLLATE "C" NOT NULL,
          id text COLLATE "C" NOT NULL,
          source_id text COLLATE "C" NOT NULL,
          received_at timestamptz NOT NULL,
          body jsonb NOT NULL,
          PRIMARY KEY (workspace_id, id))`,
        `CREATE INDEX raw_payloads_by_source ON ${s}.raw_payloads (workspace_id, source_id, received_at, id)`,
        `CREATE TABLE ${s}.checkpoints (
          workspace_id text COLLATE "C" NOT NULL,
          source_id text COLLATE "C" NOT NULL,
          stream text COLLATE "C" NOT NULL,
          value jsonb,
          updated_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (workspace_id, source_id, stream))`,
        `CREATE TABLE ${s}.locks (
          key text COLLATE "C" PRIMARY KEY,
          owner text NOT NULL,
          expires_at bigint NOT NULL)`,
        `CREATE TABLE ${s}.documents (
          collection text COLLATE "C" NOT NULL,
          scope text COLLATE "C" NOT NULL,
          id text COLLATE "C" NOT NULL,
          document jsonb NOT NULL,
          updated_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (collection, scope, id))`,
      ]);
    },
    async after(db, { schema: s }) {
      if ((await readLayout(db, s)) !== 'hypertable') return;
      // Untested here (see the module comment). A daily continuous aggregate for dashboards and
      // BI tools; `aggregate()` keeps reading the transactional rollups, which are exact at once,
      // while a continuous aggregate only catches up on its refresh policy.
      try {
        await db.query(`CREATE MATERIALIZED VIEW IF NOT EXISTS ${s}.records_daily WITH (timescaledb.continuous) AS
          SELECT workspace_id, time_bucket(INTERVAL '1 day', occurred_at) AS day, source_id, kind, item_type,
                 count(*) AS count, count(sentiment) AS sentiment_count, sum(sentiment_score) AS sentiment_sum,
                 sum(value) AS value_sum, min(occurred_at) AS first_at, max(occurred_at) AS last_at
          FROM ${s}.records GROUP BY workspace_id, day, source_id, kind, item_type WITH NO DATA`);
        await db.query(`SELECT add_continuous_aggregate_policy('${s}.records_daily', start_offset => INTERVAL '3 days', end_offset => INTERVAL '1 hour', schedule_interval => INTERVAL '1 hour', if_not_exists => TRUE)`);
      } catch (error) {
        if (!/already exists/i.test(String((error as Error).message))) throw error;
      }
    },
  },
  {
    component: 'storage',
    version: 2,
    name: 'topic rollups',
    async up(tx, { schema: s }) {
      const dims = TOPIC_ROLLUP.dims.map((d) => d.column);
      await run(tx, [
        `CREATE TABLE ${s}.${TOPIC_ROLLUP.table} (
          workspace_id text COLLATE "C" NOT NULL,
          hour timestamptz NOT NULL,
          topic text COLLATE "C" NOT NULL,
          ${dims.map((c) => `${c} text COLLATE "C" NOT NULL`).join(',\n          ')},
          count bigint NOT NULL,
          sentiment_count bigint NOT NULL,
          sentiment_sum numeric NOT NULL,
          positive bigint NOT NULL,
          negative bigint NOT NULL,
          neutral bigint NOT NULL,
          PRIMARY KEY (workspace_id, hour, topic, ${dims.join(', ')}))`,
        // Records stored before this migration count too.
        `INSERT INTO ${s}.${TOPIC_ROLLUP.table} (workspace_id, hour, topic, ${dims.join(', ')}, count, sentiment_count, sentiment_sum, positive, negative, neutral)
         SELECT r.workspace_id, date_trunc('hour', r.occurred_at, 'UTC'), tp.topic, ${dims.map((c) => `r.${c}`).join(', ')},
           count(*), count(r.sentiment), coalesce(sum(r.sentiment_score) FILTER (WHERE r.sentiment IS NOT NULL), 0),
           count(*) FILTER (WHERE r.sentiment = 'positive'), count(*) FILTER (WHERE r.sentiment = 'negative'), count(*) FILTER (WHERE r.sentiment = 'neutral')
         FROM ${s}.records r CROSS JOIN LATERAL ${bodyTopicsSql('r.body')} AS tp
         GROUP BY 1, 2, 3, ${dims.map((_, i) => i + 4).join(', ')}`,
      ]);
    },
  },
  {
    component: 'storage',
    version: 3,
    name: 'append-only rollups',
    async up(tx, { schema: s }) {
      // The rows already there stay valid: readers sum the rows of a group, and one row per group is
      // a compacted append-only level. Only the key goes (see `rollups.ts` for why); storage@1 still
      // creates it, so new and old schemas take the same path.
      await run(
        tx,
        ROLLUPS.flatMap((r) => [
          `ALTER TABLE ${s}.${r.table} DROP CONSTRAINT IF EXISTS ${r.table}_pkey`,
          `ALTER TABLE ${s}.${r.table} DROP COLUMN IF EXISTS dims_key`,
          `CREATE INDEX IF NOT EXISTS ${r.table}_by_hour ON ${s}.${r.table} (workspace_id, hour)`,
        ]),
      );
    },
  },
  {
    component: 'queue',
    version: 1,
    name: 'queue messages, groups, deliveries, dead letters',
    async up(tx, { schema: s }) {
      await run(tx, [
        `CREATE TABLE ${s}.queue_messages (
          topic text COLLATE "C" NOT NULL,
          id text COLLATE "C" NOT NULL,
          seq bigserial,
          payload jsonb NOT NULL,
          headers jsonb NOT NULL,
          key text,
          published_at bigint NOT NULL,
          available_at bigint NOT NULL,
          PRIMARY KEY (topic, id))`,
        `CREATE TABLE ${s}.queue_groups (
          topic text COLLATE "C" NOT NULL,
          group_name text COLLATE "C" NOT NULL,
          created_at bigint NOT NULL,
          PRIMARY KEY (topic, group_name))`,
        // One row per (message, consumer group): each group sees every message.
        `CREATE TABLE ${s}.queue_deliveries (
          topic text COLLATE "C" NOT NULL,
          group_name text COLLATE "C" NOT NULL,
          message_id text COLLATE "C" NOT NULL,
          seq bigint NOT NULL,
          visible_at bigint NOT NULL,
          attempts integer NOT NULL DEFAULT 0,
          lease_token text,
          PRIMARY KEY (topic, group_name, message_id))`,
        `CREATE INDEX queue_deliveries_ready ON ${s}.queue_deliveries (topic, group_name, visible_at, seq)`,
        `CREATE INDEX queue_deliveries_by_message ON ${s}.queue_deliveries (topic, message_id)`,
        `CREATE TABLE ${s}.queue_dead_letters (
          id bigserial PRIMARY KEY,
          topic text COLLATE "C" NOT NULL,
          group_name text COLLATE "C" NOT NULL,
          message_id text COLLATE "C" NOT NULL,
          payload jsonb NOT NULL,
          headers jsonb NOT NULL,
          key text,
          attempt integer NOT NULL,
          published_at bigint NOT NULL,
          reason text NOT NULL,
          failed_at bigint NOT NULL)`,
        `CREATE INDEX queue_dead_letters_by_topic ON ${s}.queue_dead_letters (topic, id)`,
      ]);
    },
  },
];

/** The newest version of each component's migrations. */
export const LATEST_VERSION: Record<MigrationComponent, number> = {
  storage: Math.max(...MIGRATIONS.filter((m) => m.component === 'storage').map((m) => m.version)),
  queue: Math.max(...MIGRATIONS.filter((m) => m.component === 'queue').map((m) => m.version)),
};

/** What {@link runMigrations} did. */
export interface MigrationReport {
  /** Migrations applied by this call, as `component@version name`. */
  applied: string[];
  /** The records layout (when storage was migrated). */
  layout?: RecordsLayout;
}

async function ensureBookkeeping(tx: SqlQueryable, s: string) {
  await tx.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
  await tx.query(`CREATE TABLE IF NOT EXISTS ${s}.migrations (
    component text COLLATE "C" NOT NULL,
    version integer NOT NULL,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (component, version))`);
  await tx.query(`CREATE TABLE IF NOT EXISTS ${s}.meta (key text COLLATE "C" PRIMARY KEY, value jsonb NOT NULL)`);
}

/** Applies the missing migrations of the given components, idempotently and serialized. */
export async function runMigrations(db: SqlExecutor, schema: string, components: MigrationComponent[], layout: LayoutOptions = {}): Promise<MigrationReport> {
  const report: MigrationReport = {
    applied: await applyMigrations(
      db,
      { schema, layout },
      MIGRATIONS.filter((m) => (components as string[]).includes(m.component)),
    ),
  };
  if (components.includes('storage')) report.layout = (await readLayout(db, schema)) ?? undefined;
  return report;
}

/** Applies the missing migrations of a list (all of one component, in version order); returns what it applied. */
export async function runComponentMigrations(db: SqlExecutor, schema: string, migrations: Migration[]): Promise<string[]> {
  return applyMigrations(db, { schema, layout: {} }, migrations);
}

/** The newest applied version of one component (0 when none, or when the schema does not exist). */
export async function appliedVersion(db: SqlQueryable, schema: string, component: string): Promise<number> {
  const exists = await db.query<{ ok: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS ok`, [`${schema}.migrations`]);
  if (!exists.rows[0]?.ok) return 0;
  const rows = await db.query<{ version: number | null }>(`SELECT max(version)::int AS version FROM ${schema}.migrations WHERE component = $1`, [component]);
  return rows.rows[0]?.version ?? 0;
}

async function applyMigrations(db: SqlExecutor, ctx: MigrationContext, migrations: Migration[]): Promise<string[]> {
  const schema = ctx.schema;
  const lockKey = advisoryKey(`tributary:migrations:${schema}`);
  const appliedNames: string[] = [];
  for (const migration of migrations) {
    const applied = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1::text::bigint)', [lockKey]);
      await ensureBookkeeping(tx, schema);
      const done = await tx.query(`SELECT 1 FROM ${schema}.migrations WHERE component = $1 AND version = $2`, [migration.component, migration.version]);
      if (done.rows.length > 0) return false;
      await migration.up(tx, ctx);
      await tx.query(`INSERT INTO ${schema}.migrations (component, version, name) VALUES ($1, $2, $3)`, [migration.component, migration.version, migration.name]);
      return true;
    });
    if (applied) {
      appliedNames.push(`${migration.component}@${migration.version} ${migration.name}`);
      await migration.after?.(db, ctx);
    }
  }
  return appliedNames;
}

/** The versions applied, per component (0 when none, or when the schema does not exist). */
export async function appliedVersions(db: SqlQueryable, schema: string): Promise<Record<MigrationComponent, number>> {
  const exists = await db.query<{ ok: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS ok`, [`${schema}.migrations`]);
  const versions: Record<MigrationComponent, number> = { storage: 0, queue: 0 };
  if (!exists.rows[0]?.ok) return versions;
  const rows = await db.query<{ component: string; version: number }>(`SELECT component, max(version)::int AS version FROM ${schema}.migrations GROUP BY component`);
  for (const row of rows.rows) if (row.component === 'storage' || row.component === 'queue') versions[row.component] = row.version;
  return versions;
}

/** The records layout chosen at migration, or null before the storage migration ran. */
export async function readLayout(db: SqlQueryable, schema: string): Promise<RecordsLayout | null> {
  const exists = await db.query<{ ok: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS ok`, [`${schema}.meta`]);
  if (!exists.rows[0]?.ok) return null;
  const row = await db.query<{ value: RecordsLayout }>(`SELECT value FROM ${schema}.meta WHERE key = 'records_layout'`);
  return row.rows[0]?.value ?? null;
}
