import type { CategoryLabel, SentimentLabel } from '../record/schema.js';
import type { InsightBucket } from './buckets.js';

/** Counts and sentiment of a set of records. */
export interface SentimentStats {
  /** Records in the set. */
  count: number;
  /** Records that have a sentiment. */
  sentimentCount: number;
  /** Mean sentiment score in [-1, 1] of the records that have one; null when none has. */
  meanSentiment: number | null;
  positive: number;
  negative: number;
  neutral: number;
  /** `negative / sentimentCount`; null when no record has a sentiment. */
  negativeShare: number | null;
}

/** A change against the previous period. */
export interface PeriodChange {
  /** `current - previous`. */
  absolute: number;
  /** `(current - previous) / previous`; null when the previous period had none (growth from zero is unbounded). */
  relative: number | null;
}

/** One bucket of the timeline. Buckets with no records are present with zeros. */
export interface TimelinePoint extends SentimentStats {
  /** ISO start of the bucket (UTC; weeks start on Monday). */
  bucket: string;
  /** The bucket is only partly inside the period, or reaches past `now`: its counts are incomplete. */
  partial: boolean;
}

/** One value of a breakdown dimension (source, language or category). */
export interface BreakdownRow extends SentimentStats {
  /** The dimension's value; null for records that have none (e.g. no detected language). */
  value: string | null;
  /** `count / total` of the period. */
  share: number;
}

/** A representative record of a topic. */
export interface TopicExample {
  recordId: string;
  sourceId: string;
  occurredAt: string;
  title: string | null;
  /** The record's text, cut to 280 characters. */
  text: string;
  url: string | null;
  sentiment: { label: SentimentLabel; score: number } | null;
  category: CategoryLabel | null;
  language: string | null;
  /** How representative the record is, in [0, 1]: close to the topic's mean sentiment, confident, about this topic first. */
  score: number;
}

/** A ranked topic of the period. */
export interface TopicInsight extends SentimentStats {
  /** The canonical topic key (`analysis.topics`). */
  topic: string;
  /** `count / total records` of the period (a record may carry several topics, so shares may sum past 1). */
  share: number;
  /** Records with the topic in the previous period of equal length. */
  previousCount: number;
  change: PeriodChange;
  /** Absent from the previous period. */
  isNew: boolean;
  /** Bounded by `examplesPerTopic`; best first. */
  examples: TopicExample[];
}

/** A topic that grew past the emerging threshold, or appeared. */
export interface EmergingTopic {
  topic: string;
  count: number;
  previousCount: number;
  change: PeriodChange;
  isNew: boolean;
  meanSentiment: number | null;
}

/** What an anomaly measures. */
export type AnomalyMetric = 'volume' | 'negative_share';

/** A bucket whose value is far above its trailing window. */
export interface Anomaly {
  /** ISO start of the bucket. */
  bucket: string;
  metric: AnomalyMetric;
  /** The bucket's value: a record count, or a share in [0, 1]. */
  value: number;
  /** The median of the trailing window. */
  expected: number;
  /** Robust z-score: `(value - expected) / scale`, where scale is the window's MAD (× 1.4826) with a floor for flat or tiny series. */
  z: number;
  /** Buckets of history the expectation came from. */
  window: number;
}

/** Seed 000's insight report of one workspace and period. */
export interface InsightReport {
  workspaceId: string;
  /** The period, canonical ISO: [`from`, `to`). */
  from: string;
  to: string;
  bucket: InsightBucket;
  /** The previous period of equal length, [`from - (to - from)`, `from`), that changes compare with. */
  previousPeriod: { from: string; to: string };
  /** The filters applied (absent ones are not filtered). */
  filters: { sources?: string[]; languages?: string[]; categories?: CategoryLabel[] };
  /** The whole period, with its change in volume against the previous period. */
  summary: SentimentStats & { previousCount: number; change: PeriodChange };
  timeline: TimelinePoint[];
  breakdown: { sources: BreakdownRow[]; languages: BreakdownRow[]; categories: BreakdownRow[] };
  topTopics: TopicInsight[];
  emergingTopics: EmergingTopic[];
  /** Oldest first. */
  anomalies: Anomaly[];
}
