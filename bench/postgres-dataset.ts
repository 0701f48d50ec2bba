// Shared by the PostgreSQL and PGlite benchmarks: a deterministic, realistic record generator, a
// timer, and the raw-client baselines' table layout.
import { buildRecord } from '@tributary/core/record';
import type { TributaryRecord } from '@tributary/core/record';

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SOURCES = [
  { id: 'src_discourse', itemTypes: ['discourse.post', 'discourse.topic'] },
  { id: 'src_github', itemTypes: ['github.issue', 'github.issue_comment'] },
  { id: 'src_appstore', itemTypes: ['appstore.review'] },
  { id: 'src_zendesk', itemTypes: ['zendesk.ticket'] },
  { id: 'src_ledger', itemTypes: ['value.record'] },
];
const TEXTS = [
  'The checkout page is really slow since the last release, it takes ages to load the cart.',
  'Love the new dashboard! Exporting reports is so much easier now, thanks team.',
  'How do I export my data to CSV? I cannot find the option anywhere in settings.',
  'The app crashes every time I try to log in with SSO on Android 14.',
  'Please add dark mode, my eyes hurt at night when I review tickets.',
  'Support answered quickly and fixed the billing issue, great experience overall.',
];
const LANGS = ['en', 'en', 'en', 'de', 'fr', 'es'];
/** Topics of each text (as a topic analyzer would find), plus a long tail of rarer ones. */
const TEXT_TOPICS: Record<number, string[]> = {
  0: ['checkout', 'performance', 'release'],
  1: ['dashboard', 'reports', 'export'],
  2: ['export', 'csv', 'settings'],
  3: ['login', 'sso', 'android', 'crash'],
  4: ['dark mode', 'tickets'],
  5: ['support', 'billing'],
};
const TAIL_TOPICS = Array.from({ length: 200 }, (_, i) => `topic-${i}`);

function topicsFor(text: string, rand: () => number): string[] {
  const own = TEXT_TOPICS[TEXTS.indexOf(text)] ?? [];
  const topics = own.filter(() => rand() < 0.7);
  if (rand() < 0.3) topics.push(TAIL_TOPICS[Math.floor(rand() * rand() * TAIL_TOPICS.length)]!);
  return topics;
}
const CATEGORIES = ['complaint', 'question', 'feature_request', 'bug_report', 'praise', 'other'] as const;

/**
 * `count` records of one workspace spread over `days` days ending `end` (epoch ms): feedback with
 * sentiment, language and category, and value records (seed 003) from the ledger source.
 */
export function generateRecords(workspaceId: string, count: number, options: { days?: number; end?: number; seed?: number; offset?: number; topics?: boolean } = {}): TributaryRecord[] {
  const rand = prng(options.seed ?? 1);
  const topicRand = prng((options.seed ?? 1) + 7919);
  const days = options.days ?? 90;
  const end = options.end ?? Date.UTC(2026, 9, 1);
  const start = end - days * 86_400_000;
  const connector = { name: 'bench', version: '1.0.0' };
  const records: TributaryRecord[] = new Array(count);
  // In time order, as connectors page through a source and webhooks arrive.
  const instants = Array.from({ length: count }, () => start + Math.floor(rand() * (end - start))).sort((a, b) => a - b);
  for (let i = 0; i < count; i++) {
    const source = SOURCES[Math.floor(rand() * SOURCES.length)]!;
    const itemType = source.itemTypes[Math.floor(rand() * source.itemTypes.length)]!;
    const occurredAt = new Date(instants[i]!).toISOString();
    const externalId = `${(options.offset ?? 0) + i}`;
    if (itemType === 'value.record') {
      const value = (Math.floor(rand() * 100_000) / 100).toFixed(2);
      const record = buildRecord(
        { externalId, kind: 'measurement', itemType, occurredAt, measurement: { recordId: externalId, time: occurredAt, sourceId: 'acct_1', destinationId: `dst_${Math.floor(rand() * 20)}`, type: rand() < 0.5 ? 'positive' : 'negative', value, unit: 'EUR', reference: `ref-${Math.floor(rand() * 100)}` } },
        { workspaceId, sourceId: source.id, connector, receivedAt: occurredAt, parsedAt: occurredAt },
      );
      records[i] = record;
      continue;
    }
    const text = TEXTS[Math.floor(rand() * TEXTS.length)]!;
    const record = buildRecord(
      { externalId, itemType, occurredAt, author: { username: `user${Math.floor(rand() * 5000)}` }, content: { title: rand() < 0.3 ? `About ${itemType}` : null, text: `${text} (#${i})`, url: `https://example.com/${source.id}/${i}` } },
      { workspaceId, sourceId: source.id, connector, receivedAt: occurredAt, parsedAt: occurredAt },
    );
    const label = rand() < 0.45 ? 'positive' : rand() < 0.6 ? 'negative' : 'neutral';
    const score = Math.round((label === 'positive' ? 1 : label === 'negative' ? -1 : 0) * (0.2 + rand() * 0.8) * 100) / 100;
    records[i] = {
      ...record,
      analysis: {
        sentiment: { label, score, confidence: 0.9 },
        language: { code: LANGS[Math.floor(rand() * LANGS.length)]!, confidence: 0.95 },
        category: { label: CATEGORIES[Math.floor(rand() * CATEGORIES.length)]!, confidence: 0.8 },
        // Drawn from a second generator, so the records without topics stay exactly as before.
        ...(options.topics ? { topics: topicsFor(text, topicRand) } : {}),
      },
    };
  }
  return records;
}

