// Signature schemes against vectors computed here with node:crypto directly (never with the signer
// under test), plus the published examples of Standard Webhooks and GitHub.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { WebhookRequest } from '@tributary/core/connector';
import { isTributaryError } from '@tributary/core/errors';
import {
  decodeStandardWebhooksSecret,
  discourseScheme,
  generateStandardWebhooksSecret,
  getSignatureScheme,
  githubScheme,
  noneScheme,
  shopifyScheme,
  signatureSchemes,
  signDiscourse,
  signGithub,
  signShopify,
  signSlack,
  signStandardWebhook,
  signStripe,
  slackScheme,
  standardWebhooksScheme,
  stripeScheme,
  type SignatureVerification,
} from '@tributary/core/webhooks';

const NOW = Date.UTC(2026, 2, 1, 12, 0, 0);
const NOW_S = Math.floor(NOW / 1000);
const MIN = 60_000;
const BODY = '{"id":"evt_1","text":"hello ünïcode"}';

const hmac = (key: string | Buffer, content: string | Buffer) => createHmac('sha256', key).update(content);
const hex = (key: string | Buffer, content: string) => hmac(key, content).digest('hex');
const b64 = (key: string | Buffer, content: string) => hmac(key, content).digest('base64');

function req(headers: Record<string, string>, body: string | Uint8Array = BODY): WebhookRequest {
  return { method: 'POST', url: 'http://localhost/hook', headers: new Headers(headers), rawBody: typeof body === 'string' ? new TextEncoder().encode(body) : body, receivedAt: NOW };
}

const ok = (v: SignatureVerification) => expect(v).toEqual({ ok: true });
function rejected(v: SignatureVerification, reason: string, code = reason === 'missing' ? 'unauthorized' : 'signature') {
  expect(v.ok).toBe(false);
  if (!v.ok) {
    expect(v.reason).toBe(reason);
    expect(v.code).toBe(code);
  }
}

