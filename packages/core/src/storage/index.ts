/**
 * @module @tributary/core/storage
 * The storage port: idempotent record upserts with revision history, raw payloads, checkpoints,
 * leases (locks), aggregates by time bucket and group, and a small document store for catalog data
 * (workspaces, sources, destinations, runs). Every read is scoped to one workspace.
 * Adapters: `@tributary/core/storage/memory` here, engines in `@tributary/adapters/*`.
 */
import type { CategoryLabel, RecordKind, SentimentLabel, TributaryRecord } from '../record/schema.js';

/** Result of upserting one record. */
export interface UpsertOutcome {
  id: string;
  /**
   * `created`: new record. `updated`: its content changed (edit); the previous revision is kept in
   * the history. `unchanged`: same content hash, nothing written. `stale`: the stored revision is
   * newer at the source (`sourceUpdatedAt`), nothing written.
   */
  status: 'created' | 'updated' | 'unchanged' | 'stale';
  /** The revision now stored. */
  revision: number;
}

/** An original payload as received from a source, kept for re-parsing. */
export interface RawPayload {
  /** See `rawPayloadId`. */
  id: string;
  workspaceId: string;
  sourceId: string;
  externalId: string;
  itemType: string;
  connector: { name: string; version: string };
  payload: unknown;
  receivedAt: string;
}

/** Filters of {@link StorageAdapter.queryRecords}. All are optional but the workspace. */
export interface RecordQuery {
  workspaceId: string;
  /** `occurredAt >= from` (ISO). */
  from?: string;
  /** `occurredAt < to` (ISO). */
  to?: string;
  sourceIds?: string[];
  kinds?: RecordKind[];
  itemTypes?: string[];
  sentiments?: SentimentLabel[];
  /** ISO 639-1 codes (detected, else declared). */
  languages?: string[];
  categories?: CategoryLabel[];
  measurementTypes?: ('positive' | 'negative')[];
  destinationIds?: string[];
  references?: string[];
  /** Case-insensitive substring of the title or text. */
  text?: string;
  /** @default 100; at most 1000 */
  limit?: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
  /** By `occurredAt`, then id. @default 'desc' */
  order?: 'asc' | 'desc';
}

/** One page of results. `nextCursor` is null on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Dimensions records can be grouped and filtered by in aggregates. */
export type AggregateDimension =
  | 'sourceId'
  | 'kind'
  | 'itemType'
  | 'language'
  | 'sentiment'
  | 'category'
  | 'destinationId'
  | 'measurementType'
  | 'unit';

export const AGGREGATE_DIMENSIONS: readonly AggregateDimension[] = ['sourceId', 'kind', 'itemType', 'language', 'sentiment', 'category', 'destinationId', 'measurementType', 'unit'];

/** Time buckets, in UTC. Weeks start on Monday. */
export type TimeBucket = 'hour' | 'day' | 'week' | 'month' | 'all';

/** Input of {@link StorageAdapter.aggregate}. */
export interface AggregateQuery {
  workspaceId: string;
  from?: string;
  to?: string;
  /** @default 'all' */
  bucket?: TimeBucket;
  groupBy?: AggregateDimension[];
  /** Keep only records whose dimension is one of the values. */
  where?: Partial<Record<AggregateDimension, string[]>>;
}

/** One group of one bucket. */
export interface AggregateRow {
  /** ISO start of the bucket; null for `bucket: 'all'`. */
  bucket: string | null;
  /** The values of the grouped dimensions (null where a record has none). */
  group: Partial<Record<AggregateDimension, string | null>>;
  count: number;
  /** Records that have a sentiment, and the sum of their scores (average = sum / count). */
  sentimentCount: number;
  sentimentSum: number;
  positive: number;
  negative: number;
  neutral: number;
  /** Exact decimal sum of measurement values, as a string ("0" when none). */
  valueSum: string;
  /** Earliest and latest `occurredAt` in the group. */
  firstAt: string;
  lastAt: string;
}

/** Input of {@link StorageAdapter.aggregateTopics}. */
export interface TopicAggregateQuery {
  workspaceId: string;
  from?: string;
  to?: string;
  /** @default 'all' */
  bucket?: TimeBucket;
  where?: Partial<Record<AggregateDimension, string[]>>;
  /** Keep only these topics (e.g. to compare the top topics with the previous period). */
  topics?: string[];
}

