/** Mapping between records and rows of the records table. */
import type { TributaryRecord } from '@tributary/core/record';
import { AGGREGATE_DIMENSIONS, dimensionOf, type AggregateDimension } from '@tributary/core/storage';
import { pgTimestamp, type PgTimestamp } from './copy.js';
import type { Contribution } from './rollups.js';

/** Distinct string topics of a record (what the topic rollups count). */
export function topicsOf(record: TributaryRecord): string[] {
  const topics = record.analysis.topics;
  if (!Array.isArray(topics) || topics.length === 0) return [];
  return [...new Set(topics.filter((t): t is string => typeof t === 'string'))];
}

/**
 * Columns of the staging table a batch is COPied into (binary): workspace, id, `occurredAt` (as given,
 * and as timestamptz), the columns of `records` that filters and aggregates use (the dimensions, the
 * sentiment score, the measurement value and reference, the lower-cased search text), content hash
 * and source update time for `record_keys`, `tp` (the distinct topics as a JSON array, null when
 * none) and `b`, the record as JSON.
 */
export const STAGED_COLUMNS = ['w', 'i', 'o', 't', 'hr', 'src', 'kd', 'it', 'lang', 'sent', 'ss', 'cat', 'dst', 'mt', 'unit', 'val', 'ref', 'st', 'h', 'u', 'tp', 'b'] as const;

/**
 * The staging table: temporary (no WAL, private to the session), emptied at every commit. Every
 * column is text but `t` and `hr`, `occurredAt` and the start of its UTC hour as timestamptz, when
 * the client could convert it exactly (else null, and the server casts `o`).
 */
export const STAGE_TABLE = 'pg_temp.tributary_stage_v3';
export const STAGE_DDL = `CREATE TEMP TABLE IF NOT EXISTS tributary_stage_v3 (${STAGED_COLUMNS.map((c) => (c === 't' || c === 'hr' ? `${c} timestamptz` : `${c} text COLLATE "C"`)).join(', ')}) ON COMMIT DELETE ROWS`;

/**
 * The staged rows with their values cast once: `t` (timestamptz of `o`), `hr` (its UTC hour), `ss`
 * and `val` as numeric. Every other column keeps its staged name.
 */
export const STAGED_SELECT = `SELECT w, i, o, coalesce(t, o::timestamptz) AS t, coalesce(hr, date_trunc('hour', o::timestamptz, 'UTC')) AS hr,
  src, kd, it, lang, sent, ss::numeric AS ss, cat, dst, mt, unit, val::numeric AS val, ref, st, h, u, tp, b FROM ${STAGE_TABLE}`;

/**
 * {@link STAGED_SELECT} without what only the records table takes (`o`, `ref`, `st`, the body): what
 * the keys and the rollups read. The statement for new records materializes this narrow form once
 * and reads the bodies straight from the staging table, instead of copying 1.5 kB per record.
 */
export const STAGED_NARROW_SELECT = `SELECT w, i, coalesce(t, o::timestamptz) AS t, coalesce(hr, date_trunc('hour', o::timestamptz, 'UTC')) AS hr,
  src, kd, it, lang, sent, ss::numeric AS ss, cat, dst, mt, unit, val::numeric AS val, h, u, tp FROM ${STAGE_TABLE}`;

const HOUR_MICROS = 3_600_000_000;

