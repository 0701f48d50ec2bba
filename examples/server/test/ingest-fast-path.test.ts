// The node:http fast path of the two ingest routes answers exactly as the Hono routes do: the same
// requests, over real HTTP, to one server listening twice (through the fast path, and through Hono
// alone), must get the same status, body and headers; and the fast path must really have served them.
import { createServer as createHttpServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { createAdaptorServer } from '@hono/node-server';
import fc from 'fast-check';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { signStandardWebhook, generateStandardWebhooksSecret } from '@tributary/core/webhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withIngestFastPath, type NodeRequestListener } from '../src/ingest/fast-path.js';
import { createTracing } from '../src/telemetry/tracing.js';
import { startTestServer, type TestServer } from './helpers.js';

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** Sends one request over HTTP; `chunked` sends the body without a Content-Length. */
function send(port: number, method: string, path: string, o: { headers?: Record<string, string>; body?: string | Buffer; chunked?: boolean } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const body = o.body === undefined ? undefined : Buffer.isBuffer(o.body) ? o.body : Buffer.from(o.body);
    const headers: Record<string, string> = { ...o.headers };
    if (body && !o.chunked) headers['content-length'] = String(body.length);
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body && o.chunked) {
      // Several writes: a chunked upload, as a client streaming its body sends it.
      for (let i = 0; i < body.length; i += 64 * 1024) req.write(body.subarray(i, i + 64 * 1024));
    } else if (body) req.write(body);
    req.end();
  });
}

/** What must be equal between the two answers (the framing headers may differ: date, keep-alive). */
const comparable = (r: Reply) => ({
  status: r.status,
  body: r.text ? JSON.parse(r.text) : r.text,
  contentType: r.headers['content-type'],
  retryAfter: r.headers['retry-after'],
  cacheControl: r.headers['cache-control'],
});

const listen = (server: Server) => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));

let t: TestServer;
let ws: { id: string; apiKey: string };
let other: { id: string; apiKey: string };
let sourceId: string;
const secret = generateStandardWebhooksSecret();
const exporter = new InMemorySpanExporter();
let honoServer: Server;
let fastServer: Server;
let honoPort: number;
let fastPort: number;
let claimed = 0;

beforeAll(async () => {
  t = await startTestServer({ server: { tracing: createTracing({ exporter, simple: true }) } });
  ws = await t.workspace('fast');
  other = await t.workspace('other');
  const source = await t.call('POST', `/v1/workspaces/${ws.id}/sources`, {
    token: ws.apiKey,
    body: { name: 'Widget', connector: 'webhook', config: { itemType: 'widget.feedback' }, webhook: { scheme: 'standard-webhooks', secret }, check: false },
  });
  expect(source.status).toBe(201);
  sourceId = source.body.id;
  const counting = { claim: (req: Parameters<NodeRequestListener>[0], res: Parameters<NodeRequestListener>[1]) => (t.server.fastPath.claim(req, res) ? (claimed++, true) : false) };
  honoServer = createAdaptorServer({ fetch: t.server.app.fetch }) as Server;
  fastServer = createAdaptorServer({
    fetch: t.server.app.fetch,
    createServer: ((options: object, listener: NodeRequestListener) => createHttpServer(options, withIngestFastPath(counting, listener))) as typeof createHttpServer,
  }) as Server;
  [honoPort, fastPort] = await Promise.all([listen(honoServer), listen(fastServer)]);
});
afterAll(async () => {
  await Promise.all([honoServer, fastServer].map((s) => new Promise((r) => (s ? s.close(r) : r(undefined)))));
  await t?.close();
});

const draft = (externalId: string, extra: object = {}) => ({ externalId, itemType: 'note', occurredAt: '2026-01-01T00:00:00Z', content: { text: `fast path ${externalId}` }, ...extra });
const nested = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;

