import {
  anyDigestMatches,
  bodyString,
  checkTimestamp,
  decodeBase64Digest,
  decodeHexDigest,
  DEFAULT_TOLERANCE_MS,
  fail,
  header,
  hmacSha256,
  unixSeconds,
  type SignatureScheme,
} from './scheme.js';

// Bounds the number of signatures one Stripe-Signature header can make us compare.
const MAX_SIGNATURES = 32;

/** `X-Hub-Signature-256: sha256=<hex>` for a body: HMAC-SHA256 with the secret's UTF-8 bytes. */
export function signGithub(body: Uint8Array | string, secret: string): Record<'x-hub-signature-256', string> {
  return { 'x-hub-signature-256': `sha256=${hmacSha256(secret, body).toString('hex')}` };
}

/** `Stripe-Signature: t=<unix s>,v1=<hex>` over `${t}.${body}`, keyed by the whole `whsec_…` string. */
export function signStripe(body: Uint8Array | string, secret: string, now: number): Record<'stripe-signature', string> {
  const t = String(unixSeconds(now));
  return { 'stripe-signature': `t=${t},v1=${hmacSha256(secret, `${t}.`, body).toString('hex')}` };
}

/** `X-Shopify-Hmac-Sha256: <base64>` of the HMAC-SHA256 of the raw body. */
export function signShopify(body: Uint8Array | string, secret: string): Record<'x-shopify-hmac-sha256', string> {
  return { 'x-shopify-hmac-sha256': hmacSha256(secret, body).toString('base64') };
}

/** Slack's `X-Slack-Signature: v0=<hex>` over `v0:${timestamp}:${body}`, with `X-Slack-Request-Timestamp`. */
export function signSlack(body: Uint8Array | string, secret: string, now: number): Record<'x-slack-signature' | 'x-slack-request-timestamp', string> {
  const t = String(unixSeconds(now));
  return { 'x-slack-request-timestamp': t, 'x-slack-signature': `v0=${hmacSha256(secret, `v0:${t}:`, body).toString('hex')}` };
}

/** `X-Discourse-Event-Signature: sha256=<hex>` of the HMAC-SHA256 of the raw body. */
export function signDiscourse(body: Uint8Array | string, secret: string): Record<'x-discourse-event-signature', string> {
  return { 'x-discourse-event-signature': `sha256=${hmacSha256(secret, body).toString('hex')}` };
}

/** Verifies a `sha256=<hex>` header over the raw body (GitHub and Discourse share the format). */
function verifyPrefixedHex(name: string, value: string | undefined, body: Uint8Array, secret: string) {
  if (!value) return fail('missing', `missing ${name} header`);
  if (!value.startsWith('sha256=')) return fail('malformed', `${name} must look like sha256=<hex>`);
  const candidate = decodeHexDigest(value.slice('sha256='.length));
  if (!candidate) return fail('malformed', `${name} must look like sha256=<64 hex characters>`);
  return anyDigestMatches(hmacSha256(secret, body), [candidate]) ? ({ ok: true } as const) : fail('mismatch', `${name} does not match the body`);
}

/**
 * GitHub: `X-Hub-Signature-256: sha256=<hex>`, the HMAC-SHA256 of the raw body. The legacy SHA-1
 * `X-Hub-Signature` is never accepted. No timestamp: replays are caught by the `X-GitHub-Delivery` dedup.
 */
export const githubScheme: SignatureScheme = {
  name: 'github',
  headers: ['x-hub-signature-256', 'x-github-delivery'],
  verify: (request, secret) => verifyPrefixedHex('X-Hub-Signature-256', header(request, 'x-hub-signature-256'), request.rawBody, secret),
  sign: (body, secret) => signGithub(body, secret),
  deliveryId: (request) => header(request, 'x-github-delivery'),
};

/**
 * Stripe: `Stripe-Signature: t=<unix s>,v1=<hex>[,v1=<hex>…]`, HMAC-SHA256 of `${t}.${body}` keyed by
 * the endpoint secret as text (`whsec_…` included, unlike Standard Webhooks). Any `v1` may match
 * (Stripe sends two while a secret is rolled); `t` must be within the tolerance both ways.
 */
