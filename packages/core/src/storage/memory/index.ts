/**
 * @module @tributary/core/storage/memory
 * In-memory storage: the reference implementation of the storage port, for tests and for hosts that
 * keep nothing between restarts. Aggregates scan records (fine for the sizes memory holds).
 */
import type { Clock } from '../../clock/index.js';
import { systemClock } from '../../clock/index.js';
import { Decimal } from '../../decimal/index.js';
import { createError } from '../../errors/index.js';
import type { TributaryRecord } from '../../record/schema.js';
import {
  bucketStart,
  decodeCursor,
  dimensionOf,
  encodeCursor,
  matchesWhere,
  pageLimit,
  type AggregateQuery,
  type AggregateRow,
  type LockLease,
  type Page,
  type RawPayload,
  type RecordQuery,
  type StorageAdapter,
  type UpsertOutcome,
} from '../index.js';
import { recordMatches } from './record-filter.js';

/** Options of {@link createMemoryStorage}. */
export interface MemoryStorageOptions {
  /** @default systemClock */
  clock?: Clock;
}

const clone = <T>(value: T): T => structuredClone(value);

/** Creates an in-memory storage adapter. */
export function createMemoryStorage(options: MemoryStorageOptions = {}): StorageAdapter {
  const clock = options.clock ?? systemClock;
  const records = new Map<string, TributaryRecord>(); // key: workspace\0id
  const history = new Map<string, TributaryRecord[]>();
  const raws = new Map<string, RawPayload>();
  const checkpoints = new Map<string, unknown>();
  const locks = new Map<string, LockLease>();
  const documents = new Map<string, Map<string, unknown>>(); // collection\0scope → id → doc
  const key = (...parts: string[]) => parts.join('\u0000');

  const sortedRecords = (workspaceId: string) =>
    [...records.values()].filter((r) => r.workspaceId === workspaceId);

  return {
    name: 'memory',
    capabilities: { durable: false, rollups: false, atomicBatches: true },

    async upsertRecords(batch) {
      const outcomes: UpsertOutcome[] = [];
      for (const incoming of batch) {
        const k = key(incoming.workspaceId, incoming.id);
        const existing = records.get(k);
        if (!existing) {
          records.set(k, clone({ ...incoming, revision: 1 }));
          outcomes.push({ id: incoming.id, status: 'created', revision: 1 });
          continue;
        }
        if (existing.contentHash === incoming.contentHash) {
          outcomes.push({ id: incoming.id, status: 'unchanged', revision: existing.revision });
          continue;
        }
        if (existing.sourceUpdatedAt && incoming.sourceUpdatedAt && incoming.sourceUpdatedAt < existing.sourceUpdatedAt) {
          outcomes.push({ id: incoming.id, status: 'stale', revision: existing.revision });
          continue;
        }
        const revision = existing.revision + 1;
        history.set(k, [...(history.get(k) ?? []), existing]);
        records.set(k, clone({ ...incoming, revision }));
        outcomes.push({ id: incoming.id, status: 'updated', revision });
      }
      return outcomes;
    },

    async getRecord(workspaceId, id) {
      const r = records.get(key(workspaceId, id));
      return r ? clone(r) : null;
    },

    async getRecordHistory(workspaceId, id) {
      return clone(history.get(key(workspaceId, id)) ?? []);
    },

    async updateAnalysis(workspaceId, id, contentHash, analysis, provenance) {
      const k = key(workspaceId, id);
      const existing = records.get(k);
      if (!existing || existing.contentHash !== contentHash) return false;
      records.set(k, clone({ ...existing, analysis, provenance }));
      return true;
    },

    async queryRecords(query: RecordQuery): Promise<Page<TributaryRecord>> {
      const limit = pageLimit(query.limit);
      const desc = (query.order ?? 'desc') === 'desc';
      const after = decodeCursorStrict(query.cursor);
      const matching = sortedRecords(query.workspaceId)
        .filter((r) => recordMatches(r, query))
        .sort((a, b) => compareKeys([a.occurredAt, a.id], [b.occurredAt, b.id]) * (desc ? -1 : 1));
      const start = after ? matching.findIndex((r) => compareKeys([r.occurredAt, r.id], after) * (desc ? -1 : 1) > 0) : 0;
      const items = start < 0 ? [] : matching.slice(start, start + limit);
      const last = items[items.length - 1];
      const more = start >= 0 && start + limit < matching.length;
      return { items: clone(items), nextCursor: more && last ? encodeCursor([last.occurredAt, last.id]) : null };
    },

    async aggregate(query: AggregateQuery): Promise<AggregateRow[]> {
      return aggregateRecords(sortedRecords(query.workspaceId), query);
    },

    async putRawPayloads(payloads) {
      for (const p of payloads) {
        const k = key(p.workspaceId, p.id);
        if (!raws.has(k)) raws.set(k, clone(p));
      }
    },

    async getRawPayload(workspaceId, id) {
      const p = raws.get(key(workspaceId, id));
      return p ? clone(p) : null;
    },

    async listRawPayloads(workspaceId, sourceId, options = {}) {
      const limit = pageLimit(options.limit);
      const after = decodeCursorStrict(options.cursor);
      const all = [...raws.values()]
        .filter((p) => p.workspaceId === workspaceId && p.sourceId === sourceId)
        .sort((a, b) => compareKeys([a.receivedAt, a.id], [b.receivedAt, b.id]));
      const start = after ? all.findIndex((p) => compareKeys([p.receivedAt, p.id], after) > 0) : 0;
      const items = start < 0 ? [] : all.slice(start, start + limit);
      const last = items[items.length - 1];
      return { items: clone(items), nextCursor: start >= 0 && start + limit < all.length && last ? encodeCursor([last.receivedAt, last.id]) : null };
    },

    async getCheckpoint<T>(workspaceId: string, sourceId: string, stream = 'default') {
      const v = checkpoints.get(key(workspaceId, sourceId, stream));
      return v === undefined ? null : (clone(v) as T);
    },

    async setCheckpoint(workspaceId, sourceId, value, stream = 'default') {
      checkpoints.set(key(workspaceId, sourceId, stream), clone(value));
    },

    async acquireLock(lockKey, owner, ttlMs) {
      const now = clock.now();
      const held = locks.get(lockKey);
      if (held && held.owner !== owner && held.expiresAt > now) return null;
      const lease = { key: lockKey, owner, expiresAt: now + ttlMs };
      locks.set(lockKey, lease);
      return { ...lease };
    },

    async renewLock(lockKey, owner, ttlMs) {
      const held = locks.get(lockKey);
      const now = clock.now();
      if (!held || held.owner !== owner || held.expiresAt <= now) return false;
      held.expiresAt = now + ttlMs;
      return true;
    },

    async releaseLock(lockKey, owner) {
      if (locks.get(lockKey)?.owner === owner) locks.delete(lockKey);
    },

    async putDocument(collection, scope, id, document) {
      const k = key(collection, scope);
      const map = documents.get(k) ?? new Map<string, unknown>();
      map.set(id, clone(document));
      documents.set(k, map);
    },

    async insertDocument(collection, scope, id, document) {
      const k = key(collection, scope);
      const map = documents.get(k) ?? new Map<string, unknown>();
      if (map.has(id)) return false;
      map.set(id, clone(document));
      documents.set(k, map);
      return true;
    },

    async getDocument<T>(collection: string, scope: string, id: string) {
      const doc = documents.get(key(collection, scope))?.get(id);
      return doc === undefined ? null : (clone(doc) as T);
    },

    async listDocuments<T>(collection: string, scope: string, options: { limit?: number; cursor?: string } = {}) {
      const limit = pageLimit(options.limit);
      const after = decodeCursorStrict(options.cursor)?.[0] as string | undefined;
      const entries = [...(documents.get(key(collection, scope)) ?? new Map()).entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .filter(([id]) => after === undefined || id > after);
      const items = entries.slice(0, limit).map(([id, document]) => ({ id, document: clone(document) as T }));
      const last = items[items.length - 1];
      return { items, nextCursor: entries.length > limit && last ? encodeCursor([last.id]) : null };
    },

    async deleteDocument(collection, scope, id) {
      return documents.get(key(collection, scope))?.delete(id) ?? false;
    },

    async dispose() {
      records.clear();
      history.clear();
      raws.clear();
      checkpoints.clear();
      locks.clear();
      documents.clear();
    },
  };
}

function compareKeys(a: unknown[], b: unknown[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = String(a[i] ?? '');
    const y = String(b[i] ?? '');
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return 0;
}

function decodeCursorStrict(cursor: string | undefined): unknown[] | null {
  if (cursor === undefined || cursor === '') return null;
  const parts = decodeCursor(cursor);
  if (!parts) throw createError('storage:memory', 'validation', 'malformed cursor', { issues: [{ path: 'cursor', message: 'not a cursor returned by this API' }] });
  return parts;
}

/**
 * Aggregates records in memory. Shared by adapters that have no rollups of their own, and by tests
 * as the reference the rollups are compared with.
 */
export function aggregateRecords(records: Iterable<TributaryRecord>, query: AggregateQuery): AggregateRow[] {
  const bucket = query.bucket ?? 'all';
  const groupBy = query.groupBy ?? [];
  const rows = new Map<string, AggregateRow & { values: Decimal }>();
  for (const r of records) {
    if (r.workspaceId !== query.workspaceId) continue;
    if (query.from && r.occurredAt < query.from) continue;
    if (query.to && r.occurredAt >= query.to) continue;
    if (!matchesWhere(r, query.where)) continue;
    const b = bucketStart(r.occurredAt, bucket);
    const group = Object.fromEntries(groupBy.map((d) => [d, dimensionOf(r, d)]));
    const k = JSON.stringify([b, group]);
    let row = rows.get(k);
    if (!row) {
      row = { bucket: b, group, count: 0, sentimentCount: 0, sentimentSum: 0, positive: 0, negative: 0, neutral: 0, valueSum: '0', values: Decimal.ZERO, firstAt: r.occurredAt, lastAt: r.occurredAt };
      rows.set(k, row);
    }
    row.count++;
    const s = r.analysis.sentiment;
    if (s) {
      row.sentimentCount++;
      row.sentimentSum += s.score;
      row[s.label]++;
    }
    if (r.measurement) row.values = row.values.plus(r.measurement.value);
    if (r.occurredAt < row.firstAt) row.firstAt = r.occurredAt;
    if (r.occurredAt > row.lastAt) row.lastAt = r.occurredAt;
  }
  return [...rows.values()]
    .map(({ values, ...row }) => ({ ...row, valueSum: values.toString() }))
    .sort((a, b) => compareKeys([a.bucket, JSON.stringify(a.group)], [b.bucket, JSON.stringify(b.group)]));
}
