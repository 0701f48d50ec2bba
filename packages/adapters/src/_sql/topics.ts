/**
 * `aggregateTopics()` over the topic rollups. Whole hours come from `rollups_topics_hourly` when the
 * query filters only by dimensions that table keeps (source, kind, item type); the partial hours at
 * either end of a range not on the hour come from raw records, as in `aggregate()`. A filter on any
 * other dimension (sentiment, language…) has no rollup to read and scans the raw records of the range,
 * still in SQL.
 */
import type { AggregateDimension, TopicAggregateQuery, TopicAggregateRow } from '@tributary/core/storage';
import { bucketExpr, planParts, whereEntries } from './aggregate.js';
import { isoFromDb, utcIsoSql } from './executor.js';
import { bodyTopicsSql, DIM_COLUMN, TOPIC_ROLLUP } from './rollups.js';

export interface TopicAggregateStatement {
  text: string;
  params: unknown[];
  /** `rollups_topics_hourly`, or `records` for a raw scan. */
  source: string;
}

export function topicAggregateStatement(schema: string, query: TopicAggregateQuery): TopicAggregateStatement {
  const bucket = query.bucket ?? 'all';
  const where = whereEntries(query.where);
  const useRollup = where.every(([dim]) => TOPIC_ROLLUP.dims.some((d) => d.dim === dim));
  const params: unknown[] = [query.workspaceId];
  const param = (value: unknown, cast: string) => {
    params.push(value);
    return `$${params.length}::${cast}`;
  };
  // An empty `topics` list asks for no topic at all.
  const topics = query.topics !== undefined ? param(query.topics, 'text[]') : undefined;
  const whereSql = (prefix: string) => where.map(([dim, values]) => ` AND coalesce(${prefix}${DIM_COLUMN[dim as AggregateDimension]}, '') = ANY(${param(values, 'text[]')})`).join('');
  const selects = planParts(query.from, query.to, useRollup).map((part) => {
    if (part.source === 'rollup') {
      const range = `${part.from !== undefined ? ` AND hour >= ${param(part.from, 'timestamptz')}` : ''}${part.to !== undefined ? ` AND hour < ${param(part.to, 'timestamptz')}` : ''}`;
      return `SELECT hour AS t, topic, count AS c, sentiment_count AS sc, sentiment_sum AS ss, positive AS p, negative AS n, neutral AS u
        FROM ${schema}.${TOPIC_ROLLUP.table} WHERE workspace_id = $1${range}${whereSql('')}${topics ? ` AND topic = ANY(${topics})` : ''}`;
    }
    const range = `${part.from !== undefined ? ` AND r.occurred_at >= ${param(part.from, 'timestamptz')}` : ''}${part.to !== undefined ? ` AND r.occurred_at < ${param(part.to, 'timestamptz')}` : ''}`;
    return `SELECT r.occurred_at AS t, tp.topic, 1::bigint AS c, (r.sentiment IS NOT NULL)::int::bigint AS sc, coalesce(r.sentiment_score, 0) AS ss,
        (r.sentiment IS NOT DISTINCT FROM 'positive')::int::bigint AS p, (r.sentiment IS NOT DISTINCT FROM 'negative')::int::bigint AS n, (r.sentiment IS NOT DISTINCT FROM 'neutral')::int::bigint AS u
      FROM ${schema}.records r CROSS JOIN LATERAL ${bodyTopicsSql('r.body')} AS tp
      WHERE r.workspace_id = $1${range}${whereSql('r.')}${topics ? ` AND tp.topic = ANY(${topics})` : ''}`;
  });
  const bucketSql = bucketExpr(bucket, 't');
  const text = `SELECT ${utcIsoSql(bucketSql)} AS bucket, topic,
      sum(c)::float8 AS count, sum(sc)::float8 AS sentiment_count, sum(ss)::float8 AS sentiment_sum,
      sum(p)::float8 AS positive, sum(n)::float8 AS negative, sum(u)::float8 AS neutral
    FROM (${selects.join('\n UNION ALL\n')}) AS u
    GROUP BY ${bucketSql}, 2
    HAVING sum(c) > 0`;
  return { text, params, source: useRollup ? TOPIC_ROLLUP.table : 'records' };
}

interface TopicDbRow {
  bucket: string | null;
  topic: string;
  count: number;
  sentiment_count: number;
  sentiment_sum: number;
  positive: number;
  negative: number;
  neutral: number;
}

/** Rows in the order `aggregateTopicsOf` gives: by bucket, then most frequent first, then by topic. */
export function topicAggregateRows(query: TopicAggregateQuery, rows: TopicDbRow[]): TopicAggregateRow[] {
  const bucket = query.bucket ?? 'all';
  return rows
    .map((row) => ({
      topic: row.topic,
      bucket: bucket === 'all' ? null : isoFromDb(row.bucket),
      count: row.count,
      sentimentCount: row.sentiment_count,
      sentimentSum: row.sentiment_sum,
      positive: row.positive,
      negative: row.negative,
      neutral: row.neutral,
    }))
    .sort((a, b) => (a.bucket ?? '').localeCompare(b.bucket ?? '') || b.count - a.count || a.topic.localeCompare(b.topic));
}
