import { expect } from 'vitest';
import { rawPayloadId } from '../record/ids.js';
import { GLOBAL_SCOPE, type RawPayload, type StorageAdapter } from '../storage/index.js';
import { FIXTURE_CONNECTOR } from './records.js';
import type { StorageCase } from './storage-kit.js';
import { sleep } from './wait.js';

/** Some slack for a database clock that differs a little from ours. */
const CLOCK_SKEW_MS = 2000;

function raw(workspaceId: string, sourceId: string, externalId: string, payload: unknown, receivedAt: string): RawPayload {
  return { id: rawPayloadId(workspaceId, sourceId, externalId, payload), workspaceId, sourceId, externalId, itemType: 'kit.post', connector: { ...FIXTURE_CONNECTOR }, payload, receivedAt };
}

/** Reads every page of a listing, checking there are no duplicates. */
async function readPages<T>(list: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>, id: (item: T) => string): Promise<T[]> {
  const all: T[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const result = await list(cursor);
    all.push(...result.items);
    if (result.nextCursor === null) {
      const ids = all.map(id);
      expect(new Set(ids).size, 'no item listed twice').toBe(ids.length);
      return all;
    }
    cursor = result.nextCursor;
  }
  throw new Error('[tributary] [testing] a listing kept returning a cursor after 1000 pages');
}

async function listAllDocuments(storage: StorageAdapter, collection: string, scope: string, limit?: number) {
  return readPages((cursor) => storage.listDocuments<unknown>(collection, scope, { ...(limit ? { limit } : {}), ...(cursor ? { cursor } : {}) }), (d) => d.id);
}

