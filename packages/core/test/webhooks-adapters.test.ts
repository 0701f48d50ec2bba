// Framework adapters: node:http with a real server on 127.0.0.1, Express through a real node:http
// server with express.raw's behaviour emulated, Fastify with a structural fake, and Hono with the
// real package the example server already installs (no dependency added).
import { createHmac } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineConnector } from '@tributary/core/connector';
import { generateKey } from '@tributary/core/crypto';
import { createPipeline, type Pipeline } from '@tributary/core/pipeline';
import { createMemoryQueue } from '@tributary/core/queue/memory';
import { recordId } from '@tributary/core/record';
import { createMemoryStorage } from '@tributary/core/storage/memory';
import {
  createWebhookHandler,
  expressWebhookHandler,
  fastifyWebhookHandler,
  honoWebhookHandler,
  nodeWebhookListener,
  type ExpressLikeRequest,
  type FastifyLikeReply,
  type FastifyLikeRequest,
  type HonoLikeContext,
  type WebhookHandler,
} from '@tributary/core/webhooks';

const WS = 'ws1';
const SECRET = 'adapter-secret';
const LIMIT = 1024;

const connector = defineConnector({
  name: 'hooks',
  version: '1.0.0',
  configSchema: z.object({}),
  webhook: {
    signatureScheme: 'github',
    parse(_request, body) {
      const { id } = z.object({ id: z.string() }).parse(body);
      return { items: [{ externalId: id, itemType: 'hook.event', payload: body }] };
    },
  },
});

