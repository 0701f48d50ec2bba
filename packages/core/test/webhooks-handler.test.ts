// The webhook handler on the Fetch API, over a real pipeline with the memory adapters.
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createManualClock } from '@tributary/core/clock';
import { defineConnector, type RawItem } from '@tributary/core/connector';
import { generateKey } from '@tributary/core/crypto';
import { createError, fromZodError } from '@tributary/core/errors';
import { createPipeline, type Pipeline } from '@tributary/core/pipeline';
import type { QueueAdapter } from '@tributary/core/queue';
import { createMemoryQueue } from '@tributary/core/queue/memory';
import { recordId } from '@tributary/core/record';
import { createMemoryStorage } from '@tributary/core/storage/memory';
import { createWebhookHandler, type WebhookHandlerOptions, type WebhookPipeline } from '@tributary/core/webhooks';

const WS = 'ws1';
const NOW = Date.UTC(2026, 2, 1, 12, 0, 0);
const NOW_S = Math.floor(NOW / 1000);
const SW_SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
const SW_KEY = Buffer.alloc(32, 9);
const GH_SECRET = 'gh-secret-do-not-echo';
const LIMIT = 512;

/** A connector whose webhooks carry `{ id, text }`, or `{ thin: true }` for a change notice. */
const hooks = defineConnector({
  name: 'hooks',
  version: '1.0.0',
  configSchema: z.object({}),
  parse(item: RawItem) {
    const p = item.payload as { id: string; text: string };
    return [{ externalId: p.id, itemType: 'hook.event', occurredAt: '2026-03-01T00:00:00.000Z', content: { text: p.text } }];
  },
  webhook: {
    signatureScheme: 'standard-webhooks',
    parse(_request, body) {
      if (typeof body === 'object' && body !== null && (body as { thin?: unknown }).thin === true) return { items: [], triggerFetch: { reason: 'changed' } };
      // A handshake like Slack's url_verification: answered with the challenge, nothing ingested.
      if (typeof body === 'object' && body !== null && typeof (body as { challenge?: unknown }).challenge === 'string') {
        return { items: [], response: { status: 200, body: { challenge: (body as { challenge: string }).challenge } } };
      }
      if (typeof body === 'object' && body !== null && (body as { explode?: unknown }).explode === true) throw new Error('connector bug with details');
      const parsed = z.object({ id: z.string().min(1), text: z.string() }).safeParse(body);
      if (!parsed.success) throw fromZodError('hooks', 'webhook body', parsed.error);
      return { items: [{ externalId: parsed.data.id, itemType: 'hook.event', payload: parsed.data }] };
    },
  },
});

/** The same deliveries parsed asynchronously (a connector that looks something up first). */
const asyncHooks = defineConnector({
  name: 'async-hooks',
  version: '1.0.0',
  configSchema: z.object({}),
  parse: hooks.parse,
  webhook: {
    signatureScheme: 'none',
    async parse(request, body, context) {
      await new Promise((resolve) => setImmediate(resolve));
      if (typeof body === 'object' && body !== null && (body as { noItems?: unknown }).noItems === true) return {} as never;
      return hooks.webhook!.parse(request, body, context);
    },
  },
});

/** A connector that is only pulled. */
const pullOnly = defineConnector({ name: 'pull-only', version: '1.0.0', configSchema: z.object({}), async *fetch() {} });

/** A queue whose publishing can be switched off, to simulate an outage. */
function flakyQueue(): QueueAdapter & { down: boolean } {
  const inner = createMemoryQueue();
  const queue = {
    ...inner,
    down: false,
    async publish<T>(topic: string, payload: T, options?: Parameters<QueueAdapter['publish']>[2]) {
      if (queue.down) throw createError('memory-queue', 'unavailable', 'broker unreachable at 10.0.0.7', { retryAfterMs: 7000 });
      return inner.publish(topic, payload, options);
    },
    publishBatch: undefined,
  };
  return queue;
}

const pipelines: Pipeline[] = [];
afterEach(async () => {
  for (const p of pipelines.splice(0)) await p.stop();
});

