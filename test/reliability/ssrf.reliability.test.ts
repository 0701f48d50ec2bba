// SSRF: connector and destination URLs aimed at loopback, private, link-local or metadata addresses
// are refused by default — literally, by DNS name, or by redirect. What the server's own tests
// (examples/server/test/ssrf.test.ts) and core's (packages/core/test/net.test.ts) already cover is
// listed in docs/reliability.md; this file adds the one way they leave out: a *destination* whose
// receiver redirects the delivery to a private address. Deliveries are sent with `redirect: 'manual'`,
// so the redirect must never be followed, whatever the allow list says about the first host.
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKey } from '@tributary/core/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../examples/server/src/config.js';
import { createLogger } from '../../examples/server/src/logger.js';
import { createServer, type TributaryServer } from '../../examples/server/src/server.js';

interface Local {
  server: Server;
  port: number;
  hits: string[];
}
async function listen(answer: (url: string) => { status: number; headers?: Record<string, string> }): Promise<Local> {
  const hits: string[] = [];
  const server = createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => {
      hits.push(req.url ?? '');
      const { status, headers } = answer(req.url ?? '');
      res.writeHead(status, headers).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, hits };
}

let landing: Local;
let redirector: Local;
let server: TributaryServer;
let dir: string;
beforeAll(async () => {
  landing = await listen(() => ({ status: 200 }));
  // Sends the first delivery to the private landing server, the next ones to the metadata address.
  redirector = await listen((url) => ({ status: 307, headers: { location: url.includes('meta') ? 'http://169.254.169.254/latest/meta-data/' : `http://127.0.0.1:${landing.port}/stolen` } }));
  dir = mkdtempSync(join(tmpdir(), 'tributary-ssrf-reliability-'));
  // Only the redirector is allowed (as a receiver on a private network would be); the landing server is not.
  const config = loadConfig({ TRIBUTARY_EMBEDDED: 'memory', TRIBUTARY_DATA_DIR: dir, TRIBUTARY_RATE_LIMIT: '0', TRIBUTARY_ALLOWED_HOSTS: `127.0.0.1:${redirector.port}` });
  server = await createServer({ config, logger: createLogger({ level: 'silent' }), secrets: { adminToken: `ssrf-reliability-admin-${Date.now()}`, secretKey: generateKey() }, authCacheTtlMs: 0 });
  await server.start();
});
afterAll(async () => {
  await server?.stop();
  for (const l of [landing, redirector]) await new Promise((r) => l?.server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('SSRF by redirect of a destination', () => {
  it('never follows a delivery redirected to a loopback or metadata address', async () => {
    const call = async (method: string, path: string, token: string, body?: unknown) => {
      const res = await server.app.fetch(new Request(`http://tributary.test${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) }));
      return { status: res.status, body: (await res.json()) as any };
    };
    const ws = (await call('POST', '/v1/workspaces', server.secrets.adminToken, { name: 'ssrf' })).body as { id: string; apiKey: string };
    const as = (method: string, path: string, body?: unknown) => call(method, `/v1/workspaces/${ws.id}${path}`, ws.apiKey, body);
    for (const path of ['/loopback', '/meta']) {
      const created = await as('POST', '/destinations', { kind: 'http', url: `http://127.0.0.1:${redirector.port}${path}`, rateLimit: { perSecond: 100, burst: 100 }, filter: { types: ['record.processed'] } });
      expect(created.status).toBe(201);
    }
    const failed = new Promise<string[]>((resolve) => {
      const errors: string[] = [];
      server.pipeline.bus.on('delivery.failed', (e) => {
        errors.push(e.error.message);
        if (errors.length >= 2) resolve(errors);
      });
    });
    expect((await as('POST', '/records', { externalId: 'r1', itemType: 'note', occurredAt: '2026-01-01T00:00:00Z', content: { text: 'hello' } })).status).toBe(202);
    const errors = await failed;
    // The redirector was reached (it is allowed); what it pointed at was not, and the delivery failed.
    expect(redirector.hits.length).toBeGreaterThanOrEqual(2);
    expect(landing.hits).toEqual([]);
    expect(errors.every((e) => /HTTP 307/.test(e))).toBe(true);
  });
});
