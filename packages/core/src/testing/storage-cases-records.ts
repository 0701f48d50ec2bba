import { expect } from 'vitest';
import type { TributaryRecord } from '../record/schema.js';
import { rawPayloadId } from '../record/ids.js';
import { makeRecord, FIXTURE_CONNECTOR } from './records.js';
import type { StorageCase } from './storage-kit.js';

const T0 = '2026-01-10T00:00:00.000Z';
const T1 = '2026-01-11T00:00:00.000Z';
const T2 = '2026-01-12T00:00:00.000Z';

/** The same item as `base`, edited: new text, optionally a new `sourceUpdatedAt`. */
function edited(base: TributaryRecord, text: string, sourceUpdatedAt?: string): TributaryRecord {
  return makeRecord({
    workspaceId: base.workspaceId,
    sourceId: base.sourceId,
    externalId: base.externalId,
    occurredAt: base.occurredAt,
    content: { text },
    ...(sourceUpdatedAt ? { sourceUpdatedAt } : {}),
  });
}

/** Upserts, revisions, history, re-analysis and workspace isolation. */
export const storageRecordCases: Record<string, StorageCase> = {
  'upsert reports created, unchanged, updated and stale, with revisions and history': async ({ storage, workspace }) => {
    const ws = workspace();
    const v1 = makeRecord({ workspaceId: ws, sourceUpdatedAt: T1, content: { title: 'Checkout', text: 'first' }, analysis: { sentiment: { label: 'positive', score: 0.8 } } });
    expect(await storage.upsertRecords([v1])).toEqual([{ id: v1.id, status: 'created', revision: 1 }]);
    expect(await storage.getRecord(ws, v1.id), 'the stored record, incoming analysis included').toEqual(v1);
    expect(await storage.upsertRecords([v1])).toEqual([{ id: v1.id, status: 'unchanged', revision: 1 }]);
    expect(await storage.getRecordHistory(ws, v1.id)).toEqual([]);

    const v2 = edited(v1, 'second', T2);
    expect(await storage.upsertRecords([v2])).toEqual([{ id: v1.id, status: 'updated', revision: 2 }]);
    expect(await storage.getRecord(ws, v1.id)).toMatchObject({ revision: 2, content: { text: 'second' }, contentHash: v2.contentHash });
    expect(await storage.getRecordHistory(ws, v1.id), 'history keeps the earlier version').toEqual([v1]);

    // Older at the source than what is stored: an out-of-order delivery, not an edit.
    const stale = edited(v1, 'third', T0);
    expect(await storage.upsertRecords([stale])).toEqual([{ id: v1.id, status: 'stale', revision: 2 }]);
    expect(await storage.getRecord(ws, v1.id)).toMatchObject({ revision: 2, content: { text: 'second' } });

    // Without sourceUpdatedAt there is nothing to call it stale by: the edit applies.
    const v3 = edited(v1, 'fourth');
    expect(await storage.upsertRecords([v3])).toEqual([{ id: v1.id, status: 'updated', revision: 3 }]);
    const history = await storage.getRecordHistory(ws, v1.id);
    expect(history.map((r) => [r.revision, r.content?.text]), 'oldest first, current excluded').toEqual([
      [1, 'first'],
      [2, 'second'],
    ]);
    expect(await storage.getRecordHistory(ws, 'rec_missing')).toEqual([]);
    expect(await storage.getRecord(ws, 'rec_missing')).toBeNull();
  },

  'storage sets the revision, whatever the incoming record says': async ({ storage, workspace }) => {
    const ws = workspace();
    const r = makeRecord({ workspaceId: ws, revision: 9 });
    expect(await storage.upsertRecords([r])).toEqual([{ id: r.id, status: 'created', revision: 1 }]);
    expect((await storage.getRecord(ws, r.id))?.revision).toBe(1);
    const next = { ...edited(r, 'edited'), revision: 9 };
    expect(await storage.upsertRecords([next])).toEqual([{ id: r.id, status: 'updated', revision: 2 }]);
  },

  'a batch returns its outcomes in input order': async ({ storage, workspace }) => {
    const ws = workspace();
    const a = makeRecord({ workspaceId: ws, externalId: 'a' });
    const b = makeRecord({ workspaceId: ws, externalId: 'b', sourceUpdatedAt: T2 });
    expect((await storage.upsertRecords([a, b])).map((o) => o.status)).toEqual(['created', 'created']);
    const c = makeRecord({ workspaceId: ws, externalId: 'c' });
    const d = makeRecord({ workspaceId: ws, externalId: 'd' });
    const batch = [c, a, edited(b, 'late copy', T1), d, edited(a, 'a edited')];
    const outcomes = await storage.upsertRecords(batch);
    expect(outcomes.map((o) => o.id)).toEqual(batch.map((r) => r.id));
    expect(outcomes.map((o) => [o.status, o.revision])).toEqual([
      ['created', 1],
      ['unchanged', 1],
      ['stale', 1],
      ['created', 1],
      ['updated', 2],
    ]);
    expect(await storage.upsertRecords([])).toEqual([]);
  },

  'a batch holding the same record twice applies both, in order': async ({ storage, workspace }) => {
    const ws = workspace();
    const v1 = makeRecord({ workspaceId: ws, content: { text: 'one' } });
    const v2 = edited(v1, 'two');
    const outcomes = await storage.upsertRecords([v1, v1, v2]);
    expect(outcomes.map((o) => [o.status, o.revision])).toEqual([
      ['created', 1],
      ['unchanged', 1],
      ['updated', 2],
    ]);
    expect((await storage.getRecord(ws, v1.id))?.content?.text).toBe('two');
    expect((await storage.getRecordHistory(ws, v1.id)).map((r) => r.content?.text)).toEqual(['one']);
  },

  'updateAnalysis succeeds only with the current content hash': async ({ storage, workspace }) => {
    const ws = workspace();
    const r = makeRecord({ workspaceId: ws, analysis: { sentiment: { label: 'positive', score: 0.5 } } });
    await storage.upsertRecords([r]);
    const analysis = { sentiment: { label: 'negative' as const, score: -0.7, confidence: 0.9 }, topics: ['checkout'] };
    const provenance = { ...r.provenance, analyzers: [{ name: 'kit-sentiment', version: '2.0.0' }], analyzedAt: '2026-01-16T00:00:00.000Z' };
    expect(await storage.updateAnalysis(ws, r.id, r.contentHash, analysis, provenance)).toBe(true);
    const stored = await storage.getRecord(ws, r.id);
    expect(stored?.analysis).toEqual(analysis);
    expect(stored?.provenance).toEqual(provenance);
    expect(stored?.revision, 're-analysis makes no revision').toBe(1);
    expect(await storage.getRecordHistory(ws, r.id)).toEqual([]);

    const other = { sentiment: { label: 'neutral' as const, score: 0 } };
    expect(await storage.updateAnalysis(ws, r.id, 'sha256:not-the-hash', other, provenance)).toBe(false);
    expect(await storage.updateAnalysis(ws, 'rec_missing', r.contentHash, other, provenance)).toBe(false);
    expect(await storage.updateAnalysis(workspace('other'), r.id, r.contentHash, other, provenance)).toBe(false);
    expect((await storage.getRecord(ws, r.id))?.analysis).toEqual(analysis);

    // After an edit, analysis computed for the old text must not land on the new one.
    await storage.upsertRecords([edited(r, 'edited text')]);
    expect(await storage.updateAnalysis(ws, r.id, r.contentHash, other, provenance)).toBe(false);
  },

  'nothing of one workspace is visible from another': async ({ storage, workspace, unique }) => {
    const a = workspace('a');
    const b = workspace('b');
    const source = unique('src');
    const r = makeRecord({ workspaceId: a, sourceId: source, content: { text: 'tenant a secret' }, analysis: { sentiment: { label: 'negative', score: -0.5 } } });
    await storage.upsertRecords([r, edited(r, 'tenant a secret, edited')]);
    expect(await storage.getRecord(b, r.id)).toBeNull();
    expect(await storage.getRecordHistory(b, r.id)).toEqual([]);
    expect((await storage.queryRecords({ workspaceId: b })).items).toEqual([]);
    expect((await storage.queryRecords({ workspaceId: b, text: 'secret' })).items).toEqual([]);
    expect(await storage.aggregate({ workspaceId: b })).toEqual([]);
    expect(await storage.aggregate({ workspaceId: b, bucket: 'day', groupBy: ['sourceId'] })).toEqual([]);

    const raw = { id: rawPayloadId(a, source, r.externalId, { x: 1 }), workspaceId: a, sourceId: source, externalId: r.externalId, itemType: 'test.item', connector: { ...FIXTURE_CONNECTOR }, payload: { x: 1 }, receivedAt: r.receivedAt };
    await storage.putRawPayloads([raw]);
    expect(await storage.getRawPayload(b, raw.id)).toBeNull();
    expect((await storage.listRawPayloads(b, source)).items).toEqual([]);

    await storage.setCheckpoint(a, source, { cursor: 'a' });
    expect(await storage.getCheckpoint(b, source)).toBeNull();

    await storage.putDocument('sources', a, source, { name: 'a' });
    expect(await storage.getDocument('sources', b, source)).toBeNull();
    expect((await storage.listDocuments('sources', b)).items).toEqual([]);
    expect(await storage.deleteDocument('sources', b, source)).toBe(false);

    // And workspace a still sees all of it.
    expect((await storage.getRecord(a, r.id))?.content?.text).toBe('tenant a secret, edited');
    expect((await storage.queryRecords({ workspaceId: a })).items.map((x) => x.id)).toEqual([r.id]);
    expect(await storage.getRawPayload(a, raw.id)).toEqual(raw);
    expect(await storage.getCheckpoint(a, source)).toEqual({ cursor: 'a' });
    expect(await storage.getDocument('sources', a, source)).toEqual({ name: 'a' });
  },

  'records with the same id in two workspaces stay apart': async ({ storage, workspace }) => {
    const a = workspace('a');
    const b = workspace('b');
    const inA = makeRecord({ workspaceId: a, content: { text: 'from a' } });
    // Ids derive from the workspace, so this only happens on purpose; storage must still key by workspace.
    const inB = { ...makeRecord({ workspaceId: b, externalId: inA.externalId, content: { text: 'from b' } }), id: inA.id };
    await storage.upsertRecords([inA]);
    expect(await storage.upsertRecords([inB])).toEqual([{ id: inA.id, status: 'created', revision: 1 }]);
    expect((await storage.getRecord(a, inA.id))?.content?.text).toBe('from a');
    expect((await storage.getRecord(b, inA.id))?.content?.text).toBe('from b');
    expect(await storage.getRecordHistory(a, inA.id)).toEqual([]);
  },
};
