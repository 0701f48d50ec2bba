/**
 * @module routes/reports
 * Read models: seed 003's value aggregates (exact decimal totals per destination) and the insights of
 * a workspace over time. The insight route is thin on purpose: it shapes what core's reports and the
 * storage port's aggregates return.
 */
import { z } from 'zod';
import { createError } from '@tributary/core/errors';
import { MeasurementSchema } from '@tributary/core/record';
import { dailyReport, insightReport, valueAggregates } from '@tributary/core/reports';
import type { RouteDeps } from '../context.js';
import { IdSchema, TimeSchema, WorkspaceParams, listOf } from '../schemas.js';

const AggregatesQuery = z.object({
  start: TimeSchema.optional().describe('Records at or after this time'),
  end: TimeSchema.optional().describe('Records before this time'),
  type: z.enum(['positive', 'negative']).optional(),
  groupBy: z.enum(['destinationId']).default('destinationId').describe('Only destinationId (seed 003)'),
});

const AggregatesSchema = z
  .object({
    groups: z.array(
      z.object({
        destinationId: z.string(),
        count: z.number(),
        total: z.string().describe('Exact decimal sum, e.g. "0.3"'),
        records: z.array(MeasurementSchema),
      }),
    ),
  })
  .meta({ title: 'ValueAggregates' });

const DAY_MS = 86_400_000;

const InsightsQuery = z.object({
  from: TimeSchema.optional().describe('Default: 30 days before `to`'),
  to: TimeSchema.optional().describe('Default: now'),
  bucket: z.enum(['hour', 'day', 'week', 'month']).default('day'),
  source: listOf(IdSchema).optional().describe('Only these sources'),
  language: listOf(z.string().min(2).max(3)).optional().describe('Only these languages (ISO 639-1)'),
  category: listOf(z.enum(['complaint', 'question', 'feature_request', 'bug_report', 'praise', 'other'])).optional().describe('Only these categories'),
});

const SentimentPoint = z.object({ bucket: z.string().nullable(), count: z.number(), average: z.number().nullable(), positive: z.number(), negative: z.number(), neutral: z.number() });
const InsightsSchema = z
  .object({
    workspaceId: z.string(),
    from: z.string(),
    to: z.string(),
    bucket: z.string(),
    totals: SentimentPoint.omit({ bucket: true }),
    volume: z.array(z.object({ bucket: z.string().nullable(), count: z.number() })),
    sentiment: z.array(SentimentPoint),
    daily: z.array(z.object({ day: z.string(), sourceId: z.string(), count: z.number(), averageSentiment: z.number().nullable(), positive: z.number(), negative: z.number(), neutral: z.number() })),
    report: z
      .record(z.string(), z.unknown())
      .nullable()
      .describe('The insight report (`InsightReport` of @tributary/core/reports): timeline, breakdowns by source/language/category, top and emerging topics with changes against the previous period, anomalies, examples. Null for month buckets.'),
  })
  .meta({ title: 'Insights' });

const round = (n: number) => Math.round(n * 10_000) / 10_000;

export function reportRoutes({ api, pipeline }: RouteDeps): void {
  api.add(
    {
      method: 'get',
      path: '/v1/workspaces/:ws/aggregates',
      operationId: 'valueAggregates',
      summary: 'Aggregate value records by destination (seed 003)',
      tag: 'Reports',
      access: 'workspace',
      params: WorkspaceParams,
      query: AggregatesQuery,
      responses: { 200: { description: 'Groups with exact totals', schema: AggregatesSchema } },
    },
    async (c, { params, query }) => {
      if (query.start && query.end && query.start > query.end) throw createError('api', 'validation', 'start is after end', { issues: [{ path: 'start', message: 'must not be after end' }] });
      const result = await valueAggregates(pipeline.storage, { workspaceId: params.ws, ...(query.start ? { start: query.start } : {}), ...(query.end ? { end: query.end } : {}), ...(query.type ? { type: query.type } : {}) });
      return c.json(result);
    },
  );

  api.add(
    {
      method: 'get',
      path: '/v1/workspaces/:ws/insights',
      operationId: 'insights',
      summary: 'Volume and sentiment over time',
      tag: 'Reports',
      access: 'workspace',
      params: WorkspaceParams,
      query: InsightsQuery,
      responses: { 200: { description: 'Totals, series per bucket and the daily report per source', schema: InsightsSchema } },
    },
    async (c, { params, query }) => {
      const to = query.to ?? new Date().toISOString();
      const from = query.from ?? new Date(Date.parse(to) - 30 * DAY_MS).toISOString();
      if (from >= to) throw createError('api', 'validation', 'from must be before to', { issues: [{ path: 'from', message: 'must be before to' }] });
      const where = query.source ? { sourceId: query.source } : undefined;
      const [rows, daily, report] = await Promise.all([
        pipeline.storage.aggregate({ workspaceId: params.ws, from, to, bucket: query.bucket, ...(where ? { where } : {}) }),
        dailyReport(pipeline.storage, { workspaceId: params.ws, from, to, ...(query.source ? { sourceIds: query.source } : {}) }),
        query.bucket === 'month'
          ? null
          : insightReport(pipeline.storage, {
              workspaceId: params.ws,
              from,
              to,
              bucket: query.bucket,
              ...(query.source ? { sources: query.source } : {}),
              ...(query.language ? { languages: query.language } : {}),
              ...(query.category ? { categories: query.category } : {}),
            }),
      ]);
      rows.sort((a, b) => ((a.bucket ?? '') < (b.bucket ?? '') ? -1 : 1));
      const point = (r: { count: number; sentimentCount: number; sentimentSum: number; positive: number; negative: number; neutral: number }) => ({
        count: r.count,
        average: r.sentimentCount > 0 ? round(r.sentimentSum / r.sentimentCount) : null,
        positive: r.positive,
        negative: r.negative,
        neutral: r.neutral,
      });
      const sum = rows.reduce(
        (t, r) => ({ count: t.count + r.count, sentimentCount: t.sentimentCount + r.sentimentCount, sentimentSum: t.sentimentSum + r.sentimentSum, positive: t.positive + r.positive, negative: t.negative + r.negative, neutral: t.neutral + r.neutral }),
        { count: 0, sentimentCount: 0, sentimentSum: 0, positive: 0, negative: 0, neutral: 0 },
      );
      return c.json({
        workspaceId: params.ws,
        from,
        to,
        bucket: query.bucket,
        totals: point(sum),
        volume: rows.map((r) => ({ bucket: r.bucket, count: r.count })),
        sentiment: rows.map((r) => ({ bucket: r.bucket, ...point(r) })),
        daily: daily.rows,
        report,
      });
    },
  );
}
