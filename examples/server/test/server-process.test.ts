import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const serverDir = join(import.meta.dirname, '..');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** Starts the server as `pnpm start` does and resolves with the URL it prints. */
function startServer(env: Record<string, string>, args: string[] = []): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@tributary/source', '--import', 'tsx', 'src/main.ts', ...args], { cwd: serverDir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    // PGlite creates its database on the first start: allow for a slow, busy machine.
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 60_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]!, output: () => out });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${out}`)));
  });
}

function stopServer(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

const children: ChildProcess[] = [];
const dataDir = mkdtempSync(join(tmpdir(), 'tributary-server-'));
afterAll(() => {
  for (const c of children) c.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('example server process', () => {
  it('starts on PORT, prints its URL and answers /healthz and /readyz', { timeout: 120_000 }, async () => {
    const port = await freePort();
    const { child, url, output } = await startServer({ PORT: String(port), TRIBUTARY_DATA_DIR: dataDir });
    children.push(child);
    expect(url).toBe(`http://127.0.0.1:${port}`);
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { queue: 'ok', storage: 'ok' } });
    const missing = await fetch(`${url}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'not_found' } });

    // The embedded default: PGlite in the data directory, secrets generated there (0600), the admin
    // token printed once.
    const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
    expect(output()).toContain(`Admin token (generated, kept in ${join(dataDir, 'admin-token')}): ${token}`);
    expect(statSync(join(dataDir, 'admin-token')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'secret-key')).mode & 0o777).toBe(0o600);
    expect(output()).not.toContain(readFileSync(join(dataDir, 'secret-key'), 'utf8').trim());
    expect(existsSync(join(dataDir, 'pglite'))).toBe(true);

    const created = await fetch(`${url}/v1/workspaces`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'durable' }) });
    expect(created.status).toBe(201);
    const { id, apiKey } = (await created.json()) as { id: string; apiKey: string };
    const recorded = await fetch(`${url}/v1/workspaces/${id}/records`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ recordId: 'r1', time: '2026-01-01T00:00:00Z', sourceId: 'a', destinationId: 'b', type: 'positive', value: '0.1', unit: 'EUR', reference: 'x' }),
    });
    expect(recorded.status).toBe(202);
    await stopServer(child);

    // Restarted on the same directory: same token (not printed again), the workspace and its key still work.
    const again = await startServer({ PORT: String(port), TRIBUTARY_DATA_DIR: dataDir });
    children.push(again.child);
    expect(again.output()).not.toContain(token);
    const workspace = await fetch(`${again.url}/v1/workspaces/${id}`, { headers: { authorization: `Bearer ${apiKey}` } });
    expect(workspace.status).toBe(200);
    let groups: unknown[] = [];
    for (let i = 0; i < 100 && groups.length === 0; i++) {
      const agg = await fetch(`${again.url}/v1/workspaces/${id}/aggregates`, { headers: { authorization: `Bearer ${apiKey}` } });
      groups = ((await agg.json()) as { groups: unknown[] }).groups;
      if (groups.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(groups).toEqual([expect.objectContaining({ destinationId: 'b', total: '0.1' })]);
    await stopServer(again.child);
  });

  it('refuses an unknown role', async () => {
    await expect(startServer({ TRIBUTARY_DATA_DIR: dataDir, TRIBUTARY_EMBEDDED: 'memory' }, ['--role', 'chef'])).rejects.toThrow(/invalid --role chef/);
  });

  it('refuses an invalid PORT with a clear message', async () => {
    await expect(startServer({ PORT: 'eighty', TRIBUTARY_DATA_DIR: dataDir })).rejects.toThrow(/invalid environment variable PORT/);
  });
});
