import { expect } from 'vitest';
import type { RawItem } from '../connector/index.js';
import type { ConnectorCase, ConnectorKitContext, ConnectorKitOptions } from './connector-kit.js';
import { decodeWebhookBody, expectRawItems, KIT_ORIGIN, parseValid } from './connector-run.js';

function webhookMissing<C, K, P>(o: ConnectorKitOptions<C, K, P>): string | undefined {
  if (!o.connector.webhook && !o.webhook) return 'the connector takes no webhooks';
  if (!o.webhook) return 'no webhook requests given (options.webhook)';
  return undefined;
}

/** Parses every given request and returns the items, checking their shape. */
async function parseRequests<C, K, P>(k: ConnectorKitContext<C, K, P>): Promise<RawItem[]> {
  expect(k.connector.webhook, 'options.webhook given, so the connector must take webhooks').toBeDefined();
  const requests = await k.options.webhook!.requests();
  expect(requests.length, 'at least one request given').toBeGreaterThan(0);
  const items: RawItem[] = [];
  for (const [i, request] of requests.entries()) {
    const deliveryId = k.connector.webhook!.deliveryId?.(request);
    expect(deliveryId === undefined || (typeof deliveryId === 'string' && deliveryId.length > 0), `request ${i}: deliveryId is a non-empty string or undefined`).toBe(true);
    const result = await k.connector.webhook!.parse(request, decodeWebhookBody(request), { ...KIT_ORIGIN, config: k.config() });
    expect(Array.isArray(result.items), `request ${i}: items is an array`).toBe(true);
    if (result.triggerFetch) expect(typeof result.triggerFetch.reason, `request ${i}: triggerFetch has a reason`).toBe('string');
    expectRawItems(result.items, `request ${i}`);
    items.push(...result.items);
  }
  return items;
}

/** Webhook parsing. */
export const connectorWebhookCases: Record<string, ConnectorCase> = {
  'webhook requests parse into items': {
    notApplicable: webhookMissing,
    async run(k) {
      const items = await parseRequests(k);
      const expected = k.options.webhook!.expectItems;
      if (expected !== undefined) expect(new Set(items.map((item) => item.externalId)).size, 'distinct webhook items').toBe(expected);
    },
  },

  'webhook items parse into valid record drafts': {
    notApplicable: (o) => webhookMissing(o) ?? (o.connector.parse ? undefined : 'the connector has no parse'),
    async run(k) {
      const items = await parseRequests(k);
      for (const [i, item] of items.entries()) await parseValid(k.connector, item, k.config(), `webhook item ${i} (${item.externalId})`);
    },
  },
};
