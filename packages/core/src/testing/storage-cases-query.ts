import { expect } from 'vitest';
import { isTributaryError } from '../errors/index.js';
import type { TributaryRecord } from '../record/schema.js';
import type { RecordQuery, StorageAdapter } from '../storage/index.js';
import { recordMatches } from '../storage/memory/record-filter.js';
import { generateDataset } from './storage-dataset.js';
import { makeRecord } from './records.js';
import type { StorageCase } from './storage-kit.js';

/** The expected result of a query: the reference filter, ordered by `occurredAt` then id. */
function expectedIds(records: TributaryRecord[], query: RecordQuery): string[] {
  const sign = (query.order ?? 'desc') === 'desc' ? -1 : 1;
  const key = (r: TributaryRecord) => `${new Date(r.occurredAt).toISOString()}\u0000${r.id}`;
  return records
    .filter((r) => recordMatches(r, query))
    .sort((a, b) => (key(a) < key(b) ? -sign : key(a) > key(b) ? sign : 0))
    .map((r) => r.id);
}

/** Reads every page of a query, checking the page contract on the way. */
async function readAll(storage: StorageAdapter, query: RecordQuery): Promise<TributaryRecord[]> {
  const all: TributaryRecord[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const result = await storage.queryRecords({ ...query, ...(cursor ? { cursor } : {}) });
    if (query.limit !== undefined) expect(result.items.length, 'a page never exceeds the limit').toBeLessThanOrEqual(query.limit);
    if (result.nextCursor !== null) {
      expect(typeof result.nextCursor).toBe('string');
      // A full page before a cursor: short pages mid-way would make clients stop early.
      if (query.limit !== undefined) expect(result.items.length, 'pages before the last are full').toBe(query.limit);
    } else if (page > 0) {
      expect(result.items.length, 'no empty last page: nextCursor is null on the last page with items').toBeGreaterThan(0);
    }
    all.push(...result.items);
    if (result.nextCursor === null) return all;
    cursor = result.nextCursor;
  }
  throw new Error('[tributary] [testing] queryRecords kept returning a cursor after 1000 pages');
}

/** Seeds the dataset (and a decoy workspace) and returns the records of the main workspace. */
async function seed(storage: StorageAdapter, ws: string, decoy: string): Promise<TributaryRecord[]> {
  const records = generateDataset(ws);
  await storage.upsertRecords(records);
  await storage.upsertRecords(generateDataset(decoy, 30, 11));
  return records;
}

