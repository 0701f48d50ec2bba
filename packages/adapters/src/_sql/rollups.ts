/**
 * Hourly rollups: per workspace, hour and dimension values, the counts and sums `aggregate()`
 * returns. They are maintained in the same transaction as the record upserts (a new record adds
 * its contribution; an edit or re-analysis rebuilds the groups it touched), so a report over any
 * span reads rollup rows, never raw records.
 *
 * Two levels: a narrow one by source, kind and item type (what most reports group by, and far
 * fewer rows), and one by every aggregate dimension. A query reads the narrowest level that has all
 * the dimensions it groups or filters by.
 *
 * Both levels are append-only: each batch appends one row per group it adds to, under a plain
 * (workspace, hour) index, and readers sum the rows of a group. Keyed rows (one per group, upserted
 * with `ON CONFLICT` on a unique index) merged little: nine dimensions combine into so many groups
 * that at tens of records per hour nearly every record opens a group of its own, and each upserted
 * row paid a speculative insertion into a wide unique index (with the narrow level, about a quarter
 * of an upsert's server time, see bench/README.md). What the key gave is kept otherwise: edits
 * rebuild the groups they touch from the records (`replaceRollupSql` in `rollup-rebuild.ts`: exact
 * counts, sums and first/last instants), and a compaction merges the rows of each group
 * (`compactRollupSql`), so many small batches do not leave one row per record.
 *
 * Beside them, topic rollups (`aggregateTopics()`): per workspace, hour, topic (from
 * `analysis.topics`, each distinct topic of a record counted once) and source, kind and item type,
 * the record count and sentiment counts and sums. Same transaction; keyed, with subtract-and-add
 * deltas on edits.
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

/** An append-only rollup level: its table and the dimensions it keeps. */
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

/**
 * Accumulates the rollup changes of one batch: per level, the groups touched (rebuilt from the
 * records); for the topic rollup, the deltas.
 */
export class RollupDeltas {
  private readonly touched = ROLLUPS.map(() => new Map<string, RollupKey>());
  private readonly topicDeltas = new Map<string, TopicDelta>();
  private readonly topicSubtracted = new Map<string, TopicRollupKey>();

  get empty(): boolean {
    return this.touched.every((m) => m.size === 0) && this.topicDeltas.size === 0;
  }

  /** Adds (+1) or removes (-1) a record's contribution. The levels only note the groups: both signs rebuild them. */
  add(c: Contribution, sign: 1 | -1): void {
    const hourMs = Math.floor(c.at / 3_600_000) * 3_600_000;
    const h = new Date(hourMs).toISOString();
    this.addTopics(c, h, sign);
    ROLLUPS.forEach((rollup, i) => {
      const values = rollup.dims.map((d) => c.dims[d.dim]);
      const id = `${c.workspaceId}\u0000${h}\u0000${JSON.stringify(values)}`;
      this.touched[i]!.set(id, { w: c.workspaceId, h, d: values });
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

  /** The topic rollup payload (sorted, so concurrent writers lock rows in one order) and the keys to tidy. */
  topics(): { rows: unknown[]; repair: TopicRollupKey[] } {
    return {
      rows: [...this.topicDeltas.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .filter(([, d]) => d.c !== 0 || d.sc !== 0 || d.p !== 0 || d.n !== 0 || d.u !== 0 || !d.ss.isZero())
        .map(([, d]) => ({ w: d.w, h: d.h, t: d.t, d: d.d, c: d.c, sc: d.sc, ss: d.ss.toString(), p: d.p, n: d.n, u: d.u })),
      repair: [...this.topicSubtracted.values()],
    };
  }

  /** Per level, the groups to rebuild (added to or subtracted from). */
  levels(): { rollup: RollupLevel; touched: RollupKey[] }[] {
    return ROLLUPS.map((rollup, i) => ({ rollup, touched: [...this.touched[i]!.values()] }));
  }
}

/** A rollup row's key: workspace, hour (ISO) and the level's dimension values in order. */
export interface RollupKey {
  w: string;
  h: string;
  d: (string | null)[];
}

const columns = (rollup: RollupLevel) =>
  `(workspace_id, hour, ${rollup.dims.map((d) => d.column).join(', ')}, count, sentiment_count, sentiment_sum, positive, negative, neutral, value_sum, first_at, last_at)`;


/** Staged row column of each rollup dimension (see `STAGED` in `records.ts`). */
const SHORT: Record<string, string> = { source_id: 'src', kind: 'kd', item_type: 'it', language: 'lang', sentiment: 'sent', category: 'cat', destination_id: 'dst', measurement_type: 'mt', unit: 'unit' };

/**
 * Statement adding the contributions of new records, aggregated in SQL from `source` (a CTE of
 * staged rows: w, t (timestamptz), hr (its UTC hour), src, kd, it, lang, sent, ss (numeric), cat,
 * dst, mt, unit, val (numeric)), so the rollup is written once per group, not once per record.
 */
export function addRowsRollupSql(schema: string, rollup: RollupLevel, source: string): string {
  const dims = rollup.dims.map((d) => `n.${SHORT[d.column]}`);
  // Plain inserts take no row locks, so no order is needed either.
  return `INSERT INTO ${schema}.${rollup.table} ${columns(rollup)}
    SELECT n.w, n.hr, ${dims.join(', ')},
      count(*), count(n.sent), coalesce(sum(n.ss) FILTER (WHERE n.sent IS NOT NULL), 0),
      count(*) FILTER (WHERE n.sent = 'positive'), count(*) FILTER (WHERE n.sent = 'negative'), count(*) FILTER (WHERE n.sent = 'neutral'),
      coalesce(sum(n.val), 0), min(n.t), max(n.t)
    FROM ${source} AS n
    GROUP BY 1, 2, ${dims.join(', ')}`;
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
