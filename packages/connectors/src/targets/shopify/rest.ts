import type { AnnouncedBudget, DeliveryResult, OutboundMessage, SendContext } from '@tributary/core/target';
import { classifyResponse, discardBody } from '../../_targets/classify.js';
import { jsonBody, sendRequest } from '../../_targets/request.js';
import { renderTemplate } from '../../_targets/template.js';
import { adminApiBase, shopifyHeaders } from './headers.js';
import type { ShopifyRestConfig } from './schemas.js';

/** Shopify's REST bucket header: calls used over bucket size, e.g. `32/40`. */
export const SHOPIFY_CALL_LIMIT_HEADER = 'X-Shopify-Shop-Api-Call-Limit';

/**
 * Reads `X-Shopify-Shop-Api-Call-Limit` (`<used>/<size>`) into a budget.
 * @example
 * parseShopifyCallLimit('32/40', 2) // { remaining: 8, limit: 40, restorePerSecond: 2 }
 * @returns undefined when the value is missing or not `<used>/<size>`
 */
export function parseShopifyCallLimit(value: string | null | undefined, restorePerSecond?: number): AnnouncedBudget | undefined {
  const match = value ? /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value) : null;
  if (!match) return undefined;
  const used = Number(match[1]);
  const limit = Number(match[2]);
  if (limit <= 0) return undefined;
  return { remaining: Math.max(0, limit - used), limit, ...(restorePerSecond !== undefined ? { restorePerSecond } : {}) };
}

/**
 * The REST path of a message: the resource with its `{{path}}` segments filled in (URL-encoded).
 * A segment that renders empty is a permanent failure: the message lacks the id it needs.
 */
export function restResourcePath(config: Pick<ShopifyRestConfig, 'resource'>, message: OutboundMessage): { path: string; result?: undefined } | { path?: undefined; result: DeliveryResult } {
  const path = renderTemplate(config.resource, message, encodeURIComponent);
  if (path.split('/').some((segment) => segment === '')) {
    return { result: { ok: false, permanent: true, error: `the resource "${config.resource}" has an empty segment for this message` } };
  }
  return { path };
}

/** Sends one message to the REST Admin API. */
export async function sendRest(message: OutboundMessage, { config, fetch, signal }: SendContext<ShopifyRestConfig>, userAgent: string): Promise<DeliveryResult> {
  const resource = restResourcePath(config, message);
  if (resource.result) return resource.result;
  const serialized = jsonBody(config.rootKey ? { [config.rootKey]: message.payload } : message.payload);
  if (serialized.result) return serialized.result;
  const secrets = [config.accessToken];
  const sent = await sendRequest(
    { fetch, signal },
    { url: `${adminApiBase(config.storeUrl, config.apiVersion)}/${resource.path}.json`, method: config.method, headers: shopifyHeaders(config.accessToken, message.idempotencyKey, userAgent), body: serialized.body, secrets },
  );
  if (sent.result) return sent.result;
  const result = await classifyResponse(sent.response, {
    now: Date.now(),
    secrets,
    budget: (response) => parseShopifyCallLimit(response.headers.get(SHOPIFY_CALL_LIMIT_HEADER), config.restorePerSecond),
  });
  if (result.ok) discardBody(sent.response);
  return result;
}