/** Milliseconds `fn` takes. */
export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

export const envInt = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback;
};

/** Escapes one field of COPY's text format. */
const copyField = (value: string | null): string => (value === null ? '\\N' : value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r'));

/** The raw baseline's columns: the record's facts as plain columns plus the body as JSON. */
export const RAW_COLUMNS = ['workspace_id', 'id', 'occurred_at', 'source_id', 'kind', 'item_type', 'language', 'sentiment', 'sentiment_score', 'category', 'value', 'content_hash', 'body'] as const;

/** COPY text-format lines for the raw baseline. */
export function copyLines(records: TributaryRecord[]): string {
  let out = '';
  for (const r of records) {
    const fields = [
      r.workspaceId,
      r.id,
      r.occurredAt,
      r.sourceId,
      r.kind,
      r.itemType,
      r.analysis.language?.code ?? r.language ?? null,
      r.analysis.sentiment?.label ?? null,
      r.analysis.sentiment ? String(r.analysis.sentiment.score) : null,
      r.analysis.category?.label ?? null,
      r.measurement?.value ?? null,
      r.contentHash,
      JSON.stringify(r),
    ];
    out += `${fields.map(copyField).join('\t')}\n`;
  }
  return out;
}

/** DDL of the raw baseline: a staging table for COPY and the target it is merged into. */
export function rawTables(schema: string): string[] {
  return [
    `DROP TABLE IF EXISTS ${schema}.raw_records`,
    `CREATE TABLE ${schema}.raw_records (
      workspace_id text COLLATE "C" NOT NULL, id text COLLATE "C" NOT NULL, occurred_at timestamptz NOT NULL,
      source_id text NOT NULL, kind text NOT NULL, item_type text NOT NULL, language text, sentiment text,
      sentiment_score numeric, category text, value numeric, content_hash text NOT NULL, body jsonb NOT NULL,
      PRIMARY KEY (workspace_id, id))`,
    `CREATE INDEX ON ${schema}.raw_records (workspace_id, occurred_at)`,
  ];
}

export const RAW_STAGING = `CREATE TEMP TABLE IF NOT EXISTS raw_staging (
  workspace_id text, id text, occurred_at text, source_id text, kind text, item_type text, language text, sentiment text,
  sentiment_score text, category text, value text, content_hash text, body text) ON COMMIT DELETE ROWS`;

/** Merges the staging rows into the raw table: deduplicated, and only changed rows rewritten. */
export const rawMerge = (schema: string) => `INSERT INTO ${schema}.raw_records
  SELECT DISTINCT ON (workspace_id, id) workspace_id, id, occurred_at::timestamptz, source_id, kind, item_type, language, sentiment,
    sentiment_score::numeric, category, value::numeric, content_hash, body::jsonb
  FROM raw_staging ORDER BY workspace_id, id
  ON CONFLICT (workspace_id, id) DO UPDATE SET occurred_at = excluded.occurred_at, source_id = excluded.source_id, kind = excluded.kind,
    item_type = excluded.item_type, language = excluded.language, sentiment = excluded.sentiment, sentiment_score = excluded.sentiment_score,
    category = excluded.category, value = excluded.value, content_hash = excluded.content_hash, body = excluded.body
  WHERE ${schema}.raw_records.content_hash <> excluded.content_hash`;
