import { describe, expect, it, vi } from 'vitest';
import type { Analysis, CategoryLabel, SentimentLabel, TributaryRecord } from '@tributary/core/record';
import { insightReport, type InsightReport } from '@tributary/core/reports';
import { aggregateTopicsOf, type StorageAdapter } from '@tributary/core/storage';
import { createMemoryStorage } from '@tributary/core/storage/memory';
import { makeRecord } from '@tributary/core/testing';

const WS = 'ws_dataset';
const HOUR = 3_600_000;
const START = Date.UTC(2026, 2, 2); // Mon 2 Mar 2026
const SOURCES = ['src_a', 'src_b', 'src_c'];
const LANGUAGES = ['en', 'de', 'fr'];
const CATEGORIES: CategoryLabel[] = ['complaint', 'question', 'praise', 'bug_report'];
const TOPICS = ['checkout', 'login', 'export', 'dashboard', 'pricing', 'search'];

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Four weeks of feedback; `pricing` only appears in the last week, `login` doubles in it. */
function generate(count = 600, seed = 11): TributaryRecord[] {
  const rand = random(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)]!;
  return Array.from({ length: count }, (_, i) => {
    const at = START + Math.floor(rand() * 28 * 24) * HOUR + Math.floor(rand() * 60) * 60_000;
    const lastWeek = at >= START + 21 * 24 * HOUR;
    const analysis: Analysis = {};
    if (rand() < 0.85) {
      const label: SentimentLabel = pick(['positive', 'negative', 'neutral'] as const);
      const magnitude = Math.round((0.1 + rand() * 0.9) * 100) / 100;
      analysis.sentiment = { label, score: label === 'positive' ? magnitude : label === 'negative' ? -magnitude : 0, confidence: Math.round(rand() * 100) / 100 };
    }
    if (rand() < 0.7) analysis.category = { label: pick(CATEGORIES), confidence: 0.8 };
    if (rand() < 0.6) analysis.language = { code: pick(LANGUAGES), confidence: 0.9 };
    const topics = new Set<string>();
    if (rand() < 0.8) topics.add(pick(TOPICS.filter((t) => lastWeek || t !== 'pricing')));
    if (lastWeek && rand() < 0.3) topics.add('login');
    if (rand() < 0.2) topics.add(pick(TOPICS.filter((t) => lastWeek || t !== 'pricing')));
    analysis.topics = [...topics];
    return makeRecord({ workspaceId: WS, sourceId: pick(SOURCES), externalId: `g-${i}`, occurredAt: new Date(at).toISOString(), content: { text: `feedback ${i} on ${[...topics].join(' and ')}` }, analysis });
  });
}

const RECORDS = generate();
const QUERY = { workspaceId: WS, from: new Date(START + 14 * 24 * HOUR).toISOString(), to: new Date(START + 28 * 24 * HOUR).toISOString(), bucket: 'day' as const, topTopics: 6 };

/** Straight from the records, without storage: what the report must say. */
function reference(records: TributaryRecord[], from: number, to: number) {
  const inPeriod = records.filter((r) => Date.parse(r.occurredAt) >= from && Date.parse(r.occurredAt) < to);
  const perDay = new Map<number, number>();
  const bySource = new Map<string, number>();
  const byLanguage = new Map<string | null, number>();
  const topics = new Map<string, number>();
  let negative = 0;
  let sentimentSum = 0;
  let sentimentCount = 0;
  for (const r of inPeriod) {
    const d = Math.floor(Date.parse(r.occurredAt) / (24 * HOUR)) * 24 * HOUR;
    perDay.set(d, (perDay.get(d) ?? 0) + 1);
    bySource.set(r.sourceId, (bySource.get(r.sourceId) ?? 0) + 1);
    const language = r.analysis.language?.code ?? null;
    byLanguage.set(language, (byLanguage.get(language) ?? 0) + 1);
    for (const t of r.analysis.topics ?? []) topics.set(t, (topics.get(t) ?? 0) + 1);
    if (r.analysis.sentiment) {
      sentimentCount++;
      sentimentSum += r.analysis.sentiment.score;
      if (r.analysis.sentiment.label === 'negative') negative++;
    }
  }
  return { count: inPeriod.length, perDay, bySource, byLanguage, topics, negative, mean: Math.round((sentimentSum / sentimentCount) * 10_000) / 10_000 };
}

describe('insightReport on a generated dataset', () => {
  it('agrees with a count made straight from the records', async () => {
    const storage = createMemoryStorage();
    await storage.upsertRecords(RECORDS);
    const report = await insightReport(storage, QUERY);
    const from = Date.parse(QUERY.from);
    const to = Date.parse(QUERY.to);
    const now = reference(RECORDS, from, to);
    const before = reference(RECORDS, from - (to - from), from);

    expect(report.summary).toMatchObject({ count: now.count, negative: now.negative, meanSentiment: now.mean, previousCount: before.count });
    expect(report.timeline).toHaveLength(14);
    expect(report.timeline.map((p) => p.count)).toEqual(report.timeline.map((p) => now.perDay.get(Date.parse(p.bucket)) ?? 0));
    expect(Object.fromEntries(report.breakdown.sources.map((r) => [r.value, r.count]))).toEqual(Object.fromEntries(now.bySource));
    expect(report.breakdown.languages.map((r) => [r.value, r.count])).toEqual(
      [...now.byLanguage.entries()].sort(([a, x], [b, y]) => (a === null ? 1 : 0) - (b === null ? 1 : 0) || y - x || String(a).localeCompare(String(b))),
    );
    for (const t of report.topTopics) {
      expect([t.topic, t.count, t.previousCount]).toEqual([t.topic, now.topics.get(t.topic), before.topics.get(t.topic) ?? 0]);
      expect(t.examples.length).toBeGreaterThan(0);
      expect(t.examples.length).toBeLessThanOrEqual(3);
    }
    expect(report.topTopics.map((t) => t.count)).toEqual([...report.topTopics.map((t) => t.count)].sort((a, b) => b - a));
    // `pricing` did not exist before the last week; `login` more than doubled in it.
    expect(report.emergingTopics.map((t) => t.topic)).toEqual(expect.arrayContaining(['pricing']));
    expect(report.topTopics.find((t) => t.topic === 'pricing')).toMatchObject({ isNew: true, previousCount: 0 });
  });

  it('is served from rollups: only the examples read records, a bounded number of pages', async () => {
    const inner = createMemoryStorage();
    await inner.upsertRecords(RECORDS);
    const queryRecords = vi.fn(inner.queryRecords);
    // An engine with topic rollups; the reference scan of the inner storage stands in for them.
    const withRollups: StorageAdapter = { ...inner, queryRecords, aggregateTopics: (q) => aggregateTopicsOf(inner, q) };

    const noExamples = await insightReport(withRollups, { ...QUERY, examplesPerTopic: 0 });
    expect(queryRecords).not.toHaveBeenCalled();

    const report = await insightReport(withRollups, QUERY);
    expect(queryRecords.mock.calls.length).toBeLessThanOrEqual(3 + QUERY.topTopics);
    expect(queryRecords.mock.calls.every(([q]) => (q.limit ?? 100) <= 500 && q.workspaceId === WS)).toBe(true);

    const strip = (r: InsightReport) => ({ ...r, topTopics: r.topTopics.map((t) => ({ ...t, examples: [] })) });
    expect(strip(report)).toEqual(strip(noExamples));
    const scanned = await insightReport(inner, { ...QUERY, examplesPerTopic: 0 });
    expect(scanned).toEqual(noExamples);
  });
});
