/**
 * Monthly range partitions of the records table (layout `partitioned`).
 *
 * Partitions are created ahead of time when the adapter starts (the previous month to
 * `monthsAhead` months ahead), and on demand before a batch lands in a month that has none. A
 * `records_default` partition catches anything that slips through (a month created by nobody
 * yet, in a race); creating a month later moves its rows out of the default partition first,
 * since PostgreSQL refuses to create a partition whose rows sit in the default one.
 */
import { advisoryKey, type SqlExecutor } from './executor.js';

const monthKey = (year: number, month: number) => `${year}_${String(month + 1).padStart(2, '0')}`;

/** UTC month (year, 0-based month) of an epoch-ms instant. */
function monthOf(ms: number): [number, number] {
  const d = new Date(ms);
  return [d.getUTCFullYear(), d.getUTCMonth()];
}

export class PartitionManager {
  private readonly known = new Set<string>();
  private loaded = false;

  constructor(
    private readonly db: SqlExecutor,
    private readonly schema: string,
    private readonly monthsAhead: number,
  ) {}

  /** Loads the existing partitions and creates the ones due ahead of time. */
  async start(nowMs: number): Promise<void> {
    await this.load();
    const [year, month] = monthOf(nowMs);
    const instants: number[] = [];
    for (let i = -1; i <= this.monthsAhead; i++) instants.push(Date.UTC(year, month + i, 1));
    await this.ensure(instants);
  }

  /** The partition names present now (for tests and diagnostics). */
  async list(): Promise<string[]> {
    const rows = await this.db.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i
       JOIN pg_class c ON c.oid = i.inhrelid
       JOIN pg_class p ON p.oid = i.inhparent
       JOIN pg_namespace n ON n.oid = p.relnamespace
       WHERE n.nspname = $1 AND p.relname = 'records' ORDER BY 1`,
      [this.schema],
    );
    return rows.rows.map((r) => r.name);
  }

  private async load(): Promise<void> {
    for (const name of await this.list()) {
      const match = /^records_p(\d{4}_\d{2})$/.exec(name);
      if (match) this.known.add(match[1]!);
    }
    this.loaded = true;
  }

  /** Makes sure every instant (epoch ms) has its month partition. */
  async ensure(instants: Iterable<number>): Promise<void> {
    if (!this.loaded) await this.load();
    const missing = new Map<string, [number, number]>();
    // A batch mostly falls in one or two months: instants inside the last month seen to exist skip
    // the date arithmetic.
    let knownFrom = 0;
    let knownTo = 0;
    for (const ms of instants) {
      if (!Number.isFinite(ms)) continue;
      if (ms >= knownFrom && ms < knownTo) continue;
      const [year, month] = monthOf(ms);
      const key = monthKey(year, month);
      if (this.known.has(key)) {
        knownFrom = Date.UTC(year, month, 1);
        knownTo = Date.UTC(year, month + 1, 1);
      } else if (!missing.has(key)) missing.set(key, [year, month]);
    }
    for (const [key, [year, month]] of missing) {
      await this.create(year, month);
      this.known.add(key);
    }
  }

  private async create(year: number, month: number): Promise<void> {
    const s = this.schema;
    const name = `records_p${monthKey(year, month)}`;
    const from = new Date(Date.UTC(year, month, 1)).toISOString();
    const to = new Date(Date.UTC(year, month + 1, 1)).toISOString();
    await this.db.transaction(async (tx) => {
      // One creator at a time per schema, across processes.
      await tx.query('SELECT pg_advisory_xact_lock($1::text::bigint)', [advisoryKey(`tributary:partitions:${s}`)]);
      const exists = await tx.query(`SELECT to_regclass($1) IS NOT NULL AS ok`, [`${s}.${name}`]);
      if ((exists.rows[0] as { ok: boolean } | undefined)?.ok) return;
      const stray = await tx.query(`SELECT 1 FROM ${s}.records_default WHERE occurred_at >= $1::timestamptz AND occurred_at < $2::timestamptz LIMIT 1`, [from, to]);
      if (stray.rows.length === 0) {
        await tx.query(`CREATE TABLE ${s}.${name} PARTITION OF ${s}.records FOR VALUES FROM ('${from}') TO ('${to}')`);
        return;
      }
      await tx.query(`CREATE TABLE ${s}.${name} (LIKE ${s}.records INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
      await tx.query(
        `WITH moved AS (DELETE FROM ${s}.records_default WHERE occurred_at >= $1::timestamptz AND occurred_at < $2::timestamptz RETURNING *)
         INSERT INTO ${s}.${name} SELECT * FROM moved`,
        [from, to],
      );
      await tx.query(`ALTER TABLE ${s}.records ATTACH PARTITION ${s}.${name} FOR VALUES FROM ('${from}') TO ('${to}')`);
    });
  }
}