/** Raw payloads, checkpoints, locks and documents. */
export const storageStateCases: Record<string, StorageCase> = {
  'raw payloads are stored once per id, read back intact and listed in pages': async ({ storage, workspace, unique }) => {
    const ws = workspace();
    const source = unique('src');
    const payloads = Array.from({ length: 5 }, (_, i) => raw(ws, source, `post-${i}`, { id: i, body: `héllo ${i}`, nested: { tags: ['a', 'b'], n: null } }, `2026-01-0${i + 1}T00:00:00.000Z`));
    await storage.putRawPayloads(payloads.slice(0, 3));
    // Putting one again, even with another payload under the same id, keeps the first: ids are content hashes.
    await storage.putRawPayloads([{ ...payloads[0]!, payload: { overwritten: true } }, ...payloads.slice(3)]);
    await storage.putRawPayloads([]);
    expect(await storage.getRawPayload(ws, payloads[0]!.id)).toEqual(payloads[0]);
    expect(await storage.getRawPayload(ws, payloads[4]!.id)).toEqual(payloads[4]);
    expect(await storage.getRawPayload(ws, 'raw_missing')).toBeNull();
    const listed = await readPages((cursor) => storage.listRawPayloads(ws, source, { limit: 2, ...(cursor ? { cursor } : {}) }), (p) => p.id);
    expect(listed.map((p) => p.id).sort()).toEqual(payloads.map((p) => p.id).sort());
    expect((await storage.listRawPayloads(ws, unique('other-src'))).items).toEqual([]);
  },

  'checkpoints are kept per workspace, source and stream': async ({ storage, workspace, unique }) => {
    const ws = workspace();
    const source = unique('src');
    const other = unique('src');
    expect(await storage.getCheckpoint(ws, source)).toBeNull();
    const value = { cursor: 'abc', page: 3, seen: ['x', 'y'], at: '2026-01-01T00:00:00.000Z', nested: { ok: true } };
    await storage.setCheckpoint(ws, source, value);
    await storage.setCheckpoint(ws, source, { cursor: 'comments' }, 'comments');
    expect(await storage.getCheckpoint(ws, source)).toEqual(value);
    expect(await storage.getCheckpoint(ws, source, 'comments')).toEqual({ cursor: 'comments' });
    expect(await storage.getCheckpoint(ws, source, 'other-stream')).toBeNull();
    expect(await storage.getCheckpoint(ws, other)).toBeNull();
    await storage.setCheckpoint(ws, source, { cursor: 'def' });
    expect(await storage.getCheckpoint(ws, source)).toEqual({ cursor: 'def' });
    expect(await storage.getCheckpoint(ws, source, 'comments')).toEqual({ cursor: 'comments' });
    await storage.setCheckpoint(ws, other, 42);
    expect(await storage.getCheckpoint(ws, other)).toBe(42);
  },

  'a lock is exclusive until its owner releases it': async ({ storage, unique }) => {
    const key = unique('lock');
    const before = Date.now();
    const lease = await storage.acquireLock(key, 'owner-a', 10_000);
    expect(lease).toMatchObject({ key, owner: 'owner-a' });
    expect(lease!.expiresAt).toBeGreaterThanOrEqual(before + 10_000 - CLOCK_SKEW_MS);
    expect(lease!.expiresAt).toBeLessThanOrEqual(Date.now() + 10_000 + CLOCK_SKEW_MS);
    expect(await storage.acquireLock(key, 'owner-b', 10_000), 'held by someone else').toBeNull();
    expect(await storage.acquireLock(key, 'owner-a', 10_000), 'the owner may take it again').toMatchObject({ key, owner: 'owner-a' });
    await storage.releaseLock(key, 'owner-b');
    expect(await storage.acquireLock(key, 'owner-b', 10_000), 'only the owner releases').toBeNull();
    await storage.releaseLock(key, 'owner-a');
    expect(await storage.acquireLock(key, 'owner-b', 10_000)).toMatchObject({ key, owner: 'owner-b' });
    expect(await storage.acquireLock(unique('lock'), 'owner-a', 10_000), 'keys are independent').not.toBeNull();
    await storage.releaseLock(key, 'owner-b');
  },

  'only the owner renews a lock, and renewal keeps it past its first ttl': async ({ storage, unique }) => {
    const key = unique('lock');
    // Leases of a second and more, with wide margins: a loaded machine delays each call.
    expect(await storage.acquireLock(key, 'owner-a', 1000)).not.toBeNull();
    expect(await storage.renewLock(key, 'owner-b', 1000)).toBe(false);
    await sleep(300);
    expect(await storage.renewLock(key, 'owner-a', 3000)).toBe(true);
    await sleep(1000);
    // 1.3 s after taking a 1 s lease: held only thanks to the renewal.
    expect(await storage.acquireLock(key, 'owner-b', 1000)).toBeNull();
    expect(await storage.renewLock(unique('lock'), 'owner-a', 300), 'a lock never taken').toBe(false);
    await storage.releaseLock(key, 'owner-a');
  },

  'a lock expires after its ttl': async ({ storage, unique }) => {
    const key = unique('lock');
    // A lease long enough that a loaded machine cannot let it lapse between the first two calls.
    expect(await storage.acquireLock(key, 'owner-a', 1000)).not.toBeNull();
    expect(await storage.acquireLock(key, 'owner-b', 1000)).toBeNull();
    await sleep(1200);
    expect(await storage.renewLock(key, 'owner-a', 100), 'an expired lease is lost').toBe(false);
    expect(await storage.acquireLock(key, 'owner-b', 1000)).toMatchObject({ key, owner: 'owner-b' });
    expect(await storage.renewLock(key, 'owner-a', 100), 'now held by another').toBe(false);
    expect(await storage.acquireLock(key, 'owner-a', 1000)).toBeNull();
    await storage.releaseLock(key, 'owner-b');
  },

  'documents are kept per collection and scope': async ({ storage, workspace, unique }) => {
    const ws = workspace();
    const id = unique('doc');
    const doc = { name: 'Forum', config: { baseUrl: 'https://example.com', tags: ['a'] }, enabled: true, count: 3 };
    expect(await storage.getDocument('sources', ws, id)).toBeNull();
    await storage.putDocument('sources', ws, id, doc);
    expect(await storage.getDocument('sources', ws, id)).toEqual(doc);
    expect(await storage.getDocument('destinations', ws, id), 'another collection').toBeNull();
    expect(await storage.getDocument('sources', workspace('other'), id), 'another scope').toBeNull();
    await storage.putDocument('sources', ws, id, { ...doc, name: 'Renamed' });
    expect(await storage.getDocument('sources', ws, id)).toEqual({ ...doc, name: 'Renamed' });
    // Workspaces themselves live in the global scope.
    const globalId = unique('ws');
    await storage.putDocument('workspaces', GLOBAL_SCOPE, globalId, { name: 'Acme' });
    expect(await storage.getDocument('workspaces', GLOBAL_SCOPE, globalId)).toEqual({ name: 'Acme' });
    expect(await storage.deleteDocument('workspaces', GLOBAL_SCOPE, globalId)).toBe(true);

    expect(await storage.deleteDocument('sources', ws, id)).toBe(true);
    expect(await storage.deleteDocument('sources', ws, id), 'already gone').toBe(false);
    expect(await storage.getDocument('sources', ws, id)).toBeNull();
    expect(await listAllDocuments(storage, 'sources', ws)).toEqual([]);
  },

  'insertDocument stores only when absent, once among concurrent inserts': async ({ storage, workspace, unique }) => {
    // Optional in the port: an adapter without it leaves its callers on leases (checked by its absence).
    if (!storage.insertDocument) {
      expect(storage.insertDocument).toBeUndefined();
      return;
    }
    const ws = workspace();
    const id = unique('claim');
    expect(await storage.insertDocument('webhook-deliveries', ws, id, { owner: 'a', n: 1 })).toBe(true);
    expect(await storage.getDocument('webhook-deliveries', ws, id)).toEqual({ owner: 'a', n: 1 });
    expect(await storage.insertDocument('webhook-deliveries', ws, id, { owner: 'b', n: 2 }), 'already there').toBe(false);
    expect(await storage.getDocument('webhook-deliveries', ws, id), 'a refused insert writes nothing').toEqual({ owner: 'a', n: 1 });
    expect(await storage.insertDocument('webhook-deliveries', workspace('other'), id, { owner: 'c' }), 'another scope').toBe(true);
    expect(await storage.insertDocument('runs', ws, id, { owner: 'd' }), 'another collection').toBe(true);
    await storage.putDocument('webhook-deliveries', ws, id, { owner: 'a', n: 3 });
    expect(await storage.getDocument('webhook-deliveries', ws, id), 'put still replaces').toEqual({ owner: 'a', n: 3 });
    expect(await storage.deleteDocument('webhook-deliveries', ws, id)).toBe(true);
    expect(await storage.insertDocument('webhook-deliveries', ws, id, { owner: 'e' }), 'free again once deleted').toBe(true);

    const contested = unique('contested');
    const owners = Array.from({ length: 12 }, (_, i) => `owner-${i}`);
    const outcomes = await Promise.all(owners.map((owner) => storage.insertDocument!('webhook-deliveries', ws, contested, { owner })));
    const winners = owners.filter((_, i) => outcomes[i]);
    expect(winners, 'exactly one concurrent insert wins').toHaveLength(1);
    expect(await storage.getDocument('webhook-deliveries', ws, contested), "the stored document is the winner's").toEqual({ owner: winners[0] });
  },

  'listDocuments pages without gaps or duplicates': async ({ storage, workspace }) => {
    const ws = workspace();
    const ids = Array.from({ length: 7 }, (_, i) => `doc-${i}`);
    for (const id of ids) await storage.putDocument('runs', ws, id, { id, n: Number(id.slice(4)) });
    await storage.putDocument('sources', ws, 'doc-other', { other: true });
    const listed = await listAllDocuments(storage, 'runs', ws, 3);
    expect(listed.map((d) => d.id).sort()).toEqual(ids);
    expect(listed.find((d) => d.id === 'doc-4')?.document).toEqual({ id: 'doc-4', n: 4 });
    const first = await storage.listDocuments('runs', ws, { limit: 3 });
    expect(first.items).toHaveLength(3);
    expect(first.nextCursor).not.toBeNull();
    await storage.deleteDocument('runs', ws, 'doc-6');
    expect((await listAllDocuments(storage, 'runs', ws, 3)).map((d) => d.id).sort()).toEqual(ids.slice(0, 6));
  },
};