describe('Standard Webhooks', () => {
  // Published example of the reference libraries (standard-webhooks/libraries/javascript/src/webhook.test.ts).
  const SPEC = {
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
    timestamp: 1614265330,
    body: '{"test": 2432232314}',
    signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
  };
  const key = Buffer.from('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'base64');
  const sig = (id: string, ts: number, body: string, k: Buffer = key) => `v1,${b64(k, `${id}.${ts}.${body}`)}`;
  const headers = (signature: string, ts = NOW_S, id = 'msg_1') => ({ 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signature });

  it('signs the published example exactly', () => {
    expect(signStandardWebhook({ id: SPEC.id, timestamp: SPEC.timestamp * 1000, body: SPEC.body, secret: SPEC.secret })).toEqual({
      'webhook-id': SPEC.id,
      'webhook-timestamp': String(SPEC.timestamp),
      'webhook-signature': SPEC.signature,
    });
    // and the independent computation agrees with the spec's vector
    expect(sig(SPEC.id, SPEC.timestamp, SPEC.body)).toBe(SPEC.signature);
  });

  it('verifies the published example at its own time', () => {
    ok(standardWebhooksScheme.verify(req(headers(SPEC.signature, SPEC.timestamp, SPEC.id), SPEC.body), SPEC.secret, SPEC.timestamp * 1000));
    // the whsec_ prefix is optional, as in the reference libraries
    ok(standardWebhooksScheme.verify(req(headers(SPEC.signature, SPEC.timestamp, SPEC.id), SPEC.body), SPEC.secret.slice(6), SPEC.timestamp * 1000));
  });

  it('accepts a valid signature and rejects a tampered body, another key and a wrong id', () => {
    ok(standardWebhooksScheme.verify(req(headers(sig('msg_1', NOW_S, BODY))), SPEC.secret, NOW));
    rejected(standardWebhooksScheme.verify(req(headers(sig('msg_1', NOW_S, BODY)), BODY.replace('hello', 'hullo')), SPEC.secret, NOW), 'mismatch');
    rejected(standardWebhooksScheme.verify(req(headers(sig('msg_1', NOW_S, BODY, Buffer.alloc(32, 7)))), SPEC.secret, NOW), 'mismatch');
    rejected(standardWebhooksScheme.verify(req(headers(sig('msg_1', NOW_S, BODY), NOW_S, 'msg_2')), SPEC.secret, NOW), 'mismatch');
  });

  it('needs all three headers', () => {
    const full = headers(sig('msg_1', NOW_S, BODY));
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const) {
      const { [name]: _dropped, ...rest } = full;
      rejected(standardWebhooksScheme.verify(req(rest), SPEC.secret, NOW), 'missing');
    }
  });

  it('rejects malformed signatures and timestamps', () => {
    rejected(standardWebhooksScheme.verify(req(headers('v2,abc')), SPEC.secret, NOW), 'malformed');
    rejected(standardWebhooksScheme.verify(req(headers('v1,dawfeoifkpqwoekfpqoekf')), SPEC.secret, NOW), 'mismatch');
    rejected(standardWebhooksScheme.verify(req(headers(sig('msg_1', NOW_S, BODY).slice(0, 8))), SPEC.secret, NOW), 'mismatch');
    rejected(standardWebhooksScheme.verify(req({ ...headers(sig('msg_1', NOW_S, BODY)), 'webhook-timestamp': 'hello' }), SPEC.secret, NOW), 'malformed');
    rejected(standardWebhooksScheme.verify(req(headers(sig('a.b', NOW_S, BODY), NOW_S, 'a.b')), SPEC.secret, NOW), 'malformed');
  });

  it('accepts any of several signatures (key rotation), in any position', () => {
    const old = sig('msg_1', NOW_S, BODY, Buffer.alloc(32, 1));
    const current = sig('msg_1', NOW_S, BODY);
    ok(standardWebhooksScheme.verify(req(headers(`${old} v1a,AAAA ${current}`)), SPEC.secret, NOW));
    ok(standardWebhooksScheme.verify(req(headers(`${current} ${old}`)), SPEC.secret, NOW));
    rejected(standardWebhooksScheme.verify(req(headers(`${old} ${old}`)), SPEC.secret, NOW), 'mismatch');
    // a rotating sender signs with both secrets
    const other = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
    const signed = signStandardWebhook({ id: 'msg_1', timestamp: NOW, body: BODY, secret: [other, SPEC.secret] });
    expect(signed['webhook-signature']).toBe(`${old} ${current}`);
  });

  it('refuses timestamps beyond 5 minutes in the past or the future, and accepts the edges', () => {
    const at = (ts: number) => standardWebhooksScheme.verify(req(headers(sig('msg_1', ts, BODY), ts)), SPEC.secret, NOW);
    ok(at(NOW_S - 300));
    ok(at(NOW_S + 300));
    rejected(at(NOW_S - 301), 'stale');
    rejected(at(NOW_S + 301), 'future');
    // a custom tolerance
    rejected(standardWebhooksScheme.verify(req(headers(sig('msg_1', NOW_S - 61, BODY), NOW_S - 61)), SPEC.secret, NOW, { toleranceMs: MIN }), 'stale');
  });

  it('signs over raw bytes, not a re-encoded string', () => {
    const bytes = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0xa9, 0x22, 0x7d]); // {"a":"é"}
    const expected = `v1,${hmac(key, Buffer.concat([Buffer.from(`msg_1.${NOW_S}.`), bytes])).digest('base64')}`;
    ok(standardWebhooksScheme.verify(req(headers(expected), bytes), SPEC.secret, NOW));
  });

  it('refuses unusable secrets without echoing them', () => {
    try {
      decodeStandardWebhooksSecret('whsec_not base64!!');
      expect.unreachable();
    } catch (error) {
      expect(isTributaryError(error, 'config')).toBe(true);
      expect((error as Error).message).not.toContain('not base64!!');
    }
    expect(generateStandardWebhooksSecret()).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(decodeStandardWebhooksSecret(generateStandardWebhooksSecret())).toHaveLength(32);
  });

  it('names the delivery id', () => {
    expect(standardWebhooksScheme.deliveryId?.(req(headers('x')), undefined)).toBe('msg_1');
  });
});

describe('GitHub', () => {
  const secret = "It's a Secret to Everybody";

  it("verifies GitHub's published example", () => {
    const published = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
    ok(githubScheme.verify(req({ 'x-hub-signature-256': published }, 'Hello, World!'), secret, NOW));
    expect(signGithub('Hello, World!', secret)).toEqual({ 'x-hub-signature-256': published });
  });

  it('valid, invalid, missing and malformed', () => {
    const good = `sha256=${hex(secret, BODY)}`;
    ok(githubScheme.verify(req({ 'X-Hub-Signature-256': good }), secret, NOW));
    ok(githubScheme.verify(req({ 'x-hub-signature-256': good.toUpperCase().replace('SHA256=', 'sha256=') }), secret, NOW));
    rejected(githubScheme.verify(req({ 'x-hub-signature-256': good }, `${BODY} `), secret, NOW), 'mismatch');
    rejected(githubScheme.verify(req({ 'x-hub-signature-256': `sha256=${hex('other', BODY)}` }), secret, NOW), 'mismatch');
    rejected(githubScheme.verify(req({}), secret, NOW), 'missing');
    // the legacy SHA-1 header alone is never enough
    rejected(githubScheme.verify(req({ 'x-hub-signature': `sha1=${createHmac('sha1', secret).update(BODY).digest('hex')}` }), secret, NOW), 'missing');
    rejected(githubScheme.verify(req({ 'x-hub-signature-256': hex(secret, BODY) }), secret, NOW), 'malformed');
    rejected(githubScheme.verify(req({ 'x-hub-signature-256': `sha256=${hex(secret, BODY).slice(0, 63)}z` }), secret, NOW), 'malformed');
    // Node's hex decoder would stop at the bad character; the strict check must refuse the prefix trick
    rejected(githubScheme.verify(req({ 'x-hub-signature-256': `sha256=${hex(secret, BODY)}00` }), secret, NOW), 'malformed');
  });

  it('has no timestamp, so neither stale nor future applies; delivery id from X-GitHub-Delivery', () => {
    ok(githubScheme.verify(req({ 'x-hub-signature-256': `sha256=${hex(secret, BODY)}` }), secret, NOW + 365 * 24 * 60 * MIN));
    expect(githubScheme.deliveryId?.(req({ 'X-GitHub-Delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958' }), undefined)).toBe('72d3162e-cc78-11e3-81ab-4c9367dc0958');
  });
});

