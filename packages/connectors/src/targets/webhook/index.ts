/**
 * @module @tributary/connectors/targets/webhook
 * The signed webhook target: each message is a JSON POST signed the Standard Webhooks way
 * (standardwebhooks.com), so the receiver can verify it came from you and was not altered:
 * `webhook-id` (the message id, the same on every retry), `webhook-timestamp` (Unix seconds of this
 * attempt) and `webhook-signature` (`v1,` + base64 HMAC-SHA256 of `${id}.${timestamp}.${body}` keyed
 * with the secret's decoded bytes). It also sends `Idempotency-Key`. Answers are classified like the
 * generic HTTP target's (2xx accepted; 408/425/429/5xx retried with `Retry-After`; 400/404/410/413/422
 * permanent; 401/403 retried, not permanent).
 * @example
 * ```ts
 * import { webhookTarget } from '@tributary/connectors/targets/webhook';
 * import { generateStandardWebhooksSecret } from '@tributary/core/webhooks';
 * const config = webhookTarget.configSchema.parse({ url: 'https://receiver.example.com/hooks', secret: generateStandardWebhooksSecret() });
 * ```
 * A receiver built with Tributary verifies these with `standardWebhooksScheme` from `@tributary/core/webhooks`.
 */
import { defineTarget, type OutboundMessage, type Target } from '@tributary/core/target';
import { signStandardWebhook } from '@tributary/core/webhooks';
import { classifyResponse, discardBody } from '../../_targets/classify.js';
import { jsonBody, jsonHeaders, sendRequest } from '../../_targets/request.js';
import { WebhookTargetConfigSchema, type WebhookTargetConfig } from './schemas.js';
import { standardWebhookId } from './webhook-id.js';

export { WebhookTargetConfigSchema, type WebhookTargetConfig, type WebhookTargetConfigInput } from './schemas.js';
export { standardWebhookId } from './webhook-id.js';

/** The target's version. */
export const WEBHOOK_TARGET_VERSION = '0.1.0';

function bodyOf(message: OutboundMessage, shape: WebhookTargetConfig['body']): unknown {
  if (shape === 'payload') return message.payload;
  if (shape === 'standard') return { type: message.type, timestamp: message.createdAt, data: message.payload };
  return message;
}

/** The Standard Webhooks signed target. */
export const webhookTarget: Target<WebhookTargetConfig> = defineTarget<WebhookTargetConfig>({
  name: 'webhook',
  version: WEBHOOK_TARGET_VERSION,
  configSchema: WebhookTargetConfigSchema,
  async send(message, { config, fetch, signal }) {
    const serialized = jsonBody(bodyOf(message, config.body));
    if (serialized.result) return serialized.result;
    const secrets = typeof config.secret === 'string' ? [config.secret] : config.secret;
    // Signed per attempt: the timestamp must be fresh for the receiver's tolerance window.
    const signature = signStandardWebhook({ id: standardWebhookId(message.id), timestamp: Date.now(), body: serialized.body, secret: secrets });
    const sent = await sendRequest(
      { fetch, signal },
      {
        url: config.url,
        method: 'POST',
        extraHeaders: config.headers,
        headers: { ...jsonHeaders(message.idempotencyKey, `tributary-webhook-target/${WEBHOOK_TARGET_VERSION}`), ...signature },
        body: serialized.body,
        secrets,
      },
    );
    if (sent.result) return sent.result;
    const result = await classifyResponse(sent.response, { now: Date.now(), secrets });
    if (result.ok) discardBody(sent.response);
    return result;
  },
});
