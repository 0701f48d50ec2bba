/**
 * @module @tributary/connectors/webhook
 * A generic signed webhook source: any sender, any signature scheme core verifies (chosen per source:
 * Standard Webhooks by default, or GitHub, Stripe, Shopify, Slack, Discourse, none), and an optional
 * field mapping. Without a mapping it still takes the usual shapes:
 * - events: a JSON object is one event; an array, or `{ events: [...] }`, is a batch;
 * - id: `id`, `uuid`, `event_id`, `eventId`, `data.id`, else the delivery id header, else a hash of the event;
 * - text: `text`, `body`, `message`, `content`, or the same under `data`;
 * - time: `created_at`, `createdAt`, `timestamp`, `time`, `date` (ISO 8601 or epoch seconds/ms), or
 *   the same under `data`, else the time the request was received;
 * - delivery id (redelivery dedup): `webhook-id`, `svix-id`, `X-GitHub-Delivery`, …, `Idempotency-Key`, `X-Request-Id`.
 * @example
 * ```ts
 * import { webhookConnector } from '@tributary/connectors/webhook';
 * await pipeline.sources.create('ws1', {
 *   name: 'Support widget', connector: 'webhook',
 *   config: { itemType: 'widget.feedback', mapping: { text: 'comment', author: { email: 'user.email' } } },
 *   webhook: { scheme: 'standard-webhooks', secret: 'whsec_…' },
 * });
 * ```
 */
import { defineConnector } from '@tributary/core/connector';
import { parseWebhookItem } from './parse.js';
import { genericWebhook } from './receive.js';
import { WebhookConfigSchema, type WebhookConfig } from './schemas.js';

export { WebhookConfigSchema, WebhookEventPayloadSchema, type WebhookConfig, type WebhookConfigInput, type WebhookEventPayload } from './schemas.js';
export { FieldMappingSchema, FieldSourceSchema, type FieldMapping, type FieldMappingInput, type FieldSource } from '../_mapping/index.js';
export { DELIVERY_ID_HEADERS, deliveryIdOf } from './delivery-id.js';
export { eventsOf, type LocatedEvent } from './events.js';
export { parseWebhookItem } from './parse.js';
export { receiveWebhook } from './receive.js';

/** The connector's version; records remember it, and a new minor means records may be re-parsed. */
export const WEBHOOK_CONNECTOR_VERSION = '0.1.0';

/**
 * The generic webhook connector: push only (no `fetch`).
 * - `webhook`: a verified body → one item per event (see the module documentation for the shapes).
 * - `parse`: an event → one draft through the mapping.
 */
export const webhookConnector = defineConnector<WebhookConfig, undefined, undefined>({
  name: 'webhook',
  version: WEBHOOK_CONNECTOR_VERSION,
  displayName: 'Webhook',
  description: 'Events pushed by any sender, verified with a signature scheme of your choice, mapped into records.',
  configSchema: WebhookConfigSchema,
  parse: parseWebhookItem,
  webhook: genericWebhook,
});
