import type { WebhookRequest } from '@tributary/core/connector';

/**
 * Headers senders put their delivery id in, strongest first: ids that name one delivery and repeat on
 * its redeliveries, then `X-Request-Id`, which some proxies mint anew per attempt (a miss there only
 * costs a duplicate enqueue, which records absorb by id).
 */
export const DELIVERY_ID_HEADERS = [
  'webhook-id',
  'svix-id',
  'x-github-delivery',
  'x-shopify-webhook-id',
  'x-discourse-event-id',
  'idempotency-key',
  'x-idempotency-key',
  'x-webhook-id',
  'x-delivery-id',
  'x-event-id',
  'x-request-id',
] as const;

/** The request's delivery id from the first of {@link DELIVERY_ID_HEADERS} it carries, if any. */
export function deliveryIdOf(request: Pick<WebhookRequest, 'headers'>): string | undefined {
  for (const name of DELIVERY_ID_HEADERS) {
    const value = request.headers.get(name)?.trim();
    if (value) return value;
  }
  return undefined;
}
