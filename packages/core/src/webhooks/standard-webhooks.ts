import { randomBytes, randomUUID } from 'node:crypto';
import { createError } from '../errors/index.js';
import {
  anyDigestMatches,
  checkTimestamp,
  decodeBase64Digest,
  DEFAULT_TOLERANCE_MS,
  fail,
  header,
  hmacSha256,
  unixSeconds,
  type SignatureScheme,
} from './scheme.js';

const PREFIX = 'whsec_';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
// The header may list signatures of several schemes and keys; bound the work one request can cause.
const MAX_SIGNATURES = 32;

/**
 * Decodes a Standard Webhooks secret: `whsec_` followed by base64 (the prefix is optional, as in the
 * reference libraries). The key is the decoded bytes, not the text.
 * @throws TributaryError `config` when it is not base64 or decodes to nothing
 */
export function decodeStandardWebhooksSecret(secret: string): Buffer {
  const encoded = secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret;
  const key = BASE64.test(encoded) ? Buffer.from(encoded, 'base64') : Buffer.alloc(0);
  if (key.length === 0) {
    // Never echo the secret: say only what shape it should have.
    throw createError('webhooks', 'config', 'a Standard Webhooks secret must be "whsec_" followed by base64 (at least 24 random bytes)');
  }
  return key;
}

/** Generates a Standard Webhooks secret: `whsec_` + base64 of 32 random bytes. */
export function generateStandardWebhooksSecret(): string {
  return PREFIX + randomBytes(32).toString('base64');
}

/** Input of {@link signStandardWebhook}. */
export interface StandardWebhookSignInput {
  /** `webhook-id`: the message id, the same on every retry of one message. Must not contain `.`. */
  id: string;
  /** `webhook-timestamp` of this attempt, as epoch milliseconds. */
  timestamp: number;
  body: Uint8Array | string;
  /** One secret, or several while rotating keys (each gives one `v1,` signature). */
  secret: string | readonly string[];
}

/**
 * Signs a message the Standard Webhooks way: base64 HMAC-SHA256 of `${id}.${timestamp}.${body}`
 * with each secret's decoded key. Returns the three headers to send.
 * @example
 * const headers = signStandardWebhook({ id: 'msg_1', timestamp: Date.now(), body, secret: 'whsec_…' });
 * // { 'webhook-id': 'msg_1', 'webhook-timestamp': '1700000000', 'webhook-signature': 'v1,…' }
 */
export function signStandardWebhook(input: StandardWebhookSignInput): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  if (input.id.includes('.')) throw createError('webhooks', 'validation', 'a webhook-id must not contain "."', { issues: [{ path: 'id', message: 'must not contain "."' }] });
  const timestamp = String(unixSeconds(input.timestamp));
  const secrets = typeof input.secret === 'string' ? [input.secret] : input.secret;
  const signatures = secrets.map((s) => `v1,${hmacSha256(decodeStandardWebhooksSecret(s), `${input.id}.${timestamp}.`, input.body).toString('base64')}`);
  return { 'webhook-id': input.id, 'webhook-timestamp': timestamp, 'webhook-signature': signatures.join(' ') };
}

/**
 * Standard Webhooks (standardwebhooks.com): `webhook-id`, `webhook-timestamp` (Unix seconds, within
 * the tolerance both ways) and `webhook-signature`, a space-separated list of `v1,<base64>`; any one
 * matching signature is enough, so senders can rotate keys. Other versions (`v1a` asymmetric) are skipped.
 */
export const standardWebhooksScheme: SignatureScheme = {
  name: 'standard-webhooks',
  headers: ['webhook-id', 'webhook-timestamp', 'webhook-signature'],
  verify(request, secret, now, options = {}) {
    const key = decodeStandardWebhooksSecret(secret);
    const id = header(request, 'webhook-id');
    const timestamp = header(request, 'webhook-timestamp');
    const signature = header(request, 'webhook-signature');
    if (!signature) return fail('missing', 'missing webhook-signature header');
    if (!id) return fail('missing', 'missing webhook-id header');
    if (!timestamp) return fail('missing', 'missing webhook-timestamp header');
    // The id is part of the signed content, delimited by `.`: one with a dot could shift the boundary.
    if (id.includes('.')) return fail('malformed', 'webhook-id must not contain "."');
    const stale = checkTimestamp(timestamp, now, options.toleranceMs ?? DEFAULT_TOLERANCE_MS, 'webhook-timestamp');
    if (stale) return stale;
    const candidates = signature
      .split(' ')
      .filter((s) => s.startsWith('v1,'))
      .slice(0, MAX_SIGNATURES)
      .map((s) => decodeBase64Digest(s.slice(3)));
    if (candidates.length === 0) return fail('malformed', 'webhook-signature has no v1 signature');
    const expected = hmacSha256(key, `${id}.${timestamp}.`, request.rawBody);
    return anyDigestMatches(expected, candidates) ? { ok: true } : fail('mismatch', 'webhook-signature does not match the body');
  },
  sign(body, secret, now, options = {}) {
    return signStandardWebhook({ id: options.id ?? `msg_${randomUUID().replace(/-/g, '')}`, timestamp: now, body, secret: [secret, ...(options.extraSecrets ?? [])] });
  },
  deliveryId: (request) => header(request, 'webhook-id'),
};