async function setup(overrides: Partial<WebhookHandlerOptions> = {}) {
  const queue = flakyQueue();
  const clock = createManualClock(NOW);
  const pipeline = createPipeline({ storage: createMemoryStorage({ clock }), queue, connectors: [hooks, asyncHooks, pullOnly], secretKey: generateKey(), clock });
  pipelines.push(pipeline);
  await pipeline.sources.create(WS, { id: 'sw', name: 'signed', connector: 'hooks', webhook: { secret: SW_SECRET } });
  await pipeline.sources.create(WS, { id: 'gh', name: 'github-signed', connector: 'hooks', webhook: { scheme: 'github', secret: GH_SECRET } });
  await pipeline.sources.create(WS, { id: 'open', name: 'unsigned', connector: 'hooks', webhook: { secret: null } });
  await pipeline.sources.create(WS, { id: 'async', name: 'parsed asynchronously', connector: 'async-hooks', webhook: { secret: null } });
  await pipeline.sources.create(WS, { id: 'nohook', name: 'no webhook', connector: 'hooks' });
  await pipeline.sources.create(WS, { id: 'pull', name: 'pull only', connector: 'pull-only', webhook: {} });
  await pipeline.sources.create(WS, { id: 'off', name: 'disabled', connector: 'hooks', webhook: { secret: null }, enabled: false });
  await pipeline.sources.create(WS, { id: 'misconfigured', name: 'secret, no scheme', connector: 'hooks', webhook: { scheme: 'none', secret: 'x-secret-x' } });
  const errors: { error: unknown; stage: string }[] = [];
  const handler = createWebhookHandler({ pipeline, clock, maxBodyBytes: LIMIT, onError: (error, c) => errors.push({ error, stage: c.stage }), ...overrides });
  const parseDepth = async () => (await queue.stats(pipeline.topics.parse)).depth;
  return { pipeline, queue, clock, handler, errors, parseDepth };
}

