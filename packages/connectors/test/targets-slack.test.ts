import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { z } from 'zod';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { renderSlackMessage, renderSlackText, slackTarget, SlackTargetConfigSchema, type SlackTargetConfigInput } from '@tributary/connectors/targets/slack';
import { alertMessage, dispatchAll, expectAllAcceptedOnce, flakyReceiver, message, notificationMessage, processedMessage, sendContext } from './fixtures/targets/messages.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const HOOK = 'https://hooks.slack.com/services/T0001/B0001/abcdefghijklmnop';
const send = (input: Partial<SlackTargetConfigInput> = {}, m = alertMessage) => slackTarget.send(m, sendContext(SlackTargetConfigSchema.parse({ webhookUrl: HOOK, ...input })));

function slackAnswers(status: number, body: string, headers?: Record<string, string>) {
  const seen: { headers: Headers; body: unknown }[] = [];
  server.use(
    http.post(HOOK, async ({ request }) => {
      seen.push({ headers: request.headers, body: await request.json() });
      return new HttpResponse(body, { status, headers: { 'content-type': 'text/plain', ...headers } });
    }),
  );
  return seen;
}

describe('slack target: rendering', () => {
  it('renders an alert', () => {
    expect(renderSlackText(alertMessage)).toBe(
      ['*Alert: 1500 EUR to acct-9 is above the threshold of 1000 EUR*', 'Exceeded by 500 EUR', 'From acct-1 to acct-9', 'Reference: INV-7', 'Time: 2026-03-01T09:59:00.000Z'].join('\n'),
    );
  });

  it('renders a notification with the summary of earlier records', () => {
    expect(renderSlackText(notificationMessage)).toBe(
      [
        '*Value record: positive 1500 EUR to acct-9*',
        'From acct-1 to acct-9',
        'Reference: INV-7',
        'Time: 2026-03-01T09:59:00.000Z',
        'Earlier records: 3 (positive 250.50, negative 20), 2026-01-02T00:00:00.000Z to 2026-02-27T00:00:00.000Z',
      ].join('\n'),
    );
  });

  it('renders a processed feedback record, escaping what would ping the channel', () => {
    expect(renderSlackText(processedMessage)).toBe(
      ['*New discourse.post: Export is broken*', 'Hey &lt;!channel&gt; the CSV export &amp; import fail', 'By ana', 'Sentiment: negative', 'https://forum.example.com/t/1/2'].join('\n'),
    );
  });

  it('renders a processed value record and an unknown type', () => {
    const valueRecord = { ...processedMessage, payload: { status: 'updated', record: { itemType: 'value', measurement: (alertMessage.payload as { record: unknown }).record } } };
    expect(renderSlackText(valueRecord).split('\n')[0]).toBe('*Edited value record: positive 1500 EUR*');
    expect(renderSlackText(message(3))).toBe('*test.event*\nMessage msg_3 (workspace ws_1)');
  });

  it('uses a template by type, with a fallback, escaping values unless tripled', () => {
    const template = { 'record.alert': ':rotating_light: {{headline}} ({{payload.record.reference}})', '*': '{{type}}: {{{payload.record.content.text}}}' };
    expect(renderSlackText(alertMessage, template)).toBe(':rotating_light: Alert: 1500 EUR to acct-9 is above the threshold of 1000 EUR (INV-7)');
    expect(renderSlackText(processedMessage, template)).toBe('record.processed: Hey <!channel> the CSV export & import fail');
    expect(renderSlackText(processedMessage, 'Said: {{payload.record.content.text}} {{payload.missing.path}}!')).toBe('Said: Hey &lt;!channel&gt; the CSV export &amp; import fail !');
    // A type without a template (and no '*') gets the default rendering.
    expect(renderSlackText(notificationMessage, { 'record.alert': 'x' })).toBe(renderSlackText(notificationMessage));
  });

  it('adds blocks when asked', () => {
    const body = renderSlackMessage(alertMessage, { blocks: true });
    expect(body.blocks).toEqual([
      { type: 'section', text: { type: 'mrkdwn', text: body.text } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'record.alert · 2026-03-01T10:00:00.000Z' }] },
    ]);
    expect(renderSlackMessage(alertMessage, { blocks: false })).toEqual({ text: body.text });
  });

  it('keeps a section block within Slack\'s 3,000 characters', () => {
    const long = { ...processedMessage, payload: { status: 'created', record: { itemType: 'x', content: { text: 'a'.repeat(200) } } } };
    const body = renderSlackMessage(long, { blocks: true, template: '{{payload.record.content.text}}'.repeat(20) });
    expect(body.text.length).toBe(4000);
    expect(((body.blocks![0] as { text: { text: string } }).text.text).length).toBe(3000);
  });
});

