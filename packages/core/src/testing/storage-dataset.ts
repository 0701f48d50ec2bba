import type { Analysis, CategoryLabel, SentimentLabel, TributaryRecord } from '../record/schema.js';
import { makeMeasurement, makeRecord } from './records.js';

/** A small deterministic PRNG (mulberry32), so a failing dataset case fails the same way every run. */
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

/** Sources, languages… the dataset draws from; cases filter on these values. */
export const DATASET = {
  sources: ['src_a', 'src_b', 'src_c'],
  itemTypes: ['kit.post', 'kit.comment'],
  languages: ['en', 'de', 'fr'],
  categories: ['complaint', 'question', 'praise', 'bug_report'] as CategoryLabel[],
  destinations: ['dst_1', 'dst_2'],
  units: ['EUR', 'USD'],
  references: ['ref-1', 'ref-2', 'ref-3'],
  /** Values chosen so float arithmetic would get the sums wrong. */
  values: ['0.1', '0.2', '12.5', '-3', '1000000.000001', '7', '0.07'],
  texts: ['Slow checkout again', 'Love the new dashboard', 'How do I export data?', 'Paid 100% more this month', 'We have 1000 users now', 'Crash on login', 'Nice work'],
  /** 2026-01-05 is a Monday; the data spans about ten weeks and three months. */
  start: Date.UTC(2026, 0, 5),
  spanMs: 75 * 24 * 3600 * 1000,
} as const;

const pick = <T>(rand: () => number, list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;

/**
 * A varied set of records of one workspace: feedback with and without sentiment, language and
 * category; measurements with exact decimal values; some records sharing a timestamp, to exercise
 * keyset pagination ties.
 */
export function generateDataset(workspaceId: string, count = 160, seed = 7): TributaryRecord[] {
  const rand = random(seed);
  const records: TributaryRecord[] = [];
  let previousAt = DATASET.start;
  for (let i = 0; i < count; i++) {
    // Every seventh record shares the previous one's timestamp.
    const at = i % 7 === 6 ? previousAt : DATASET.start + Math.floor(rand() * DATASET.spanMs / 1000) * 1000;
    previousAt = at;
    const occurredAt = new Date(at).toISOString();
    const sourceId = pick(rand, DATASET.sources);
    if (rand() < 0.3) {
      records.push(
        makeRecord({
          workspaceId,
          sourceId,
          externalId: `m-${i}`,
          itemType: 'value.record',
          occurredAt,
          measurement: makeMeasurement({
            recordId: `m-${i}`,
            time: occurredAt,
            destinationId: pick(rand, DATASET.destinations),
            type: rand() < 0.5 ? 'positive' : 'negative',
            value: pick(rand, DATASET.values),
            unit: pick(rand, DATASET.units),
            reference: pick(rand, DATASET.references),
          }),
        }),
      );
      continue;
    }
    const analysis: Analysis = {};
    if (rand() < 0.8) {
      const label: SentimentLabel = pick(rand, ['positive', 'negative', 'neutral'] as const);
      // Two-decimal scores keep float sums comparable across engines.
      const magnitude = Math.round((0.1 + rand() * 0.9) * 100) / 100;
      analysis.sentiment = { label, score: label === 'positive' ? magnitude : label === 'negative' ? -magnitude : 0 };
    }
    if (rand() < 0.5) analysis.language = { code: pick(rand, DATASET.languages), confidence: 0.9 };
    if (rand() < 0.6) analysis.category = { label: pick(rand, DATASET.categories), confidence: 0.8 };
    const text = pick(rand, DATASET.texts);
    records.push(
      makeRecord({
        workspaceId,
        sourceId,
        externalId: `f-${i}`,
        itemType: pick(rand, DATASET.itemTypes),
        occurredAt,
        ...(rand() < 0.5 ? { language: pick(rand, DATASET.languages) } : {}),
        content: { title: rand() < 0.3 ? `Title ${i}` : null, text },
        analysis,
      }),
    );
  }
  return records;
}