/** Standard Webhooks headers computed independently of the library's signer. */
function swHeaders(body: string | Buffer, id = 'msg_1', ts = NOW_S, key = SW_KEY): Record<string, string> {
  const content = Buffer.concat([Buffer.from(`${id}.${ts}.`), Buffer.from(body)]);
  return { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': `v1,${createHmac('sha256', key).update(content).digest('base64')}`, 'content-type': 'application/json' };
}

const post = (sourceId: string, body: string | Buffer | ReadableStream<Uint8Array>, headers: Record<string, string> = {}, method = 'POST') =>
  new Request(`http://localhost/webhooks/${WS}/${sourceId}`, {
    method,
    headers,
    ...(method === 'GET' ? {} : { body: body as BodyInit }),
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit);

async function expectError(response: Response, status: number, code: string, messagePart?: RegExp) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const json = (await response.json()) as { error: { code: string; message: string; issues?: { path: string; message: string }[] } };
  expect(json.error.code).toBe(code);
  expect(typeof json.error.message).toBe('string');
  if (messagePart) expect(json.error.message).toMatch(messagePart);
  return json;
}

const event = (id: string, text = 'hello') => JSON.stringify({ id, text });

describe('webhook handler: accepting', () => {
  it('answers 202 with the record ids once the items are enqueued, and the records appear', async () => {
    const { handler, pipeline, parseDepth } = await setup();
    const body = event('e1', 'I love it');
    const response = await handler.handle(post('sw', body, swHeaders(body)), { workspaceId: WS, sourceId: 'sw' });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: 1, ids: [recordId(WS, 'sw', 'e1')], deliveryId: 'msg_1' });
    expect(await parseDepth()).toBe(1);

    await pipeline.start();
    await pipeline.drain();
    expect(await pipeline.storage.getRecord(WS, recordId(WS, 'sw', 'e1'))).toMatchObject({ content: { text: 'I love it' }, externalId: 'e1' });
  });

  it('answers a handshake with the connector\'s response and ingests nothing', async () => {
    const { handler, parseDepth } = await setup();
    const body = JSON.stringify({ type: 'url_verification', challenge: 'c-123' });
    const response = await handler.handle(post('sw', body, swHeaders(body, 'msg_hs')), { workspaceId: WS, sourceId: 'sw' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ challenge: 'c-123' });
    expect(await parseDepth()).toBe(0);
  });

  it('accepts unsigned requests when the source has no secret', async () => {
    const { handler, parseDepth } = await setup();
    const response = await handler.handle(post('open', event('u1')), { workspaceId: WS, sourceId: 'open' });
    expect(response.status).toBe(202);
    expect(await parseDepth()).toBe(1);
  });

  it("uses the source's scheme over the connector's (GitHub here)", async () => {
    const { handler } = await setup();
    const body = event('g1');
    const signature = `sha256=${createHmac('sha256', GH_SECRET).update(body).digest('hex')}`;
    const ok = await handler.handle(post('gh', body, { 'x-hub-signature-256': signature, 'x-github-delivery': 'd-1' }), { workspaceId: WS, sourceId: 'gh' });
    expect(ok.status).toBe(202);
    expect(await ok.json()).toMatchObject({ deliveryId: 'd-1' });
    // a Standard Webhooks signature does not open a GitHub source
    await expectError(await handler.handle(post('gh', body, swHeaders(body)), { workspaceId: WS, sourceId: 'gh' }), 401, 'unauthorized', /X-Hub-Signature-256/);
  });

  it('a thin webhook queues a pull and answers 202 with its run id', async () => {
    const { handler, pipeline, parseDepth } = await setup();
    const body = JSON.stringify({ thin: true });
    const response = await handler.handle(post('sw', body, swHeaders(body, 'msg_thin')), { workspaceId: WS, sourceId: 'sw' });
    expect(response.status).toBe(202);
    const json = (await response.json()) as { accepted: number; runId: string };
    expect(json).toMatchObject({ accepted: 0, ids: [] });
    expect(await pipeline.getRun(WS, json.runId)).toMatchObject({ status: 'queued', trigger: 'webhook', sourceId: 'sw' });
    expect((await pipeline.queue.stats(pipeline.topics.fetch)).depth).toBe(1);
    expect(await parseDepth()).toBe(0);
  });

  it('decodes form bodies with a JSON payload field (GitHub form content type)', async () => {
    const { handler } = await setup();
    const body = `payload=${encodeURIComponent(event('f1'))}`;
    const response = await handler.handle(post('open', body, { 'content-type': 'application/x-www-form-urlencoded' }), { workspaceId: WS, sourceId: 'open' });
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ ids: [recordId(WS, 'open', 'f1')] });
  });
});

