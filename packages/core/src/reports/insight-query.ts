import { z } from 'zod';
import { fromZodError } from '../errors/index.js';
import { CategoryLabelSchema } from '../record/schema.js';
import { bucketCount, type InsightBucket } from './buckets.js';

/** The most buckets one report may span, so one request cannot ask for an unbounded timeline. */
export const MAX_INSIGHT_BUCKETS = 2000;

/** Default trailing window of the anomaly detector, per bucket: a day of hours, two weeks of days, two months of weeks. */
export const DEFAULT_ANOMALY_WINDOW: Record<InsightBucket, number> = { hour: 24, day: 14, week: 8 };

const instant = z
  .union([z.string(), z.date(), z.number()])
  .transform((value, ctx) => {
    const t = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
    if (!Number.isFinite(t)) {
      ctx.addIssue({ code: 'custom', message: 'expected an ISO 8601 date or date-time' });
      return z.NEVER;
    }
    return new Date(t).toISOString();
  });

const names = z.array(z.string().min(1)).min(1).max(500);

/**
 * The query of {@link insightReport} (seed 000's GetInsightReports). Unknown keys are refused, so a
 * misspelt filter fails instead of silently widening the report.
 */
export const InsightQuerySchema = z
  .object({
    workspaceId: z.string().min(1),
    /** Start of the period (inclusive), ISO 8601 or epoch ms. */
    from: instant,
    /** End of the period (exclusive). */
    to: instant,
    bucket: z.enum(['hour', 'day', 'week']),
    /** Keep only these sources. */
    sources: names.optional(),
    /** Keep only these languages (ISO 639-1, detected else declared). */
    languages: names.optional(),
    /** Keep only these categories. */
    categories: z.array(CategoryLabelSchema).min(1).optional(),
    /** z-score at or above which a bucket is an anomaly; lower finds more. @default 3 */
    sensitivity: z.number().positive().max(50).default(3),
    /** Buckets of trailing history an anomaly is measured against. @default 24 (hour), 14 (day), 8 (week) */
    anomalyWindow: z.number().int().min(3).max(500).optional(),
    /** Fewest records (volume) or negative records (negative share) a bucket needs to be an anomaly. @default 5 */
    anomalyMinCount: z.number().int().min(1).default(5),
    /** How many topics to rank. @default 10 */
    topTopics: z.number().int().min(1).max(100).default(10),
    /** Representative records per top topic. @default 3 */
    examplesPerTopic: z.number().int().min(0).max(10).default(3),
    /** Fewest records in the period for a topic to count as emerging. @default 3 */
    emergingMinCount: z.number().int().min(1).default(3),
    /** Relative growth against the previous period for a topic to count as emerging (1 = +100 %). @default 1 */
    emergingMinGrowth: z.number().min(0).default(1),
    /**
     * The present. Buckets starting at or after it are marked partial and left out of anomaly
     * detection (they are empty because they have not happened). Without it no bucket is in the future.
     */
    now: instant.optional(),
  })
  .strict()
  .superRefine((q, ctx) => {
    const from = Date.parse(q.from);
    const to = Date.parse(q.to);
    if (from >= to) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
      return;
    }
    const count = bucketCount(from, to, q.bucket);
    if (count > MAX_INSIGHT_BUCKETS) {
      ctx.addIssue({ code: 'custom', path: ['bucket'], message: `the period spans ${count} ${q.bucket} buckets; at most ${MAX_INSIGHT_BUCKETS} are allowed (use a larger bucket or a shorter period)` });
    }
  });

/** The query of {@link insightReport}, as callers write it. */
export type InsightQuery = z.input<typeof InsightQuerySchema>;
/** The query after validation: dates canonical ISO, defaults applied. */
export type ParsedInsightQuery = z.output<typeof InsightQuerySchema> & { anomalyWindow: number };

/**
 * Validates an insight query.
 * @throws TributaryError `validation` whose issues name each offending field
 */
export function parseInsightQuery(input: unknown): ParsedInsightQuery {
  const parsed = InsightQuerySchema.safeParse(input);
  if (!parsed.success) throw fromZodError('reports', 'insight query', parsed.error);
  return { ...parsed.data, anomalyWindow: parsed.data.anomalyWindow ?? DEFAULT_ANOMALY_WINDOW[parsed.data.bucket] };
}
