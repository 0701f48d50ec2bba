import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers.js';

let t: TestServer;
let a: { id: string; apiKey: string };
let b: { id: string; apiKey: string };
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestServer({ respond: (url) => (url.includes('/reject') ? new Response('no', { status: 400 }) : undefined) });
  a = await t.workspace('A');
  b = await t.workspace('B');
  // Workspace B gets one of everything.
  const src = await t.call('POST', `/v1/workspaces/${b.id}/sources`, { token: b.apiKey, body: { name: 'B forum', connector: 'discourse', config: { baseUrl: 'https://forum.example.com' }, webhook: { secret: 'b-secret' } } });
  ids.id = src.body.id;
  const dst = await t.call('POST', `/v1/workspaces/${b.id}/destinations`, { token: b.apiKey, body: { kind: 'http', url: 'https://receiver.example.com/reject', rateLimit: { perSecond: 100, burst: 100 } } });
  ids.destination = dst.body.id;
  const key = await t.call('POST', `/v1/workspaces/${b.id}/api-keys`, { token: b.apiKey, body: { name: 'B second key' } });
  ids.apiKey = key.body.id;
  const sync = await t.call('POST', `/v1/workspaces/${b.id}/sources/${ids.id}/sync`, { token: b.apiKey });
  ids.runId = sync.body.runId;
  await t.call('POST', `/v1/workspaces/${b.id}/records`, { token: b.apiKey, body: { recordId: 'b-1', time: '2026-01-01T00:00:00Z', sourceId: 's', destinationId: 'd', type: 'positive', value: '1', unit: 'EUR', reference: 'r' } });
  await t.drain();
  const letters = await t.call('GET', `/v1/workspaces/${b.id}/dead-letters`, { token: b.apiKey });
  ids.deadLetter = letters.body.items[0]?.id;
  ids.deadLetters = String(letters.body.items.length);
});
afterAll(() => t.close());

/** Every workspace route of the API, from the OpenAPI document (so a new route is covered too). */
async function workspaceOperations() {
  const doc = (await t.call('GET', '/openapi.json')).body as { paths: Record<string, Record<string, { security: unknown[]; requestBody?: unknown }>> };
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([, op]) => path.includes('{ws}') && JSON.stringify(op.security).includes('workspaceKey'))
      .map(([method]) => ({ method: method.toUpperCase(), path })),
  );
}

const idFor = (path: string, id: string) => (path.includes('destinations') ? ids.destination! : path.includes('dead-letters') ? (ids.deadLetter ?? 'dl') : path.includes('api-keys') ? ids.apiKey! : id);
const fill = (path: string, ws: string, id: string) => path.replace('{ws}', ws).replace('{id}', encodeURIComponent(idFor(path, id))).replace('{runId}', ids.runId!);

describe('tenancy', () => {
  it('has data in workspace B to protect', () => {
    expect(ids.id).toBeTruthy();
    expect(ids.destination).toBeTruthy();
    expect(ids.deadLetter).toBeTruthy();
    expect(ids.apiKey).toBeTruthy();
  });

  it("answers 403 to workspace A's key on every route of workspace B, and changes nothing", async () => {
    const operations = await workspaceOperations();
    expect(operations.length).toBeGreaterThanOrEqual(20);
    for (const { method, path } of operations) {
      const res = await t.call(method, fill(path, b.id, ids.id!), { token: a.apiKey, ...(method === 'GET' || method === 'DELETE' ? {} : { body: {} }) });
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 403 });
      expect(res.body.error.code).toBe('forbidden');
      expect(res.text).not.toContain(ids.id);
    }
    // B's things are all still there, as B sees them.
    expect((await t.call('GET', `/v1/workspaces/${b.id}/sources/${ids.id}`, { token: b.apiKey })).status).toBe(200);
    expect((await t.call('GET', `/v1/workspaces/${b.id}/destinations/${ids.destination}`, { token: b.apiKey })).status).toBe(200);
    expect((await t.call('GET', `/v1/workspaces/${b.id}/dead-letters`, { token: b.apiKey })).body.items).toHaveLength(Number(ids.deadLetters));
    const bKeys = (await t.call('GET', `/v1/workspaces/${b.id}/api-keys`, { token: b.apiKey })).body.items as { id: string }[];
    expect(bKeys.map((k) => k.id)).toContain(ids.apiKey);
    expect(bKeys).toHaveLength(2);
  });

  it("answers 404 when A's key asks for B's resources under A's own workspace", async () => {
    const get = (path: string) => t.call('GET', `/v1/workspaces/${a.id}${path}`, { token: a.apiKey });
    expect((await get(`/sources/${ids.id}`)).status).toBe(404);
    expect((await get(`/sources/${ids.id}/runs`)).status).toBe(404);
    expect((await get(`/runs/${ids.runId}`)).status).toBe(404);
    expect((await get(`/destinations/${ids.destination}`)).status).toBe(404);
    expect((await t.call('DELETE', `/v1/workspaces/${a.id}/destinations/${ids.destination}`, { token: a.apiKey })).status).toBe(404);
    expect((await t.call('PATCH', `/v1/workspaces/${a.id}/sources/${ids.id}`, { token: a.apiKey, body: { name: 'mine' } })).status).toBe(404);
    expect((await t.call('PATCH', `/v1/workspaces/${a.id}/destinations/${ids.destination}`, { token: a.apiKey, body: { name: 'mine' } })).status).toBe(404);
    expect((await t.call('DELETE', `/v1/workspaces/${a.id}/api-keys/${ids.apiKey}`, { token: a.apiKey })).status).toBe(404);
    expect((await t.call('POST', `/v1/workspaces/${a.id}/api-keys/${ids.apiKey}/rotate`, { token: a.apiKey })).status).toBe(404);
    expect((await get('/api-keys')).body.items.map((k: { id: string }) => k.id)).not.toContain(ids.apiKey);
    expect((await t.call('POST', `/v1/workspaces/${a.id}/sources/${ids.id}/sync`, { token: a.apiKey })).status).toBe(404);
    expect((await t.call('POST', `/v1/workspaces/${a.id}/dead-letters/${encodeURIComponent(ids.deadLetter!)}/replay`, { token: a.apiKey })).status).toBe(404);
    expect((await get('/records')).body.items).toEqual([]);
    expect((await get('/aggregates')).body.groups).toEqual([]);
    expect((await get('/insights?from=2025-01-01&to=2027-01-01')).body.totals.count).toBe(0);
    expect((await get('/dead-letters')).body.items).toEqual([]);
    expect((await get('/sources')).body.items.map((s: { id: string }) => s.id)).not.toContain(ids.id);
    expect((await get('/destinations')).body.items).toEqual([]);
  });

  it("lets the admin token reach any workspace, and keeps B's webhook out of A's path", async () => {
    expect((await t.call('GET', `/v1/workspaces/${b.id}/sources/${ids.id}`, { token: t.adminToken })).status).toBe(200);
    expect((await t.call('POST', `/v1/hooks/${a.id}/${ids.id}`, { raw: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(404);
  });
});
