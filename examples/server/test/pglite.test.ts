import { signDiscourse } from '@tributary/core/webhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoursePost, startTestServer, type TestServer } from './helpers.js';

// The same routes on the embedded default's engine (PGlite store and queue in a temp directory).
let t: TestServer;
let ws: { id: string; apiKey: string };
let rejecting = true;
beforeAll(async () => {
  t = await startTestServer({
    env: { TRIBUTARY_EMBEDDED: 'pglite' },
    respond: (url) => (url.includes('/reject') && rejecting ? new Response('no', { status: 422 }) : undefined),
  });
  ws = await t.workspace();
}, 90_000);
afterAll(() => t?.close(), 30_000);

describe('on PGlite', () => {
  it('reports its engines', async () => {
    const ready = await t.call('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.engines.storage).toMatch(/^pglite /);
  });

  it('ingests seed 003 records with per-entry rejection and aggregates them exactly', async () => {
    const value = (recordId: string, v: string) => ({ recordId, time: '2026-02-01T10:00:00Z', sourceId: 'a', destinationId: 'acct-9', type: 'positive', value: v, unit: 'EUR', reference: 'r' });
    const res = await t.call('POST', `/v1/workspaces/${ws.id}/records`, { token: ws.apiKey, body: { records: [value('p1', '0.1'), value('p2', 'x'), value('p3', '0.2')] } });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ accepted: 2, rejected: [{ index: 1, issues: [expect.objectContaining({ path: 'value' })] }] });
    await t.drain();
    const agg = await t.call('GET', `/v1/workspaces/${ws.id}/aggregates`, { token: ws.apiKey });
    expect(agg.body.groups).toEqual([expect.objectContaining({ destinationId: 'acct-9', count: 2, total: '0.3' })]);
    const page = await t.call('GET', `/v1/workspaces/${ws.id}/records?limit=1`, { token: ws.apiKey });
    expect(page.body.items).toHaveLength(1);
    const next = await t.call('GET', `/v1/workspaces/${ws.id}/records?limit=1&cursor=${encodeURIComponent(page.body.nextCursor)}`, { token: ws.apiKey });
    expect(next.body.items[0].id).not.toBe(page.body.items[0].id);
  });

  it('takes a signed webhook end to end', async () => {
    const secret = 'pglite-hook-secret';
    const src = await t.call('POST', `/v1/workspaces/${ws.id}/sources`, { token: ws.apiKey, body: { name: 'Forum', connector: 'discourse', config: { baseUrl: 'https://forum.example.com' }, webhook: { secret } } });
    expect(src.status).toBe(201);
    const body = JSON.stringify(discoursePost(9001, 'The new release is excellent, I love it'));
    const res = await t.call('POST', `/v1/hooks/${ws.id}/${src.body.id}`, { raw: body, headers: { 'content-type': 'application/json', 'x-discourse-event': 'post_created', ...signDiscourse(body, secret) } });
    expect(res.status).toBe(202);
    await t.drain();
    const records = await t.call('GET', `/v1/workspaces/${ws.id}/records?source=${src.body.id}&sentiment=positive`, { token: ws.apiKey });
    expect(records.body.items.map((r: { id: string }) => r.id)).toEqual(res.body.ids);
  });

  it('lists and replays dead letters', async () => {
    await t.call('POST', `/v1/workspaces/${ws.id}/destinations`, { token: ws.apiKey, body: { kind: 'http', url: 'https://receiver.example.com/reject', rateLimit: { perSecond: 100, burst: 100 }, filter: { types: ['record.processed'] } } });
    await t.call('POST', `/v1/workspaces/${ws.id}/records`, { token: ws.apiKey, body: { externalId: 'dl', itemType: 'note', occurredAt: '2026-01-01T00:00:00Z', content: { text: 'x' } } });
    await t.drain();
    const list = await t.call('GET', `/v1/workspaces/${ws.id}/dead-letters`, { token: ws.apiKey });
    expect(list.body.items).toHaveLength(1);
    rejecting = false;
    const replay = await t.call('POST', `/v1/workspaces/${ws.id}/dead-letters/${list.body.items[0].id}/replay`, { token: ws.apiKey });
    expect(replay.status).toBe(202);
    await t.drain();
    expect((await t.call('GET', `/v1/workspaces/${ws.id}/dead-letters`, { token: ws.apiKey })).body.items).toEqual([]);
  });
});