/** Filtered queries, keyset pagination and cursors. */
export const storageQueryCases: Record<string, StorageCase> = {
  'queryRecords applies every filter': async ({ storage, workspace }) => {
    const ws = workspace();
    const records = await seed(storage, ws, workspace('decoy'));
    const queries: Omit<RecordQuery, 'workspaceId'>[] = [
      {},
      { from: '2026-02-01T00:00:00.000Z' },
      { to: '2026-02-01T00:00:00.000Z' },
      { from: '2026-01-20T00:00:00.000Z', to: '2026-02-10T00:00:00.000Z' },
      { sourceIds: ['src_a'] },
      { sourceIds: ['src_a', 'src_c'] },
      { kinds: ['measurement'] },
      { kinds: ['feedback'] },
      { itemTypes: ['kit.comment'] },
      { sentiments: ['negative'] },
      { sentiments: ['positive', 'neutral'] },
      { languages: ['de'] },
      { categories: ['praise', 'bug_report'] },
      { measurementTypes: ['negative'] },
      { destinationIds: ['dst_2'] },
      { references: ['ref-1'] },
      { text: 'SLOW checkout' },
      // A LIKE-based engine must escape `%`: "100%" must not match "1000 users".
      { text: '100%' },
      { text: 'title 1' },
      { sourceIds: ['src_b'], sentiments: ['negative', 'positive'], from: '2026-01-15T00:00:00.000Z' },
      { kinds: ['measurement'], destinationIds: ['dst_1'], measurementTypes: ['positive'], references: ['ref-2', 'ref-3'] },
      { sourceIds: ['src_nope'] },
    ];
    for (const q of queries) {
      const query: RecordQuery = { workspaceId: ws, ...q, limit: 1000 };
      const ids = (await readAll(storage, query)).map((r) => r.id);
      expect(ids, `query ${JSON.stringify(q)}`).toEqual(expectedIds(records, query));
    }

    // Spot checks that do not rely on the reference filter.
    const negative = await readAll(storage, { workspaceId: ws, sentiments: ['negative'], limit: 1000 });
    expect(negative.length).toBeGreaterThan(0);
    expect(negative.every((r) => r.analysis.sentiment?.label === 'negative')).toBe(true);
    const percent = await readAll(storage, { workspaceId: ws, text: '100%', limit: 1000 });
    expect(percent.length).toBeGreaterThan(0);
    expect(percent.every((r) => r.content?.text?.includes('100%'))).toBe(true);
    const german = await readAll(storage, { workspaceId: ws, languages: ['de'], limit: 1000 });
    expect(german.every((r) => (r.analysis.language?.code ?? r.language) === 'de')).toBe(true);
    const refs = await readAll(storage, { workspaceId: ws, references: ['ref-1'], limit: 1000 });
    expect(refs.length).toBeGreaterThan(0);
    expect(refs.every((r) => r.measurement?.reference === 'ref-1')).toBe(true);
  },

  'keyset pagination has no gaps or duplicates, in both orders': async ({ storage, workspace }) => {
    const ws = workspace();
    const records = await seed(storage, ws, workspace('decoy'));
    for (const order of ['desc', 'asc'] as const) {
      for (const q of [{}, { kinds: ['feedback' as const] }, { sourceIds: ['src_b'], from: '2026-01-20T00:00:00.000Z' }]) {
        const query: RecordQuery = { workspaceId: ws, ...q, order, limit: 7 };
        const ids = (await readAll(storage, query)).map((r) => r.id);
        expect(new Set(ids).size, 'no duplicates').toBe(ids.length);
        expect(ids, `${order} ${JSON.stringify(q)}`).toEqual(expectedIds(records, query));
      }
    }
    // Default order is newest first; the default page holds 100.
    const first = await storage.queryRecords({ workspaceId: ws });
    expect(first.items).toHaveLength(100);
    expect(first.nextCursor).not.toBeNull();
    expect(first.items.map((r) => r.id)).toEqual(expectedIds(records, { workspaceId: ws }).slice(0, 100));
    // A page size that divides the total exactly still ends with a null cursor, not an empty page.
    const exact = await readAll(storage, { workspaceId: ws, limit: records.length / 4 });
    expect(exact).toHaveLength(records.length);
  },

  'records sharing a timestamp page by id without loss': async ({ storage, workspace }) => {
    const ws = workspace();
    const at = '2026-03-01T08:00:00.000Z';
    const records = Array.from({ length: 9 }, (_, i) => makeRecord({ workspaceId: ws, externalId: `tie-${i}`, occurredAt: at }));
    await storage.upsertRecords(records);
    for (const order of ['asc', 'desc'] as const) {
      const ids = (await readAll(storage, { workspaceId: ws, order, limit: 2 })).map((r) => r.id);
      expect(ids).toEqual(expectedIds(records, { workspaceId: ws, order }));
    }
  },

  'a malformed cursor is a validation error': async ({ storage, workspace, unique }) => {
    const ws = workspace();
    await storage.upsertRecords([makeRecord({ workspaceId: ws })]);
    const attempts: [string, () => Promise<unknown>][] = [
      ['queryRecords', () => storage.queryRecords({ workspaceId: ws, cursor: 'not-a-cursor!' })],
      ['listRawPayloads', () => storage.listRawPayloads(ws, unique('src'), { cursor: 'not-a-cursor!' })],
      ['listDocuments', () => storage.listDocuments('sources', ws, { cursor: 'not-a-cursor!' })],
    ];
    for (const [what, attempt] of attempts) {
      const error = await attempt().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isTributaryError(error, 'validation'), `${what}: expected a TributaryError validation, got ${String(error)}`).toBe(true);
    }
  },
};
