// The handler's plain-value entry (handleRaw: a read body and node:http headers in, status + headers +
// JSON out) answers exactly as the Fetch entry does, case by case; and PlainHeaders reads node's header
// object as toFetchHeaders would.
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createManualClock } from '@tributary/core/clock';
import { defineConnector } from '@tributary/core/connector';
import { generateKey } from '@tributary/core/crypto';
import { createPipeline, type Pipeline } from '@tributary/core/pipeline';
import { createMemoryQueue } from '@tributary/core/queue/memory';
import { createMemoryStorage } from '@tributary/core/storage/memory';
import { createWebhookHandler, PlainHeaders, type WebhookHandler } from '@tributary/core/webhooks';
import { githubSignature } from './webhook-fixtures.js';
import { toFetchHeaders } from '../src/webhooks/node.js';

const WS = 'ws1';
const SECRET = 'raw-entry-secret';
const NOW = Date.UTC(2026, 2, 1, 12, 0, 0);

const hooks = defineConnector({
  name: 'hooks',
  version: '1.0.0',
  configSchema: z.object({}),
  parse: () => [],
  webhook: {
    signatureScheme: 'github',
    parse(request, body) {
      const p = body as { id: string; text: string };
      // Reads a header through the request the connector is given: the entries must agree on it too.
      const tag = request.headers.get('x-tag') ?? 'none';
      return { items: [{ externalId: p.id, itemType: 'hook.event', payload: { ...p, tag } }] };
    },
  },
});

const pipelines: Pipeline[] = [];
afterEach(async () => {
  for (const p of pipelines.splice(0)) await p.stop();
});

async function handler(): Promise<WebhookHandler> {
  const clock = createManualClock(NOW);
  const pipeline = createPipeline({ storage: createMemoryStorage({ clock }), queue: createMemoryQueue(), connectors: [hooks], secretKey: generateKey(), clock });
  pipelines.push(pipeline);
  await pipeline.sources.create(WS, { id: 'gh', name: 'signed', connector: 'hooks', webhook: { scheme: 'github', secret: SECRET } });
  return createWebhookHandler({ pipeline, clock, maxBodyBytes: 256, maxJsonDepth: 8 });
}

interface Case {
  name: string;
  method?: string;
  source?: string;
  headers: Record<string, string | string[]>;
  body: string;
}
const sign = (body: string, secret = SECRET) => githubSignature(body, secret);
const ok = JSON.stringify({ id: 'a', text: 'hello' });
const deep = JSON.stringify({ id: 'd', text: 'x', nested: JSON.parse('['.repeat(12) + ']'.repeat(12)) });
const large = JSON.stringify({ id: 'big', text: 'x'.repeat(400) });
const CASES: Case[] = [
  { name: 'accepted', headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(ok), 'x-github-delivery': 'd-1', 'x-tag': ['one', 'two'] }, body: ok },
  { name: 'redelivered', headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(ok), 'x-github-delivery': 'd-1' }, body: ok },
  { name: 'wrong signature', headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(ok, 'other') }, body: ok },
  { name: 'no signature', headers: { 'content-type': 'application/json' }, body: ok },
  { name: 'invalid JSON', headers: { 'x-hub-signature-256': sign('{nope') }, body: '{nope' },
  { name: 'too deep', headers: { 'x-hub-signature-256': sign(deep) }, body: deep },
  { name: 'too large', headers: { 'x-hub-signature-256': sign(large) }, body: large },
  { name: 'announced too large', headers: { 'content-length': '100000', 'x-hub-signature-256': sign(ok) }, body: ok },
  { name: 'unknown source', source: 'nope', headers: { 'x-hub-signature-256': sign(ok) }, body: ok },
  { name: 'not POST', method: 'PUT', headers: { 'x-hub-signature-256': sign(ok) }, body: ok },
];

describe('handleRaw', () => {
  it('answers every case as handle() does: status, headers and body', async () => {
    const viaFetch = await handler();
    const viaRaw = await handler();
    for (const c of CASES) {
      const params = { workspaceId: WS, sourceId: c.source ?? 'gh' };
      const url = `http://localhost/hooks/${WS}/${params.sourceId}`;
      const method = c.method ?? 'POST';
      // The Fetch request carries the same headers, Content-Length included, as Hono's node-server builds it.
      const headers = new Headers({ host: 'localhost' });
      for (const [name, value] of Object.entries(c.headers)) for (const v of [value].flat()) headers.append(name, v);
      const response = await viaFetch.handle(new Request(url, { method, headers, body: c.body }), params);
      const reply = await viaRaw.handleRaw({ method, url, headers: { host: 'localhost', ...c.headers }, body: Buffer.from(c.body) }, params);
      const fetchHeaders: Record<string, string> = {};
      response.headers.forEach((value, name) => (fetchHeaders[name] = value));
      expect({ case: c.name, status: reply.status, headers: reply.headers, body: JSON.parse(reply.body) }).toEqual({ case: c.name, status: response.status, headers: fetchHeaders, body: await response.json() });
    }
  });

  it('the connector sees the same headers: repeated values joined, as Fetch joins them', async () => {
    const webhooks = await handler();
    const reply = await webhooks.handleRaw({ url: 'http://localhost/', headers: CASES[0]!.headers, body: Buffer.from(ok) }, { workspaceId: WS, sourceId: 'gh' });
    expect(reply.status).toBe(202);
    expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
  });
});

describe('PlainHeaders', () => {
  const source = { host: 'example.com', 'content-length': '12', connection: 'keep-alive', 'x-multi': ['a', 'b'], 'x-one': 'v', ':path': '/x', 'set-cookie': ['c=1', 'd=2'] };

  it('reads as toFetchHeaders would: case-insensitive names, repeated values joined, hop-by-hop and pseudo-headers absent', () => {
    const plain = new PlainHeaders(source);
    const fetch = toFetchHeaders(source);
    for (const name of ['host', 'HOST', 'content-length', 'connection', 'x-multi', 'X-One', 'set-cookie', 'missing']) {
      expect(plain.get(name), name).toBe(fetch.get(name));
      expect(plain.has(name), name).toBe(fetch.has(name));
    }
    // Fetch refuses to look up a pseudo-header name at all; it is simply absent here.
    expect(plain.get(':path')).toBeNull();
    expect([...plain]).toEqual([...fetch]);
    expect(plain.getSetCookie()).toEqual(['c=1', 'd=2']);
  });

  it('changes apply to its own copy, never to the object it reads', () => {
    const headers: Record<string, string> = { 'x-one': 'v' };
    const plain = new PlainHeaders(headers);
    plain.set('x-one', 'changed');
    plain.append('x-two', 'w');
    plain.delete('x-three');
    expect(plain.get('x-one')).toBe('changed');
    expect(plain.get('x-two')).toBe('w');
    expect(headers).toEqual({ 'x-one': 'v' });
  });
});
