/**
 * Hourly rollups: per workspace, hour and dimension values, the counts and sums `aggregate()`
 * returns. They are maintained in the same transaction as the record upserts (a new record adds
 * its contribution; an edit or re-analysis subtracts the old one and adds the new), so a report
 * over any span reads rollup rows, never raw records.
 *
 * Two levels: a narrow one by source, kind and item type (what most reports group by, and far
 * fewer rows), and one by every aggregate dimension. A query reads the narrowest level that has all
 * the dimensions it groups or filters by.
 *
 * Beside them, topic rollups (`aggregateTopics()`): per workspace, hour, topic (from
 * `analysis.topics`, each distinct topic of a record counted once) and source, kind and item type,
 * the record count and sentiment counts and sums. Same transaction, same subtract-and-add on edits.
 */
import type { AggregateDimension } from '@tributary/core/storage';
import { Decimal } from '@tributary/core/decimal';

export interface DimColumn {
  dim: AggregateDimension;
  column: string;
}

/** Record table column of each aggregate dimension (the value `dimensionOf` gives). */
export const DIM_COLUMN: Record<AggregateDimension, string> = {
  sourceId: 'source_id',
  kind: 'kind',
  itemType: 'item_type',
  language: 'language',
  sentiment: 'sentiment',
  category: 'category',
  destinationId: 'destination_id',
  measurementType: 'measurement_type',
  unit: 'unit',
};

export interface RollupLevel {
  table: string;
  dims: DimColumn[];
}

const level = (table: string, dims: AggregateDimension[]): RollupLevel => ({ table, dims: dims.map((dim) => ({ dim, column: DIM_COLUMN[dim] })) });

/** Narrowest first. */
export const ROLLUPS: RollupLevel[] = [
  level('rollups_source_hourly', ['sourceId', 'kind', 'itemType']),
  level('rollups_hourly', ['sourceId', 'kind', 'itemType', 'language', 'sentiment', 'category', 'destinationId', 'measurementType', 'unit']),
];

/** The topic rollup table and the dimensions it keeps beside the topic (all never null). */
export const TOPIC_ROLLUP = {
  table: 'rollups_topics_hourly',
  dims: [
    { dim: 'sourceId', column: 'source_id' },
    { dim: 'kind', column: 'kind' },
    { dim: 'itemType', column: 'item_type' },
  ] as DimColumn[],
};

/** What one record contributes to the rollups. */
export interface Contribution {
  workspaceId: string;
  /** Epoch ms of `occurredAt`. */
  at: number;
  /** `occurredAt` as given. */
  occurredAt: string;
  dims: Record<AggregateDimension, string | null>;
  sentiment: string | null;
  /** Sentiment score as exact decimal text (null when no sentiment). */
  score: string | null;
  value: string | null;
  /** Distinct topics of the record. */
  topics: string[];
}

interface TopicDelta {
  w: string;
  h: string;
  t: string;
  d: string[];
  c: number;
  sc: number;
  ss: Decimal;
  p: number;
  n: number;
  u: number;
}

/** A topic rollup row's key. */
export interface TopicRollupKey {
  w: string;
  h: string;
  t: string;
  d: string[];
}

interface Delta {
  w: string;
  h: string;
  d: (string | null)[];
  c: number;
  sc: number;
  ss: Decimal;
  p: number;
  n: number;
  u: number;
  v: Decimal;
  f: string | null;
  l: string | null;
  fAt: number;
  lAt: number;
}

/** Accumulates the rollup changes of one batch, per level. */
export class RollupDeltas {
  private readonly deltas = ROLLUPS.map(() => new Map<string, Delta>());
  /** Keys whose first/last instants must be recomputed because a contribution was removed. */
  private readonly subtracted = ROLLUPS.map(() => new Map<string, RollupKey>());
  private readonly topicDeltas = new Map<string, TopicDelta>();
  private readonly topicSubtracted = new Map<string, TopicRollupKey>();

  get empty(): boolean {
    return this.deltas.every((m) => m.size === 0) && this.topicDeltas.size === 0;
  }

