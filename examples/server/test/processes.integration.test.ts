// `--processes N`: N copies of the API role on one port, on PostgreSQL + Redis, under a supervisor
// that restarts a copy killed by SIGKILL and stops them all on SIGTERM; refused on the embedded engines.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateKey } from '@tributary/core/crypto';
import { claimRedisDatabase, createDatabase, POSTGRES_URL, REDIS_URL, requireService, waitUntil } from '../../../test/reliability/helpers/services.js';

const serverDir = join(import.meta.dirname, '..');
const postgres = await requireService('PostgreSQL', POSTGRES_URL);
const redis = await requireService('Redis', REDIS_URL);

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function start(env: Record<string, string>, args: string[]): Started {
  const child = spawn(process.execPath, ['--conditions=@tributary/source', '--import', 'tsx', 'src/main.ts', ...args], { cwd: serverDir, env: { ...process.env, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** The pids of the copies' access lines (each copy's log lines carry its pid). */
const accessLinePids = (out: string): number[] =>
  out
    .split('\n')
    .filter((l) => l.startsWith('{') && l.includes('"msg":"request"'))
    .map((l) => (JSON.parse(l) as { pid?: number }).pid)
    .filter((pid): pid is number => pid !== undefined);

const record = (externalId: string) => ({ externalId, itemType: 'review', occurredAt: new Date().toISOString(), content: { text: 'hello' }, author: { username: 'ada' } });

const dataDir = mkdtempSync(join(tmpdir(), 'tributary-processes-'));
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('--processes', () => {
  it('is refused on the embedded engines, with the reason', { timeout: 60_000 }, async () => {
    const s = start({ TRIBUTARY_DATA_DIR: dataDir, PORT: '0', TRIBUTARY_DEMO: 'false' }, ['--role', 'api', '--processes', '2']);
    expect(await s.exited).toBe(1);
    expect(s.output()).toContain('--processes 2 needs shared engines');
  });

  const missing = [postgres, redis].find((check) => !check.available);
  // In CI requireService throws instead, so a missing service fails the file there.
  if (missing) it.skip(`runs N copies on one port — skipped: ${missing.reason}`, () => undefined);
  else it('runs N copies on one port; a killed copy is replaced; SIGTERM stops them all', { timeout: 180_000 }, async () => {
    const db = await createDatabase('processes');
    cleanups.push(() => db.drop());
    const r = await claimRedisDatabase();
    cleanups.push(() => r.release());
    const adminToken = `admin-${generateKey().slice(0, 20)}`;
    const s = start(
      { DATABASE_URL: db.url, REDIS_URL: r.url, PORT: '0', TRIBUTARY_DATA_DIR: dataDir, TRIBUTARY_ADMIN_TOKEN: adminToken, TRIBUTARY_SECRET_KEY: generateKey(), TRIBUTARY_DEMO: 'false' },
      ['--role', 'api', '--processes', '2'],
    );
    cleanups.push(() => void s.child.kill('SIGKILL'));
    // Both copies listen (cluster gives the second the port the first got).
    await waitUntil(() => (s.output().match(/listening on http:\/\/\S+/g) ?? []).length >= 2, 90_000, 'both copies listening');
    const url = /listening on (http:\/\/\S+)/.exec(s.output())![1]!;
    const supervisor = JSON.parse(s.output().split('\n').find((l) => l.includes('supervising server processes'))!) as { pids: number[] };
    expect(supervisor.pids).toHaveLength(2);

    const post = (path: string, token: string, body: unknown) => fetch(`${url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const ws = (await (await post('/v1/workspaces', adminToken, { name: 'processes' })).json()) as { id: string; apiKey: string };
    // Every request is answered, whichever copy takes it (the key is in the shared store).
    const statuses = await Promise.all(Array.from({ length: 40 }, (_, i) => post(`/v1/workspaces/${ws.id}/records`, ws.apiKey, record(`r-${i}`)).then((res) => res.status)));
    expect(statuses.filter((status) => status !== 202)).toEqual([]);
    // Requests went to both copies: each logs its own access lines under its own pid.
    await waitUntil(() => new Set(accessLinePids(s.output()).filter((pid) => supervisor.pids.includes(pid))).size === 2, 10_000, 'access lines of both copies');

    // A copy killed outright is replaced; the port keeps answering meanwhile and after.
    process.kill(supervisor.pids[0]!, 'SIGKILL');
    await waitUntil(() => s.output().includes('a server process exited; restarting it'), 20_000, 'the restart');
    await waitUntil(() => (s.output().match(/listening on http:\/\/\S+/g) ?? []).length >= 3, 60_000, 'the new copy listening');
    expect((await post(`/v1/workspaces/${ws.id}/records`, ws.apiKey, record('after'))).status).toBe(202);

    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    for (const pid of supervisor.pids.slice(1)) expect(() => process.kill(pid, 0)).toThrow();
  });
});