describe('webhook handler: signatures', () => {
  it('401 when the signature is missing and a secret is configured', async () => {
    const { handler, parseDepth } = await setup();
    await expectError(await handler.handle(post('sw', event('e1')), { workspaceId: WS, sourceId: 'sw' }), 401, 'unauthorized', /webhook-signature/);
    // id and timestamp present but no signature
    const { 'webhook-signature': _s, ...rest } = swHeaders(event('e1'));
    await expectError(await handler.handle(post('sw', event('e1'), rest), { workspaceId: WS, sourceId: 'sw' }), 401, 'unauthorized');
    expect(await parseDepth()).toBe(0);
  });

  it('401 when the signature is wrong: another key, a tampered body, a malformed value', async () => {
    const { handler, parseDepth } = await setup();
    const body = event('e1');
    await expectError(await handler.handle(post('sw', body, swHeaders(body, 'msg_1', NOW_S, Buffer.alloc(32, 1))), { workspaceId: WS, sourceId: 'sw' }), 401, 'signature');
    await expectError(await handler.handle(post('sw', event('e1', 'tampered'), swHeaders(body)), { workspaceId: WS, sourceId: 'sw' }), 401, 'signature');
    await expectError(await handler.handle(post('sw', body, { ...swHeaders(body), 'webhook-signature': 'v1,!!!' }), { workspaceId: WS, sourceId: 'sw' }), 401, 'signature');
    expect(await parseDepth()).toBe(0);
  });

  it('401 for a stale or a future timestamp', async () => {
    const { handler } = await setup();
    const body = event('e1');
    await expectError(await handler.handle(post('sw', body, swHeaders(body, 'msg_1', NOW_S - 301)), { workspaceId: WS, sourceId: 'sw' }), 401, 'signature', /past/);
    await expectError(await handler.handle(post('sw', body, swHeaders(body, 'msg_1', NOW_S + 301)), { workspaceId: WS, sourceId: 'sw' }), 401, 'signature', /future/);
  });

  it('honours a custom tolerance', async () => {
    const { handler } = await setup({ toleranceMs: 10_000 });
    const body = event('e1');
    await expectError(await handler.handle(post('sw', body, swHeaders(body, 'msg_1', NOW_S - 11)), { workspaceId: WS, sourceId: 'sw' }), 401, 'signature');
  });

  it('a secret with scheme "none" fails closed (500 naming the misconfiguration), nothing enqueued', async () => {
    const { handler, parseDepth, errors } = await setup();
    const json = await expectError(await handler.handle(post('misconfigured', event('e1')), { workspaceId: WS, sourceId: 'misconfigured' }), 500, 'config', /scheme "none"/);
    expect(JSON.stringify(json)).not.toContain('x-secret-x');
    expect(await parseDepth()).toBe(0);
    expect(errors.map((e) => e.stage)).toEqual(['verify']);
  });

  it('never echoes the secret in any answer', async () => {
    const { handler } = await setup();
    const body = event('e1');
    const answers = await Promise.all([
      handler.handle(post('gh', body), { workspaceId: WS, sourceId: 'gh' }),
      handler.handle(post('gh', body, { 'x-hub-signature-256': 'sha256=00' }), { workspaceId: WS, sourceId: 'gh' }),
      handler.handle(post('sw', body, swHeaders(body, 'm', NOW_S, Buffer.alloc(32))), { workspaceId: WS, sourceId: 'sw' }),
    ]);
    for (const a of answers) {
      const text = await a.text();
      expect(text).not.toContain(GH_SECRET);
      expect(text).not.toContain(SW_SECRET.slice(6));
    }
  });
});

