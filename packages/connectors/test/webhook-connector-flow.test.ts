// The generic webhook connector behind the core webhook handler, over a memory pipeline: signed
// requests (Standard Webhooks by default, a per-source scheme otherwise) become stored records;
// unsigned, mis-signed and duplicate deliveries do not.
import { afterEach, describe, expect, it } from 'vitest';
import { webhookConnector } from '@tributary/connectors/webhook';
import { generateKey } from '@tributary/core/crypto';
import { createPipeline, type Pipeline } from '@tributary/core/pipeline';
import { createMemoryQueue } from '@tributary/core/queue/memory';
import { recordId } from '@tributary/core/record';
import { createMemoryStorage } from '@tributary/core/storage/memory';
import { createWebhookHandler, signGithub, signStandardWebhook } from '@tributary/core/webhooks';
import { fixture } from './fixtures/webhook/requests.js';

const WS = 'ws1';
const SW_SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const GH_SECRET = 'github-hook-secret';
const pipelines: Pipeline[] = [];
afterEach(async () => {
  for (const p of pipelines.splice(0)) await p.stop();
});

async function setup() {
  const pipeline = createPipeline({ storage: createMemoryStorage(), queue: createMemoryQueue(), connectors: [webhookConnector], secretKey: generateKey() });
  pipelines.push(pipeline);
  await pipeline.sources.create(WS, { id: 'widget', name: 'Feedback widget', connector: 'webhook', webhook: { secret: SW_SECRET } });
  await pipeline.sources.create(WS, {
    id: 'forms',
    name: 'Forms via GitHub-style signing',
    connector: 'webhook',
    config: { itemType: 'typeform.response', mapping: { text: 'form_response.answers.0.text', occurredAt: 'form_response.submitted_at' } },
    webhook: { scheme: 'github', secret: GH_SECRET },
  });
  const rejected: { externalId?: string; message: string }[] = [];
  pipeline.bus.on('record.rejected', (e) => rejected.push({ externalId: e.externalId, message: e.error.message }));
  await pipeline.start();
  const handler = createWebhookHandler({ pipeline });
  const post = (sourceId: string, body: string, headers: Record<string, string>) =>
    handler.handle(new Request(`https://tributary.example.com/webhooks/${WS}/${sourceId}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } }), { workspaceId: WS, sourceId });
  return { pipeline, post, rejected };
}

describe('webhook connector behind the webhook handler', () => {
  it('stores a Standard Webhooks event and answers a redelivery as a duplicate', async () => {
    const { pipeline, post } = await setup();
    const body = JSON.stringify(fixture('standard_webhooks_event.json'));
    const headers = signStandardWebhook({ id: 'msg_2hYk', timestamp: Date.now(), body, secret: SW_SECRET });
    const first = await post('widget', body, headers);
    expect(first.status).toBe(202);
    expect(await first.json()).toMatchObject({ accepted: 1, deliveryId: 'msg_2hYk', ids: [recordId(WS, 'widget', 'fb_01HZ3Q7W5X8K2M4N6P')] });
    const again = await post('widget', body, signStandardWebhook({ id: 'msg_2hYk', timestamp: Date.now(), body, secret: SW_SECRET }));
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ duplicate: true });

    await pipeline.drain();
    const record = await pipeline.storage.getRecord(WS, recordId(WS, 'widget', 'fb_01HZ3Q7W5X8K2M4N6P'));
    expect(record).toMatchObject({ itemType: 'webhook.event', occurredAt: '2024-06-03T09:14:27.512Z', content: { text: 'The new dashboard loads much faster, thank you!' }, revision: 1 });
  });

  it('refuses unsigned and mis-signed requests with 401', async () => {
    const { post } = await setup();
    const body = JSON.stringify({ id: 'x', text: 'hi' });
    expect((await post('widget', body, {})).status).toBe(401);
    const wrong = signStandardWebhook({ id: 'msg_1', timestamp: Date.now(), body, secret: `whsec_${Buffer.alloc(32, 1).toString('base64')}` });
    const response = await post('widget', body, wrong);
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('signature');
  });

  it('verifies with the scheme the source chose and maps with its config', async () => {
    const { pipeline, post } = await setup();
    const body = JSON.stringify(fixture('typeform_form_response.json'));
    const response = await post('forms', body, { ...signGithub(body, GH_SECRET), 'x-github-delivery': 'd-1' });
    expect(response.status).toBe(202);
    await pipeline.drain();
    const record = await pipeline.storage.getRecord(WS, recordId(WS, 'forms', '01HZ3QBKZ5J1V9W4DKH4P0XG7N'));
    expect(record).toMatchObject({ itemType: 'typeform.response', content: { text: 'Exports to CSV time out for large projects.' } });
  });

  it('answers 400 naming the fields when nothing in the body can become a record', async () => {
    const { post } = await setup();
    const body = JSON.stringify([{ id: 1, created_at: 'soon' }]);
    const response = await post('widget', body, signStandardWebhook({ id: 'msg_bad', timestamp: Date.now(), body, secret: SW_SECRET }));
    expect(response.status).toBe(400);
    const answer = (await response.json()) as { error: { code: string; issues: { path: string }[] } };
    expect(answer.error.code).toBe('validation');
    expect(answer.error.issues.map((i) => i.path)).toEqual(['0.occurredAt']);
  });

  it('keeps the good events of a batch and rejects the bad one on its own', async () => {
    const { pipeline, post, rejected } = await setup();
    const body = JSON.stringify({ events: [{ id: 'ok-1', text: 'fine' }, { id: 'bad-1', text: 'x', created_at: 'tomorrow-ish' }, { id: 'ok-2', text: 'also fine' }] });
    const response = await post('widget', body, signStandardWebhook({ id: 'msg_mixed', timestamp: Date.now(), body, secret: SW_SECRET }));
    expect(response.status).toBe(202);
    await pipeline.drain();
    const stored = await pipeline.storage.queryRecords({ workspaceId: WS });
    expect(stored.items.map((r) => r.externalId).sort()).toEqual(['ok-1', 'ok-2']);
    expect(rejected).toEqual([{ externalId: 'bad-1', message: expect.stringContaining('occurredAt') }]);
  });
});