  add(c: Contribution, sign: 1 | -1): void {
    const hourMs = Math.floor(c.at / 3_600_000) * 3_600_000;
    const h = new Date(hourMs).toISOString();
    this.addTopics(c, h, sign);
    ROLLUPS.forEach((rollup, i) => {
      const values = rollup.dims.map((d) => c.dims[d.dim]);
      const id = `${c.workspaceId}\u0000${h}\u0000${JSON.stringify(values)}`;
      let delta = this.deltas[i]!.get(id);
      if (!delta) {
        delta = { w: c.workspaceId, h, d: values, c: 0, sc: 0, ss: Decimal.ZERO, p: 0, n: 0, u: 0, v: Decimal.ZERO, f: null, l: null, fAt: Infinity, lAt: -Infinity };
        this.deltas[i]!.set(id, delta);
      }
      delta.c += sign;
      if (c.sentiment !== null) {
        delta.sc += sign;
        delta.ss = sign > 0 ? delta.ss.plus(c.score ?? '0') : delta.ss.minus(c.score ?? '0');
        if (c.sentiment === 'positive') delta.p += sign;
        else if (c.sentiment === 'negative') delta.n += sign;
        else if (c.sentiment === 'neutral') delta.u += sign;
      }
      if (c.value !== null) delta.v = sign > 0 ? delta.v.plus(c.value) : delta.v.minus(c.value);
      if (sign > 0) {
        if (c.at < delta.fAt) {
          delta.fAt = c.at;
          delta.f = c.occurredAt;
        }
        if (c.at > delta.lAt) {
          delta.lAt = c.at;
          delta.l = c.occurredAt;
        }
      } else {
        this.subtracted[i]!.set(id, { w: c.workspaceId, h, d: values });
      }
    });
  }

  private addTopics(c: Contribution, h: string, sign: 1 | -1): void {
    const d = TOPIC_ROLLUP.dims.map((x) => c.dims[x.dim] ?? '');
    for (const t of c.topics) {
      const id = JSON.stringify([c.workspaceId, h, t, d]);
      let delta = this.topicDeltas.get(id);
      if (!delta) this.topicDeltas.set(id, (delta = { w: c.workspaceId, h, t, d, c: 0, sc: 0, ss: Decimal.ZERO, p: 0, n: 0, u: 0 }));
      delta.c += sign;
      if (c.sentiment !== null) {
        delta.sc += sign;
        delta.ss = sign > 0 ? delta.ss.plus(c.score ?? '0') : delta.ss.minus(c.score ?? '0');
        if (c.sentiment === 'positive') delta.p += sign;
        else if (c.sentiment === 'negative') delta.n += sign;
        else if (c.sentiment === 'neutral') delta.u += sign;
      }
      if (sign < 0) this.topicSubtracted.set(id, { w: c.workspaceId, h, t, d });
    }
  }

