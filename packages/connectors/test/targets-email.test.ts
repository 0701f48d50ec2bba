import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { z } from 'zod';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { emailTarget, EmailTargetConfigSchema, renderEmail, sendGridMailBody, type EmailTargetConfigInput } from '@tributary/connectors/targets/email';
import { alertMessage, dispatchAll, expectAllAcceptedOnce, flakyReceiver, notificationMessage, processedMessage, sendContext } from './fixtures/targets/messages.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const API_KEY = 'SG.test-key.abcdefghijklmnopqrstuvwxyz';
const MAIL_SEND = 'https://api.sendgrid.com/v3/mail/send';
const base = { apiKey: API_KEY, from: { email: 'alerts@example.com', name: 'Tributary' }, to: ['ops@example.com'] } satisfies EmailTargetConfigInput;
const config = (input: Partial<EmailTargetConfigInput> = {}) => EmailTargetConfigSchema.parse({ ...base, ...input });
const send = (input: Partial<EmailTargetConfigInput> = {}, m = alertMessage) => emailTarget.send(m, sendContext(config(input)));

function mailApi(status: number, init: { body?: string; headers?: Record<string, string>; url?: string } = {}) {
  const seen: { headers: Headers; body: Record<string, unknown> }[] = [];
  server.use(
    http.post(init.url ?? MAIL_SEND, async ({ request }) => {
      seen.push({ headers: request.headers, body: (await request.json()) as Record<string, unknown> });
      return new HttpResponse(init.body ?? null, { status, headers: init.headers });
    }),
  );
  return seen;
}

describe('email target: rendering', () => {
  it('renders an alert: the headline as subject, the details as body, HTML escaped', () => {
    const email = renderEmail(alertMessage, {});
    expect(email.subject).toBe('Alert: 1500 EUR to acct-9 is above the threshold of 1000 EUR');
    expect(email.text).toBe(['Alert: 1500 EUR to acct-9 is above the threshold of 1000 EUR', '', 'Exceeded by 500 EUR', 'From acct-1 to acct-9', 'Reference: INV-7', 'Time: 2026-03-01T09:59:00.000Z'].join('\n'));
    expect(email.html).toBe(
      '<p><strong>Alert: 1500 EUR to acct-9 is above the threshold of 1000 EUR</strong></p>\n<p>Exceeded by 500 EUR<br>\nFrom acct-1 to acct-9<br>\nReference: INV-7<br>\nTime: 2026-03-01T09:59:00.000Z</p>',
    );
  });

  it('renders a notification and a processed record', () => {
    expect(renderEmail(notificationMessage, {}).subject).toBe('Value record: positive 1500 EUR to acct-9');
    expect(renderEmail(notificationMessage, {}).text).toContain('Earlier records: 3 (positive 250.50, negative 20)');
    const processed = renderEmail(processedMessage, {});
    expect(processed.subject).toBe('New discourse.post: Export is broken');
    expect(processed.html).toContain('Hey &lt;!channel&gt; the CSV export &amp; import fail');
    expect(processed.text).toContain('Hey <!channel> the CSV export & import fail');
  });

  it('uses subject, text and HTML templates by type', () => {
    const email = renderEmail(alertMessage, {
      subject: { 'record.alert': '[Alert]\n{{payload.record.value}} {{payload.record.unit}} ({{workspaceId}})' },
      text: 'Hello,\n\n{{headline}}\n{{details}}',
      html: { '*': '<h1>{{headline}}</h1><p>{{details}}</p>{{{payload.threshold}}}' },
    });
    expect(email.subject).toBe('[Alert] 1500 EUR (ws_1)');
    expect(email.text.startsWith('Hello,\n\nAlert: 1500 EUR')).toBe(true);
    expect(email.html).toBe('<h1>Alert: 1500 EUR to acct-9 is above the threshold of 1000 EUR</h1><p>Exceeded by 500 EUR<br>\nFrom acct-1 to acct-9<br>\nReference: INV-7<br>\nTime: 2026-03-01T09:59:00.000Z</p>1000');
  });

  it('derives the HTML from a text template when there is no HTML template', () => {
    const email = renderEmail(processedMessage, { text: '{{payload.record.content.text}}\nbye' });
    expect(email.html).toBe('<p>Hey &lt;!channel&gt; the CSV export &amp; import fail<br>\nbye</p>');
  });
});

