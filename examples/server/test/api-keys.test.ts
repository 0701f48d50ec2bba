import { createHash } from 'node:crypto';
import { createMemoryQueue } from '@tributary/core/queue/memory';
import { createMemoryStorage } from '@tributary/core/storage/memory';
import { createManualClock } from '@tributary/core/clock';
import { createApiKeyStore } from '../src/api-keys.js';
import { GLOBAL_SCOPE } from '@tributary/core/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engines } from '../src/engines.js';
import { startTestServer, type TestServer } from './helpers.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

const keys = (ws: string, rest = '') => `/v1/workspaces/${ws}/api-keys${rest}`;

describe('workspace API keys', () => {
  it('creates named keys shown once, lists them without their secrets, and marks the caller', async () => {
    const ws = await t.workspace('keys');
    const created = await t.call('POST', keys(ws.id), { token: ws.apiKey, body: { name: 'shop ingest' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.any(String), name: 'shop ingest', prefix: `trb_${created.body.id}`, status: 'active', lastUsedAt: null, expiresAt: null, apiKey: expect.stringMatching(/^trb_[A-Za-z0-9_-]{12}\.[A-Za-z0-9_-]{43}$/) });
    expect(created.body.last4).toBe(created.body.apiKey.slice(-4));
    expect((await t.call('GET', `/v1/workspaces/${ws.id}`, { token: created.body.apiKey })).status).toBe(200);

    const list = await t.call('GET', keys(ws.id), { token: ws.apiKey });
    expect(list.status).toBe(200);
    expect(list.body.items.map((k: { name: string; current: boolean }) => [k.name, k.current])).toEqual([
      ['default', true],
      ['shop ingest', false],
    ]);
    expect(list.text).not.toContain(created.body.apiKey.split('.')[1]);
    expect(list.text).not.toContain(ws.apiKey.split('.')[1]);
    // The first use was recorded (asynchronously, at most once a minute per process).
    await new Promise((r) => setTimeout(r, 20));
    const again = await t.call('GET', keys(ws.id), { token: t.adminToken });
    expect(again.body.items.find((k: { current: boolean; name: string }) => k.name === 'default').lastUsedAt).toEqual(expect.any(String));
    expect(again.body.items.every((k: { current: boolean }) => !k.current)).toBe(true);
    // Keys never reach the log.
    expect(t.logs.join('\n')).not.toContain(created.body.apiKey.split('.')[1]);
  });

  it('names the bad field of a key request', async () => {
    const ws = await t.workspace('bad');
    const noName = await t.call('POST', keys(ws.id), { token: ws.apiKey, body: {} });
    expect(noName.status).toBe(400);
    expect(noName.body.error.issues[0].path).toBe('name');
    const past = await t.call('POST', keys(ws.id), { token: ws.apiKey, body: { name: 'x', expiresAt: '2000-01-01T00:00:00Z' } });
    expect(past.status).toBe(400);
    expect(past.body.error.issues[0].path).toBe('expiresAt');
    const grace = await t.call('POST', keys(ws.id, `/${ws.apiKey.slice(4, 16)}/rotate?gracePeriod=30d`), { token: ws.apiKey });
    expect(grace.status).toBe(400);
    expect(grace.body.error.issues[0].path).toBe('gracePeriod');
  });

  it('revokes a key at once; the last active key only with the admin token', async () => {
    const ws = await t.workspace('revoke');
    const defaultId = ws.apiKey.slice(4, 16);
    const second = (await t.call('POST', keys(ws.id), { token: ws.apiKey, body: { name: 'second' } })).body;
    expect((await t.call('DELETE', keys(ws.id, `/${second.id}`), { token: ws.apiKey })).status).toBe(204);
    const refused = await t.call('GET', `/v1/workspaces/${ws.id}`, { token: second.apiKey });
    expect(refused.status).toBe(401);
    expect((await t.call('DELETE', keys(ws.id, `/${second.id}`), { token: ws.apiKey })).status).toBe(404);

    const last = await t.call('DELETE', keys(ws.id, `/${defaultId}`), { token: ws.apiKey });
    expect(last.status).toBe(409);
    expect(last.body.error.code).toBe('conflict');
    expect((await t.call('GET', `/v1/workspaces/${ws.id}`, { token: ws.apiKey })).status).toBe(200);
    // A key may revoke itself once another exists.
    const third = (await t.call('POST', keys(ws.id), { token: ws.apiKey, body: { name: 'third' } })).body;
    expect((await t.call('DELETE', keys(ws.id, `/${defaultId}`), { token: ws.apiKey })).status).toBe(204);
    expect((await t.call('GET', `/v1/workspaces/${ws.id}`, { token: ws.apiKey })).status).toBe(401);
    // The admin may lock a workspace out (a compromised key, say).
    expect((await t.call('DELETE', keys(ws.id, `/${third.id}`), { token: t.adminToken })).status).toBe(204);
    expect((await t.call('GET', keys(ws.id), { token: t.adminToken })).body.items).toEqual([]);
  });

  it('rotates a key: a new secret, the old one accepted only during the grace period', async () => {
    const ws = await t.workspace('rotate');
    const id = ws.apiKey.slice(4, 16);
    const rotated = await t.call('POST', keys(ws.id, `/${id}/rotate?gracePeriod=1h`), { token: ws.apiKey });
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({ id, name: 'default', current: true, rotatedAt: expect.any(String), previousValidUntil: expect.any(String) });
    expect(rotated.body.apiKey).not.toBe(ws.apiKey);
    expect(Date.parse(rotated.body.previousValidUntil) - Date.parse(rotated.body.rotatedAt)).toBe(3_600_000);
    expect((await t.call('GET', `/v1/workspaces/${ws.id}`, { token: rotated.body.apiKey })).status).toBe(200);
    expect((await t.call('GET', `/v1/workspaces/${ws.id}`, { token: ws.apiKey })).status).toBe(200);

    // Without a grace period the replaced secret stops at once, and so does the one still in its grace.
    const again = await t.call('POST', keys(ws.id, `/${id}/rotate`), { token: rotated.body.apiKey });
    expect(again.body.previousValidUntil).toBeNull();
    expect((await t.call('GET', `/v1/workspaces/${ws.id}`, { token: ws.apiKey })).status).toBe(401);
    expect((await t.call('GET', `/v1/workspaces/${ws.id}`, { token: rotated.body.apiKey })).status).toBe(401);
    expect((await t.call('GET', `/v1/workspaces/${ws.id}`, { token: again.body.apiKey })).status).toBe(200);
    expect((await t.call('POST', keys(ws.id, '/nokeyhere123/rotate'), { token: again.body.apiKey })).status).toBe(404);
  });

  it('stops accepting an expired key', async () => {
    const ws = await t.workspace('expiry');
    const soon = new Date(Date.now() + 300).toISOString();
    const short = (await t.call('POST', keys(ws.id), { token: ws.apiKey, body: { name: 'short', expiresAt: soon } })).body;
    expect((await t.call('GET', `/v1/workspaces/${ws.id}`, { token: short.apiKey })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 400));
    expect((await t.call('GET', `/v1/workspaces/${ws.id}`, { token: short.apiKey })).status).toBe(401);
    const listed = (await t.call('GET', keys(ws.id), { token: ws.apiKey })).body.items.find((k: { id: string }) => k.id === short.id);
    expect(listed.status).toBe('expired');
  });
});

describe('API keys across processes', () => {
  let a: TestServer;
  let b: TestServer;
  const storage = createMemoryStorage();
  const queue = createMemoryQueue();
  const engines: Engines = { storage, queue, describe: { storage: 'memory', queue: 'memory' }, dispose: async () => undefined };
  beforeAll(async () => {
    // Two processes on one store, with the default workspace cache and the key cache off
    // (TRIBUTARY_API_KEY_CACHE_MS=0): a revocation in one is seen by the other at once. The default
    // 2 s bound is tested in api-key-cache.test.ts.
    a = await startTestServer({ env: { TRIBUTARY_API_KEY_CACHE_MS: '0' }, server: { engines, authCacheTtlMs: 30_000 } });
    b = await startTestServer({ env: { TRIBUTARY_API_KEY_CACHE_MS: '0' }, server: { engines, authCacheTtlMs: 30_000 } });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await queue.dispose();
    await storage.dispose();
  });

  it('with the key cache off, a key revoked or rotated through one process stops working in the other at once', async () => {
    const ws = await a.workspace('shared');
    const extra = (await a.call('POST', keys(ws.id), { token: ws.apiKey, body: { name: 'extra' } })).body;
    expect((await b.call('GET', `/v1/workspaces/${ws.id}`, { token: extra.apiKey })).status).toBe(200);
    expect((await a.call('DELETE', keys(ws.id, `/${extra.id}`), { token: ws.apiKey })).status).toBe(204);
    expect((await b.call('GET', `/v1/workspaces/${ws.id}`, { token: extra.apiKey })).status).toBe(401);

    expect((await b.call('GET', `/v1/workspaces/${ws.id}`, { token: ws.apiKey })).status).toBe(200);
    const rotated = (await a.call('POST', keys(ws.id, `/${ws.apiKey.slice(4, 16)}/rotate`), { token: ws.apiKey })).body;
    expect((await b.call('GET', `/v1/workspaces/${ws.id}`, { token: ws.apiKey })).status).toBe(401);
    expect((await b.call('GET', `/v1/workspaces/${ws.id}`, { token: rotated.apiKey })).status).toBe(200);
  });

  it('keeps keys stored before named keys existed working, and lists them after a one-time indexing', async () => {
    // A workspace and key as the server stored them before this change: no name, no index entry.
    const legacyKey = `trb_legacykey001.${'A'.repeat(43)}`;
    await storage.putDocument('workspaces', GLOBAL_SCOPE, 'ws_legacy', { id: 'ws_legacy', name: 'old', createdAt: '2025-01-01T00:00:00.000Z' });
    await storage.putDocument('api-keys', GLOBAL_SCOPE, 'legacykey001', { keyId: 'legacykey001', workspaceId: 'ws_legacy', hash: createHash('sha256').update(legacyKey).digest('hex'), createdAt: '2025-01-01T00:00:00.000Z' });
    expect((await b.call('GET', '/v1/workspaces/ws_legacy', { token: legacyKey })).status).toBe(200);
    // A fresh process (the others indexed already, before this key existed) finds it.
    const c = await startTestServer({ server: { engines } });
    try {
      await storage.deleteDocument('migrations', GLOBAL_SCOPE, 'api-key-index-v1');
      const list = await c.call('GET', keys('ws_legacy'), { token: legacyKey });
      expect(list.status).toBe(200);
      expect(list.body.items).toEqual([expect.objectContaining({ id: 'legacykey001', name: 'default', last4: null, current: true, status: 'active' })]);
    } finally {
      await c.close();
    }
  });
});

describe('the key cache of a process that owns its store', () => {
  it('drops its own entries on revocation and rotation, and re-reads after its time to live', async () => {
    const storage = createMemoryStorage();
    const clock = createManualClock(Date.UTC(2026, 0, 1));
    const mine = createApiKeyStore({ storage, clock, cacheTtlMs: 30_000 });
    const other = createApiKeyStore({ storage, clock });
    const a = await mine.create('ws', { name: 'a' });
    const b = await mine.create('ws', { name: 'b' });
    expect(await mine.verify(a.apiKey)).toEqual({ workspaceId: 'ws', keyId: a.key.id });
    await mine.revoke('ws', a.key.id, { allowLast: false });
    expect(await mine.verify(a.apiKey)).toBeNull();
    const rotated = await mine.rotate('ws', b.key.id, { graceMs: 0 });
    expect(await mine.verify(b.apiKey)).toBeNull();
    expect(await mine.verify(rotated.apiKey)).not.toBeNull();
    // A change made through another store is only seen once the entry expires: why shared stores run without a cache.
    await other.revoke('ws', b.key.id, { allowLast: true });
    expect(await mine.verify(rotated.apiKey)).not.toBeNull();
    await clock.advance(30_001);
    expect(await mine.verify(rotated.apiKey)).toBeNull();
    expect(await other.verify(rotated.apiKey)).toBeNull();
  });
});