describe('slack target: request and answers', () => {
  it('POSTs { text } to the hook with the Idempotency-Key', async () => {
    const seen = slackAnswers(200, 'ok');
    expect(await send()).toEqual({ ok: true, status: 200 });
    expect(seen[0]!.body).toEqual({ text: renderSlackText(alertMessage) });
    expect(seen[0]!.headers.get('idempotency-key')).toBe(alertMessage.idempotencyKey);
    expect(seen[0]!.headers.get('content-type')).toBe('application/json');
  });

  it('sends blocks when configured', async () => {
    const seen = slackAnswers(200, 'ok');
    await send({ blocks: true });
    expect(seen[0]!.body).toEqual(renderSlackMessage(alertMessage, { blocks: true }));
  });

  it('429 with Retry-After pauses', async () => {
    slackAnswers(429, 'rate_limited', { 'retry-after': '30' });
    expect(await send()).toEqual({ ok: false, status: 429, retryAfterMs: 30_000, error: 'rate_limited' });
  });

  it.each([
    [400, 'invalid_payload'],
    [400, 'invalid_blocks'],
    [404, 'channel_not_found'],
    [404, 'no_service'],
    [410, 'channel_is_archived'],
    [500, 'no_service'],
  ])('%i %s is permanent', async (status, code) => {
    slackAnswers(status, code);
    expect(await send()).toEqual({ ok: false, status, permanent: true, error: code });
  });

  it.each([
    [403, 'invalid_token'],
    [403, 'action_prohibited'],
    [500, 'rollup_error'],
    [503, 'service_unavailable'],
  ])('%i %s is retried', async (status, code) => {
    slackAnswers(status, code);
    const result = await send();
    expect(result).toMatchObject({ ok: false, status, error: code });
    expect(result.permanent).toBeUndefined();
  });
});

describe('slack target: configuration', () => {
  it('marks the webhook URL as a secret and validates it', () => {
    const schema = z.toJSONSchema(SlackTargetConfigSchema, { io: 'input' }) as { properties: Record<string, Record<string, unknown>> };
    expect(schema.properties.webhookUrl).toMatchObject({ secret: true, writeOnly: true });
    expect(SlackTargetConfigSchema.safeParse({ webhookUrl: 'hooks.slack.com/services/x' }).success).toBe(false);
    expect(SlackTargetConfigSchema.parse({ webhookUrl: HOOK })).toEqual({ webhookUrl: HOOK, blocks: false });
  });
});

describe('slack target through the dispatcher', () => {
  it('gets every message accepted exactly once while Slack answers 429 sometimes', async () => {
    const receiver = flakyReceiver(3);
    server.use(
      http.post(HOOK, ({ request }) => {
        if (receiver.next()) return new HttpResponse('rate_limited', { status: 429, headers: { 'retry-after': '0.02' } });
        receiver.accept(request.headers.get('idempotency-key'));
        return new HttpResponse('ok', { status: 200 });
      }),
    );
    const messages = Array.from({ length: 20 }, (_, i) => ({ ...alertMessage, id: `alert_${i}`, idempotencyKey: `alert-key-${i}` }));
    const result = await dispatchAll(slackTarget, SlackTargetConfigSchema.parse({ webhookUrl: HOOK }), messages);
    expectAllAcceptedOnce(result, receiver.accepted, messages);
  });
});
