import type { SignatureSchemeName } from '../connector/index.js';
import { createError } from '../errors/index.js';
import { discourseScheme, githubScheme, shopifyScheme, slackScheme, stripeScheme } from './provider-schemes.js';
import { fail, header, type SignatureScheme } from './scheme.js';
import { standardWebhooksScheme } from './standard-webhooks.js';

/**
 * No signature: only for sources without a secret. It refuses every request when it is handed a
 * secret, so a misconfigured source fails closed instead of accepting unsigned pushes.
 */
export const noneScheme: SignatureScheme = {
  name: 'none',
  headers: [],
  verify: (_request, secret) => (secret ? fail('mismatch', 'this source has a secret but no signature scheme to check it with') : { ok: true }),
  // Senders that follow no scheme often still send an idempotency key.
  deliveryId: (request) => header(request, 'idempotency-key') ?? header(request, 'webhook-id'),
};

/** Every built-in scheme by name. */
export const signatureSchemes: Readonly<Record<SignatureSchemeName, SignatureScheme>> = {
  'standard-webhooks': standardWebhooksScheme,
  github: githubScheme,
  stripe: stripeScheme,
  shopify: shopifyScheme,
  slack: slackScheme,
  discourse: discourseScheme,
  none: noneScheme,
};

/**
 * The scheme of a name.
 * @throws TributaryError `config` for an unknown name
 */
export function getSignatureScheme(name: string): SignatureScheme {
  const scheme = Object.hasOwn(signatureSchemes, name) ? signatureSchemes[name as SignatureSchemeName] : undefined;
  if (!scheme) throw createError('webhooks', 'config', `unknown signature scheme ${JSON.stringify(name)}; known: ${Object.keys(signatureSchemes).join(', ')}`);
  return scheme;
}
