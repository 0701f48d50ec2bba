// Cases specific to the SQL adapters (PostgreSQL and PGlite share them): rollups against the
// reference aggregation, partitions, migrations, queue redelivery and dead letters when consumers
// die. The contract kits from @tributary/core/testing cover the ports themselves.
import { aggregateRecords, createMemoryStorage } from '@tributary/core/storage/memory';
import { aggregateTopicsOf, type AggregateQuery, type AggregateRow, type TopicAggregateQuery, type TopicAggregateRow } from '@tributary/core/storage';
import type { QueueMessage } from '@tributary/core/queue';
import type { TributaryRecord } from '@tributary/core/record';
import { eventually, makeMeasurement, makeRecord, sleep, uniqueId } from '@tributary/core/testing';
import { expect, it } from 'vitest';
import type { SqlQueueAdapter, SqlStorageAdapter } from '../src/postgres/index.js';

/** Deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rand: () => number, list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;

/** Records of one workspace over ~3 months: feedback with varied analysis, and measurements. */
export function dataset(workspaceId: string, count: number, seed = 1): TributaryRecord[] {
  const rand = prng(seed);
  const start = Date.UTC(2026, 0, 1);
  const records: TributaryRecord[] = [];
  for (let i = 0; i < count; i++) {
    // Some on the hour exactly, most not.
    const at = start + (i % 10 === 0 ? Math.floor(rand() * 2000) * 3_600_000 : Math.floor(rand() * 90 * 86_400) * 1000);
    const occurredAt = new Date(at).toISOString();
    const sourceId = pick(rand, ['src_a', 'src_b', 'src_c']);
    if (rand() < 0.3) {
      records.push(
        makeRecord({
          workspaceId,
          sourceId,
          externalId: `m-${i}`,
          itemType: 'value.record',
          occurredAt,
          measurement: makeMeasurement({ recordId: `m-${i}`, time: occurredAt, destinationId: pick(rand, ['d1', 'd2']), type: pick(rand, ['positive', 'negative'] as const), value: pick(rand, ['0.1', '0.2', '-3', '1000000.000001', '0.07']), unit: pick(rand, ['EUR', 'USD']) }),
        }),
      );
      continue;
    }
    const label = pick(rand, ['positive', 'negative', 'neutral'] as const);
    const score = Math.round((label === 'positive' ? 1 : label === 'negative' ? -1 : 0) * rand() * 100) / 100;
    records.push(
      makeRecord({
        workspaceId,
        sourceId,
        externalId: `f-${i}`,
        itemType: pick(rand, ['post', 'comment']),
        occurredAt,
        ...(rand() < 0.4 ? { language: pick(rand, ['en', 'de']) } : {}),
        content: { text: `text ${i}` },
        analysis: {
          ...(rand() < 0.8 ? { sentiment: { label, score } } : {}),
          ...(rand() < 0.5 ? { category: { label: pick(rand, ['complaint', 'praise'] as const), confidence: 0.9 } } : {}),
          ...(rand() < 0.5 ? { language: { code: pick(rand, ['en', 'fr']), confidence: 0.9 } } : {}),
        },
      }),
    );
  }
  return records;
}

const TOPICS = ['checkout', 'login', 'export', 'dark mode', 'billing', 'Ünïcode topic', 'sso'];

/** {@link dataset} with `analysis.topics` on most feedback (0–3 topics, sometimes repeated). */
export function topicDataset(workspaceId: string, count: number, seed = 3): TributaryRecord[] {
  const rand = prng(seed * 7919);
  return dataset(workspaceId, count, seed).map((r) => {
    if (r.kind !== 'feedback' || rand() < 0.15) return r;
    const topics = Array.from({ length: Math.floor(rand() * 4) }, () => pick(rand, TOPICS));
    if (topics.length > 0 && rand() < 0.2) topics.push(topics[0]!); // a repeated topic counts once
    return { ...r, analysis: { ...r.analysis, topics } };
  });
}