describe('webhook handler: bodies', () => {
  it('400 for a body that is not JSON, with a signature that is valid', async () => {
    const { handler } = await setup();
    const body = '{"id": "e1", text';
    await expectError(await handler.handle(post('sw', body, swHeaders(body)), { workspaceId: WS, sourceId: 'sw' }), 400, 'validation', /not valid JSON/);
  });

  it('400 for invalid UTF-8', async () => {
    const { handler } = await setup();
    const body = Buffer.concat([Buffer.from('{"id":"e1","text":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    await expectError(await handler.handle(post('sw', body, swHeaders(body)), { workspaceId: WS, sourceId: 'sw' }), 400, 'validation', /UTF-8/);
  });

  it("400 naming the field for the connector's validation error", async () => {
    const { handler, parseDepth } = await setup();
    const body = JSON.stringify({ id: 'e1', text: 42 });
    const json = await expectError(await handler.handle(post('sw', body, swHeaders(body)), { workspaceId: WS, sourceId: 'sw' }), 400, 'validation', /text/);
    expect(json.error.issues).toEqual([expect.objectContaining({ path: 'text' })]);
    expect(await parseDepth()).toBe(0);
  });

  it('500 without details when the connector throws an unexpected error', async () => {
    const { handler, errors } = await setup();
    const json = await expectError(await handler.handle(post('open', JSON.stringify({ explode: true })), { workspaceId: WS, sourceId: 'open' }), 500, 'internal');
    expect(json.error.message).not.toContain('details');
    expect(errors.map((e) => e.stage)).toEqual(['parse']);
  });

  it('a connector that parses asynchronously gets the same answers: 202, 400 naming the field, 500 for its bug or a result without items', async () => {
    const { handler, errors, parseDepth } = await setup();
    const accepted = await handler.handle(post('async', event('a1')), { workspaceId: WS, sourceId: 'async' });
    expect(accepted.status).toBe(202);
    expect(await accepted.json()).toMatchObject({ accepted: 1, ids: [recordId(WS, 'async', 'a1')] });
    const invalid = await expectError(await handler.handle(post('async', JSON.stringify({ id: 'a2', text: 42 })), { workspaceId: WS, sourceId: 'async' }), 400, 'validation', /text/);
    expect(invalid.error.issues).toEqual([expect.objectContaining({ path: 'text' })]);
    const bug = await expectError(await handler.handle(post('async', JSON.stringify({ explode: true })), { workspaceId: WS, sourceId: 'async' }), 500, 'internal');
    expect(bug.error.message).not.toContain('details');
    await expectError(await handler.handle(post('async', JSON.stringify({ noItems: true })), { workspaceId: WS, sourceId: 'async' }), 500, 'internal');
    expect(errors.map((e) => e.stage)).toEqual(['parse', 'parse']);
    expect(await parseDepth()).toBe(1);
  });

  it('accepts a body of exactly the limit and refuses one byte more (413), announced or streamed', async () => {
    const { handler, parseDepth } = await setup();
    const exact = (size: number, id: string) => {
      const base = event(id, '');
      return event(id, 'a'.repeat(size - base.length));
    };
    const atLimit = exact(LIMIT, 'big1');
    expect(Buffer.byteLength(atLimit)).toBe(LIMIT);
    expect((await handler.handle(post('open', atLimit), { workspaceId: WS, sourceId: 'open' })).status).toBe(202);

    const over = exact(LIMIT + 1, 'big2');
    // Announced by Content-Length (Request sets it for a string body only on the wire, so set it here)
    await expectError(await handler.handle(post('open', over, { 'content-length': String(LIMIT + 1) }), { workspaceId: WS, sourceId: 'open' }), 413, 'payload_too_large');
    // Streamed without a length: counted while read
    await expectError(await handler.handle(post('open', over), { workspaceId: WS, sourceId: 'open' }), 413, 'payload_too_large');
    expect(await parseDepth()).toBe(1);
  });

  it('stops reading an endless body at the limit', async () => {
    const { handler } = await setup();
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 100;
        controller.enqueue(new Uint8Array(100).fill(0x20));
      },
    });
    await expectError(await handler.handle(post('open', endless), { workspaceId: WS, sourceId: 'open' }), 413, 'payload_too_large');
    expect(pulled).toBeLessThan(LIMIT + 400);
  });

  it('refuses an announced oversize body before loading the source', async () => {
    let resolved = 0;
    const { pipeline } = await setup();
    const counting: WebhookPipeline = { ...pipeline, sources: { resolve: (w, s) => (resolved++, pipeline.sources.resolve(w, s)) }, ingest: pipeline.ingest, trigger: pipeline.trigger };
    const handler = createWebhookHandler({ pipeline: counting, maxBodyBytes: LIMIT });
    await expectError(await handler.handle(post('open', 'x', { 'content-length': String(10 * LIMIT) }), { workspaceId: WS, sourceId: 'open' }), 413, 'payload_too_large');
    expect(resolved).toBe(0);
  });
});