/** Sends the same request to both listeners and expects the same answer; returns the fast path's. */
async function same(method: string, path: string, o: Parameters<typeof send>[3] = {}, expectClaimed = true): Promise<Reply> {
  const before = claimed;
  const requestId = `req-${randomBytes(6).toString('hex')}`;
  const headers = { 'x-request-id': requestId, ...o.headers };
  const viaHono = await send(honoPort, method, path, { ...o, headers });
  const viaFast = await send(fastPort, method, path, { ...o, headers });
  expect(comparable(viaFast), `${method} ${path}`).toEqual(comparable(viaHono));
  expect(viaFast.headers['x-request-id']).toBe(viaHono.headers['x-request-id']);
  expect(claimed - before, `claimed by the fast path: ${method} ${path}`).toBe(expectClaimed ? 1 : 0);
  return viaFast;
}

describe('records API on the fast path', () => {
  const path = () => `/v1/workspaces/${ws.id}/records`;
  const auth = () => ({ authorization: `Bearer ${ws.apiKey}`, 'content-type': 'application/json' });

  it('answers valid, partly valid and invalid bodies as the Hono route does', async () => {
    const one = await same('POST', path(), { headers: auth(), body: JSON.stringify(draft('fp-1')) });
    expect(one.status).toBe(202);
    const batch = await same('POST', path(), { headers: auth(), body: JSON.stringify({ records: [draft('fp-2'), { externalId: 3 }, draft('fp-deep', { attributes: { x: JSON.parse(nested(100)) } })] }) });
    expect(batch.status).toBe(202);
    // The deep entry is refused on its own, with where it went too deep, and the good one is accepted.
    expect(JSON.parse(batch.text)).toMatchObject({ accepted: 1, rejected: [{ index: 1 }, { index: 2, issues: [{ path: expect.stringMatching(/^attributes\.x(\.0)+$/), message: 'nested deeper than 62 levels' }] }] });
    for (const body of ['', '{', '{"records": []}', 'null', '[1,2]', JSON.stringify({ records: [{ a: 1 }] })]) {
      const res = await same('POST', path(), { headers: auth(), body });
      expect(res.status, body).toBe(400);
    }
    const utf8 = await same('POST', path(), { headers: auth(), body: Buffer.from([0x7b, 0x80, 0xe2, 0x82]) });
    expect(JSON.parse(utf8.text).error.issues).toEqual([{ path: '', message: 'invalid UTF-8' }]);
  });

  it('refuses a lone draft nested past the limit with a 400 naming where', async () => {
    const deep = await same('POST', path(), { headers: auth(), body: JSON.stringify(draft('fp-deep-lone')).replace('"content"', `"attributes":{"x":${nested(5_000)}},"content"`) });
    expect(deep.status).toBe(400);
    expect(JSON.parse(deep.text).error).toMatchObject({ code: 'validation', issues: [{ path: expect.stringMatching(/^attributes\.x(\.0)+$/), message: 'nested deeper than 64 levels' }] });
  });

  it('authenticates and keeps tenants apart the same way', async () => {
    expect((await same('POST', path(), { headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
    expect((await same('POST', path(), { headers: { authorization: 'Bearer nope', 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
    expect((await same('POST', path(), { headers: { authorization: `Bearer ${other.apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(draft('x')) })).status).toBe(403);
    expect((await same('POST', '/v1/workspaces/no-such-ws/records', { headers: { authorization: `Bearer ${t.adminToken}` }, body: JSON.stringify(draft('x')) })).status).toBe(404);
  });

  it('answers 413 to a body over the limit, streamed or announced', async () => {
    const big = JSON.stringify({ records: [draft('big', { content: { text: 'x'.repeat(1_100_000) } })] });
    expect((await same('POST', path(), { headers: auth(), body: big, chunked: true })).status).toBe(413);
    // Announced: left to the Hono route (the answer is the same).
    expect((await same('POST', path(), { headers: auth(), body: big }, false)).status).toBe(413);
  });

  it('keeps or replaces the request id as the Hono app does', async () => {
    const res = await send(fastPort, 'POST', path(), { headers: { ...auth(), 'x-request-id': 'bad id\twith tab' }, body: JSON.stringify(draft('fp-rid')) });
    expect(res.status).toBe(202);
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('leaves other methods, paths and odd hosts to Hono', async () => {
    await same('GET', `${path()}?limit=1`, { headers: auth() }, false);
    await same('POST', `/v1/workspaces/${ws.id}/records/`, { headers: auth(), body: '{}' }, false);
    await same('POST', `/v1/workspaces/..%2F${ws.id}/records`, { headers: auth(), body: '{}' }, false);
  });

  it('counts, logs and traces the request like the Hono route', async () => {
    exporter.reset();
    const traceId = randomBytes(16).toString('hex');
    const res = await send(fastPort, 'POST', path(), { headers: { ...auth(), traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`, 'x-request-id': 'fast-metrics-1' }, body: JSON.stringify(draft('fp-traced')) });
    expect(res.status).toBe(202);
    const [span] = exporter.getFinishedSpans().filter((s) => s.name === 'POST /v1/workspaces/:ws/records');
    expect(span?.spanContext().traceId).toBe(traceId);
    expect(span?.attributes).toMatchObject({ 'http.route': '/v1/workspaces/:ws/records', 'http.response.status_code': 202, 'tributary.workspace_id': ws.id, 'tributary.request_id': 'fast-metrics-1' });
    const line = t.logs.map((l) => JSON.parse(l)).find((l) => l.reqId === 'fast-metrics-1' && l.msg === 'request');
    expect(line).toMatchObject({ method: 'POST', route: '/v1/workspaces/:ws/records', status: 202, workspaceId: ws.id, path: path() });
    const metrics = await (await t.server.app.fetch(new Request('http://tributary.test/metrics'))).text();
    expect(metrics).toMatch(/tributary_http_requests_total\{method="POST",route="\/v1\/workspaces\/:ws\/records",status="202"\} \d+/);
  });
});

describe('webhook endpoint on the fast path', () => {
  const path = () => `/v1/hooks/${ws.id}/${sourceId}`;
  /** Distinct delivery ids per listener: a delivery id seen twice is answered as a duplicate. */
  const signed = (body: string, id: string) => ({ 'content-type': 'application/json', ...signStandardWebhook({ id, timestamp: Date.now(), body, secret }) });

  async function both(body: string, o: { chunked?: boolean; sign?: boolean; path?: string } = {}) {
    const n = randomBytes(4).toString('hex');
    const target = o.path ?? path();
    const before = claimed;
    const viaHono = await send(honoPort, 'POST', target, { headers: o.sign === false ? { 'content-type': 'application/json' } : signed(body, `h-${n}`), body, ...(o.chunked ? { chunked: true } : {}) });
    const viaFast = await send(fastPort, 'POST', target, { headers: o.sign === false ? { 'content-type': 'application/json' } : signed(body, `f-${n}`), body, ...(o.chunked ? { chunked: true } : {}) });
    expect(claimed - before).toBe(1);
    const hono = comparable(viaHono);
    const fast = comparable(viaFast);
    if (typeof hono.body === 'object' && hono.body?.deliveryId) hono.body.deliveryId = fast.body.deliveryId;
    expect(fast).toEqual(hono);
    return viaFast;
  }

  it('accepts, refuses and rejects as the Hono route does', async () => {
    expect((await both(JSON.stringify({ id: 'hook-1', text: 'hello' }))).status).toBe(202);
    expect((await both(JSON.stringify({ id: 'hook-2', text: 'x' }), { sign: false })).status).toBe(401);
    expect((await both('{"id":', {})).status).toBe(400);
    expect((await both(JSON.stringify({ id: 'x' }), { path: `/v1/hooks/${ws.id}/no-such-source` })).status).toBe(404);
    // An over-limit streamed body to an unknown source is a 404 either way: the source is looked up first.
    expect((await both(`"${'x'.repeat(1_100_000)}"`, { chunked: true, path: `/v1/hooks/${ws.id}/no-such-source` })).status).toBe(404);
    expect((await both(`"${'x'.repeat(1_100_000)}"`, { chunked: true })).status).toBe(413);
  });

  it('validates path identifiers as the Hono route does: 200 characters at most', async () => {
    const long = await both(JSON.stringify({ id: 'long' }), { path: `/v1/hooks/${'w'.repeat(201)}/${sourceId}` });
    expect(long.status).toBe(400);
    expect(JSON.parse(long.text).error.issues).toEqual([{ path: 'ws', message: expect.any(String) }]);
    const longSource = await both(JSON.stringify({ id: 'long' }), { path: `/v1/hooks/${ws.id}/${'s'.repeat(201)}` });
    expect(JSON.parse(longSource.text).error.issues).toEqual([{ path: 'source', message: expect.any(String) }]);
    // At the limit it is a well-formed id, just not one this workspace has.
    expect((await both(JSON.stringify({ id: 'edge' }), { path: `/v1/hooks/${ws.id}/${'s'.repeat(200)}` })).status).toBe(404);
  });

  it('refuses an event nested past the limit with a 400 naming where', async () => {
    const res = await both(`{"id":"deep","a":${nested(10_000)}}`);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).error.issues).toEqual([{ path: expect.stringMatching(/^body\.a(\.0)+$/), message: 'nested deeper than 64 levels' }]);
  });
});

describe('rate limits on the fast path', () => {
  it('answers 429 with Retry-After once the workspace budget is spent, as the Hono route does', async () => {
    const limited = await startTestServer({ env: { TRIBUTARY_RATE_LIMIT: '1', TRIBUTARY_RATE_BURST: '1' } });
    const lws = await limited.workspace('limited');
    const server = createAdaptorServer({
      fetch: limited.server.app.fetch,
      createServer: ((options: object, listener: NodeRequestListener) => createHttpServer(options, withIngestFastPath(limited.server.fastPath, listener))) as typeof createHttpServer,
    }) as Server;
    const port = await listen(server);
    try {
      const headers = { authorization: `Bearer ${lws.apiKey}`, 'content-type': 'application/json' };
      const first = await send(port, 'POST', `/v1/workspaces/${lws.id}/records`, { headers, body: JSON.stringify(draft('rl-1')) });
      const second = await send(port, 'POST', `/v1/workspaces/${lws.id}/records`, { headers, body: JSON.stringify(draft('rl-2')) });
      // Through Hono, with the budget still spent: the same 429.
      const viaHono = await limited.call('POST', `/v1/workspaces/${lws.id}/records`, { token: lws.apiKey, body: draft('rl-3') });
      expect(first.status).toBe(202);
      expect(second.status).toBe(429);
      expect(Number(second.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(JSON.parse(second.text)).toEqual(viaHono.body);
      expect(viaHono.status).toBe(429);
    } finally {
      await new Promise((r) => server.close(r));
      await limited.close();
    }
  });
});

describe('fuzzed bodies', () => {
  it('any records body gets the same answer through the fast path and through Hono', async () => {
    const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, fc.constant(null), fc.boolean(), fc.integer(), fc.string(), fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('__proto__', 'records', 'externalId')), tie('v'), { maxKeys: 3 })),
    })).v;
    const entry = fc.record({ externalId: fc.oneof(fc.string({ minLength: 1 }), fc.integer()), itemType: fc.oneof(fc.constant('note'), fc.integer()), occurredAt: fc.oneof(fc.constant('2026-01-01T00:00:00Z'), fc.string()), attributes: value }, { requiredKeys: [] });
    const body = fc.oneof(
      value.map((v) => JSON.stringify(v) ?? 'null'),
      entry.map((e) => JSON.stringify(e)),
      fc.array(entry, { maxLength: 3 }).map((records) => JSON.stringify({ records })),
      fc.tuple(fc.integer({ min: 1, max: 3_000 }), fc.boolean()).map(([depth, inBatch]) => (inBatch ? `{"records":[${JSON.stringify(draft('fz'))},${nested(depth)}]}` : nested(depth))),
      fc.string(),
    );
    await fc.assert(
      fc.asyncProperty(body, async (raw) => {
        await same('POST', `/v1/workspaces/${ws.id}/records`, { headers: { authorization: `Bearer ${ws.apiKey}`, 'content-type': 'application/json' }, body: raw });
      }),
      { numRuns: 150 },
    );
  });
});