/** Topic rows in a comparable form: float sums rounded, times canonical, a fixed order. */
export function normalizeTopicRows(rows: TopicAggregateRow[]): TopicAggregateRow[] {
  return rows
    .map((r) => ({ ...r, bucket: r.bucket === null ? null : new Date(r.bucket).toISOString(), sentimentSum: Math.round(r.sentimentSum * 1e6) / 1e6 }))
    .sort((a, b) => (JSON.stringify([a.bucket, a.topic]) < JSON.stringify([b.bucket, b.topic]) ? -1 : 1));
}

export const TOPIC_QUERIES = (ws: string): TopicAggregateQuery[] => [
  { workspaceId: ws },
  { workspaceId: ws, bucket: 'day' },
  { workspaceId: ws, bucket: 'week', where: { sourceId: ['src_a', 'src_b'] } },
  { workspaceId: ws, bucket: 'month', where: { itemType: ['post'], kind: ['feedback'] }, topics: ['checkout', 'login', 'Ünïcode topic'] },
  { workspaceId: ws, bucket: 'hour', from: '2026-01-10T07:30:00.000Z', to: '2026-01-20T13:15:00.000Z' },
  { workspaceId: ws, bucket: 'all', from: '2026-01-10T07:30:00.000Z', to: '2026-01-10T07:50:00.000Z' },
  { workspaceId: ws, bucket: 'day', where: { sentiment: ['negative', 'neutral'] } },
  { workspaceId: ws, bucket: 'week', where: { language: ['', 'en'], sourceId: ['src_c'] }, from: '2026-01-03T00:00:00.000Z' },
  { workspaceId: ws, topics: [] },
  { workspaceId: ws, where: { sourceId: [] }, topics: ['export'] },
];

/** Topics a re-analysis gives a record: none for some, new ones for others. */
const i18nTopics = (id: string): string[] => (id.charCodeAt(id.length - 1) % 3 === 0 ? [] : ['sso', 'Ünïcode topic']);

/** Rows in a comparable form (same normalization as the contract kit). */
export function normalizeRows(rows: AggregateRow[]): AggregateRow[] {
  const iso = (v: string) => new Date(v).toISOString();
  return rows
    .map((r) => ({ ...r, bucket: r.bucket === null ? null : iso(r.bucket), sentimentSum: Math.round(r.sentimentSum * 1e6) / 1e6, firstAt: iso(r.firstAt), lastAt: iso(r.lastAt) }))
    .sort((a, b) => (JSON.stringify([a.bucket, a.group]) < JSON.stringify([b.bucket, b.group]) ? -1 : 1));
}

export const REPORT_QUERIES = (ws: string): AggregateQuery[] => [
  { workspaceId: ws },
  { workspaceId: ws, bucket: 'day', groupBy: ['sourceId'] },
  { workspaceId: ws, bucket: 'week', groupBy: ['sourceId', 'kind', 'itemType'] },
  { workspaceId: ws, bucket: 'month', groupBy: ['sentiment', 'language'] },
  { workspaceId: ws, bucket: 'hour', groupBy: ['category'], where: { kind: ['feedback'] } },
  { workspaceId: ws, bucket: 'all', groupBy: ['destinationId', 'unit', 'measurementType'] },
  { workspaceId: ws, bucket: 'day', groupBy: ['sourceId'], from: '2026-01-10T07:30:00.000Z', to: '2026-02-20T13:15:00.000Z' },
  { workspaceId: ws, bucket: 'all', groupBy: ['language'], from: '2026-01-10T07:30:00.000Z', to: '2026-01-10T07:50:00.000Z' },
  { workspaceId: ws, bucket: 'month', where: { language: ['', 'en'] }, groupBy: ['language'] },
  { workspaceId: ws, bucket: 'week', where: { sourceId: [] } },
];

export interface SqlCaseFactories {
  storage(options?: { rollupCompactEvery?: number }): SqlStorageAdapter | Promise<SqlStorageAdapter>;
  /** A queue adapter; each call is a separate "process" (its own connection or instance share). */
  queue(options?: { pollIntervalMs?: number }): SqlQueueAdapter | Promise<SqlQueueAdapter>;
}