export const stripeScheme: SignatureScheme = {
  name: 'stripe',
  headers: ['stripe-signature'],
  verify(request, secret, now, options = {}) {
    const value = header(request, 'stripe-signature');
    if (!value) return fail('missing', 'missing Stripe-Signature header');
    let t: string | undefined;
    const signatures: string[] = [];
    for (const part of value.split(',')) {
      const eq = part.indexOf('=');
      if (eq <= 0) continue;
      const key = part.slice(0, eq).trim();
      const v = part.slice(eq + 1).trim();
      if (key === 't') t = v;
      else if (key === 'v1' && signatures.length < MAX_SIGNATURES) signatures.push(v);
    }
    if (!t) return fail('malformed', 'Stripe-Signature has no t= timestamp');
    if (signatures.length === 0) return fail('malformed', 'Stripe-Signature has no v1= signature');
    const stale = checkTimestamp(t, now, options.toleranceMs ?? DEFAULT_TOLERANCE_MS, 'Stripe-Signature t');
    if (stale) return stale;
    const expected = hmacSha256(secret, `${t}.`, request.rawBody);
    return anyDigestMatches(expected, signatures.map(decodeHexDigest)) ? { ok: true } : fail('mismatch', 'Stripe-Signature does not match the body');
  },
  sign: (body, secret, now) => signStripe(body, secret, now),
  // Stripe has no delivery header; the event id (`evt_…`) is the same on every retry.
  deliveryId: (_request, body) => bodyString(body, 'id'),
};

/**
 * Shopify: `X-Shopify-Hmac-Sha256: <base64>`, the HMAC-SHA256 of the raw body with the app's client
 * secret (or the shop's webhook secret). Dedup by `X-Shopify-Webhook-Id`, else `X-Shopify-Event-Id`.
 */
export const shopifyScheme: SignatureScheme = {
  name: 'shopify',
  headers: ['x-shopify-hmac-sha256', 'x-shopify-webhook-id'],
  verify(request, secret) {
    const value = header(request, 'x-shopify-hmac-sha256');
    if (!value) return fail('missing', 'missing X-Shopify-Hmac-Sha256 header');
    const candidate = decodeBase64Digest(value);
    if (!candidate) return fail('malformed', 'X-Shopify-Hmac-Sha256 must be a base64 SHA-256 digest');
    return anyDigestMatches(hmacSha256(secret, request.rawBody), [candidate]) ? { ok: true } : fail('mismatch', 'X-Shopify-Hmac-Sha256 does not match the body');
  },
  sign: (body, secret) => signShopify(body, secret),
  deliveryId: (request) => header(request, 'x-shopify-webhook-id') ?? header(request, 'x-shopify-event-id'),
};

/**
 * Slack: `X-Slack-Signature: v0=<hex>`, HMAC-SHA256 of `v0:${X-Slack-Request-Timestamp}:${body}` with
 * the app's signing secret; the timestamp must be within the tolerance both ways. Events API
 * retries repeat the body's `event_id`.
 */
export const slackScheme: SignatureScheme = {
  name: 'slack',
  headers: ['x-slack-signature', 'x-slack-request-timestamp'],
  verify(request, secret, now, options = {}) {
    const value = header(request, 'x-slack-signature');
    const timestamp = header(request, 'x-slack-request-timestamp');
    if (!value) return fail('missing', 'missing X-Slack-Signature header');
    if (!timestamp) return fail('missing', 'missing X-Slack-Request-Timestamp header');
    if (!value.startsWith('v0=')) return fail('malformed', 'X-Slack-Signature must look like v0=<hex>');
    const stale = checkTimestamp(timestamp, now, options.toleranceMs ?? DEFAULT_TOLERANCE_MS, 'X-Slack-Request-Timestamp');
    if (stale) return stale;
    const expected = hmacSha256(secret, `v0:${timestamp}:`, request.rawBody);
    return anyDigestMatches(expected, [decodeHexDigest(value.slice(3))]) ? { ok: true } : fail('mismatch', 'X-Slack-Signature does not match the body');
  },
  sign: (body, secret, now) => signSlack(body, secret, now),
  deliveryId: (_request, body) => bodyString(body, 'event_id'),
};

/**
 * Discourse: `X-Discourse-Event-Signature: sha256=<hex>`, the HMAC-SHA256 of the raw body with the
 * webhook's secret. Dedup by `X-Discourse-Event-Id`.
 */
export const discourseScheme: SignatureScheme = {
  name: 'discourse',
  headers: ['x-discourse-event-signature', 'x-discourse-event-id'],
  verify: (request, secret) => verifyPrefixedHex('X-Discourse-Event-Signature', header(request, 'x-discourse-event-signature'), request.rawBody, secret),
  sign: (body, secret) => signDiscourse(body, secret),
  deliveryId: (request) => header(request, 'x-discourse-event-id'),
};