const sign = (body: string | Buffer) => ({ 'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`, 'content-type': 'application/json' });
const event = (id: string) => JSON.stringify({ id, text: 'hi' });

let pipeline: Pipeline;
let handler: WebhookHandler;
const servers: Server[] = [];

beforeEach(async () => {
  pipeline = createPipeline({ storage: createMemoryStorage(), queue: createMemoryQueue(), connectors: [connector], secretKey: generateKey() });
  await pipeline.sources.create(WS, { id: 'src1', name: 'hooks', connector: 'hooks', webhook: { secret: SECRET } });
  handler = createWebhookHandler({ pipeline, maxBodyBytes: LIMIT });
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function listen(listener: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(listener);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Sends a chunked body (no Content-Length) with a raw client, and reads the answer. */
function postChunked(url: string, chunks: Buffer[], headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers: { ...headers, 'transfer-encoding': 'chunked' } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }));
    });
    req.on('error', reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

describe('node:http adapter', () => {
  it('accepts a signed request and answers with JSON errors for the failures', async () => {
    const listener = nodeWebhookListener(handler);
    const base = await listen((req, res) => void listener(req, res));
    const body = event('n1');

    const ok = await fetch(`${base}/webhooks/${WS}/src1`, { method: 'POST', body, headers: { ...sign(body), 'x-github-delivery': 'd1' } });
    expect(ok.status).toBe(202);
    expect(await ok.json()).toEqual({ accepted: 1, ids: [recordId(WS, 'src1', 'n1')], deliveryId: 'd1' });

    const dup = await fetch(`${base}/webhooks/${WS}/src1`, { method: 'POST', body, headers: { ...sign(body), 'x-github-delivery': 'd1' } });
    expect(dup.status).toBe(200);

    const bad = await fetch(`${base}/webhooks/${WS}/src1`, { method: 'POST', body, headers: { 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` } });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('signature');

    const missing = await fetch(`${base}/webhooks/${WS}/nope`, { method: 'POST', body, headers: sign(body) });
    expect(missing.status).toBe(404);
    const noRoute = await fetch(`${base}/x`, { method: 'POST', body });
    expect(noRoute.status).toBe(404);
    const get = await fetch(`${base}/webhooks/${WS}/src1`);
    expect(get.status).toBe(405);
    expect((await pipeline.queue.stats(pipeline.topics.parse)).depth).toBe(1);
  });

  it('413 for a body over the limit, announced or chunked; exactly the limit passes', async () => {
    const listener = nodeWebhookListener(handler);
    const base = await listen((req, res) => void listener(req, res));
    const pad = (size: number, id: string) => {
      const base = JSON.stringify({ id, text: '' });
      return JSON.stringify({ id, text: 'a'.repeat(size - base.length) });
    };
    const exact = pad(LIMIT, 'edge');
    expect((await fetch(`${base}/webhooks/${WS}/src1`, { method: 'POST', body: exact, headers: sign(exact) })).status).toBe(202);

    const over = pad(LIMIT + 1, 'over');
    const announced = await fetch(`${base}/webhooks/${WS}/src1`, { method: 'POST', body: over, headers: sign(over) });
    expect(announced.status).toBe(413);
    expect(((await announced.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');

    const chunked = await postChunked(`${base}/webhooks/${WS}/src1`, [Buffer.from(over.slice(0, 600)), Buffer.from(over.slice(600))], sign(over));
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.body)).toMatchObject({ error: { code: 'payload_too_large' } });
    // exactly the limit, chunked
    const edge2 = pad(LIMIT, 'edge2');
    expect((await postChunked(`${base}/webhooks/${WS}/src1`, [Buffer.from(edge2.slice(0, 100)), Buffer.from(edge2.slice(100))], sign(edge2))).status).toBe(202);
  });

  it('takes params from an option', async () => {
    const listener = nodeWebhookListener(handler, { params: () => ({ workspaceId: WS, sourceId: 'src1' }) });
    const base = await listen((req, res) => void listener(req, res));
    const body = event('p1');
    expect((await fetch(`${base}/hook`, { method: 'POST', body, headers: sign(body) })).status).toBe(202);
  });
});

describe('Express adapter (express.raw emulated on node:http)', () => {
  /** What express.raw / express.json leave on the request, and Express's route params. */
  function express(mode: 'raw' | 'json' | 'none') {
    const route = expressWebhookHandler(handler);
    return async (req: IncomingMessage, res: ServerResponse) => {
      const r = req as IncomingMessage & ExpressLikeRequest;
      const m = /^\/webhooks\/([^/]+)\/([^/]+)$/.exec(req.url ?? '');
      r.params = m ? { workspaceId: m[1]!, sourceId: m[2]! } : {};
      if (mode !== 'none') {
        const parts: Buffer[] = [];
        for await (const c of req) parts.push(c as Buffer);
        const raw = Buffer.concat(parts);
        r.body = mode === 'raw' ? raw : JSON.parse(raw.toString('utf8'));
        r._body = true;
      }
      await route(r, res, (error) => {
        res.statusCode = 500;
        res.end(String(error));
      });
    };
  }

  it('uses the Buffer from express.raw', async () => {
    const base = await listen((req, res) => void express('raw')(req, res));
    const body = event('x1');
    expect((await fetch(`${base}/webhooks/${WS}/src1`, { method: 'POST', body, headers: sign(body) })).status).toBe(202);
    expect((await fetch(`${base}/webhooks/${WS}/src1`, { method: 'POST', body, headers: { 'x-hub-signature-256': 'sha256=1' } })).status).toBe(401);
  });

  it('reads the stream itself when no body parser ran', async () => {
    const base = await listen((req, res) => void express('none')(req, res));
    const body = event('x2');
    expect((await fetch(`${base}/webhooks/${WS}/src1`, { method: 'POST', body, headers: sign(body) })).status).toBe(202);
  });

  it('refuses to guess when express.json already consumed the raw bytes (500 naming the fix)', async () => {
    const base = await listen((req, res) => void express('json')(req, res));
    const body = event('x3');
    const response = await fetch(`${base}/webhooks/${WS}/src1`, { method: 'POST', body, headers: sign(body) });
    expect(response.status).toBe(500);
    expect(((await response.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'config', message: expect.stringMatching(/express\.raw/) });
    expect((await pipeline.queue.stats(pipeline.topics.parse)).depth).toBe(0);
  });
});

describe('Fastify adapter (structural fake)', () => {
  function fake(body: unknown, headers: Record<string, string>, params: unknown = { workspaceId: WS, sourceId: 'src1' }) {
    const request: FastifyLikeRequest = {
      method: 'POST',
      url: `/webhooks/${WS}/src1`,
      body,
      params,
      raw: {
        method: 'POST',
        url: `/webhooks/${WS}/src1`,
        headers: { host: 'localhost', ...headers },
        readableEnded: true,
        async *[Symbol.asyncIterator]() {},
      },
    };
    const sent: { status?: number; headers: Record<string, string>; payload?: unknown } = { headers: {} };
    const reply: FastifyLikeReply = {
      code(status) {
        sent.status = status;
        return reply;
      },
      header(name, value) {
        sent.headers[name] = value;
        return reply;
      },
      send(payload) {
        sent.payload = payload;
        return reply;
      },
    };
    return { request, reply, sent };
  }

  it('accepts the Buffer of a buffer content-type parser', async () => {
    const body = event('f1');
    const { request, reply, sent } = fake(Buffer.from(body), sign(body));
    await fastifyWebhookHandler(handler)(request, reply);
    expect(sent.status).toBe(202);
    expect(sent.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(String(sent.payload))).toMatchObject({ accepted: 1, ids: [recordId(WS, 'src1', 'f1')] });
  });

  it('401 for a bad signature, 413 over the limit, 500 for a parsed body, 404 without params', async () => {
    const body = event('f2');
    const bad = fake(Buffer.from(body), { 'x-hub-signature-256': `sha256=${'a'.repeat(64)}` });
    await fastifyWebhookHandler(handler)(bad.request, bad.reply);
    expect(bad.sent.status).toBe(401);

    const big = Buffer.alloc(LIMIT + 1, 0x20);
    const large = fake(big, sign(big));
    await fastifyWebhookHandler(handler)(large.request, large.reply);
    expect(large.sent.status).toBe(413);

    const parsed = fake(JSON.parse(body), sign(body));
    await fastifyWebhookHandler(handler)(parsed.request, parsed.reply);
    expect(parsed.sent.status).toBe(500);
    expect(JSON.parse(String(parsed.sent.payload))).toMatchObject({ error: { code: 'config' } });

    const noParams = fake(Buffer.from(body), sign(body), {});
    await fastifyWebhookHandler(handler)(noParams.request, noParams.reply);
    expect(noParams.sent.status).toBe(404);
  });
});

describe('Hono adapter (the real hono of examples/server)', () => {
  const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
  let honoPath: string | undefined;
  try {
    honoPath = createRequire(join(root, 'examples/server/package.json')).resolve('hono');
  } catch {
    honoPath = undefined;
  }

  it.skipIf(!honoPath)('mounts on a route and answers through app.request', async () => {
    // Typed structurally: core's tests cannot see hono's types, only its code through the example.
    const { Hono } = (await import(pathToFileURL(honoPath!).href)) as {
      Hono: new () => { post(path: string, route: (c: HonoLikeContext) => Promise<Response>): unknown; request(path: string, init?: RequestInit): Response | Promise<Response> };
    };
    const app = new Hono();
    app.post('/webhooks/:workspaceId/:sourceId', honoWebhookHandler(handler));
    const body = event('h1');
    const ok = await app.request(`/webhooks/${WS}/src1`, { method: 'POST', body, headers: sign(body) });
    expect(ok.status).toBe(202);
    expect(await ok.json()).toMatchObject({ ids: [recordId(WS, 'src1', 'h1')] });
    const bad = await app.request(`/webhooks/${WS}/src1`, { method: 'POST', body });
    expect(bad.status).toBe(401);
    const other = await app.request(`/webhooks/${WS}/zzz`, { method: 'POST', body, headers: sign(body) });
    expect(other.status).toBe(404);
  });
});
