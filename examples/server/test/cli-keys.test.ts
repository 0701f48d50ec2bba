import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKey, keyIdFor } from '@tributary/core/crypto';
import type { SourceDefinition } from '@tributary/core/pipeline';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { createServer, type TributaryServer } from '../src/server.js';

const bin = join(import.meta.dirname, '..', 'bin', 'tributary.mjs');
const work = mkdtempSync(join(tmpdir(), 'tributary-cli-keys-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const dataDir = join(work, 'data');
const adminToken = 'cli-keys-admin-token-0123456789';
const OLD = generateKey();
const NEW = generateKey();

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // A clean configuration on the embedded engine; a port nothing listens on, so no server is found running there.
    const child = spawn(process.execPath, [bin, ...args], { cwd: work, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TRIBUTARY_DATA_DIR: dataDir, PORT: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The server on the data directory, in this process, stopped before each CLI run (PGlite has one owner). */
async function withServer<T>(secretKey: string, fn: (server: TributaryServer) => Promise<T>): Promise<T> {
  const config = loadConfig({ TRIBUTARY_DATA_DIR: dataDir, TRIBUTARY_RATE_LIMIT: '0' });
  const server = await createServer({ config, role: 'api', logger: createLogger({ level: 'silent' }), secrets: { adminToken, secretKey } });
  try {
    return await fn(server);
  } finally {
    await server.stop();
  }
}

describe('tributary keys rotate', () => {
  it('describes itself', async () => {
    const help = await cli(['keys', 'rotate', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: tributary keys rotate/);
    expect(help.stdout).toContain('TRIBUTARY_SECRET_KEY_PREVIOUS');
    const wrong = await cli(['keys', 'spin']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/unknown subcommand "spin"/);
  });

  it('re-encrypts the embedded database with the new key, then finds nothing left', async () => {
    const workspaceId = await withServer(OLD, async (server) => {
      const call = (path: string, token: string, body: unknown) => server.app.fetch(new Request(`http://t${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }));
      const ws = (await (await call('/v1/workspaces', adminToken, { name: 'acme' })).json()) as { id: string; apiKey: string };
      expect((await call(`/v1/workspaces/${ws.id}/sources`, ws.apiKey, { name: 'forum', connector: 'discourse', config: { baseUrl: 'https://forum.example.com' }, credentials: { apiKey: 'k', apiUsername: 'system' }, check: false })).status).toBe(201);
      return ws.id;
    });
    const env = { TRIBUTARY_SECRET_KEY: NEW, TRIBUTARY_SECRET_KEY_PREVIOUS: OLD, TRIBUTARY_ADMIN_TOKEN: adminToken };
    const run = await cli(['keys', 'rotate'], env);
    expect(run.stderr).toContain(`key ${keyIdFor(NEW)}`);
    expect(run.stderr).toMatch(/1\/1 workspaces; sources: 1 re-encrypted of 1; destinations: 0 re-encrypted of 0/);
    expect(run.code).toBe(0);
    const dry = await cli(['keys', 'rotate', '--dry-run'], env);
    expect(dry.code).toBe(0);
    expect(dry.stderr).toMatch(/sources: 0 to re-encrypt of 1/);
    // The credentials now open with the new key alone.
    await withServer(NEW, async (server) => {
      const [source] = (await server.engines.storage.listDocuments<SourceDefinition>('sources', workspaceId)).items;
      expect(source!.document.credentials!.split('.')[1]).toBe(keyIdFor(NEW));
      expect((await server.pipeline.sources.resolve(workspaceId, source!.id)).credentials).toEqual({ apiKey: 'k', apiUsername: 'system' });
    });
  }, 120_000);
});
