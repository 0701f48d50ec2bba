/** Mapping between records and rows of the records table. */
import type { TributaryRecord } from '@tributary/core/record';
import { AGGREGATE_DIMENSIONS, dimensionOf, type AggregateDimension } from '@tributary/core/storage';
import type { Contribution } from './rollups.js';

/** Columns of `records` as sent in a JSON batch (short keys keep the payload small). */
export interface RecordRow {
  w: string;
  i: string;
  o: string;
  src: string;
  kd: string;
  it: string;
  lang: string | null;
  sent: string | null;
  ss: number | null;
  cat: string | null;
  dst: string | null;
  mt: string | null;
  unit: string | null;
  val: string | null;
  ref: string | null;
  st: string;
  /** Content hash and source update time, for `record_keys`. */
  h: string;
  u: string | null;
  /**
   * The record as JSON text inside the batch's JSON: parsed into JSONB once, per row. (Nesting it
   * as an object would parse it twice, once with the whole batch and again as the column.)
   */
  b: string;
}

export function recordRow(record: TributaryRecord): RecordRow {
  return {
    w: record.workspaceId,
    i: record.id,
    o: record.occurredAt,
    src: record.sourceId,
    kd: record.kind,
    it: record.itemType,
    lang: dimensionOf(record, 'language'),
    sent: record.analysis.sentiment?.label ?? null,
    ss: record.analysis.sentiment?.score ?? null,
    cat: dimensionOf(record, 'category'),
    dst: dimensionOf(record, 'destinationId'),
    mt: dimensionOf(record, 'measurementType'),
    unit: dimensionOf(record, 'unit'),
    val: record.measurement?.value ?? null,
    ref: record.measurement?.reference ?? null,
    // Lower-cased here rather than with SQL lower(), whose result depends on the database collation.
    st: `${record.content?.title ?? ''}\n${record.content?.text ?? ''}`.toLowerCase(),
    h: record.contentHash,
    u: record.sourceUpdatedAt ?? null,
    b: JSON.stringify(record),
  };
}

/** `jsonb_to_recordset` column list matching {@link RecordRow}. */
export const RECORD_ROW_TYPE = `w text, i text, o text, src text, kd text, it text, lang text, sent text, ss numeric, cat text, dst text, mt text, unit text, val numeric, ref text, st text, h text, u text, b text`;

export const RECORD_COLUMNS = `workspace_id, occurred_at, id, source_id, kind, item_type, language, sentiment, sentiment_score, category, destination_id, measurement_type, unit, value, reference, search_text, body`;
export const RECORD_VALUES = `x.w, x.o::timestamptz, x.i, x.src, x.kd, x.it, x.lang, x.sent, x.ss, x.cat, x.dst, x.mt, x.unit, x.val, x.ref, x.st, x.b::jsonb`;

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
}

/** SQL selecting a {@link ContributionRow} from `records r`. */
export const CONTRIBUTION_COLUMNS = `r.workspace_id, (extract(epoch FROM r.occurred_at) * 1000)::float8 AS at_ms, r.body->>'occurredAt' AS occurred_at,
  r.source_id, r.kind, r.item_type, r.language, r.sentiment, r.sentiment_score::text AS sentiment_score, r.category,
  r.destination_id, r.measurement_type, r.unit, r.value::text AS value`;

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
  };
}