describe('Stripe', () => {
  const secret = 'whsec_test_secret_123';
  const v1 = (t: number, body = BODY, key = secret) => hex(key, `${t}.${body}`);

  it('valid with the whole whsec_ string as the key (not base64-decoded)', () => {
    ok(stripeScheme.verify(req({ 'stripe-signature': `t=${NOW_S},v1=${v1(NOW_S)}` }), secret, NOW));
    expect(signStripe(BODY, secret, NOW)).toEqual({ 'stripe-signature': `t=${NOW_S},v1=${v1(NOW_S)}` });
    // signing with the decoded key instead is a mismatch
    rejected(stripeScheme.verify(req({ 'stripe-signature': `t=${NOW_S},v1=${hmac(Buffer.from('test_secret_123', 'base64'), `${NOW_S}.${BODY}`).digest('hex')}` }), secret, NOW), 'mismatch');
  });

  it('accepts any v1 while a secret is rolled, ignores other schemes', () => {
    const header = `t=${NOW_S},v1=${v1(NOW_S, BODY, 'whsec_old')},v0=${'0'.repeat(64)},v1=${v1(NOW_S)}`;
    ok(stripeScheme.verify(req({ 'stripe-signature': header }), secret, NOW));
    rejected(stripeScheme.verify(req({ 'stripe-signature': `t=${NOW_S},v1=${v1(NOW_S, BODY, 'whsec_old')}` }), secret, NOW), 'mismatch');
    rejected(stripeScheme.verify(req({ 'stripe-signature': `t=${NOW_S},v0=${v1(NOW_S)}` }), secret, NOW), 'malformed');
  });

  it('invalid, missing, malformed', () => {
    rejected(stripeScheme.verify(req({ 'stripe-signature': `t=${NOW_S},v1=${v1(NOW_S)}` }, '{}'), secret, NOW), 'mismatch');
    // the timestamp is signed: changing it breaks the signature
    rejected(stripeScheme.verify(req({ 'stripe-signature': `t=${NOW_S + 1},v1=${v1(NOW_S)}` }), secret, NOW), 'mismatch');
    rejected(stripeScheme.verify(req({}), secret, NOW), 'missing');
    rejected(stripeScheme.verify(req({ 'stripe-signature': `v1=${v1(NOW_S)}` }), secret, NOW), 'malformed');
  });

  it('stale and future beyond 5 minutes', () => {
    const at = (t: number) => stripeScheme.verify(req({ 'stripe-signature': `t=${t},v1=${v1(t)}` }), secret, NOW);
    ok(at(NOW_S - 300));
    rejected(at(NOW_S - 301), 'stale');
    rejected(at(NOW_S + 301), 'future');
  });

  it('delivery id is the event id from the body', () => {
    expect(stripeScheme.deliveryId?.(req({}), { id: 'evt_1', object: 'event' })).toBe('evt_1');
  });
});

describe('Shopify', () => {
  const secret = 'shpss_client_secret';

  it('valid (base64), invalid, missing, malformed', () => {
    ok(shopifyScheme.verify(req({ 'X-Shopify-Hmac-Sha256': b64(secret, BODY) }), secret, NOW));
    expect(signShopify(BODY, secret)).toEqual({ 'x-shopify-hmac-sha256': b64(secret, BODY) });
    rejected(shopifyScheme.verify(req({ 'x-shopify-hmac-sha256': b64('other', BODY) }), secret, NOW), 'mismatch');
    rejected(shopifyScheme.verify(req({ 'x-shopify-hmac-sha256': b64(secret, BODY) }, `${BODY}\n`), secret, NOW), 'mismatch');
    rejected(shopifyScheme.verify(req({}), secret, NOW), 'missing');
    // hex where base64 is expected
    rejected(shopifyScheme.verify(req({ 'x-shopify-hmac-sha256': hex(secret, BODY) }), secret, NOW), 'malformed');
  });

  it('delivery id from X-Shopify-Webhook-Id', () => {
    expect(shopifyScheme.deliveryId?.(req({ 'x-shopify-webhook-id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043' }), undefined)).toBe('b54557e4-bdd9-4b37-8a5f-bf7d70bcd043');
  });
});

