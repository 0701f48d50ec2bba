import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecretBox, generateKey, keyIdFor } from '@tributary/core/crypto';
import type { SourceDefinition } from '@tributary/core/pipeline';
import { createMemoryQueue } from '@tributary/core/queue/memory';
import { createMemoryStorage } from '@tributary/core/storage/memory';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import type { Engines } from '../src/engines.js';
import { createLogger } from '../src/logger.js';
import { createServer, type TributaryServer } from '../src/server.js';

const dataDir = mkdtempSync(join(tmpdir(), 'tributary-keys-'));
const storage = createMemoryStorage();
const queue = createMemoryQueue();
// Each "process" disposes the engines on stop; the shared ones are closed once, by the test.
const engines: Engines = { storage, queue, describe: { storage: 'memory', queue: 'memory' }, dispose: async () => undefined };
const adminToken = 'rotation-admin-token-0123456789';
const OLD = generateKey();
const NEW = generateKey();
const servers: TributaryServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop();
  await queue.dispose();
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(secretKey: string, previousSecretKeys: string[] = []) {
  const config = loadConfig({ TRIBUTARY_EMBEDDED: 'memory', TRIBUTARY_DATA_DIR: dataDir, TRIBUTARY_RATE_LIMIT: '0' });
  const server = await createServer({ config, role: 'api', engines, secrets: { adminToken, secretKey, previousSecretKeys }, fetch: async () => new Response('{}'), logger: createLogger({ level: 'silent' }) });
  servers.push(server);
  const call = async (method: string, path: string, token: string, body?: unknown) => {
    const res = await server.app.fetch(new Request(`http://t${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) }));
    return { status: res.status, body: (await res.json()) as any };
  };
  return { server, call };
}

/** Every ciphertext stored for sources and destinations, with the key id it names. */
async function storedKeyIds(workspaceIds: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const ws of workspaceIds) {
    for (const { document: s } of (await storage.listDocuments<SourceDefinition>('sources', ws)).items) {
      for (const c of [s.credentials, s.webhook?.secret]) if (c) ids.push(c.split('.')[1]!);
    }
    for (const { document: d } of (await storage.listDocuments<{ config: Record<string, unknown> }>('destinations', ws)).items) {
      for (const v of Object.values(d.config)) if (v && typeof v === 'object') ids.push(`${Object.keys(v)[0]}:${String(Object.values(v)[0]).split('.')[1]}`);
    }
  }
  return ids.sort();
}

describe('secret key rotation', () => {
  it('re-encrypts every stored secret with the new key, resumably, after which the old key can go', async () => {
    const before = await start(OLD);
    const workspaces: { id: string; apiKey: string }[] = [];
    for (const name of ['one', 'two']) {
      const ws = (await before.call('POST', '/v1/workspaces', adminToken, { name })).body;
      workspaces.push(ws);
      const source = await before.call('POST', `/v1/workspaces/${ws.id}/sources`, ws.apiKey, { name: 'forum', connector: 'discourse', config: { baseUrl: 'https://forum.example.com' }, credentials: { apiKey: `forum-key-${name}`, apiUsername: 'system' }, webhook: { secret: `hook-${name}` }, check: false });
      expect(source.status).toBe(201);
      const dest = await before.call('POST', `/v1/workspaces/${ws.id}/destinations`, ws.apiKey, { kind: 'webhook', url: 'https://receiver.example.com/in', config: { secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }, rateLimit: { perSecond: 1, burst: 1 } });
      expect(dest.status).toBe(201);
    }
    // A destination as the server stored it before destinations moved into core: single key `k1`, field-only binding.
    const legacyBox = createSecretBox({ keys: { k1: OLD } });
    await storage.putDocument('destinations', workspaces[0]!.id, 'dst_legacy', {
      id: 'dst_legacy',
      workspaceId: workspaces[0]!.id,
      target: 'slack',
      config: { webhookUrl: { $encrypted: legacyBox.encryptJson('https://hooks.slack.com/services/T/B/LEGACY', 'tributary/destination-config/webhookUrl') } },
      filter: null,
      rateLimit: null,
      enabled: true,
      createdAt: '2025-06-01T00:00:00.000Z',
    });
    const ids = workspaces.map((w) => w.id);
    expect((await storedKeyIds(ids)).some((id) => id.includes(keyIdFor(NEW)))).toBe(false);

    // The operator makes NEW the primary key and keeps OLD as previous.
    const after = await start(NEW, [OLD]);
    const resolved = await after.server.pipeline.sources.resolve(ids[0]!, (await after.server.pipeline.sources.list(ids[0]!))[0]!.id);
    expect(resolved.credentials).toEqual({ apiKey: 'forum-key-one', apiUsername: 'system' });
    expect((await after.server.pipeline.destinations.resolve(ids[0]!, 'dst_legacy'))!.config).toMatchObject({ webhookUrl: 'https://hooks.slack.com/services/T/B/LEGACY' });

    // Only the admin runs it.
    expect((await after.call('POST', '/v1/admin/secret-key/reencrypt', workspaces[0]!.apiKey)).status).toBe(403);
    const dry = await after.call('POST', '/v1/admin/secret-key/reencrypt?dryRun=true', adminToken);
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ keyId: keyIdFor(NEW), done: true, workspacesTotal: 2, sources: { scanned: 2, reencrypted: 2, failed: 0 }, destinations: { scanned: 3, reencrypted: 3, failed: 0 } });
    expect((await storedKeyIds(ids)).some((id) => id.includes(keyIdFor(NEW)))).toBe(false);

    // One workspace per call: the second call resumes after the first.
    const first = await after.call('POST', '/v1/admin/secret-key/reencrypt?maxWorkspaces=1', adminToken);
    expect(first.body).toMatchObject({ done: false, resumed: false, workspacesDone: 1, workspacesTotal: 2 });
    const second = await after.call('POST', '/v1/admin/secret-key/reencrypt?maxWorkspaces=1', adminToken);
    expect(second.body).toMatchObject({ done: true, resumed: true, workspacesDone: 2, sources: { reencrypted: 2, failed: 0 }, destinations: { reencrypted: 3, failed: 0 }, failures: [] });

    // Everything is under NEW, destinations in the bound format.
    const now = await storedKeyIds(ids);
    expect(now).toHaveLength(4 + 3);
    expect(now.every((id) => id.endsWith(keyIdFor(NEW)))).toBe(true);
    expect(now.filter((id) => id.startsWith('$sealed:'))).toHaveLength(3);
    const again = await after.call('POST', '/v1/admin/secret-key/reencrypt?dryRun=true', adminToken);
    expect(again.body).toMatchObject({ sources: { reencrypted: 0 }, destinations: { reencrypted: 0 } });

    // A process with only the new key reads it all.
    const newOnly = await start(NEW);
    for (const ws of ids) {
      for (const s of await newOnly.server.pipeline.sources.list(ws)) {
        const r = await newOnly.server.pipeline.sources.resolve(ws, s.id);
        expect(r.credentials).toMatchObject({ apiUsername: 'system' });
        expect(r.webhookSecret).toMatch(/^hook-/);
      }
      for (const d of await newOnly.server.pipeline.destinations.list(ws)) expect(await newOnly.server.pipeline.destinations.resolve(ws, d.id)).not.toBeNull();
    }
    expect((await newOnly.server.pipeline.destinations.resolve(ids[0]!, 'dst_legacy'))!.config).toMatchObject({ webhookUrl: 'https://hooks.slack.com/services/T/B/LEGACY' });
  });

  it('refuses a malformed previous key in the configuration', () => {
    expect(() => loadConfig({ TRIBUTARY_EMBEDDED: 'memory', TRIBUTARY_SECRET_KEY_PREVIOUS: `${generateKey()},short` })).toThrow(/TRIBUTARY_SECRET_KEY_PREVIOUS/);
    expect(loadConfig({ TRIBUTARY_EMBEDDED: 'memory', TRIBUTARY_SECRET_KEY_PREVIOUS: `${OLD}, ${NEW}` }).TRIBUTARY_SECRET_KEY_PREVIOUS).toEqual([OLD, NEW]);
  });
});
