/**
 * @module @tributary/core/reports
 * Reports read from storage: seed 000's insight report (timeline, breakdowns, topics, anomalies,
 * examples), the daily report per source, and seed 003's value aggregates grouped by destination with
 * exact decimal totals. Numbers come from the storage port's `aggregate` and topic aggregates, so
 * engines with rollups answer them without scanning records.
 */
export { dailyReport, type DailyReport, type DailySourceRow } from './daily.js';
export { valueAggregates, type ValueAggregateGroup } from './value-aggregates.js';
export { insightReport } from './insight-report.js';
export { InsightQuerySchema, MAX_INSIGHT_BUCKETS, DEFAULT_ANOMALY_WINDOW, parseInsightQuery, type InsightQuery, type ParsedInsightQuery } from './insight-query.js';
export type { InsightBucket } from './buckets.js';
export { detectSpikes, median, type Spike, type SpikeOptions } from './anomalies.js';
export type { Anomaly, AnomalyMetric, BreakdownRow, EmergingTopic, InsightReport, PeriodChange, SentimentStats, TimelinePoint, TopicExample, TopicInsight } from './insight-types.js';
