import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

describe('workspaces and authentication', () => {
  it('creates a workspace with the admin token and shows its API key once', async () => {
    const res = await t.call('POST', '/v1/workspaces', { token: t.adminToken, body: { name: 'Acme' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ id: expect.stringMatching(/^ws_/), name: 'Acme', apiKey: expect.stringMatching(/^trb_[A-Za-z0-9_-]{12}\.[A-Za-z0-9_-]{43}$/) });
    const got = await t.call('GET', `/v1/workspaces/${res.body.id}`, { token: res.body.apiKey });
    expect(got.status).toBe(200);
    expect(got.body).toEqual({ id: res.body.id, name: 'Acme', createdAt: res.body.createdAt });
    // The key is stored as a hash only.
    const stored = await t.server.pipeline.storage.listDocuments<Record<string, unknown>>('api-keys', '_global');
    expect(JSON.stringify(stored)).not.toContain(res.body.apiKey);
    expect(JSON.stringify(stored)).not.toContain(res.body.apiKey.split('.')[1]);
  });

  it('requires the admin token to create a workspace', async () => {
    const none = await t.call('POST', '/v1/workspaces', { body: { name: 'x' } });
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('unauthorized');
    const wrong = await t.call('POST', '/v1/workspaces', { token: 'not-the-admin-token', body: { name: 'x' } });
    expect(wrong.status).toBe(401);
    const ws = await t.workspace('holder');
    const withKey = await t.call('POST', '/v1/workspaces', { token: ws.apiKey, body: { name: 'x' } });
    expect(withKey.status).toBe(403);
    expect(withKey.body.error.code).toBe('forbidden');
  });

  it('names the bad field of an invalid body', async () => {
    const res = await t.call('POST', '/v1/workspaces', { token: t.adminToken, body: { name: '' } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation');
    expect(res.body.error.issues).toEqual([expect.objectContaining({ path: 'name' })]);
    const extra = await t.call('POST', '/v1/workspaces', { token: t.adminToken, body: { name: 'a', nme: 'typo' } });
    expect(extra.status).toBe(400);
    const notJson = await t.call('POST', '/v1/workspaces', { token: t.adminToken, raw: '{name:', headers: { 'content-type': 'application/json' } });
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.message).toMatch(/not valid JSON/);
    const empty = await t.call('POST', '/v1/workspaces', { token: t.adminToken });
    expect(empty.status).toBe(400);
  });

  it('rejects a tampered or unknown key, and answers 404 for an unknown workspace to the admin', async () => {
    const ws = await t.workspace();
    const tampered = ws.apiKey.slice(0, -2) + (ws.apiKey.endsWith('AA') ? 'BB' : 'AA');
    expect((await t.call('GET', `/v1/workspaces/${ws.id}`, { token: tampered })).status).toBe(401);
    expect((await t.call('GET', `/v1/workspaces/${ws.id}`)).status).toBe(401);
    expect((await t.call('GET', `/v1/workspaces/${ws.id}`, { token: t.adminToken })).status).toBe(200);
    const missing = await t.call('GET', '/v1/workspaces/ws_nope', { token: t.adminToken });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
  });

  it('lists workspaces for the admin', async () => {
    const res = await t.call('GET', '/v1/workspaces?limit=1000', { token: t.adminToken });
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeGreaterThan(0);
    expect(JSON.stringify(res.body)).not.toContain('apiKey');
    expect((await t.call('GET', '/v1/workspaces?limit=1001', { token: t.adminToken })).body.error.issues[0].path).toBe('limit');
  });
});
