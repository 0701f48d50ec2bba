import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKey } from '@tributary/core/crypto';
import { createMemoryQueue } from '@tributary/core/queue/memory';
import { createMemoryStorage } from '@tributary/core/storage/memory';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import type { Engines } from '../src/engines.js';
import { createLogger } from '../src/logger.js';
import { createServer, type Role, type TributaryServer } from '../src/server.js';

const dataDir = mkdtempSync(join(tmpdir(), 'tributary-roles-'));
const servers: TributaryServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('roles', () => {
  it('splits the API, the workers and the dispatcher into processes sharing the engines', async () => {
    const storage = createMemoryStorage();
    const queue = createMemoryQueue();
    // Each "process" disposes the engines on stop; shared ones are closed once, by the test.
    const engines: Engines = { storage, queue, describe: { storage: 'memory', queue: 'memory' }, dispose: async () => undefined };
    const secrets = { adminToken: 'roles-admin-token-0123456789', secretKey: generateKey() };
    const delivered: string[] = [];
    const fetch = async (input: string | URL | Request) => {
      delivered.push(String(input));
      return new Response('{}', { status: 200 });
    };
    const config = loadConfig({ TRIBUTARY_EMBEDDED: 'memory', TRIBUTARY_DATA_DIR: dataDir, TRIBUTARY_RATE_LIMIT: '0' });
    const start = async (role: Role) => {
      const server = await createServer({ config, role, engines, secrets, fetch, logger: createLogger({ level: 'silent' }) });
      await server.start();
      servers.push(server);
      return server;
    };
    const api = await start('api');
    const worker = await start('worker');
    const dispatcher = await start('dispatcher');

    const call = (path: string, init: RequestInit = {}) => api.app.fetch(new Request(`http://t${path}`, init));
    const ws = (await (await call('/v1/workspaces', { method: 'POST', headers: { authorization: `Bearer ${secrets.adminToken}` }, body: JSON.stringify({ name: 'split' }) })).json()) as { id: string; apiKey: string };
    const auth = { authorization: `Bearer ${ws.apiKey}` };
    expect((await call(`/v1/workspaces/${ws.id}/destinations`, { method: 'POST', headers: auth, body: JSON.stringify({ kind: 'http', url: 'https://receiver.example.com/in', rateLimit: { perSecond: 100, burst: 100 }, filter: { types: ['record.processed'] } }) })).status).toBe(201);
    expect((await call(`/v1/workspaces/${ws.id}/records`, { method: 'POST', headers: auth, body: JSON.stringify({ externalId: 'r1', itemType: 'note', occurredAt: '2026-01-01T00:00:00Z', content: { text: 'hello' } }) })).status).toBe(202);

    await api.pipeline.drain({ timeoutMs: 10_000 });
    expect(delivered).toEqual(['https://receiver.example.com/in']);
    const records = (await (await call(`/v1/workspaces/${ws.id}/records`, { headers: auth })).json()) as { items: unknown[] };
    expect(records.items).toHaveLength(1);

    // Workers and dispatchers serve health, readiness and metrics only.
    expect((await worker.app.fetch(new Request('http://t/readyz'))).status).toBe(200);
    expect((await dispatcher.app.fetch(new Request('http://t/metrics'))).status).toBe(200);
    expect((await worker.app.fetch(new Request(`http://t/v1/workspaces/${ws.id}`, { headers: auth }))).status).toBe(404);
    // Deliveries were counted by the dispatcher, stored records by the worker.
    expect(await (await dispatcher.app.fetch(new Request(`http://t/metrics`))).text()).toMatch(/tributary_deliveries_total\{outcome="delivered"\} 1/);
    expect(await (await worker.app.fetch(new Request('http://t/metrics'))).text()).toMatch(/tributary_records_stored_total\{status="created"\} 1/);
    await queue.dispose();
    await storage.dispose();
  });
});