/** Registers the SQL-specific storage cases (call inside a describe). */
export function sqlStorageCases(f: SqlCaseFactories): void {
  it('rollups equal aggregateRecords on a generated dataset, and follow edits and re-analysis', async () => {
    const storage = await f.storage();
    try {
      const ws = uniqueId('ws_roll');
      let records = dataset(ws, 800);
      for (let i = 0; i < records.length; i += 250) await storage.upsertRecords(records.slice(i, i + 250));
      await storage.upsertRecords(dataset(uniqueId('ws_decoy'), 50, 9));
      const check = async () => {
        for (const query of REPORT_QUERIES(ws)) {
          expect(normalizeRows(await storage.aggregate(query)), JSON.stringify(query)).toEqual(normalizeRows(aggregateRecords(records, query)));
        }
      };
      await check();
      expect(storage.explainAggregate({ workspaceId: ws, groupBy: ['sourceId'], bucket: 'day' })).toBe('rollups_source_hourly');
      expect(storage.explainAggregate({ workspaceId: ws, groupBy: ['language'], where: { unit: ['EUR'] } })).toBe('rollups_hourly');

      // Edits move records across hours, months and groups; re-analysis changes sentiment and language.
      const rand = prng(42);
      const edited = records.filter((_, i) => i % 7 === 0).map((r, i) => {
        const occurredAt = new Date(Date.parse(r.occurredAt) + (i % 2 ? 1 : -1) * Math.floor(rand() * 40 * 86_400) * 1000).toISOString();
        return makeRecord({
          workspaceId: ws,
          sourceId: r.sourceId,
          externalId: r.externalId,
          itemType: r.itemType,
          occurredAt,
          ...(r.measurement ? { measurement: { ...r.measurement, value: '0.3', time: occurredAt } } : { content: { text: `edited ${r.externalId}` } }),
          analysis: r.measurement ? {} : { sentiment: { label: 'negative', score: -0.5 } },
        });
      });
      const outcomes = await storage.upsertRecords(edited);
      expect(outcomes.every((o) => o.status === 'updated')).toBe(true);
      const byId = new Map(edited.map((r) => [r.id, { ...r, revision: 2 }]));
      records = records.map((r) => byId.get(r.id) ?? r);
      const reanalyzed = records.filter((r, i) => i % 11 === 3 && r.kind === 'feedback');
      for (const r of reanalyzed) {
        const analysis = { sentiment: { label: 'positive' as const, score: 0.25 }, language: { code: 'es', confidence: 1 } };
        expect(await storage.updateAnalysis(ws, r.id, r.contentHash, analysis, r.provenance)).toBe(true);
        records = records.map((x) => (x.id === r.id ? { ...x, analysis } : x));
      }
      await check();
      expect((await storage.getRecordHistory(ws, edited[0]!.id)).map((r) => r.revision)).toEqual([1]);
    } finally {
      await storage.dispose();
    }
  });

  it('a batch that mixes new and existing keys falls back from the optimistic insert without counting anything twice', async () => {
    const storage = await f.storage();
    try {
      const ws = uniqueId('ws_mixed');
      const all = dataset(ws, 400, 5);
      let records = all.slice(0, 200);
      for (let i = 0; i < 200; i += 100) expect((await storage.upsertRecords(records.slice(i, i + 100))).every((o) => o.status === 'created')).toBe(true);
      // Existing keys sorted among new ones: the optimistic statement has already written some rows
      // (records, keys, rollups) when it meets the first existing key, and all of it must be undone.
      const edited = records.slice(50, 100).map((r) => ({ ...r, contentHash: `${r.contentHash}x`, occurredAt: new Date(Date.parse(r.occurredAt) + 86_400_000).toISOString() }));
      const mixed = [...all.slice(200, 300), ...records.slice(0, 50), ...edited];
      const outcomes = await storage.upsertRecords(mixed);
      expect(outcomes.map((o) => o.status)).toEqual([...Array(100).fill('created'), ...Array(50).fill('unchanged'), ...Array(50).fill('updated')]);
      const byId = new Map(edited.map((r) => [r.id, { ...r, revision: 2 }]));
      records = [...records.map((r) => byId.get(r.id) ?? r), ...all.slice(200, 300)];
      // And the next all-new batch takes the optimistic statement again.
      expect((await storage.upsertRecords(all.slice(300))).every((o) => o.status === 'created')).toBe(true);
      records.push(...all.slice(300));
      for (const query of REPORT_QUERIES(ws)) {
        expect(normalizeRows(await storage.aggregate(query)), JSON.stringify(query)).toEqual(normalizeRows(aggregateRecords(records, query)));
      }
    } finally {
      await storage.dispose();
    }
  });

  it('compaction merges the rows one group got from different batches, leaving every aggregate as it was', async () => {
    const manual = await f.storage({ rollupCompactEvery: 1_000_000 });
    const automatic = await f.storage({ rollupCompactEvery: 5 });
    try {
      const ws = uniqueId('ws_compact');
      const hour = Date.UTC(2026, 5, 3, 14); // after the dataset below, so no record of it joins the group
      // Twelve records of one group (same source, item type and analysis) in one hour, one per batch.
      const same = (n: number, workspaceId: string) =>
        makeRecord({ workspaceId, sourceId: 'src_a', externalId: `c-${n}`, itemType: 'post', occurredAt: new Date(hour + n * 60_000).toISOString(), content: { text: `t ${n}` }, analysis: { sentiment: { label: 'positive', score: 0.5 } } });
      const records = Array.from({ length: 12 }, (_, n) => same(n, ws));
      const others = dataset(ws, 120, 8);
      await manual.upsertRecords(others);
      for (const r of records) await manual.upsertRecords([r]);
      const queries = [...REPORT_QUERIES(ws), { workspaceId: ws, bucket: 'hour' as const, groupBy: ['sentiment' as const, 'itemType' as const] }];
      const before = await Promise.all(queries.map((q) => manual.aggregate(q)));
      for (const [i, query] of queries.entries()) expect(normalizeRows(before[i]!)).toEqual(normalizeRows(aggregateRecords([...others, ...records], query)));
      // Eleven rows fewer in each of the two hourly levels (by source, and by every dimension).
      expect(await manual.compactRollups()).toBe(2 * 11);
      expect(await manual.compactRollups()).toBe(0);
      for (const [i, query] of queries.entries()) expect(normalizeRows(await manual.aggregate(query)), JSON.stringify(query)).toEqual(normalizeRows(before[i]!));

      // Every 5 records the adapter compacts by itself: after 12, only the last 2 are left to merge.
      const ws2 = uniqueId('ws_compact_auto');
      for (let n = 0; n < 12; n++) await automatic.upsertRecords([same(n, ws2)]);
      expect(await automatic.compactRollups()).toBe(2 * 2);
      expect(normalizeRows(await automatic.aggregate({ workspaceId: ws2, bucket: 'hour', groupBy: ['sentiment'] }))).toEqual(
        normalizeRows(aggregateRecords(Array.from({ length: 12 }, (_, n) => same(n, ws2)), { workspaceId: ws2, bucket: 'hour', groupBy: ['sentiment'] })),
      );
    } finally {
      await manual.dispose();
      await automatic.dispose();
    }
  });

  it('topic rollups equal aggregateTopicsOf on a memory storage, and follow edits and re-analysis', async () => {
    const storage = await f.storage();
    const memory = createMemoryStorage();
    try {
      const ws = uniqueId('ws_topics');
      let records = topicDataset(ws, 500);
      for (let i = 0; i < records.length; i += 250) {
        await storage.upsertRecords(records.slice(i, i + 250));
        await memory.upsertRecords(records.slice(i, i + 250));
      }
      await storage.upsertRecords(topicDataset(uniqueId('ws_decoy'), 60, 5));
      expect(records.filter((r) => (r.analysis.topics?.length ?? 0) > 0).length).toBeGreaterThan(150);
      const check = async (label: string) => {
        for (const query of TOPIC_QUERIES(ws)) {
          const expected = normalizeTopicRows(await aggregateTopicsOf(memory, query));
          expect(normalizeTopicRows(await storage.aggregateTopics(query)), `${label} ${JSON.stringify(query)}`).toEqual(expected);
        }
        // Ordered as aggregateTopicsOf orders them: by bucket, most frequent first, then by topic.
        const daily = { workspaceId: ws, bucket: 'day' as const };
        expect((await storage.aggregateTopics(daily)).map((r) => [r.bucket, r.topic])).toEqual((await aggregateTopicsOf(memory, daily)).map((r) => [r.bucket, r.topic]));
      };
      await check('after ingest');
      expect(storage.explainAggregateTopics({ workspaceId: ws, where: { sourceId: ['src_a'], itemType: ['post'] } })).toBe('rollups_topics_hourly');
      expect(storage.explainAggregateTopics({ workspaceId: ws, where: { sentiment: ['positive'] } })).toBe('records');

      // Edits change topics, sentiment and hour; re-analysis replaces topics and sentiment.
      const rand = prng(7);
      const edited = records.filter((r, i) => i % 5 === 0 && r.kind === 'feedback').map((r, i) => {
        const occurredAt = new Date(Date.parse(r.occurredAt) + (i % 2 ? 1 : -1) * Math.floor(rand() * 20 * 86_400) * 1000).toISOString();
        return makeRecord({
          workspaceId: ws,
          sourceId: r.sourceId,
          externalId: r.externalId,
          itemType: r.itemType,
          occurredAt,
          content: { text: `edited ${r.externalId}` },
          analysis: { sentiment: { label: 'negative', score: -0.5 }, ...(i % 4 === 0 ? {} : { topics: ['billing', 'checkout', 'billing'] }) },
        });
      });
      const outcomes = await storage.upsertRecords(edited);
      expect(outcomes.every((o) => o.status === 'updated')).toBe(true);
      await memory.upsertRecords(edited);
      records = records.map((r) => edited.find((e) => e.id === r.id) ?? r);
      for (const r of records.filter((x, i) => i % 13 === 4 && x.kind === 'feedback')) {
        const analysis = { sentiment: { label: 'positive' as const, score: 0.25 }, topics: i18nTopics(r.id) };
        expect(await storage.updateAnalysis(ws, r.id, r.contentHash, analysis, r.provenance)).toBe(true);
        expect(await memory.updateAnalysis(ws, r.id, r.contentHash, analysis, r.provenance)).toBe(true);
      }
      await check('after edits');
    } finally {
      await storage.dispose();
      await memory.dispose();
    }
  });

  it('partitions exist ahead of time and for the months records land in', async () => {
    const storage = await f.storage();
    try {
      if ((await storage.layout()) !== 'partitioned') return;
      const now = new Date();
      const month = (offset: number) => {
        const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1));
        return `records_p${d.getUTCFullYear()}_${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
      };
      const before = await storage.partitions();
      for (const offset of [-1, 0, 1, 2, 3]) expect(before).toContain(month(offset));
      expect(before).toContain('records_default');
      const ws = uniqueId('ws_part');
      const old = makeRecord({ workspaceId: ws, occurredAt: '2019-03-15T10:00:00.000Z' });
      const future = makeRecord({ workspaceId: ws, occurredAt: '2031-07-01T00:00:00.000Z' });
      await storage.upsertRecords([old, future]);
      const after = await storage.partitions();
      expect(after).toContain('records_p2019_03');
      expect(after).toContain('records_p2031_07');
      // An edit that moves a record to another month moves it to that month's partition.
      const moved = makeRecord({ workspaceId: ws, externalId: old.externalId, occurredAt: '2018-11-30T23:59:59.000Z', content: { text: 'moved' } });
      expect((await storage.upsertRecords([moved]))[0]?.status).toBe('updated');
      expect(await storage.partitions()).toContain('records_p2018_11');
      expect((await storage.getRecord(ws, old.id))?.occurredAt).toBe('2018-11-30T23:59:59.000Z');
      const page = await storage.queryRecords({ workspaceId: ws, order: 'asc' });
      expect(page.items.map((r) => r.occurredAt)).toEqual(['2018-11-30T23:59:59.000Z', '2031-07-01T00:00:00.000Z']);
    } finally {
      await storage.dispose();
    }
  });
}

/** Registers the SQL-specific queue cases. */
export function sqlQueueCases(f: SqlCaseFactories): void {
  it('a message whose consumer dies without acking is redelivered after the lease expires', async () => {
    const topic = uniqueId('dies');
    const group = uniqueId('g');
    const dying = await f.queue({ pollIntervalMs: 100 });
    const survivor = await f.queue({ pollIntervalMs: 100 });
    try {
      await dying.publish(topic, { n: 1 });
      let taken: QueueMessage | undefined;
      // This consumer takes the message and never answers: as far as the queue can tell, it died.
      await dying.consume(
        topic,
        (m) => {
          taken = m;
          return new Promise(() => undefined);
        },
        { group, visibilityTimeoutMs: 400 },
      );
      await eventually(() => expect(taken?.attempt).toBe(1), 5000);
      const got: QueueMessage[] = [];
      await survivor.consume(topic, (m) => void got.push(m), { group, visibilityTimeoutMs: 400 });
      await sleep(200);
      expect(got).toHaveLength(0);
      await eventually(() => expect(got.map((m) => [m.id, m.attempt])).toEqual([[taken!.id, 2]]), 5000);
      await eventually(async () => expect(await survivor.stats(topic)).toMatchObject({ depth: 0, inFlight: 0 }), 3000);
    } finally {
      await survivor.dispose();
      // The dying adapter's handler never settles; dispose() would wait for it forever.
      void dying.dispose();
    }
  });

  it('a message whose consumers keep dying is dead-lettered after maxAttempts', async () => {
    const topic = uniqueId('poison');
    const group = uniqueId('g');
    const queue = await f.queue({ pollIntervalMs: 100 });
    const attempts: number[] = [];
    try {
      await queue.publish(topic, { poison: true });
      await queue.consume(
        topic,
        (m) => {
          attempts.push(m.attempt);
          return new Promise(() => undefined);
        },
        { group, visibilityTimeoutMs: 200, maxAttempts: 2, concurrency: 5 },
      );
      await eventually(async () => expect(await queue.listDeadLetters(topic)).toHaveLength(1), 8000);
      const [dl] = await queue.listDeadLetters(topic);
      expect(dl?.reason).toMatch(/max attempts \(2\)/);
      expect(attempts).toEqual([1, 2]);
      expect(await queue.stats(topic)).toMatchObject({ depth: 0, inFlight: 0, deadLetters: 1, oldestAgeMs: null });
    } finally {
      void queue.dispose();
    }
  });

  it('a handler that keeps failing is dead-lettered after maxAttempts, and replay delivers it again', async () => {
    const topic = uniqueId('fails');
    const group = uniqueId('g');
    const queue = await f.queue({ pollIntervalMs: 100 });
    try {
      const seen: number[] = [];
      let fail = true;
      const sub = await queue.consume(
        topic,
        (m) => {
          seen.push(m.attempt);
          if (fail) throw new Error(`boom ${m.attempt}`);
        },
        { group, maxAttempts: 3, retryDelayMs: () => 10 },
      );
      const id = await queue.publish(topic, { n: 1 }, { id: uniqueId('fixed') });
      await eventually(async () => expect(await queue.listDeadLetters(topic)).toHaveLength(1), 5000);
      expect(seen).toEqual([1, 2, 3]);
      const [dl] = await queue.listDeadLetters(topic);
      expect(dl?.message.id).toBe(id);
      expect(dl?.reason).toContain('boom 3');
      fail = false;
      expect(await queue.replayDeadLetter(topic, dl!.id)).toBe(true);
      await eventually(() => expect(seen).toEqual([1, 2, 3, 1]), 5000);
      await eventually(async () => expect(await queue.stats(topic)).toEqual({ depth: 0, inFlight: 0, deadLetters: 0, oldestAgeMs: null }), 3000);
      await sub.close();
    } finally {
      await queue.dispose();
    }
  });
}
