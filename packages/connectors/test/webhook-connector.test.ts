// The generic webhook connector: the usual shapes without a mapping, a mapping, batches, ids and
// times, and refusals that name the field.
import { describe, expect, it } from 'vitest';
import { receiveWebhook, WebhookConfigSchema, webhookConnector, deliveryIdOf, type WebhookConfigInput } from '@tributary/connectors/webhook';
import type { RawItem } from '@tributary/core/connector';
import { isTributaryError, type TributaryError } from '@tributary/core/errors';
import type { RecordDraft } from '@tributary/core/record';
import { testConnector } from '@tributary/core/testing';
import { fixture, webhookRequest } from './fixtures/webhook/requests.js';

const RECEIVED = Date.UTC(2024, 5, 3, 9, 30);
const standard = fixture('standard_webhooks_event.json');
const typeform = fixture('typeform_form_response.json');
const segment = fixture('segment_batch.json');
const intercom = fixture('intercom_style_array.json');

const config = (input: WebhookConfigInput = {}) => WebhookConfigSchema.parse(input);

async function receive(body: unknown, input: WebhookConfigInput = {}, headers: Record<string, string> = {}): Promise<RawItem[]> {
  return (await webhookConnector.webhook!.parse(webhookRequest(body, headers, RECEIVED), body, { workspaceId: 'ws', sourceId: 'src', config: config(input) })).items;
}

async function drafts(body: unknown, input: WebhookConfigInput = {}, headers: Record<string, string> = {}): Promise<RecordDraft[]> {
  const items = await receive(body, input, headers);
  const out: RecordDraft[] = [];
  for (const item of items) out.push(...(await webhookConnector.parse!(item, { workspaceId: 'ws', sourceId: 'src', config: config(input) })));
  return out;
}

testConnector('webhook (no mapping)', {
  connector: webhookConnector,
  config: config(),
  webhook: {
    requests: () => [
      webhookRequest(standard, { 'webhook-id': 'msg_2hYk' }),
      webhookRequest(segment),
      webhookRequest(intercom, { 'x-request-id': 'req-77' }),
      webhookRequest({ message: 'no id, no time' }, { 'webhook-id': 'msg_3aa' }),
    ],
    expectItems: 7,
  },
});

testConnector('webhook (Typeform mapping)', {
  connector: webhookConnector,
  config: config({
    itemType: 'typeform.response',
    mapping: {
      text: 'form_response.answers.0.text',
      title: 'form_response.definition.title',
      occurredAt: 'form_response.submitted_at',
      author: { platformUserId: 'form_response.hidden.user_id' },
      attributes: { review: { nps: 'form_response.answers.1.number' }, metadata: { form: 'form_response.form_id' } },
    },
  }),
  samples: [{ externalId: 'e1', itemType: 'typeform.response', payload: { event: typeform, receivedAt: new Date(RECEIVED).toISOString() } }],
  webhook: { requests: () => [webhookRequest(typeform, { 'typeform-signature': 'sha256=3q2+7w==' })], expectItems: 1 },
});

describe('webhook connector: the usual shapes', () => {
  it('reads a Standard Webhooks envelope: id, text and time under data or at the top', async () => {
    const [draft] = await drafts(standard, {}, { 'webhook-id': 'msg_2hYk' });
    expect(draft).toMatchObject({
      externalId: 'fb_01HZ3Q7W5X8K2M4N6P',
      itemType: 'webhook.event',
      occurredAt: '2024-06-03T09:14:27.512Z',
      content: { text: 'The new dashboard loads much faster, thank you!' },
    });
  });

  it('takes a batch in { events: [...] } with uuid ids and epoch-millisecond times', async () => {
    const out = await drafts(segment);
    expect(out.map((d) => [d.externalId, d.occurredAt, d.content?.text])).toEqual([
      ['6f1c2b8e-6a0e-4b8e-9a43-0c9a2c1f7e01', '2024-06-03T09:13:20.123Z', 'Search returns nothing for umlauts'],
      ['6f1c2b8e-6a0e-4b8e-9a43-0c9a2c1f7e02', '2024-06-03T09:14:20.456Z', 'Love the dark mode'],
      ['6f1c2b8e-6a0e-4b8e-9a43-0c9a2c1f7e03', '2024-06-03T09:15:20.789Z', 'Can I export to PDF?'],
    ]);
  });

  it('takes an array body with epoch-second times and HTML bodies', async () => {
    const out = await drafts(intercom);
    expect(out.map((d) => [d.externalId, d.occurredAt, d.content?.text])).toEqual([
      ['9001', '2024-06-03T09:13:20.000Z', '<p>Billing page shows the wrong currency</p>'],
      ['9002', '2024-06-03T09:18:20.000Z', '<p>Thanks, fixed after reload</p>'],
    ]);
  });

  it('reads text and time from body / message / content and createdAt / time / timestamp', async () => {
    const cases: [unknown, string, string][] = [
      [{ id: 'a', body: 'b1', createdAt: '2024-06-01T10:00:00+02:00' }, 'b1', '2024-06-01T08:00:00.000Z'],
      [{ id: 'b', content: 'c1', time: '1717236000' }, 'c1', '2024-06-01T10:00:00.000Z'],
      [{ id: 'c', data: { message: 'm1' }, timestamp: 1717236000000 }, 'm1', '2024-06-01T10:00:00.000Z'],
      [{ id: 'd', data: { content: 'c2', created_at: '2024-06-01' } }, 'c2', '2024-06-01T00:00:00.000Z'],
    ];
    for (const [body, text, time] of cases) {
      const [draft] = await drafts(body);
      expect([draft!.content?.text, draft!.occurredAt]).toEqual([text, time]);
    }
  });

  it('uses the receive time when the event has none', async () => {
    const [draft] = await drafts({ id: 'x', text: 'no time here' });
    expect(draft!.occurredAt).toBe(new Date(RECEIVED).toISOString());
  });

  it('takes the id from id, uuid, event_id, then the delivery id (indexed in a batch), then a content hash', async () => {
    expect((await receive({ uuid: 'u-1', text: 'x' }))[0]!.externalId).toBe('u-1');
    expect((await receive({ event_id: 'ev-1', text: 'x' }))[0]!.externalId).toBe('ev-1');
    expect((await receive({ text: 'x' }, {}, { 'webhook-id': 'msg_1' }))[0]!.externalId).toBe('msg_1');
    expect((await receive([{ text: 'x' }, { text: 'y' }], {}, { 'idempotency-key': 'k-9' })).map((i) => i.externalId)).toEqual(['k-9:0', 'k-9:1']);
    const hashed = await receive({ text: 'same event' });
    expect(hashed[0]!.externalId).toMatch(/^sha256:[0-9a-f]{32}$/);
    // The same event delivered again lands on the same record.
    expect((await receive({ text: 'same event' }))[0]!.externalId).toBe(hashed[0]!.externalId);
  });

  it('reads the delivery id from the usual headers, strongest first', () => {
    const id = (headers: Record<string, string>) => deliveryIdOf(webhookRequest({}, headers));
    expect(id({ 'webhook-id': 'a', 'x-request-id': 'b' })).toBe('a');
    expect(id({ 'X-Request-Id': 'r1' })).toBe('r1');
    expect(id({ 'Idempotency-Key': 'i1', 'x-request-id': 'r1' })).toBe('i1');
    expect(id({ 'X-GitHub-Delivery': 'g1' })).toBe('g1');
    expect(id({})).toBeUndefined();
  });

  it('keeps the event verbatim with the receive time and delivery id in the payload', async () => {
    const [item] = await receive(standard, {}, { 'webhook-id': 'msg_2hYk' });
    expect(item!.payload).toEqual({ event: standard, receivedAt: new Date(RECEIVED).toISOString(), deliveryId: 'msg_2hYk' });
  });
});

