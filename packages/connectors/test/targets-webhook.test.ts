import { createHmac, timingSafeEqual } from 'node:crypto';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { z } from 'zod';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { standardWebhookId, webhookTarget, WebhookTargetConfigSchema, type WebhookTargetConfigInput } from '@tributary/connectors/targets/webhook';
import { standardWebhooksScheme } from '@tributary/core/webhooks';
import { alertMessage, dispatchAll, expectAllAcceptedOnce, flakyReceiver, message, sendContext } from './fixtures/targets/messages.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const URL_ = 'https://receiver.example.com/webhooks/tributary';
// Fixed test secrets: `whsec_` + base64 of 32 bytes.
const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const OLD_SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;

const send = (input: Partial<WebhookTargetConfigInput>, m = message(1)) => webhookTarget.send(m, sendContext(WebhookTargetConfigSchema.parse({ url: URL_, secret: SECRET, ...input })));

interface Received {
  headers: Headers;
  body: string;
}

function receive(status = 200): Received[] {
  const seen: Received[] = [];
  server.use(
    http.post(URL_, async ({ request }) => {
      seen.push({ headers: request.headers, body: await request.text() });
      return new HttpResponse(null, { status });
    }),
  );
  return seen;
}

/** Verifies a Standard Webhooks signature the way a receiver would, independently of the signer. */
function signatureMatches(received: Received, secret: string): boolean {
  const id = received.headers.get('webhook-id')!;
  const timestamp = received.headers.get('webhook-timestamp')!;
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${received.body}`).digest();
  return received.headers
    .get('webhook-signature')!
    .split(' ')
    .some((part) => {
      const [version, signature] = part.split(',');
      const given = Buffer.from(signature ?? '', 'base64');
      return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
    });
}

describe('webhook target: signing', () => {
  it('sends webhook-id, webhook-timestamp and a v1 signature a receiver can verify', async () => {
    const seen = receive();
    const m = message(1);
    const before = Math.floor(Date.now() / 1000);
    expect(await send({}, m)).toEqual({ ok: true, status: 200 });
    const r = seen[0]!;
    expect(r.headers.get('webhook-id')).toBe('msg_1');
    const timestamp = Number(r.headers.get('webhook-timestamp'));
    expect(timestamp).toBeGreaterThanOrEqual(before);
    expect(timestamp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(r.headers.get('webhook-signature')).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(signatureMatches(r, SECRET)).toBe(true);
    expect(signatureMatches(r, OLD_SECRET)).toBe(false);
    expect(r.headers.get('idempotency-key')).toBe('key-1');
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(JSON.parse(r.body)).toEqual(m);
  });

  it('fails verification when the body is altered', async () => {
    const seen = receive();
    await send({});
    expect(signatureMatches({ ...seen[0]!, body: seen[0]!.body.replace('item 1', 'item 2') }, SECRET)).toBe(false);
  });

  it('passes the verifier of @tributary/core/webhooks', async () => {
    const seen = receive();
    await send({});
    const r = seen[0]!;
    const request = { method: 'POST', url: URL_, headers: r.headers, rawBody: new TextEncoder().encode(r.body), receivedAt: Date.now() };
    expect(standardWebhooksScheme.verify(request, SECRET, Date.now())).toEqual({ ok: true });
    expect(standardWebhooksScheme.verify({ ...request, rawBody: new TextEncoder().encode(`${r.body} `) }, SECRET, Date.now()).ok).toBe(false);
  });

  it('keeps the webhook-id stable and dot-free for ids with dots (the reporters\' ids)', async () => {
    const seen = receive();
    await send({}, alertMessage);
    await send({}, alertMessage);
    expect(seen.map((r) => r.headers.get('webhook-id'))).toEqual(['rec_v1:r1:record%2Ealert', 'rec_v1:r1:record%2Ealert']);
    expect(seen.every((r) => signatureMatches(r, SECRET))).toBe(true);
    expect(standardWebhookId('a%2Eb')).not.toBe(standardWebhookId('a.b'));
  });

  it('signs with every secret while rotating keys', async () => {
    const seen = receive();
    await send({ secret: [SECRET, OLD_SECRET] });
    expect(seen[0]!.headers.get('webhook-signature')!.split(' ')).toHaveLength(2);
    expect(signatureMatches(seen[0]!, SECRET)).toBe(true);
    expect(signatureMatches(seen[0]!, OLD_SECRET)).toBe(true);
  });

  it('cannot have its signature headers replaced by extra headers', async () => {
    const seen = receive();
    await send({ headers: { 'webhook-signature': 'v1,forged', 'X-Env': 'prod' } });
    expect(seen[0]!.headers.get('x-env')).toBe('prod');
    expect(signatureMatches(seen[0]!, SECRET)).toBe(true);
  });

  it('sends the payload alone, or the Standard Webhooks shape', async () => {
    const seen = receive();
    await send({ body: 'payload' });
    await send({ body: 'standard' });
    expect(JSON.parse(seen[0]!.body)).toEqual({ n: 1, name: 'item 1' });
    expect(JSON.parse(seen[1]!.body)).toEqual({ type: 'test.event', timestamp: '2026-03-01T10:00:00.000Z', data: { n: 1, name: 'item 1' } });
    expect(seen.every((r) => signatureMatches(r, SECRET))).toBe(true);
  });
});

describe('webhook target: answers', () => {
  it('410 Gone is permanent (the endpoint was removed)', async () => {
    receive(410);
    expect(await send({})).toMatchObject({ ok: false, status: 410, permanent: true });
  });

  it('429 and 503 are retried with Retry-After', async () => {
    server.use(http.post(URL_, () => new HttpResponse(null, { status: 503, headers: { 'retry-after': '12' } })));
    expect(await send({})).toEqual({ ok: false, status: 503, retryAfterMs: 12_000, error: 'Service Unavailable' });
  });

  it('401 is not permanent', async () => {
    receive(401);
    expect((await send({})).permanent).toBeUndefined();
  });
});

describe('webhook target: configuration', () => {
  it('requires a whsec_ secret and never quotes it back', () => {
    const result = WebhookTargetConfigSchema.safeParse({ url: URL_, secret: 'whsec_not base64!!' });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error)).not.toContain('not base64!!');
    expect(WebhookTargetConfigSchema.safeParse({ url: URL_, secret: [] }).success).toBe(false);
    expect(WebhookTargetConfigSchema.safeParse({ url: 'mailto:a@b.c', secret: SECRET }).success).toBe(false);
  });

  it('marks the secret as a secret', () => {
    const schema = z.toJSONSchema(WebhookTargetConfigSchema, { io: 'input' }) as unknown as { properties: { secret: { anyOf: Record<string, unknown>[] } } };
    expect(schema.properties.secret.anyOf[0]).toMatchObject({ secret: true, writeOnly: true });
  });
});

describe('webhook target through the dispatcher', () => {
  it('gets every message accepted exactly once, each correctly signed, while the receiver answers 429 sometimes', async () => {
    const receiver = flakyReceiver(4);
    let unsigned = 0;
    server.use(
      http.post(URL_, async ({ request }) => {
        const received = { headers: request.headers, body: await request.text() };
        if (!signatureMatches(received, SECRET)) unsigned++;
        if (receiver.next()) return new HttpResponse(null, { status: 429, headers: { 'retry-after': '0.02' } });
        receiver.accept(request.headers.get('idempotency-key'));
        return new HttpResponse(null, { status: 204 });
      }),
    );
    const messages = Array.from({ length: 25 }, (_, i) => message(i));
    const result = await dispatchAll(webhookTarget, WebhookTargetConfigSchema.parse({ url: URL_, secret: SECRET }), messages);
    expectAllAcceptedOnce(result, receiver.accepted, messages);
    expect(unsigned).toBe(0);
  });
});
