import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKey } from '@tributary/core/crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { createNetPolicy, type LookupFunction } from '../src/net.js';
import { createServer, type TributaryServer } from '../src/server.js';

// No request of these tests leaves the machine: private addresses other than loopback are only
// ever checked (creation-time refusals, `check: false` when allowed), never connected to.

/** Names the tests resolve without DNS. */
const NAMES: Record<string, string> = { 'internal.test': '127.0.0.1', 'redirector.test': '127.0.0.1', 'metadata-alias.test': '169.254.169.254', 'public.test': '93.184.216.34' };
const lookup: LookupFunction = async (hostname) => {
  const address = NAMES[hostname];
  if (!address) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return [{ address, family: 4 }];
};

/** A local HTTP server recording what it got; `answer` decides the response. */
interface Local {
  server: Server;
  port: number;
  hits: { method: string; url: string; body: string }[];
}
async function listen(answer: (req: IncomingMessage) => { status: number; headers?: Record<string, string>; body?: string }): Promise<Local> {
  const hits: Local['hits'] = [];
  const server = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      hits.push({ method: req.method ?? '', url: req.url ?? '', body });
      const { status, headers, body: out } = answer(req);
      res.writeHead(status, headers).end(out);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, hits };
}

let landing: Local;
let redirector: Local;
beforeAll(async () => {
  // Answers like a forum with no posts, and takes deliveries.
  landing = await listen((req) => ({ status: 200, headers: { 'content-type': 'application/json' }, body: req.method === 'GET' ? JSON.stringify({ posts: [], topics: [], grouped_search_result: { more_full_page_results: null } }) : '' }));
  redirector = await listen(() => ({ status: 307, headers: { location: `http://127.0.0.1:${landing.port}/landing` } }));
});
afterAll(async () => {
  for (const l of [landing, redirector]) await new Promise((r) => l.server.close(r));
});