describe('webhook connector: mapping', () => {
  const typeformConfig: WebhookConfigInput = {
    itemType: 'typeform.response',
    mapping: {
      text: 'form_response.answers.0.text',
      occurredAt: 'form_response.submitted_at',
      author: { platformUserId: 'form_response.hidden.user_id' },
      attributes: { review: { nps: 'form_response.answers.1.number' } },
    },
  };

  it('maps a Typeform response', async () => {
    const [draft] = await drafts(typeform, typeformConfig);
    expect(draft).toEqual({
      externalId: '01HZ3QBKZ5J1V9W4DKH4P0XG7N',
      itemType: 'typeform.response',
      occurredAt: '2024-06-03T09:13:44.000Z',
      author: { platformUserId: 'usr_512' },
      content: { text: 'Exports to CSV time out for large projects.' },
      attributes: { review: { nps: 6 } },
    });
  });

  it('finds events at eventsPath and ids at idPath', async () => {
    const items = await receive({ payload: { items: [{ feedback_id: 'f1', comment: 'a' }, { feedback_id: 'f2', comment: 'b' }] } }, { eventsPath: 'payload.items', idPath: 'feedback_id', mapping: { text: 'comment' } });
    expect(items.map((i) => i.externalId)).toEqual(['f1', 'f2']);
  });
});

describe('webhook connector: refusals', () => {
  async function refusal(body: unknown, input: WebhookConfigInput = {}): Promise<TributaryError> {
    const error = await receive(body, input).then(() => undefined, (e: unknown) => e);
    if (!isTributaryError(error, 'validation')) throw new Error(`expected a validation error, got ${String(error)}`);
    return error;
  }

  it('refuses a body that is not an object or array', async () => {
    expect((await refusal('"just a string"')).issues[0]!.path).toBe('body');
    expect((await refusal(undefined)).message).toContain('empty');
  });

  it('refuses a batch with entries that are not objects, naming them', async () => {
    expect((await refusal({ events: [{ id: 1 }, 'oops', 3] })).issues.map((i) => i.path)).toEqual(['events.1', 'events.2']);
  });

  it('refuses a body none of whose events can become a record, naming each field', async () => {
    const error = await refusal({ events: [{ id: 1, created_at: 'soon' }, { id: 2, created_at: 'later' }] });
    expect(error.issues.map((i) => i.path)).toEqual(['events.0.occurredAt', 'events.1.occurredAt']);
  });

  it('accepts a batch where some events are usable; the others are rejected one by one at parse', async () => {
    const items = await receive([{ id: 1, text: 'ok' }, { id: 2, created_at: 'not a time' }]);
    expect(items).toHaveLength(2);
    const config = WebhookConfigSchema.parse({});
    expect(() => webhookConnector.parse!(items[1]!, { workspaceId: 'ws', sourceId: 'src', config })).toThrow(/occurredAt: "not a time" at "created_at" is not a time/);
  });

  it('refuses a mapping typo in the config, naming it', () => {
    const result = WebhookConfigSchema.safeParse({ mapping: { author: { nick: 'user' } } });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual(['mapping', 'author']);
    expect(result.error!.issues[0]!.message).toContain('nick');
  });

  it('is reachable as a plain function too', async () => {
    const result = receiveWebhook(webhookRequest({ id: 1, text: 'x' }), { id: 1, text: 'x' }, { config: config() });
    expect(result.items).toHaveLength(1);
  });
});