/** One topic in one bucket: how many records carry it, and their sentiment. */
export interface TopicAggregateRow {
  topic: string;
  /** ISO start of the bucket; null for `bucket: 'all'`. */
  bucket: string | null;
  count: number;
  sentimentCount: number;
  sentimentSum: number;
  positive: number;
  negative: number;
  neutral: number;
}

/** A held lease. */
export interface LockLease {
  key: string;
  owner: string;
  expiresAt: number;
}

/** What an adapter supports. */
export interface StorageCapabilities {
  durable: boolean;
  /** Aggregates come from maintained rollups rather than scans of raw rows. */
  rollups: boolean;
  /** A batch of upserts is applied all-or-nothing. */
  atomicBatches: boolean;
}

/** Collections of the document store used by the SDK itself. Hosts may use their own names. */
export type DocumentCollection = 'workspaces' | 'sources' | 'destinations' | 'runs' | 'api-keys' | (string & {});

/** Scope for documents that belong to no workspace (the workspaces themselves). */
export const GLOBAL_SCOPE = '_global';

/**
 * The storage port. Implementations must pass `testStorageAdapter` from `@tributary/core/testing`.
 */
export interface StorageAdapter {
  readonly name: string;
  readonly capabilities: StorageCapabilities;

  /**
   * Inserts or updates records, idempotently by id. The stored record keeps the incoming analysis;
   * its revision is set by storage. Outcomes come back in input order.
   */
  upsertRecords(records: TributaryRecord[]): Promise<UpsertOutcome[]>;
  getRecord(workspaceId: string, id: string): Promise<TributaryRecord | null>;
  /** Earlier revisions of a record, oldest first (the current one is not included). */
  getRecordHistory(workspaceId: string, id: string): Promise<TributaryRecord[]>;
  /**
   * Replaces the analysis of the current revision (re-analysis), without creating a revision.
   * False when the record does not exist or its content hash differs from `contentHash`.
   */
  updateAnalysis(workspaceId: string, id: string, contentHash: string, analysis: TributaryRecord['analysis'], provenance: TributaryRecord['provenance']): Promise<boolean>;
  queryRecords(query: RecordQuery): Promise<Page<TributaryRecord>>;
  aggregate(query: AggregateQuery): Promise<AggregateRow[]>;
  /**
   * Optional: per-topic counts (from `analysis.topics`) by bucket, from maintained rollups. Without
   * it, `aggregateTopicsOf` in this module answers by scanning records.
   */
  aggregateTopics?(query: TopicAggregateQuery): Promise<TopicAggregateRow[]>;

  /** Stores raw payloads, idempotently by id. */
  putRawPayloads(payloads: RawPayload[]): Promise<void>;
  getRawPayload(workspaceId: string, id: string): Promise<RawPayload | null>;
  listRawPayloads(workspaceId: string, sourceId: string, options?: { limit?: number; cursor?: string }): Promise<Page<RawPayload>>;

  /** A source's sync position; `stream` separates several positions of one source. */
  getCheckpoint<T = unknown>(workspaceId: string, sourceId: string, stream?: string): Promise<T | null>;
  setCheckpoint(workspaceId: string, sourceId: string, value: unknown, stream?: string): Promise<void>;

  /** Takes a lease if free (or expired, or already held by `owner`). Null when someone else holds it. */
  acquireLock(key: string, owner: string, ttlMs: number): Promise<LockLease | null>;
  /** Extends a lease still held by `owner`. False when it was lost. */
  renewLock(key: string, owner: string, ttlMs: number): Promise<boolean>;
  releaseLock(key: string, owner: string): Promise<void>;

  putDocument<T>(collection: DocumentCollection, scope: string, id: string, document: T): Promise<void>;
  /**
   * Optional: stores a document only if none exists under its id, atomically (of several concurrent
   * inserts of one id, exactly one returns true). True when it was inserted; false, and nothing
   * written, when a document was there. Lets a document itself serve as a claim (the webhook dedup
   * store's delivery records) in one write instead of a lease taken and given back. Callers without
   * it fall back to leases ({@link StorageAdapter.acquireLock}).
   */
  insertDocument?<T>(collection: DocumentCollection, scope: string, id: string, document: T): Promise<boolean>;
  getDocument<T>(collection: DocumentCollection, scope: string, id: string): Promise<T | null>;
  listDocuments<T>(collection: DocumentCollection, scope: string, options?: { limit?: number; cursor?: string }): Promise<Page<{ id: string; document: T }>>;
  /** False when it did not exist. */
  deleteDocument(collection: DocumentCollection, scope: string, id: string): Promise<boolean>;

