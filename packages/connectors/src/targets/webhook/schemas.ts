import { z } from 'zod';
import { decodeStandardWebhooksSecret } from '@tributary/core/webhooks';
import { headersSchema, httpUrl, secretString } from '../../_targets/schema.js';

const isSecret = (value: string) => {
  try {
    decodeStandardWebhooksSecret(value);
    return true;
  } catch {
    return false;
  }
};

// The message never quotes the value: it is a secret.
const standardSecret = () => secretString('A Standard Webhooks secret: whsec_ followed by base64').refine(isSecret, 'must be "whsec_" followed by base64');

/**
 * Configuration of the signed webhook target.
 * @example
 * ```ts
 * { url: 'https://receiver.example.com/webhooks/tributary', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }
 * ```
 */
export const WebhookTargetConfigSchema = z.object({
  /** The receiver's endpoint, e.g. `https://receiver.example.com/webhooks/tributary`. */
  url: httpUrl(),
  /**
   * The signing secret shared with the receiver, `whsec_` followed by base64 (generate one with
   * `generateStandardWebhooksSecret()` from `@tributary/core/webhooks`). While rotating keys, give a
   * list: each secret adds one `v1,` signature and the receiver accepts any of them.
   * @example 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
   */
  secret: z.union([standardSecret(), z.array(standardSecret()).min(1)]),
  /**
   * What the signed JSON body holds:
   * - `message`: the whole message (`{ id, idempotencyKey, type, workspaceId, payload, createdAt }`);
   * - `payload`: only its payload;
   * - `standard`: the shape Standard Webhooks recommends, `{ type, timestamp, data }` (`timestamp`
   *   is the message's `createdAt`, `data` its payload).
   * @default 'message'
   */
  body: z.enum(['message', 'payload', 'standard']).default('message'),
  /**
   * Extra headers sent with every request. They cannot replace the `webhook-*` headers,
   * `Content-Type`, `User-Agent` or `Idempotency-Key`, which the target sets.
   * @default {}
   */
  headers: headersSchema().default({}),
});

/** Configuration of the webhook target, defaults applied. */
export type WebhookTargetConfig = z.output<typeof WebhookTargetConfigSchema>;
/** Configuration of the webhook target as written by a user. */
export type WebhookTargetConfigInput = z.input<typeof WebhookTargetConfigSchema>;