describe('email target: request', () => {
  it('POSTs a SendGrid v3 mail with the Bearer key and the Idempotency-Key; 202 is accepted with the message id', async () => {
    const seen = mailApi(202, { headers: { 'x-message-id': 'sg-msg-123' } });
    const result = await send({ cc: [{ email: 'lead@example.com', name: 'Lead' }], replyTo: 'support@example.com', categories: ['alerts'] });
    expect(result).toEqual({ ok: true, status: 202, messageId: 'sg-msg-123' });
    const { headers, body } = seen[0]!;
    expect(headers.get('authorization')).toBe(`Bearer ${API_KEY}`);
    expect(headers.get('idempotency-key')).toBe(alertMessage.idempotencyKey);
    expect(headers.get('content-type')).toBe('application/json');
    const email = renderEmail(alertMessage, {});
    expect(body).toEqual({
      personalizations: [{ to: [{ email: 'ops@example.com' }], cc: [{ email: 'lead@example.com', name: 'Lead' }] }],
      from: { email: 'alerts@example.com', name: 'Tributary' },
      reply_to: { email: 'support@example.com' },
      subject: email.subject,
      content: [
        { type: 'text/plain', value: email.text },
        { type: 'text/html', value: email.html },
      ],
      custom_args: { tributary_message_id: alertMessage.id, tributary_idempotency_key: alertMessage.idempotencyKey, tributary_type: 'record.alert' },
      categories: ['alerts'],
    });
  });

  it('uses another base URL and sandbox mode', async () => {
    const seen = mailApi(200, { url: 'http://mail.internal:8025/v3/mail/send' });
    expect(await send({ baseUrl: 'http://mail.internal:8025/', sandboxMode: true })).toEqual({ ok: true, status: 200 });
    expect(seen[0]!.body.mail_settings).toEqual({ sandbox_mode: { enable: true } });
    expect(sendGridMailBody(alertMessage, config()).mail_settings).toBeUndefined();
  });
});

describe('email target: answers', () => {
  it('400 is permanent, with SendGrid\'s error', async () => {
    const body = JSON.stringify({ errors: [{ message: 'The from address does not match a verified Sender Identity.', field: 'from' }] });
    mailApi(400, { body });
    expect(await send()).toEqual({ ok: false, status: 400, permanent: true, error: body });
  });

  it('401 is not permanent and never shows the key, even echoed', async () => {
    server.use(http.post(MAIL_SEND, ({ request }) => HttpResponse.json({ errors: [{ message: `bad key ${request.headers.get('authorization')}` }] }, { status: 401 })));
    const result = await send();
    expect(result.permanent).toBeUndefined();
    expect(result.error).toContain('[redacted]');
    expect(JSON.stringify(result)).not.toContain(API_KEY);
  });

  it('429 and 5xx are retried with Retry-After', async () => {
    mailApi(429, { headers: { 'retry-after': '3' } });
    expect(await send()).toMatchObject({ ok: false, status: 429, retryAfterMs: 3000 });
    mailApi(502);
    expect(await send()).toMatchObject({ ok: false, status: 502 });
  });
});

describe('email target: configuration', () => {
  it('applies defaults and normalizes addresses', () => {
    expect(config()).toEqual({
      baseUrl: 'https://api.sendgrid.com',
      apiKey: API_KEY,
      from: { email: 'alerts@example.com', name: 'Tributary' },
      to: [{ email: 'ops@example.com' }],
      sandboxMode: false,
    });
  });

  it('refuses bad addresses and duplicates', () => {
    expect(EmailTargetConfigSchema.safeParse({ ...base, to: [] }).success).toBe(false);
    expect(EmailTargetConfigSchema.safeParse({ ...base, to: ['not an email'] }).success).toBe(false);
    const duplicate = EmailTargetConfigSchema.safeParse({ ...base, to: ['ops@example.com'], bcc: ['OPS@example.com'] });
    expect(duplicate.success).toBe(false);
    expect(duplicate.error!.issues[0]!.path).toEqual(['bcc', 0]);
  });

  it('marks the API key as a secret and never quotes it in a validation error', () => {
    const schema = z.toJSONSchema(EmailTargetConfigSchema, { io: 'input' }) as { properties: Record<string, Record<string, unknown>> };
    expect(schema.properties.apiKey).toMatchObject({ secret: true, writeOnly: true });
    const invalid = EmailTargetConfigSchema.safeParse({ ...base, from: 'nope' });
    expect(JSON.stringify(invalid.error)).not.toContain(API_KEY);
  });
});

describe('email target through the dispatcher', () => {
  it('gets every message accepted exactly once while the API answers 429 sometimes', async () => {
    const receiver = flakyReceiver(3);
    server.use(
      http.post(MAIL_SEND, ({ request }) => {
        if (receiver.next()) return HttpResponse.json({ errors: [{ message: 'too many requests' }] }, { status: 429, headers: { 'retry-after': '0.02' } });
        receiver.accept(request.headers.get('idempotency-key'));
        return new HttpResponse(null, { status: 202, headers: { 'x-message-id': `sg-${receiver.requests}` } });
      }),
    );
    const messages = Array.from({ length: 20 }, (_, i) => ({ ...notificationMessage, id: `n_${i}`, idempotencyKey: `n-key-${i}` }));
    const result = await dispatchAll(emailTarget, config(), messages);
    expectAllAcceptedOnce(result, receiver.accepted, messages);
  });
});