const open: { server: TributaryServer; dir: string }[] = [];
afterEach(async () => {
  for (const { server, dir } of open.splice(0)) {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A server on memory engines with the real guarded fetch (no fake outside world). */
async function start(env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-ssrf-'));
  const config = loadConfig({ TRIBUTARY_EMBEDDED: 'memory', TRIBUTARY_DATA_DIR: dir, TRIBUTARY_RATE_LIMIT: '0', ...env });
  const adminToken = `ssrf-admin-token-${Math.random().toString(36).slice(2)}`;
  const server = await createServer({ config, logger: createLogger({ level: 'silent' }), secrets: { adminToken, secretKey: generateKey() }, lookup, authCacheTtlMs: 0 });
  await server.start();
  open.push({ server, dir });
  const call = async (method: string, path: string, token: string, body?: unknown) => {
    const res = await server.app.fetch(new Request(`http://tributary.test${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) }));
    return { status: res.status, body: (await res.json()) as any };
  };
  const ws = (await call('POST', '/v1/workspaces', adminToken, { name: 'ssrf' })).body as { id: string; apiKey: string };
  const as = (method: string, path: string, body?: unknown) => call(method, `/v1/workspaces/${ws.id}${path}`, ws.apiKey, body);
  return { server, ws, as };
}

const rateLimit = { perSecond: 100, burst: 100 };
const PRIVATE_URLS = [
  ['loopback', 'http://127.0.0.1:9/hook'],
  ['private 10/8', 'http://10.1.2.3/hook'],
  ['cloud metadata', 'http://169.254.169.254/latest/meta-data/'],
  ['IPv6 loopback', 'http://[::1]:8080/hook'],
  ['IPv4-mapped IPv6', 'http://[::ffff:192.168.1.1]/hook'],
  ['a name resolving to loopback', 'http://internal.test/hook'],
  ['a name resolving to the metadata address', 'http://metadata-alias.test/'],
] as const;

describe('outbound URLs at private addresses', () => {
  it.each(PRIVATE_URLS)('refuses a destination at %s (400 naming url)', async (_what, url) => {
    const { as } = await start();
    const res = await as('POST', '/destinations', { kind: 'http', url, rateLimit });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'validation', issues: [expect.objectContaining({ path: 'url', message: expect.stringMatching(/^refused: /) })] });
  });

  it.each(PRIVATE_URLS)('refuses a source at %s (400 naming config.baseUrl)', async (_what, url) => {
    const { as } = await start();
    const res = await as('POST', '/sources', { name: 'Forum', connector: 'discourse', config: { baseUrl: url }, check: false });
    expect(res.status).toBe(400);
    expect(res.body.error.issues).toEqual([expect.objectContaining({ path: 'config.baseUrl' })]);
  });

  it('names the field of a URL inside a destination config and of a source update', async () => {
    const { as } = await start();
    const slack = await as('POST', '/destinations', { kind: 'slack', config: { webhookUrl: 'http://10.0.0.8/services/x' }, rateLimit });
    expect(slack.status).toBe(400);
    expect(slack.body.error.issues).toEqual([expect.objectContaining({ path: 'config.webhookUrl' })]);
    const created = await as('POST', '/sources', { name: 'Forum', connector: 'discourse', config: { baseUrl: 'https://public.test' }, check: false });
    expect(created.status).toBe(201);
    const patched = await as('PATCH', `/sources/${created.body.id}`, { config: { baseUrl: 'http://192.168.0.10' } });
    expect(patched.status).toBe(400);
    expect(patched.body.error.issues).toEqual([expect.objectContaining({ path: 'config.baseUrl' })]);
  });

  it('accepts public addresses and names that do not resolve (the connect-time guard still applies)', async () => {
    const { as } = await start();
    expect((await as('POST', '/destinations', { kind: 'http', url: 'https://public.test/hook', rateLimit })).status).toBe(201);
    expect((await as('POST', '/destinations', { kind: 'http', url: 'https://unknown.test/hook', rateLimit })).status).toBe(201);
  });

  it.each(PRIVATE_URLS)('allows %s with TRIBUTARY_ALLOW_PRIVATE_NETWORK=true', async (_what, url) => {
    const { as } = await start({ TRIBUTARY_ALLOW_PRIVATE_NETWORK: 'true' });
    expect((await as('POST', '/destinations', { kind: 'http', url, rateLimit })).status).toBe(201);
    expect((await as('POST', '/sources', { name: 'Forum', connector: 'discourse', config: { baseUrl: url }, check: false })).status).toBe(201);
  });

  it('allows the hosts listed in TRIBUTARY_ALLOWED_HOSTS, and hosts added at run time', async () => {
    const { server, as } = await start({ TRIBUTARY_ALLOWED_HOSTS: 'internal.test, 127.0.0.1:9' });
    expect((await as('POST', '/destinations', { kind: 'http', url: 'http://internal.test/hook', rateLimit })).status).toBe(201);
    expect((await as('POST', '/destinations', { kind: 'http', url: 'http://127.0.0.1:9/hook', rateLimit })).status).toBe(201);
    expect((await as('POST', '/destinations', { kind: 'http', url: 'http://127.0.0.1:10/hook', rateLimit })).status).toBe(400);
    server.net.allowHost('127.0.0.1:10');
    expect((await as('POST', '/destinations', { kind: 'http', url: 'http://127.0.0.1:10/hook', rateLimit })).status).toBe(201);
  });
});

describe('outbound requests', () => {
  /** Pulls a Discourse source at `baseUrl` once; resolves with the run's outcome. */
  const pullOnce = async (server: TributaryServer, as: Awaited<ReturnType<typeof start>>['as'], baseUrl: string) => {
    const source = await as('POST', '/sources', { name: 'Forum', connector: 'discourse', config: { baseUrl }, check: false });
    expect(source.status).toBe(201);
    const outcome = Promise.race([
      server.pipeline.bus.waitFor('fetch.run.completed', () => true, 20_000).then(() => ({ ok: true as const })),
      server.pipeline.bus.waitFor('fetch.run.failed', () => true, 20_000).then((e) => ({ ok: false as const, error: e.error.message })),
    ]);
    expect((await as('POST', `/sources/${source.body.id}/sync`)).status).toBe(202);
    return outcome;
  };

  it('refuses a redirect to a private address by default', async () => {
    const { server, as } = await start({ TRIBUTARY_ALLOWED_HOSTS: `redirector.test:${redirector.port}` });
    const before = { redirector: redirector.hits.length, landing: landing.hits.length };
    const outcome = await pullOnce(server, as, `http://redirector.test:${redirector.port}`);
    expect(outcome).toMatchObject({ ok: false, error: expect.stringMatching(/refused to connect to 127\.0\.0\.1:\d+: loopback/) });
    expect(redirector.hits.length).toBeGreaterThan(before.redirector);
    expect(landing.hits.length).toBe(before.landing);
  });

  it('follows it with TRIBUTARY_ALLOW_PRIVATE_NETWORK=true', async () => {
    const { server, as } = await start({ TRIBUTARY_ALLOW_PRIVATE_NETWORK: 'true' });
    const before = landing.hits.length;
    const outcome = await pullOnce(server, as, `http://redirector.test:${redirector.port}`);
    expect(outcome).toEqual({ ok: true });
    expect(landing.hits.slice(before)).toEqual([expect.objectContaining({ method: 'GET', url: '/landing' })]);
  });

  it('refuses a delivery to a name that came to resolve to loopback after creation, and delivers to loopback with the flag', async () => {
    const deliver = async (server: TributaryServer, as: Awaited<ReturnType<typeof start>>['as'], url: string, beforeSend = () => {}) => {
      expect((await as('POST', '/destinations', { kind: 'http', url, rateLimit, filter: { types: ['record.processed'] } })).status).toBe(201);
      beforeSend();
      const outcome = Promise.race([
        server.pipeline.bus.waitFor('delivery.succeeded', () => true, 20_000).then(() => ({ ok: true as const })),
        server.pipeline.bus.waitFor('delivery.failed', () => true, 20_000).then((e) => ({ ok: false as const, error: e.error.message })),
      ]);
      expect((await as('POST', '/records', { externalId: 'r1', itemType: 'note', occurredAt: '2026-01-01T00:00:00Z', content: { text: 'hello' } })).status).toBe(202);
      return outcome;
    };
    const before = landing.hits.length;
    NAMES['rebinding.test'] = '93.184.216.34';
    const guarded = await start();
    const refused = await deliver(guarded.server, guarded.as, `http://rebinding.test:${landing.port}/in`, () => {
      NAMES['rebinding.test'] = '127.0.0.1';
    });
    expect(refused).toMatchObject({ ok: false, error: expect.stringMatching(/refused to connect to rebinding\.test:\d+: loopback/) });
    expect(landing.hits.length).toBe(before);

    const allowed = await start({ TRIBUTARY_ALLOW_PRIVATE_NETWORK: 'true' });
    expect(await deliver(allowed.server, allowed.as, `http://127.0.0.1:${landing.port}/in`)).toEqual({ ok: true });
    expect(landing.hits.slice(before)).toEqual([expect.objectContaining({ method: 'POST', url: '/in', body: expect.stringContaining('record.processed') })]);
  });

  it('refuses at connect time a name that resolves to a private address after creation (DNS rebinding)', async () => {
    let rebound = false;
    const policy = createNetPolicy({ lookup: async (h) => (h === 'rebind.test' ? [{ address: rebound ? '127.0.0.1' : '93.184.216.34', family: 4 }] : lookup(h)) });
    expect(await policy.checkUrl(`http://rebind.test:${landing.port}/`)).toBeNull();
    rebound = true;
    await expect(policy.fetch(`http://rebind.test:${landing.port}/`)).rejects.toThrow(/refused to connect to rebind\.test:\d+: loopback/);
  });
});