/** The fields of one staged row, in {@link STAGED_COLUMNS} order, for a record at `revision`. */
export function stagedRow(record: TributaryRecord, revision: number): (string | PgTimestamp | null)[] {
  const analysis = record.analysis;
  const sentiment = analysis.sentiment;
  const measurement = record.measurement;
  const topics = topicsOf(record);
  const at = pgTimestamp(record.occurredAt);
  return [
    record.workspaceId,
    record.id,
    record.occurredAt,
    at,
    at && { micros: Math.floor(at.micros / HOUR_MICROS) * HOUR_MICROS },
    record.sourceId,
    record.kind,
    record.itemType,
    analysis.language?.code ?? record.language ?? null,
    sentiment?.label ?? null,
    sentiment ? numberText(sentiment.score) : null,
    analysis.category?.label ?? null,
    measurement?.destinationId ?? null,
    measurement?.type ?? null,
    measurement?.unit ?? null,
    measurement?.value ?? null,
    measurement?.reference ?? null,
    // Lower-cased here rather than with SQL lower(), whose result depends on the database collation.
    `${record.content?.title ?? ''}\n${record.content?.text ?? ''}`.toLowerCase(),
    record.contentHash,
    record.sourceUpdatedAt ?? null,
    topics.length > 0 ? JSON.stringify(topics) : null,
    JSON.stringify(record.revision === revision ? record : { ...record, revision }),
  ];
}

export const RECORD_COLUMNS = `workspace_id, occurred_at, id, source_id, kind, item_type, language, sentiment, sentiment_score, category, destination_id, measurement_type, unit, value, reference, search_text, body`;
/** {@link RECORD_COLUMNS} from {@link STAGED_SELECT} rows. */
export const STAGED_RECORD_VALUES = `x.w, x.t, x.i, x.src, x.kd, x.it, x.lang, x.sent, x.ss, x.cat, x.dst, x.mt, x.unit, x.val, x.ref, x.st, x.b::jsonb`;

/** Exact decimal text of a JavaScript number (its shortest round-trip form, never exponent). */
function numberText(value: number): string {
  const text = String(value);
  if (!/e/i.test(text)) return text;
  return value.toFixed(20).replace(/\.?0+$/, '');
}

export function contributionOf(record: TributaryRecord): Contribution {
  const dims = {} as Record<AggregateDimension, string | null>;
  for (const d of AGGREGATE_DIMENSIONS) dims[d] = dimensionOf(record, d);
  const sentiment = record.analysis.sentiment;
  return {
    workspaceId: record.workspaceId,
    at: Date.parse(record.occurredAt),
    occurredAt: record.occurredAt,
    dims,
    sentiment: sentiment?.label ?? null,
    score: sentiment ? numberText(sentiment.score) : null,
    value: record.measurement?.value ?? null,
    topics: topicsOf(record),
  };
}

export interface ContributionRow {
  workspace_id: string;
  at_ms: number;
  occurred_at: string;
  source_id: string;
  kind: string;
  item_type: string;
  language: string | null;
  sentiment: string | null;
  sentiment_score: string | null;
  category: string | null;
  destination_id: string | null;
  measurement_type: string | null;
  unit: string | null;
  value: string | null;
  topics: unknown;
}

/** SQL selecting a {@link ContributionRow} from `records r`. */
export const CONTRIBUTION_COLUMNS = `r.workspace_id, (extract(epoch FROM r.occurred_at) * 1000)::float8 AS at_ms, r.body->>'occurredAt' AS occurred_at,
  r.source_id, r.kind, r.item_type, r.language, r.sentiment, r.sentiment_score::text AS sentiment_score, r.category,
  r.destination_id, r.measurement_type, r.unit, r.value::text AS value, r.body->'analysis'->'topics' AS topics`;

export function contributionFromRow(row: ContributionRow): Contribution {
  return {
    workspaceId: row.workspace_id,
    at: row.at_ms,
    occurredAt: row.occurred_at,
    dims: {
      sourceId: row.source_id,
      kind: row.kind,
      itemType: row.item_type,
      language: row.language,
      sentiment: row.sentiment,
      category: row.category,
      destinationId: row.destination_id,
      measurementType: row.measurement_type,
      unit: row.unit,
    },
    sentiment: row.sentiment,
    score: row.sentiment_score,
    value: row.value,
    topics: topicsOf({ analysis: { topics: row.topics } } as TributaryRecord),
  };
}
