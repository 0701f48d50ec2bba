/** The outbox table: its migrations (through the SQL adapters' migration system) and names. */
import type { Migration } from '../_sql/migrations.js';

/** Names derived from the schema and table. */
export interface OutboxNames {
  /** `schema.table`. */
  qualified: string;
  /** Migration component, `outbox:<table>`. */
  component: string;
  /** NOTIFY channel the writes signal on commit. */
  channel: string;
}

export function outboxNames(schema: string, table: string): OutboxNames {
  return { qualified: `${schema}.${table}`, component: `outbox:${table}`, channel: `${schema}_${table}`.slice(0, 63) };
}

/**
 * - `id` orders the rows (the relay publishes in `id` order) and names them to the lock.
 * - `message_id` is the queue message id: a republished row carries the same one, so a deduplicating
 *   queue drops the second copy. Unique, so a host that retries its transaction writes the row once.
 * - `published_at` is set, in the relay's transaction, after the queue accepted the message.
 */
export function outboxMigrations(schema: string, table: string): Migration[] {
  const { qualified, component } = outboxNames(schema, table);
  return [
    {
      component,
      version: 1,
      name: `outbox table ${table}`,
      async up(tx) {
        for (const statement of [
          `CREATE TABLE ${qualified} (
            id bigserial PRIMARY KEY,
            message_id text COLLATE "C" NOT NULL,
            topic text COLLATE "C" NOT NULL,
            payload jsonb NOT NULL,
            headers jsonb NOT NULL DEFAULT '{}'::jsonb,
            key text,
            created_at timestamptz NOT NULL DEFAULT now(),
            published_at timestamptz,
            attempts integer NOT NULL DEFAULT 0,
            last_error text,
            CONSTRAINT ${table}_message_id UNIQUE (message_id))`,
          `CREATE INDEX ${table}_pending ON ${qualified} (id) WHERE published_at IS NULL`,
          `CREATE INDEX ${table}_published ON ${qualified} (published_at) WHERE published_at IS NOT NULL`,
        ]) {
          await tx.query(statement);
        }
      },
    },
  ];
}