describe('webhook handler: routing', () => {
  it('404 for an unknown source or workspace, 404 without webhook config or support, 403 when disabled, 405 for GET', async () => {
    const { handler } = await setup();
    await expectError(await handler.handle(post('nope', event('e')), { workspaceId: WS, sourceId: 'nope' }), 404, 'not_found');
    await expectError(await handler.handle(post('sw', event('e')), { workspaceId: 'other-ws', sourceId: 'sw' }), 404, 'not_found');
    await expectError(await handler.handle(post('nohook', event('e')), { workspaceId: WS, sourceId: 'nohook' }), 404, 'not_found', /no webhook configured/);
    await expectError(await handler.handle(post('pull', event('e')), { workspaceId: WS, sourceId: 'pull' }), 404, 'not_found', /pull-only does not accept webhooks/);
    await expectError(await handler.handle(post('off', event('e')), { workspaceId: WS, sourceId: 'off' }), 403, 'forbidden', /disabled/);
    const get = await handler.handle(post('sw', '', {}, 'GET'), { workspaceId: WS, sourceId: 'sw' });
    await expectError(get, 405, 'validation');
    expect(get.headers.get('allow')).toBe('POST');
    await expectError(await handler.handle(post('sw', event('e')), { workspaceId: '', sourceId: '' }), 404, 'not_found');
  });

  it('503 with Retry-After when the source cannot be loaded (storage outage)', async () => {
    const { pipeline } = await setup();
    const broken: WebhookPipeline = { ...pipeline, sources: { resolve: () => Promise.reject(new Error('ECONNREFUSED 10.0.0.3:5432')) }, ingest: pipeline.ingest, trigger: pipeline.trigger };
    const errors: string[] = [];
    const handler = createWebhookHandler({ pipeline: broken, onError: (_e, c) => errors.push(c.stage) });
    const response = await handler.handle(post('sw', event('e')), { workspaceId: WS, sourceId: 'sw' });
    const json = await expectError(response, 503, 'unavailable');
    expect(response.headers.get('retry-after')).toBe('5');
    expect(JSON.stringify(json)).not.toContain('10.0.0.3');
    expect(errors).toEqual(['resolve']);
  });
});

