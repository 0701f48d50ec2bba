import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers.js';

// `file` sources are created with a workspace key: they must not read outside the import directory.
describe('file sources are confined to the import directory', () => {
  let t: TestServer;
  const importDir = mkdtempSync(join(tmpdir(), 'tributary-imports-'));
  const outside = mkdtempSync(join(tmpdir(), 'tributary-outside-'));
  beforeAll(async () => {
    mkdirSync(importDir, { recursive: true });
    writeFileSync(join(importDir, 'feedback.ndjson'), '{"id":"a","text":"I love it","at":"2026-01-01T00:00:00Z"}\n{"id":"b","text":"it is broken","at":"2026-01-02T00:00:00Z"}\n');
    writeFileSync(join(outside, 'secret.ndjson'), '{"id":"s","text":"server secret","at":"2026-01-01T00:00:00Z"}\n');
    t = await startTestServer({ env: { TRIBUTARY_IMPORT_DIR: importDir } });
  });
  afterAll(async () => {
    await t.close();
    rmSync(importDir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  const createAndSync = async (ws: { id: string; apiKey: string }, path: string) => {
    const created = await t.call('POST', `/v1/workspaces/${ws.id}/sources`, { token: ws.apiKey, body: { name: 'import', connector: 'file', config: { path, format: 'ndjson', mapping: { text: 'text', occurredAt: 'at' }, idPath: 'id' } } });
    expect(created.status).toBe(201);
    const sync = await t.call('POST', `/v1/workspaces/${ws.id}/sources/${created.body.id}/sync`, { token: ws.apiKey });
    expect(sync.status).toBe(202);
    await t.drain();
    const runs = await t.call('GET', `/v1/workspaces/${ws.id}/sources/${created.body.id}/runs`, { token: ws.apiKey });
    return runs.body.items[0] as { status: string; items: number; error: string | null };
  };

  it('reads a file inside the import directory', async () => {
    const ws = await t.workspace('inside');
    const run = await createAndSync(ws, 'feedback.ndjson');
    expect(run).toMatchObject({ status: 'succeeded', items: 2 });
    const records = await t.call('GET', `/v1/workspaces/${ws.id}/records`, { token: ws.apiKey });
    expect(records.body.items).toHaveLength(2);
  });

  it('refuses absolute paths and ../ escapes, storing nothing', async () => {
    const ws = await t.workspace('outside');
    for (const path of [join(outside, 'secret.ndjson'), `../${join('..', outside, 'secret.ndjson')}`, '/etc/passwd']) {
      const run = await createAndSync(ws, path);
      expect(run.status).toBe('failed');
    }
    const records = await t.call('GET', `/v1/workspaces/${ws.id}/records`, { token: ws.apiKey });
    expect(records.body.items).toHaveLength(0);
  });
});