  /** The topic rollup payload (sorted, see {@link levels}) and the keys to tidy. */
  topics(): { rows: unknown[]; repair: TopicRollupKey[] } {
    return {
      rows: [...this.topicDeltas.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .filter(([, d]) => d.c !== 0 || d.sc !== 0 || d.p !== 0 || d.n !== 0 || d.u !== 0 || !d.ss.isZero())
        .map(([, d]) => ({ w: d.w, h: d.h, t: d.t, d: d.d, c: d.c, sc: d.sc, ss: d.ss.toString(), p: d.p, n: d.n, u: d.u })),
      repair: [...this.topicSubtracted.values()],
    };
  }

  /** Per level: the upsert payload (sorted, so concurrent writers lock rows in one order) and the keys to repair. */
  levels(): { rollup: RollupLevel; rows: unknown[]; repair: RollupKey[] }[] {
    return ROLLUPS.map((rollup, i) => ({
      rollup,
      rows: [...this.deltas[i]!.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([, d]) => ({ w: d.w, h: d.h, d: d.d, c: d.c, sc: d.sc, ss: d.ss.toString(), p: d.p, n: d.n, u: d.u, v: d.v.toString(), f: d.f, l: d.l })),
      repair: [...this.subtracted[i]!.values()],
    }));
  }
}

/** A rollup row's key: workspace, hour (ISO) and the level's dimension values in order. */
export interface RollupKey {
  w: string;
  h: string;
  d: (string | null)[];
}

/**
 * The text of `dims_key`: the JSONB array of the dimension values, rendered by PostgreSQL, so the SQL
 * that aggregates new rows and the deltas computed here produce the same key.
 */
const dimsKeySql = (values: string[]) => `jsonb_build_array(${values.join(', ')})::text`;

const ON_CONFLICT = `ON CONFLICT (workspace_id, hour, dims_key) DO UPDATE SET
      count = t.count + excluded.count,
      sentiment_count = t.sentiment_count + excluded.sentiment_count,
      sentiment_sum = t.sentiment_sum + excluded.sentiment_sum,
      positive = t.positive + excluded.positive,
      negative = t.negative + excluded.negative,
      neutral = t.neutral + excluded.neutral,
      value_sum = t.value_sum + excluded.value_sum,
      first_at = LEAST(t.first_at, excluded.first_at),
      last_at = GREATEST(t.last_at, excluded.last_at)`;

const columns = (rollup: RollupLevel) =>
  `(workspace_id, hour, dims_key, ${rollup.dims.map((d) => d.column).join(', ')}, count, sentiment_count, sentiment_sum, positive, negative, neutral, value_sum, first_at, last_at)`;

/** Statement applying one level's deltas: `$1` is the JSON array from {@link RollupDeltas.levels}. */
export function upsertRollupSql(schema: string, rollup: RollupLevel): string {
  const dims = rollup.dims.map((_, i) => `x.d->>${i}`);
  return `INSERT INTO ${schema}.${rollup.table} AS t ${columns(rollup)}
    SELECT x.w, x.h::timestamptz, ${dimsKeySql(dims)}, ${dims.join(', ')}, x.c, x.sc, x.ss::numeric, x.p, x.n, x.u, x.v::numeric, x.f::timestamptz, x.l::timestamptz
    FROM jsonb_to_recordset($1::text::jsonb) AS x(w text, h text, d jsonb, c bigint, sc bigint, ss text, p bigint, n bigint, u bigint, v text, f text, l text)
    ORDER BY 1, 2, 3
    ${ON_CONFLICT}`;
}

/** Staged row column of each rollup dimension (see `STAGED` in `records.ts`). */
const SHORT: Record<string, string> = { source_id: 'src', kind: 'kd', item_type: 'it', language: 'lang', sentiment: 'sent', category: 'cat', destination_id: 'dst', measurement_type: 'mt', unit: 'unit' };

/**
 * Statement adding the contributions of new records, aggregated in SQL from `source` (a CTE of
 * staged rows: w, t (timestamptz), hr (its UTC hour), src, kd, it, lang, sent, ss (numeric), cat,
 * dst, mt, unit, val (numeric)), so the rollup is written once per group, not once per record.
 */
export function addRowsRollupSql(schema: string, rollup: RollupLevel, source: string): string {
  const dims = rollup.dims.map((d) => `n.${SHORT[d.column]}`);
  return `INSERT INTO ${schema}.${rollup.table} AS t ${columns(rollup)}
    SELECT n.w, n.hr, ${dimsKeySql(dims)}, ${dims.join(', ')},
      count(*), count(n.sent), coalesce(sum(n.ss) FILTER (WHERE n.sent IS NOT NULL), 0),
      count(*) FILTER (WHERE n.sent = 'positive'), count(*) FILTER (WHERE n.sent = 'negative'), count(*) FILTER (WHERE n.sent = 'neutral'),
      coalesce(sum(n.val), 0), min(n.t), max(n.t)
    FROM ${source} AS n
    GROUP BY 1, 2, ${dims.join(', ')}
    ORDER BY 1, 2, 3
    ${ON_CONFLICT}`;
}

const TOPIC_COLUMNS = `(workspace_id, hour, topic, ${TOPIC_ROLLUP.dims.map((d) => d.column).join(', ')}, count, sentiment_count, sentiment_sum, positive, negative, neutral)`;
const TOPIC_KEY = `workspace_id, hour, topic, ${TOPIC_ROLLUP.dims.map((d) => d.column).join(', ')}`;
const TOPIC_ON_CONFLICT = `ON CONFLICT (${TOPIC_KEY}) DO UPDATE SET
      count = t.count + excluded.count,
      sentiment_count = t.sentiment_count + excluded.sentiment_count,
      sentiment_sum = t.sentiment_sum + excluded.sentiment_sum,
      positive = t.positive + excluded.positive,
      negative = t.negative + excluded.negative,
      neutral = t.neutral + excluded.neutral`;

/**
 * Statement adding the topic contributions of new records from `source` (as in {@link addRowsRollupSql},
 * plus `tp`: the record's distinct topics as a JSON array, or null when it has none).
 */
export function addRowsTopicRollupSql(schema: string, source: string): string {
  const dims = TOPIC_ROLLUP.dims.map((d) => `n.${SHORT[d.column]}`);
  return `INSERT INTO ${schema}.${TOPIC_ROLLUP.table} AS t ${TOPIC_COLUMNS}
    SELECT n.w, n.hr, tp.topic, ${dims.join(', ')},
      count(*), count(n.sent), coalesce(sum(n.ss) FILTER (WHERE n.sent IS NOT NULL), 0),
      count(*) FILTER (WHERE n.sent = 'positive'), count(*) FILTER (WHERE n.sent = 'negative'), count(*) FILTER (WHERE n.sent = 'neutral')
    FROM ${source} AS n CROSS JOIN LATERAL json_array_elements_text(n.tp::json) AS tp(topic)
    WHERE n.tp IS NOT NULL
    GROUP BY 1, 2, 3, ${dims.join(', ')}
    ORDER BY 1, 2, 3, ${dims.join(', ')}
    ${TOPIC_ON_CONFLICT}`;
}

/** Statement applying topic deltas: `$1` is the JSON array from {@link RollupDeltas.topics}. */
export function upsertTopicRollupSql(schema: string): string {
  const dims = TOPIC_ROLLUP.dims.map((_, i) => `x.d->>${i}`);
  return `INSERT INTO ${schema}.${TOPIC_ROLLUP.table} AS t ${TOPIC_COLUMNS}
    SELECT x.w, x.h::timestamptz, x.t, ${dims.join(', ')}, x.c, x.sc, x.ss::numeric, x.p, x.n, x.u
    FROM jsonb_to_recordset($1::text::jsonb) AS x(w text, h text, t text, d jsonb, c bigint, sc bigint, ss text, p bigint, n bigint, u bigint)
    ORDER BY 1, 2, 3, 4, 5, 6
    ${TOPIC_ON_CONFLICT}`;
}

/** Statement dropping topic rows a subtraction emptied. `$1` lists {@link TopicRollupKey}s. */
export function repairTopicRollupSql(schema: string): string {
  const match = TOPIC_ROLLUP.dims.map((d, i) => `t.${d.column} = x.d->>${i}`).join(' AND ');
  return `DELETE FROM ${schema}.${TOPIC_ROLLUP.table} t USING jsonb_to_recordset($1::text::jsonb) AS x(w text, h text, t text, d jsonb)
    WHERE t.workspace_id = x.w AND t.hour = x.h::timestamptz AND t.topic = x.t AND ${match} AND t.count <= 0`;
}

/**
 * The distinct string topics of a record body, as a set-returning SQL expression over `body` (for
 * scans of raw records and the migration that fills the topic rollups).
 */
export const bodyTopicsSql = (body: string) =>
  `(SELECT DISTINCT e #>> '{}' AS topic FROM jsonb_array_elements(CASE WHEN jsonb_typeof(${body}->'analysis'->'topics') = 'array' THEN ${body}->'analysis'->'topics' END) AS e WHERE jsonb_typeof(e) = 'string')`;

/**
 * Statements that tidy rows a subtraction touched: drop the emptied ones, and recompute the
 * first/last instants (which cannot be un-min'd) from the hour's records. `$1` lists the keys.
 */
export function repairRollupSql(schema: string, rollup: RollupLevel): string[] {
  const keys = `SELECT x.w, x.h::timestamptz AS h, (x.d)::text AS k FROM jsonb_to_recordset($1::text::jsonb) AS x(w text, h text, d jsonb)`;
  const match = rollup.dims.map((d) => `r.${d.column} IS NOT DISTINCT FROM t2.${d.column}`).join(' AND ');
  return [
    `DELETE FROM ${schema}.${rollup.table} t USING (${keys}) AS x WHERE t.workspace_id = x.w AND t.hour = x.h AND t.dims_key = x.k AND t.count <= 0`,
    `UPDATE ${schema}.${rollup.table} t SET first_at = m.first_at, last_at = m.last_at
      FROM (${keys}) AS x
      CROSS JOIN LATERAL (
        SELECT min(r.occurred_at) AS first_at, max(r.occurred_at) AS last_at
        FROM ${schema}.records r, ${schema}.${rollup.table} t2
        WHERE t2.workspace_id = x.w AND t2.hour = x.h AND t2.dims_key = x.k
          AND r.workspace_id = x.w AND r.occurred_at >= x.h AND r.occurred_at < x.h + INTERVAL '1 hour' AND ${match}
      ) AS m
      WHERE t.workspace_id = x.w AND t.hour = x.h AND t.dims_key = x.k`,
  ];
}