  dispose(): Promise<void>;
}

/** The dimension value of a record, as aggregates see it. */
export function dimensionOf(record: TributaryRecord, dimension: AggregateDimension): string | null {
  switch (dimension) {
    case 'sourceId':
      return record.sourceId;
    case 'kind':
      return record.kind;
    case 'itemType':
      return record.itemType;
    case 'language':
      return record.analysis.language?.code ?? record.language ?? null;
    case 'sentiment':
      return record.analysis.sentiment?.label ?? null;
    case 'category':
      return record.analysis.category?.label ?? null;
    case 'destinationId':
      return record.measurement?.destinationId ?? null;
    case 'measurementType':
      return record.measurement?.type ?? null;
    case 'unit':
      return record.measurement?.unit ?? null;
  }
}

/** The start of the UTC bucket holding `iso`, as ISO; null for `all`. */
export function bucketStart(iso: string, bucket: TimeBucket): string | null {
  if (bucket === 'all') return null;
  const d = new Date(iso);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const day = d.getUTCDate();
  switch (bucket) {
    case 'hour':
      return new Date(Date.UTC(y, m, day, d.getUTCHours())).toISOString();
    case 'day':
      return new Date(Date.UTC(y, m, day)).toISOString();
    case 'week': {
      const weekday = (d.getUTCDay() + 6) % 7; // Monday = 0
      return new Date(Date.UTC(y, m, day - weekday)).toISOString();
    }
    case 'month':
      return new Date(Date.UTC(y, m, 1)).toISOString();
  }
}

/** Clamps a page size to [1, 1000]. */
export function pageLimit(limit: number | undefined, fallback = 100): number {
  return Math.min(1000, Math.max(1, Math.floor(limit ?? fallback)));
}

/** Encodes a keyset cursor (`occurredAt` + id) as an opaque string. */
export function encodeCursor(parts: unknown[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

/** Decodes {@link encodeCursor}; null when malformed. */
export function decodeCursor(cursor: string | undefined): unknown[] | null {
  if (!cursor) return null;
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}

/**
 * Topic counts through the adapter's rollups when it has them, else by scanning the matching records
 * (page by page, in bounded memory).
 */
export async function aggregateTopicsOf(storage: StorageAdapter, query: TopicAggregateQuery): Promise<TopicAggregateRow[]> {
  if (storage.aggregateTopics) return storage.aggregateTopics(query);
  const rows = new Map<string, TopicAggregateRow>();
  const bucket = query.bucket ?? 'all';
  const wanted = query.topics ? new Set(query.topics) : undefined;
  let cursor: string | undefined;
  do {
    const page = await storage.queryRecords({ workspaceId: query.workspaceId, from: query.from, to: query.to, order: 'asc', limit: 1000, cursor });
    for (const record of page.items) {
      if (!matchesWhere(record, query.where)) continue;
      for (const topic of new Set(record.analysis.topics ?? [])) {
        if (wanted && !wanted.has(topic)) continue;
        const b = bucketStart(record.occurredAt, bucket);
        const key = `${b}\u0000${topic}`;
        let row = rows.get(key);
        if (!row) rows.set(key, (row = { topic, bucket: b, count: 0, sentimentCount: 0, sentimentSum: 0, positive: 0, negative: 0, neutral: 0 }));
        row.count++;
        const s = record.analysis.sentiment;
        if (s) {
          row.sentimentCount++;
          row.sentimentSum += s.score;
          row[s.label]++;
        }
      }
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return [...rows.values()].sort((a, b) => (a.bucket ?? '').localeCompare(b.bucket ?? '') || b.count - a.count || a.topic.localeCompare(b.topic));
}

/** True when a record's dimensions are within an aggregate's `where`. */
export function matchesWhere(record: TributaryRecord, where: AggregateQuery['where']): boolean {
  for (const [dimension, values] of Object.entries(where ?? {})) {
    if (values && values.length > 0 && !values.includes(dimensionOf(record, dimension as AggregateDimension) ?? '')) return false;
  }
  return true;
}
