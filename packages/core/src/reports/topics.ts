import type { TopicAggregateRow } from '../storage/index.js';
import { round } from './dates.js';
import type { EmergingTopic, TopicInsight } from './insight-types.js';
import { addSums, changeOf, emptySums, statsOf, type SentimentSums } from './stats.js';

/**
 * The most topics whose previous-period counts are looked up at once: enough for every topic a
 * person would read, small enough for one `IN (…)` list.
 */
export const MAX_TOPIC_CANDIDATES = 1000;

/** Sums topic rows over buckets into one entry per topic. */
export function sumTopics(rows: readonly TopicAggregateRow[]): Map<string, SentimentSums> {
  const byTopic = new Map<string, SentimentSums>();
  for (const row of rows) {
    const sums = byTopic.get(row.topic) ?? emptySums();
    addSums(sums, row);
    byTopic.set(row.topic, sums);
  }
  return byTopic;
}

/** Topics by count, most first; ties by name so the order is stable across engines. */
export function rankTopics(topics: Map<string, SentimentSums>): [string, SentimentSums][] {
  return [...topics.entries()].sort(([a, x], [b, y]) => y.count - x.count || (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The topics whose previous counts are needed: the top ones, and every topic big enough to be
 * emerging, largest first, capped at {@link MAX_TOPIC_CANDIDATES}.
 */
export function topicCandidates(ranked: readonly [string, SentimentSums][], top: number, emergingMinCount: number): string[] {
  return ranked
    .filter(([, s], i) => i < top || s.count >= emergingMinCount)
    .slice(0, Math.max(top, MAX_TOPIC_CANDIDATES))
    .map(([topic]) => topic);
}

/** The top topics with share and change; examples are filled in later. */
export function topTopicInsights(ranked: readonly [string, SentimentSums][], previous: Map<string, SentimentSums>, total: number, top: number): TopicInsight[] {
  return ranked.slice(0, top).map(([topic, sums]) => {
    const previousCount = previous.get(topic)?.count ?? 0;
    return {
      topic,
      ...statsOf(sums),
      share: total > 0 ? round(sums.count / total, 4) : 0,
      previousCount,
      change: changeOf(sums.count, previousCount),
      isNew: previousCount === 0,
      examples: [],
    };
  });
}

/**
 * Topics with at least `minCount` records that are new, or grew by at least `minGrowth` (relative)
 * against the previous period. Ranked by absolute growth, so a topic going 40 → 90 outranks one
 * going 1 → 4.
 */
export function emergingTopics(ranked: readonly [string, SentimentSums][], previous: Map<string, SentimentSums>, options: { minCount: number; minGrowth: number; limit: number }): EmergingTopic[] {
  const found: EmergingTopic[] = [];
  for (const [topic, sums] of ranked) {
    if (sums.count < options.minCount) continue;
    const previousCount = previous.get(topic)?.count ?? 0;
    const change = changeOf(sums.count, previousCount);
    if (previousCount > 0 && (change.relative ?? 0) < options.minGrowth) continue;
    found.push({ topic, count: sums.count, previousCount, change, isNew: previousCount === 0, meanSentiment: statsOf(sums).meanSentiment });
  }
  return found.sort((a, b) => b.change.absolute - a.change.absolute || b.count - a.count || (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0)).slice(0, options.limit);
}
