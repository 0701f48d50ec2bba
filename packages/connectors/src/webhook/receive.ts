import type { ParseContext, RawItem, WebhookParseResult, WebhookRequest, WebhookSpec } from '@tributary/core/connector';
import { createError, isTributaryError, type FieldIssue } from '@tributary/core/errors';
import { contentId, itemId, USUAL_ID_PATHS } from '../_mapping/index.js';
import { deliveryIdOf } from './delivery-id.js';
import { COMPONENT } from './errors.js';
import { eventsOf } from './events.js';
import { parseWebhookItem } from './parse.js';
import type { WebhookConfig, WebhookEventPayload } from './schemas.js';

/**
 * Turns a verified request into one item per event. Each event's id is read at `idPath` (the usual
 * id fields by default), else taken from the delivery id (suffixed with the index in a batch), else a
 * hash of the event, so a redelivery always lands on the same record.
 *
 * Events are mapped here too, only to refuse (400, naming the fields) a body none of whose events can
 * become a record. When some can, all are enqueued: the parse stage rejects the others one by one
 * (`record.rejected`, naming the field) and keeps their raw payloads, so a bad event never costs the
 * good ones beside it.
 * @throws TributaryError `validation` for a body that holds no usable event
 */
export function receiveWebhook(request: WebhookRequest, body: unknown, context: Pick<ParseContext<WebhookConfig>, 'config'>): WebhookParseResult {
  const { config } = context;
  const located = eventsOf(body, config.eventsPath);
  const deliveryId = deliveryIdOf(request);
  const receivedAt = new Date(request.receivedAt).toISOString();
  const items: RawItem[] = located.map(({ event }, i) => {
    const fallback = deliveryId === undefined ? contentId(event) : located.length > 1 ? `${deliveryId}:${i}` : deliveryId;
    const payload: WebhookEventPayload = { event, receivedAt, ...(deliveryId ? { deliveryId } : {}) };
    return { externalId: itemId(event, config.idPath ?? USUAL_ID_PATHS) ?? fallback, itemType: config.itemType, payload };
  });

  const issues: FieldIssue[] = [];
  const usable = items.some((item, i) => {
    try {
      parseWebhookItem(item, context);
      return true;
    } catch (error) {
      if (!isTributaryError(error, 'validation')) throw error;
      const prefix = located[i]!.path;
      issues.push(...error.issues.map((issue) => ({ path: prefix ? `${prefix}.${issue.path}` : issue.path, message: issue.message })));
      return false;
    }
  });
  if (usable || items.length === 0) return { items };
  throw createError(COMPONENT, 'validation', `no event of the webhook body can become a record (${issues[0]!.path}: ${issues[0]!.message})`, { issues });
}

/**
 * How the generic connector receives pushes. Signed with Standard Webhooks unless the source sets
 * another scheme (`webhook: { scheme: 'github' | 'stripe' | 'shopify' | 'slack' | 'discourse' | 'none', secret }`).
 */
export const genericWebhook: WebhookSpec<WebhookConfig> = {
  signatureScheme: 'standard-webhooks',
  deliveryId: deliveryIdOf,
  parse: receiveWebhook,
};
