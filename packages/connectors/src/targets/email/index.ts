/**
 * @module @tributary/connectors/targets/email
 * The email target: sends each message as one email through a SendGrid-v3-compatible HTTP API
 * (`POST {baseUrl}/v3/mail/send`, `Authorization: Bearer <apiKey>`), with a subject, a text and an
 * HTML body rendered from the message (`record.processed`, `record.notification` and `record.alert`
 * read well by default; templates change that). `202 Accepted` means accepted, and the result carries
 * SendGrid's `X-Message-Id` as `messageId`. Other answers are classified like the generic HTTP
 * target's: 429/5xx retried with `Retry-After`, 400/413 permanent, 401/403 (a revoked key, an
 * unverified sender) retried, not permanent, since fixing the account makes the message sendable.
 * The API key is a secret: it is never logged and never appears in an error.
 * SendGrid does not deduplicate by `Idempotency-Key`: when an attempt times out after the API took
 * the email, the retry sends it again. The key also travels in `custom_args` (with the message id)
 * so the event webhook can tell the copies apart.
 * @example
 * ```ts
 * import { emailTarget } from '@tributary/connectors/targets/email';
 * const config = emailTarget.configSchema.parse({ apiKey: process.env.SENDGRID_API_KEY, from: 'alerts@example.com', to: ['ops@example.com'] });
 * ```
 */
import type { DeliveryResult, OutboundMessage, SendContext, Target } from '@tributary/core/target';
import { defineTarget } from '@tributary/core/target';
import { classifyResponse, discardBody } from '../../_targets/classify.js';
import { jsonBody, jsonHeaders, sendRequest } from '../../_targets/request.js';
import { renderEmail } from './render.js';
import { EmailTargetConfigSchema, type EmailTargetConfig } from './schemas.js';

export { EmailAddressSchema, EmailTargetConfigSchema, type EmailAddress, type EmailTargetConfig, type EmailTargetConfigInput } from './schemas.js';
export { escapeHtml, renderEmail, type RenderedEmail } from './render.js';

/** The target's version. */
export const EMAIL_TARGET_VERSION = '0.1.0';

/** A delivery result with the id the email API gave the accepted email. */
export interface EmailDeliveryResult extends DeliveryResult {
  /** SendGrid's `X-Message-Id`, when the API sent one. */
  messageId?: string;
}

/** The body of `POST /v3/mail/send` for one message. */
export function sendGridMailBody(message: OutboundMessage, config: EmailTargetConfig): Record<string, unknown> {
  const email = renderEmail(message, config);
  return {
    personalizations: [{ to: config.to, ...(config.cc?.length ? { cc: config.cc } : {}), ...(config.bcc?.length ? { bcc: config.bcc } : {}) }],
    from: config.from,
    ...(config.replyTo ? { reply_to: config.replyTo } : {}),
    subject: email.subject,
    // SendGrid requires text/plain before text/html.
    content: [
      { type: 'text/plain', value: email.text },
      { type: 'text/html', value: email.html },
    ],
    // Comes back on SendGrid's event webhook, to match events with messages.
    custom_args: { tributary_message_id: message.id, tributary_idempotency_key: message.idempotencyKey, tributary_type: message.type },
    ...(config.categories?.length ? { categories: config.categories } : {}),
    ...(config.sandboxMode ? { mail_settings: { sandbox_mode: { enable: true } } } : {}),
  };
}

/** The email target: a target whose results also carry the email's `messageId`. */
export interface EmailTarget extends Target<EmailTargetConfig> {
  send(message: OutboundMessage, context: SendContext<EmailTargetConfig>): Promise<EmailDeliveryResult>;
}

/** The email target. The cast below only narrows `send`'s result to what the implementation declares. */
export const emailTarget = defineTarget<EmailTargetConfig>({
  name: 'email',
  version: EMAIL_TARGET_VERSION,
  configSchema: EmailTargetConfigSchema,
  async send(message, { config, fetch, signal }): Promise<EmailDeliveryResult> {
    const serialized = jsonBody(sendGridMailBody(message, config));
    if (serialized.result) return serialized.result;
    const secrets = [config.apiKey];
    const sent = await sendRequest(
      { fetch, signal },
      {
        url: `${config.baseUrl}/v3/mail/send`,
        method: 'POST',
        headers: { ...jsonHeaders(message.idempotencyKey, `tributary-email-target/${EMAIL_TARGET_VERSION}`), authorization: `Bearer ${config.apiKey}` },
        body: serialized.body,
        secrets,
      },
    );
    if (sent.result) return sent.result;
    const result = await classifyResponse(sent.response, { now: Date.now(), secrets });
    if (!result.ok) return result;
    discardBody(sent.response);
    const messageId = sent.response.headers.get('x-message-id');
    return messageId ? { ...result, messageId } : result;
  },
}) as EmailTarget;