describe('Slack', () => {
  const secret = '8f742231b10e8888abcd99yyyzzz85a5';
  const form = 'token=xyz&team_id=T1&command=%2Fweather&text=94070';
  const v0 = (t: number, body = form) => `v0=${hex(secret, `v0:${t}:${body}`)}`;

  it('valid, invalid, missing', () => {
    ok(slackScheme.verify(req({ 'x-slack-signature': v0(NOW_S), 'x-slack-request-timestamp': String(NOW_S) }, form), secret, NOW));
    expect(signSlack(form, secret, NOW)).toEqual({ 'x-slack-signature': v0(NOW_S), 'x-slack-request-timestamp': String(NOW_S) });
    rejected(slackScheme.verify(req({ 'x-slack-signature': v0(NOW_S), 'x-slack-request-timestamp': String(NOW_S + 1) }, form), secret, NOW), 'mismatch');
    rejected(slackScheme.verify(req({ 'x-slack-signature': v0(NOW_S, 'other'), 'x-slack-request-timestamp': String(NOW_S) }, form), secret, NOW), 'mismatch');
    rejected(slackScheme.verify(req({ 'x-slack-request-timestamp': String(NOW_S) }, form), secret, NOW), 'missing');
    rejected(slackScheme.verify(req({ 'x-slack-signature': v0(NOW_S) }, form), secret, NOW), 'missing');
    rejected(slackScheme.verify(req({ 'x-slack-signature': v0(NOW_S).replace('v0=', 'v1='), 'x-slack-request-timestamp': String(NOW_S) }, form), secret, NOW), 'malformed');
  });

  it('stale and future beyond 5 minutes', () => {
    const at = (t: number) => slackScheme.verify(req({ 'x-slack-signature': v0(t), 'x-slack-request-timestamp': String(t) }, form), secret, NOW);
    ok(at(NOW_S + 300));
    rejected(at(NOW_S - 301), 'stale');
    rejected(at(NOW_S + 301), 'future');
  });
});

describe('Discourse', () => {
  const secret = 'discourse-webhook-secret';

  it('valid, invalid, missing, malformed', () => {
    ok(discourseScheme.verify(req({ 'X-Discourse-Event-Signature': `sha256=${hex(secret, BODY)}` }), secret, NOW));
    expect(signDiscourse(BODY, secret)).toEqual({ 'x-discourse-event-signature': `sha256=${hex(secret, BODY)}` });
    rejected(discourseScheme.verify(req({ 'x-discourse-event-signature': `sha256=${hex('x', BODY)}` }), secret, NOW), 'mismatch');
    rejected(discourseScheme.verify(req({}), secret, NOW), 'missing');
    rejected(discourseScheme.verify(req({ 'x-discourse-event-signature': `sha1=${hex(secret, BODY)}` }), secret, NOW), 'malformed');
    expect(discourseScheme.deliveryId?.(req({ 'x-discourse-event-id': '42' }), undefined)).toBe('42');
  });
});

describe('registry and none', () => {
  it('has every scheme name of the connector interface', () => {
    expect(Object.keys(signatureSchemes).sort()).toEqual(['discourse', 'github', 'none', 'shopify', 'slack', 'standard-webhooks', 'stripe']);
    for (const [name, scheme] of Object.entries(signatureSchemes)) expect(scheme.name).toBe(name);
    expect(getSignatureScheme('github')).toBe(githubScheme);
    expect(() => getSignatureScheme('toString')).toThrow(/unknown signature scheme/);
  });

  it('none accepts without a secret and refuses when handed one', () => {
    ok(noneScheme.verify(req({}), '', NOW));
    rejected(noneScheme.verify(req({}), 'a-secret', NOW), 'mismatch');
  });

  it('every signer round-trips through its verifier', () => {
    for (const scheme of Object.values(signatureSchemes)) {
      if (!scheme.sign) continue;
      const secret = scheme.name === 'standard-webhooks' ? generateStandardWebhooksSecret() : 's3cret';
      const headers = scheme.sign(BODY, secret, NOW, { id: 'msg_rt' });
      ok(scheme.verify(req(headers), secret, NOW));
      rejected(scheme.verify(req(headers, `${BODY}x`), secret, NOW), 'mismatch');
    }
  });
});
