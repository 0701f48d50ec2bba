import type { WebhookParseResult, WebhookSpec } from '@tributary/core/connector';
import { createError } from '@tributary/core/errors';
import { deliveryIdOf } from '../webhook/delivery-id.js';
import { splitValueRecords } from './entries.js';
import { COMPONENT } from './errors.js';
import type { RecordsConfig } from './schemas.js';

/**
 * Takes value records pushed over HTTP (the webhook endpoint): one record, an array, or
 * `{ records: [...] }`. A body without a single valid record is refused (400) with every field named.
 * Otherwise all entries are enqueued: the valid ones become records, and each invalid one is rejected
 * on its own by the parse stage (`record.rejected`, naming the field), its raw payload kept.
 * @throws TributaryError `validation` for a body with no valid record
 */
export function receiveValueRecords(_request: unknown, body: unknown): WebhookParseResult {
  const { accepted, rejected, rejectedItems } = splitValueRecords(body);
  if (accepted.length === 0 && rejected.length > 0) {
    const issues = rejected.flatMap((r) => r.issues);
    throw createError(COMPONENT, 'validation', `no valid value record in the body (${issues[0]!.path}: ${issues[0]!.message})`, { issues });
  }
  return { items: [...accepted, ...rejectedItems] };
}

/** Pushes of value records: Standard Webhooks signatures unless the source sets another scheme. */
export const valueRecordsWebhook: WebhookSpec<RecordsConfig> = {
  signatureScheme: 'standard-webhooks',
  deliveryId: deliveryIdOf,
  parse: receiveValueRecords,
};
