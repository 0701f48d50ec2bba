import type { ParseContext, RawItem } from '@tributary/core/connector';
import { fromZodError } from '@tributary/core/errors';
import type { RecordDraft } from '@tributary/core/record';
import { applyMapping, USUAL_SHAPES } from '../_mapping/index.js';
import { COMPONENT } from './errors.js';
import { WebhookEventPayloadSchema, type WebhookConfig } from './schemas.js';

/**
 * Turns one received event into a record draft through the mapping; unmapped fields come from their
 * usual names, and an event without a time takes the time it was received.
 * @throws TributaryError `validation` naming each field that could not be read
 */
export function parseWebhookItem(item: RawItem, context: Pick<ParseContext<Pick<WebhookConfig, 'mapping'>>, 'config'>): RecordDraft[] {
  const parsed = WebhookEventPayloadSchema.safeParse(item.payload);
  if (!parsed.success) throw fromZodError(COMPONENT, `webhook item ${item.externalId}`, parsed.error);
  return [
    applyMapping(parsed.data.event, context.config.mapping, {
      externalId: item.externalId,
      itemType: item.itemType,
      component: COMPONENT,
      what: `webhook event ${item.externalId}`,
      defaults: USUAL_SHAPES,
      fallbackTime: parsed.data.receivedAt,
    }),
  ];
}
