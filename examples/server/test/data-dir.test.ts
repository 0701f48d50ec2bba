// Bug 5 of docs/reliability.md: with the admin token and the secret key given, nothing created the
// data directory, and the embedded engine failed to start (ENOENT mkdir …/pglite). The engines now
// create it, with its parents.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'tributary-fresh-'));
let t: TestServer | undefined;
afterAll(async () => {
  await t?.close();
  rmSync(root, { recursive: true, force: true });
});

it('starts the embedded engine in a data directory that does not exist yet, secrets given', async () => {
  const dataDir = join(root, 'not', 'yet', 'data');
  expect(existsSync(dataDir)).toBe(false);
  // The helper passes the admin token and secret key in, so no secret is generated (the bug's case).
  t = await startTestServer({ dataDir, env: { TRIBUTARY_EMBEDDED: 'pglite' } });
  expect(existsSync(join(dataDir, 'pglite'))).toBe(true);
  const ws = await t.workspace('fresh');
  const res = await t.call('POST', `/v1/workspaces/${ws.id}/records`, { token: ws.apiKey, body: { externalId: 'first', itemType: 'note', occurredAt: '2026-01-01T00:00:00Z', content: { text: 'first record' } } });
  expect(res.status).toBe(202);
  await t.drain();
  expect(await t.server.pipeline.storage.getRecord(ws.id, res.body.ids[0])).not.toBeNull();
});
