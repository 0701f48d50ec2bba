import type { TributaryRecord } from '../record/schema.js';
import type { RecordQuery, StorageAdapter } from '../storage/index.js';
import type { TopicExample } from './insight-types.js';

/** Records read per page when looking for examples. */
const EXAMPLE_PAGE = 500;
/** Pages of the period's most recent records scanned for all topics at once. */
const EXAMPLE_SCAN_PAGES = 3;
/** Characters of text kept per example. */
const EXAMPLE_TEXT = 280;

/** A topic that wants examples, with the mean sentiment its examples should sit close to. */
export interface ExampleWanted {
  topic: string;
  meanSentiment: number | null;
}

/**
 * Finds representative records for each topic with bounded reads: first up to
 * {@link EXAMPLE_SCAN_PAGES} pages of the period's most recent matching records, shared by all
 * topics; then, for a topic still short of examples, one page of records whose text contains the
 * topic's longest word. Storage has no topic index on records, and topics are canonical keys ("file upload"
 * for "uploading files"), so neither read alone finds every topic; together they stay a few pages.
 */
export async function findExamples(storage: StorageAdapter, base: RecordQuery, wanted: readonly ExampleWanted[], perTopic: number): Promise<Map<string, TopicExample[]>> {
  const found = new Map<string, Map<string, TopicExample>>(wanted.map((w) => [w.topic, new Map()]));
  if (perTopic <= 0 || wanted.length === 0) return new Map(wanted.map((w) => [w.topic, []]));
  const collect = (records: readonly TributaryRecord[], only?: ExampleWanted) => {
    for (const record of records) {
      const topics = record.analysis.topics ?? [];
      for (const w of only ? [only] : wanted) {
        const position = topics.indexOf(w.topic);
        if (position < 0) continue;
        found.get(w.topic)!.set(record.id, exampleOf(record, position, w.meanSentiment));
      }
    }
  };
  // Enough candidates to choose from, not just the first ones seen.
  const enough = (topic: string) => found.get(topic)!.size >= perTopic * 3;

  let cursor: string | undefined;
  for (let page = 0; page < EXAMPLE_SCAN_PAGES; page++) {
    const result = await storage.queryRecords({ ...base, order: 'desc', limit: EXAMPLE_PAGE, cursor });
    collect(result.items);
    if (!result.nextCursor || wanted.every((w) => enough(w.topic))) break;
    cursor = result.nextCursor;
  }
  for (const w of wanted) {
    if (found.get(w.topic)!.size >= perTopic) continue;
    const result = await storage.queryRecords({ ...base, text: searchWord(w.topic), order: 'desc', limit: EXAMPLE_PAGE });
    collect(result.items, w);
  }
  return new Map([...found.entries()].map(([topic, candidates]) => [topic, pickExamples([...candidates.values()], perTopic)]));
}

/**
 * The longest word of a topic: canonical keys are lemmas ("file upload"), and a lemma is usually a
 * prefix of its inflections ("uploading", "uploads"), so it finds records the whole key would miss.
 */
function searchWord(topic: string): string {
  return topic.split(/\s+/).reduce((best, word) => (word.length > best.length ? word : best), '');
}

/** Best first, one per distinct text (the same complaint pasted twice is one example). */
function pickExamples(candidates: TopicExample[], perTopic: number): TopicExample[] {
  const seen = new Set<string>();
  const picked: TopicExample[] = [];
  candidates.sort((a, b) => b.score - a.score || (a.occurredAt < b.occurredAt ? 1 : a.occurredAt > b.occurredAt ? -1 : a.recordId < b.recordId ? -1 : 1));
  for (const c of candidates) {
    const key = c.text.trim().toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    picked.push(c);
    if (picked.length >= perTopic) break;
  }
  return picked;
}

/**
 * Scores how well a record represents a topic: sentiment close to the topic's mean (central),
 * confident analysis, and the topic first among the record's topics (about this, not in passing).
 */
function exampleOf(record: TributaryRecord, position: number, meanSentiment: number | null): TopicExample {
  const a = record.analysis;
  const central = a.sentiment && meanSentiment !== null ? 1 - Math.abs(a.sentiment.score - meanSentiment) / 2 : 0.5;
  const confidences = [a.sentiment?.confidence, a.category?.confidence, a.language?.confidence].filter((c): c is number => typeof c === 'number');
  const confident = confidences.length > 0 ? confidences.reduce((s, c) => s + c, 0) / confidences.length : 0.5;
  const focused = 1 / (1 + position);
  const text = record.content?.text ?? '';
  return {
    recordId: record.id,
    sourceId: record.sourceId,
    occurredAt: record.occurredAt,
    title: record.content?.title ?? null,
    text: text.length > EXAMPLE_TEXT ? `${text.slice(0, EXAMPLE_TEXT - 1)}…` : text,
    url: record.content?.url ?? null,
    sentiment: a.sentiment ? { label: a.sentiment.label, score: a.sentiment.score } : null,
    category: a.category?.label ?? null,
    language: a.language?.code ?? record.language ?? null,
    score: Math.round((0.4 * central + 0.3 * confident + 0.3 * focused) * 10_000) / 10_000,
  };
}
