import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers.js';

let t: TestServer;
let ws: { id: string; apiKey: string };
beforeAll(async () => {
  t = await startTestServer();
  ws = await t.workspace();
});
afterAll(() => t.close());

const records = (q = '') => `/v1/workspaces/${ws.id}/records${q}`;
const value = (recordId: string, value: string, extra: Record<string, unknown> = {}) => ({
  recordId,
  time: '2026-02-01T10:00:00Z',
  sourceId: 'acct-1',
  destinationId: 'acct-9',
  type: 'positive',
  value,
  unit: 'EUR',
  reference: 'inv-1',
  ...extra,
});
const draft = (externalId: string, text: string, occurredAt = '2026-02-03T10:00:00Z') => ({ externalId, itemType: 'survey.answer', occurredAt, content: { text } });

describe('records API', () => {
  it('accepts one record in the uniform format (202) and stores it analyzed', async () => {
    const res = await t.call('POST', records(), { token: ws.apiKey, body: draft('a-1', 'This product is wonderful and I love it') });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ accepted: 1, ids: [expect.any(String)] });
    await t.drain();
    const got = await t.call('GET', records(`?text=wonderful`), { token: ws.apiKey });
    expect(got.body.items).toEqual([expect.objectContaining({ id: res.body.ids[0], externalId: 'a-1', sourceId: 'api' })]);
    expect(got.body.items[0].analysis).toMatchObject({ sentiment: { label: 'positive' }, language: { code: 'en' } });
  });

  it('accepts valid entries and rejects invalid ones with their index and field', async () => {
    const res = await t.call('POST', records(), {
      token: ws.apiKey,
      body: { records: [value('v-1', '10.50'), value('v-2', 'ten'), draft('d-1', 'fine'), { externalId: 'd-2', itemType: 'x' }, 'nonsense', value('v-3', '1', { type: 'sideways' })] },
    });
    expect(res.status).toBe(202);
    expect(res.body.accepted).toBe(2);
    expect(res.body.ids).toHaveLength(2);
    expect(res.body.rejected).toEqual([
      { index: 1, issues: [expect.objectContaining({ path: 'value' })] },
      { index: 3, issues: [expect.objectContaining({ path: 'occurredAt' })] },
      { index: 4, issues: [expect.objectContaining({ path: '' })] },
      { index: 5, issues: [expect.objectContaining({ path: 'type' })] },
    ]);
  });

  it('answers 400 naming each field when no entry is valid', async () => {
    const res = await t.call('POST', records(), { token: ws.apiKey, body: { records: [value('x', 'abc'), value('y', '1', { time: 'yesterday' })] } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation');
    expect(res.body.error.issues.map((i: { path: string }) => i.path)).toEqual(['records.0.value', 'records.1.time']);
    const single = await t.call('POST', records(), { token: ws.apiKey, body: value('z', 'abc') });
    expect(single.status).toBe(400);
    expect(single.body.error.issues[0].path).toBe('value');
    const empty = await t.call('POST', records(), { token: ws.apiKey, body: { records: [] } });
    expect(empty.status).toBe(400);
    expect(empty.body.error.issues[0].path).toBe('records');
    const tooMany = await t.call('POST', records(), { token: ws.apiKey, body: { records: Array.from({ length: 1001 }, (_, i) => value(`m-${i}`, '1')) } });
    expect(tooMany.status).toBe(400);
  });

  it('aggregates seed 003 records by destination with exact totals (0.1 + 0.2 = "0.3")', async () => {
    const other = await t.workspace('ledger');
    const res = await t.call('POST', `/v1/workspaces/${other.id}/records`, {
      token: other.apiKey,
      body: { records: [value('r1', '0.1'), value('r2', '0.2', { time: '2026-02-02T10:00:00Z' }), value('r3', '5', { destinationId: 'acct-7', type: 'negative' }), value('r1', '0.1')] },
    });
    expect(res.status).toBe(202);
    await t.drain();
    const agg = await t.call('GET', `/v1/workspaces/${other.id}/aggregates?groupBy=destinationId`, { token: other.apiKey });
    expect(agg.status).toBe(200);
    expect(agg.body.groups).toEqual([
      { destinationId: 'acct-7', count: 1, total: '5', records: [expect.objectContaining({ recordId: 'r3' })] },
      { destinationId: 'acct-9', count: 2, total: '0.3', records: [expect.objectContaining({ recordId: 'r1', value: '0.1' }), expect.objectContaining({ recordId: 'r2', value: '0.2' })] },
    ]);
    const filtered = await t.call('GET', `/v1/workspaces/${other.id}/aggregates?type=positive&start=2026-02-02T00:00:00Z&end=2026-02-03`, { token: other.apiKey });
    expect(filtered.body.groups).toEqual([expect.objectContaining({ destinationId: 'acct-9', count: 1, total: '0.2' })]);
    const bad = await t.call('GET', `/v1/workspaces/${other.id}/aggregates?groupBy=unit&type=up`, { token: other.apiKey });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues.map((i: { path: string }) => i.path).sort()).toEqual(['groupBy', 'type']);
    expect((await t.call('GET', `/v1/workspaces/${other.id}/aggregates?start=tomorrow`, { token: other.apiKey })).body.error.issues[0].path).toBe('start');
  });

  it('filters by time, source, sentiment, language, category and text, with cursor pagination', async () => {
    const w = await t.workspace('filters');
    const entries = [
      draft('f-1', 'I love this, it is excellent', '2026-03-01T10:00:00Z'),
      draft('f-2', 'This is terrible and broken, I hate it', '2026-03-02T10:00:00Z'),
      draft('f-3', 'Das ist wirklich sehr schlecht und ich bin enttäuscht von dem Produkt', '2026-03-03T10:00:00Z'),
      draft('f-4', 'I love the excellent support team, wonderful', '2026-03-04T10:00:00Z'),
    ];
    expect((await t.call('POST', `/v1/workspaces/${w.id}/records`, { token: w.apiKey, body: { records: entries } })).status).toBe(202);
    await t.drain();
    const q = async (query: string) => (await t.call('GET', `/v1/workspaces/${w.id}/records${query}`, { token: w.apiKey })).body;
    expect((await q('')).items.map((r: { externalId: string }) => r.externalId)).toEqual(['f-4', 'f-3', 'f-2', 'f-1']);
    expect((await q('?order=asc&from=2026-03-02&to=2026-03-04')).items.map((r: { externalId: string }) => r.externalId)).toEqual(['f-2', 'f-3']);
    expect((await q('?sentiment=positive')).items.map((r: { externalId: string }) => r.externalId).sort()).toEqual(['f-1', 'f-4']);
    expect((await q('?language=de')).items.map((r: { externalId: string }) => r.externalId)).toEqual(['f-3']);
    expect((await q('?text=SUPPORT')).items.map((r: { externalId: string }) => r.externalId)).toEqual(['f-4']);
    expect((await q('?source=api&kind=feedback&limit=4')).items).toHaveLength(4);
    expect((await q('?source=src_other')).items).toHaveLength(0);
    expect((await q('?category=question')).items).toEqual(expect.any(Array));

    const first = await q('?limit=3');
    expect(first.items).toHaveLength(3);
    const second = await q(`?limit=3&cursor=${encodeURIComponent(first.nextCursor)}`);
    expect(second.items.map((r: { externalId: string }) => r.externalId)).toEqual(['f-1']);
    expect(second.nextCursor).toBeNull();
  });

  it('answers 400 for limit 1001, bad filters and a forged cursor', async () => {
    const limit = await t.call('GET', records('?limit=1001'), { token: ws.apiKey });
    expect(limit.status).toBe(400);
    expect(limit.body.error.issues[0].path).toBe('limit');
    expect((await t.call('GET', records('?limit=1000'), { token: ws.apiKey })).status).toBe(200);
    const sentiment = await t.call('GET', records('?sentiment=happy'), { token: ws.apiKey });
    expect(sentiment.status).toBe(400);
    expect(sentiment.body.error.issues[0].path).toMatch(/^sentiment/);
    const from = await t.call('GET', records('?from=last-week'), { token: ws.apiKey });
    expect(from.body.error.issues[0].path).toBe('from');
    const cursor = await t.call('GET', records('?cursor=forged'), { token: ws.apiKey });
    expect(cursor.status).toBe(400);
  });

  it('serves insights: totals, volume and sentiment per bucket, and the daily report', async () => {
    const w = await t.workspace('insights');
    await t.call('POST', `/v1/workspaces/${w.id}/records`, {
      token: w.apiKey,
      body: { records: [draft('i-1', 'I love it, excellent', '2026-04-01T10:00:00Z'), draft('i-2', 'awful, I hate it', '2026-04-01T12:00:00Z'), draft('i-3', 'great', '2026-04-02T09:00:00Z')] },
    });
    await t.drain();
    const res = await t.call('GET', `/v1/workspaces/${w.id}/insights?from=2026-04-01&to=2026-04-03&bucket=day`, { token: w.apiKey });
    expect(res.status).toBe(200);
    expect(res.body.totals).toMatchObject({ count: 3, positive: 2, negative: 1 });
    expect(res.body.volume).toEqual([
      { bucket: '2026-04-01T00:00:00.000Z', count: 2 },
      { bucket: '2026-04-02T00:00:00.000Z', count: 1 },
    ]);
    expect(res.body.sentiment[0]).toMatchObject({ bucket: '2026-04-01T00:00:00.000Z', positive: 1, negative: 1 });
    expect(res.body.daily).toEqual([expect.objectContaining({ day: '2026-04-01', sourceId: 'api', count: 2 }), expect.objectContaining({ day: '2026-04-02', count: 1 })]);
    // the full insight report of core rides along
    expect(res.body.report).toMatchObject({ workspaceId: w.id });
    expect(Object.keys(res.body.report)).toEqual(expect.arrayContaining(['timeline', 'topTopics', 'anomalies']));
    const none = await t.call('GET', `/v1/workspaces/${w.id}/insights?from=2026-04-01&to=2026-04-03&source=src_x`, { token: w.apiKey });
    expect(none.body.totals.count).toBe(0);
    const bad = await t.call('GET', `/v1/workspaces/${w.id}/insights?from=2026-04-03&to=2026-04-01&bucket=minute`, { token: w.apiKey });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues[0].path).toBe('bucket');
    const backwards = await t.call('GET', `/v1/workspaces/${w.id}/insights?from=2026-04-03&to=2026-04-01`, { token: w.apiKey });
    expect(backwards.body.error.issues[0].path).toBe('from');
  });
});