describe('webhook handler: delivery guarantees', () => {
  it('acknowledges a redelivery of the same delivery id without enqueuing it twice', async () => {
    const { handler, parseDepth } = await setup();
    const body = event('e1');
    const first = await handler.handle(post('sw', body, swHeaders(body, 'msg_dup')), { workspaceId: WS, sourceId: 'sw' });
    expect(first.status).toBe(202);
    // the sender retries later with a fresh timestamp and signature, same id
    const again = await handler.handle(post('sw', body, swHeaders(body, 'msg_dup', NOW_S + 60)), { workspaceId: WS, sourceId: 'sw' });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ accepted: 1, ids: [recordId(WS, 'sw', 'e1')], deliveryId: 'msg_dup', duplicate: true });
    expect(await parseDepth()).toBe(1);
    // another id is another delivery
    expect((await handler.handle(post('sw', body, swHeaders(body, 'msg_other')), { workspaceId: WS, sourceId: 'sw' })).status).toBe(202);
    expect(await parseDepth()).toBe(2);
  });

  it('the same delivery id on two sources is two deliveries', async () => {
    const { handler, parseDepth } = await setup();
    const body = event('e1');
    const gh = `sha256=${createHmac('sha256', GH_SECRET).update(body).digest('hex')}`;
    expect((await handler.handle(post('gh', body, { 'x-hub-signature-256': gh, 'x-github-delivery': 'same' }), { workspaceId: WS, sourceId: 'gh' })).status).toBe(202);
    expect((await handler.handle(post('open', body, { 'idempotency-key': 'same' }), { workspaceId: WS, sourceId: 'open' })).status).toBe(202);
    expect(await parseDepth()).toBe(2);
  });

  it('forgets delivery ids after the retention window', async () => {
    const { handler, clock, parseDepth } = await setup({ dedupRetentionMs: 60_000 });
    const body = event('e1');
    expect((await handler.handle(post('open', body, { 'idempotency-key': 'k1' }), { workspaceId: WS, sourceId: 'open' })).status).toBe(202);
    expect((await handler.handle(post('open', body, { 'idempotency-key': 'k1' }), { workspaceId: WS, sourceId: 'open' })).status).toBe(200);
    clock.set(NOW + 60_001);
    expect((await handler.handle(post('open', body, { 'idempotency-key': 'k1' }), { workspaceId: WS, sourceId: 'open' })).status).toBe(202);
    expect(await parseDepth()).toBe(2);
  });

  it('503 with Retry-After when enqueuing fails; no dedup record, so the retry is processed', async () => {
    const { handler, queue, parseDepth, errors } = await setup();
    const body = event('e1');
    queue.down = true;
    const failed = await handler.handle(post('sw', body, swHeaders(body, 'msg_retry')), { workspaceId: WS, sourceId: 'sw' });
    const json = await expectError(failed, 503, 'unavailable', /enqueued/);
    expect(failed.headers.get('retry-after')).toBe('7');
    expect(JSON.stringify(json)).not.toContain('10.0.0.7');
    expect(errors.map((e) => e.stage)).toEqual(['ingest']);
    expect(await parseDepth()).toBe(0);

    queue.down = false;
    const retried = await handler.handle(post('sw', body, swHeaders(body, 'msg_retry', NOW_S + 30)), { workspaceId: WS, sourceId: 'sw' });
    expect(retried.status).toBe(202);
    expect(await parseDepth()).toBe(1);
  });

  it('503 when a thin webhook cannot queue its pull', async () => {
    const { handler, queue } = await setup();
    queue.down = true;
    const body = JSON.stringify({ thin: true });
    const response = await handler.handle(post('sw', body, swHeaders(body, 'msg_t')), { workspaceId: WS, sourceId: 'sw' });
    await expectError(response, 503, 'unavailable', /pull/);
    expect(response.headers.get('retry-after')).not.toBeNull();
  });

  it('does not answer before ingest resolved', async () => {
    const { pipeline } = await setup();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let ingested = false;
    let entered = false;
    const slow: WebhookPipeline = {
      sources: pipeline.sources,
      trigger: pipeline.trigger,
      storage: pipeline.storage,
      async ingest(w, s, items, o) {
        entered = true;
        await gate;
        const result = await pipeline.ingest(w, s, items, o);
        ingested = true;
        return result;
      },
    };
    const handler = createWebhookHandler({ pipeline: slow });
    let answered = false;
    const pending = handler.handle(post('open', event('slow')), { workspaceId: WS, sourceId: 'open' }).then((r) => ((answered = true), r));
    while (!entered) await new Promise((r) => setTimeout(r, 1));
    await new Promise((r) => setTimeout(r, 20));
    expect(answered).toBe(false);
    release();
    const response = await pending;
    expect(ingested).toBe(true);
    expect(response.status).toBe(202);
  });

  it('two concurrent copies of one delivery are enqueued once (the other is told to retry or is a duplicate)', async () => {
    const { pipeline, parseDepth } = await setup();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let calls = 0;
    const slow: WebhookPipeline = {
      sources: pipeline.sources,
      trigger: pipeline.trigger,
      storage: pipeline.storage,
      async ingest(w, s, items, o) {
        calls++;
        await gate;
        return pipeline.ingest(w, s, items, o);
      },
    };
    const handler = createWebhookHandler({ pipeline: slow });
    const body = event('c1');
    const first = handler.handle(post('open', body, { 'idempotency-key': 'once' }), { workspaceId: WS, sourceId: 'open' });
    // wait until the first copy holds its claim and is inside ingest
    while (calls === 0) await new Promise((r) => setTimeout(r, 1));
    const second = await handler.handle(post('open', body, { 'idempotency-key': 'once' }), { workspaceId: WS, sourceId: 'open' });
    const secondJson = await expectError(second, 409, 'conflict');
    expect(secondJson.error.message).toMatch(/being processed/);
    expect(second.headers.get('retry-after')).toBe('1');
    release();
    expect((await first).status).toBe(202);
    const third = await handler.handle(post('open', body, { 'idempotency-key': 'once' }), { workspaceId: WS, sourceId: 'open' });
    expect(third.status).toBe(200);
    expect(calls).toBe(1);
    expect(await parseDepth()).toBe(1);
  });

  it('50 good and 50 bad requests interleaved: every good one accepted, every bad one refused, no interference', async () => {
    const { handler, pipeline, parseDepth } = await setup();
    const requests: Promise<{ good: boolean; status: number; body: unknown }>[] = [];
    for (let i = 0; i < 50; i++) {
      const body = event(`p${i}`, `text ${i}`);
      requests.push(
        handler.handle(post('sw', body, swHeaders(body, `msg_p${i}`)), { workspaceId: WS, sourceId: 'sw' }).then(async (r) => ({ good: true, status: r.status, body: await r.json() })),
      );
      // bad ones of several kinds, on the same source, between the good ones
      const bad =
        i % 5 === 0
          ? post('sw', body) // unsigned
          : i % 5 === 1
            ? post('sw', body, swHeaders(event(`p${i}`, 'other'), `msg_p${i}`)) // signature of another body
            : i % 5 === 2
              ? post('sw', body, swHeaders(body, `msg_b${i}`, NOW_S - 3600)) // stale
              : i % 5 === 3
                ? post('sw', '{oops', swHeaders('{oops', `msg_b${i}`)) // malformed, signed
                : post('sw', 'x'.repeat(LIMIT + 1), swHeaders('x'.repeat(LIMIT + 1), `msg_b${i}`)); // too large
      requests.push(handler.handle(bad, { workspaceId: WS, sourceId: 'sw' }).then(async (r) => ({ good: false, status: r.status, body: await r.json() })));
    }
    const results = await Promise.all(requests);
    const good = results.filter((r) => r.good);
    const bad = results.filter((r) => !r.good);
    expect(good.map((r) => r.status)).toEqual(Array(50).fill(202));
    expect(new Set(good.map((r) => (r.body as { ids: string[] }).ids[0])).size).toBe(50);
    expect(bad.every((r) => r.status >= 400 && r.status < 500)).toBe(true);
    expect(new Set(bad.map((r) => r.status))).toEqual(new Set([400, 401, 413]));
    expect(bad.every((r) => typeof (r.body as { error: { code: string } }).error.code === 'string')).toBe(true);
    // Concurrent deliveries may share parse messages: what counts is that each good one's record is made.
    expect(await parseDepth()).toBeGreaterThan(0);
    await pipeline.start();
    await pipeline.drain();
    const stored = await Promise.all(Array.from({ length: 50 }, (_, i) => pipeline.storage.getRecord(WS, recordId(WS, 'sw', `p${i}`))));
    expect(stored.map((r) => r?.content?.text)).toEqual(Array.from({ length: 50 }, (_, i) => `text ${i}`));
  });

  it('looks again after claiming, so a copy that finished in between is not enqueued twice', async () => {
    const { pipeline, parseDepth } = await setup();
    let looks = 0;
    let released = 0;
    const record = { sourceId: 'open', deliveryId: 'k', acceptedAt: new Date(NOW).toISOString(), expiresAt: NOW + 1000, accepted: 1, ids: ['r1'] };
    const handler = createWebhookHandler({
      pipeline,
      dedup: {
        get: async () => (looks++ === 0 ? null : record),
        claim: async () => async () => void released++,
        remember: async () => undefined,
      },
    });
    const response = await handler.handle(post('open', event('e1'), { 'idempotency-key': 'k' }), { workspaceId: WS, sourceId: 'open' });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ duplicate: true, ids: ['r1'] });
    expect(released).toBe(1);
    expect(await parseDepth()).toBe(0);
  });

  it('works without any dedup store', async () => {
    const { pipeline, parseDepth } = await setup();
    const handler = createWebhookHandler({ pipeline, dedup: false });
    const body = event('e1');
    expect((await handler.handle(post('open', body, { 'idempotency-key': 'k' }), { workspaceId: WS, sourceId: 'open' })).status).toBe(202);
    expect((await handler.handle(post('open', body, { 'idempotency-key': 'k' }), { workspaceId: WS, sourceId: 'open' })).status).toBe(202);
    expect(await parseDepth()).toBe(2);
  });

  it('still answers 202 when the delivery record cannot be saved (the items are enqueued)', async () => {
    const { pipeline, parseDepth } = await setup();
    const errors: string[] = [];
    const handler = createWebhookHandler({
      pipeline,
      dedup: { get: async () => null, claim: async () => async () => undefined, remember: () => Promise.reject(new Error('disk full')) },
      onError: (_e, c) => errors.push(c.stage),
    });
    expect((await handler.handle(post('open', event('e1'), { 'idempotency-key': 'k' }), { workspaceId: WS, sourceId: 'open' })).status).toBe(202);
    expect(errors).toEqual(['remember']);
    expect(await parseDepth()).toBe(1);
  });
});
