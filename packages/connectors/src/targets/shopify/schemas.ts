import { z } from 'zod';
import { httpUrl, secretString } from '../../_targets/schema.js';

/** A Shopify API version: `YYYY-01`, `-04`, `-07`, `-10`, or `unstable`. */
const apiVersion = z.string().regex(/^(\d{4}-(01|04|07|10)|unstable)$/, 'must be a Shopify API version such as "2025-10"');

/** The default API version. Pin your own: Shopify supports each version for a year. */
export const SHOPIFY_DEFAULT_API_VERSION = '2025-10';

const common = {
  /**
   * The store's address, e.g. `https://my-shop.myshopify.com` (or any Shopify-compatible API's origin).
   * A trailing slash is dropped.
   */
  storeUrl: httpUrl().transform((url) => url.replace(/\/+$/, '')),
  /** The Admin API access token, sent as `X-Shopify-Access-Token`. A secret: never logged. */
  accessToken: secretString('The Shopify Admin API access token'),
  /**
   * The Admin API version in the path, `/admin/api/<version>/…`.
   * @default '2025-10'
   */
  apiVersion: apiVersion.default(SHOPIFY_DEFAULT_API_VERSION),
};

// Path segments of letters, digits and `_`, or one `{{path}}` placeholder each.
const RESOURCE = /^([A-Za-z0-9_]+|\{\{\s*[\w.$-]+\s*\}\})(\/([A-Za-z0-9_]+|\{\{\s*[\w.$-]+\s*\}\}))*$/;

/**
 * The REST Admin API: one request per message to `/admin/api/<version>/<resource>.json`. Shopify's
 * `X-Shopify-Shop-Api-Call-Limit: 32/40` becomes the announced budget (`remaining: 8, limit: 40`).
 * @example
 * ```ts
 * { api: 'rest', storeUrl: 'https://my-shop.myshopify.com', accessToken: 'shpat_…', resource: 'customers/{{payload.customerId}}/metafields', rootKey: 'metafield' }
 * ```
 */
export const ShopifyRestConfigSchema = z.object({
  api: z.literal('rest'),
  ...common,
  /**
   * The resource path without `.json`, e.g. `orders` or `products/{{payload.productId}}`; a
   * `{{path}}` segment is filled from the message (URL-encoded).
   * @example 'customers/{{payload.customerId}}/metafields'
   */
  resource: z.string().regex(RESOURCE, 'must be path segments such as "orders" or "products/{{payload.id}}", without ".json"'),
  /**
   * The HTTP method: `POST` creates, `PUT` updates.
   * @default 'POST'
   */
  method: z.enum(['POST', 'PUT']).default('POST'),
  /**
   * Wraps the payload under this key, as Shopify's REST resources expect (`{ "metafield": { … } }`).
   * Without it the payload is the body as is.
   * @example 'metafield'
   */
  rootKey: z.string().min(1).optional(),
  /**
   * How many calls the bucket regains per second: 2 on standard plans, 4 on Advanced, 20 on Plus.
   * Reported with the budget so the dispatcher knows how fast it refills.
   * @default 2
   */
  restorePerSecond: z.number().positive().default(2),
});

/**
 * The GraphQL Admin API: one mutation per message to `/admin/api/<version>/graphql.json`. The cost
 * Shopify reports (`extensions.cost.throttleStatus`) becomes the announced budget; a `THROTTLED`
 * error pauses the target for as long as the bucket needs to refill the query's cost.
 * @example
 * ```ts
 * {
 *   api: 'graphql',
 *   storeUrl: 'https://my-shop.myshopify.com',
 *   accessToken: 'shpat_…',
 *   mutation: 'mutation Set($metafields: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $metafields) { userErrors { field message code } } }',
 *   variableName: 'metafields',
 * }
 * ```
 */
export const ShopifyGraphqlConfigSchema = z.object({
  api: z.literal('graphql'),
  ...common,
  /**
   * The mutation document. When it declares `$idempotencyKey`, the message's idempotency key is
   * passed in that variable (for Shopify's `@idempotent(key: $idempotencyKey)`).
   */
  mutation: z.string().trim().min(1).refine((doc) => /\bmutation\b/.test(doc), 'must be a GraphQL mutation document'),
  /**
   * The variable that receives the message's payload. Without it the payload (an object) is the
   * variables object itself.
   * @example 'input'
   */
  variableName: z.string().regex(/^[_A-Za-z][_0-9A-Za-z]*$/, 'must be a GraphQL variable name').optional(),
  /**
   * The unit of the announced budget. `requests` divides Shopify's points by this mutation's
   * requested cost, which is what the dispatcher counts (one unit per message); `points` reports
   * Shopify's numbers as they are.
   * @default 'requests'
   */
  budgetUnit: z.enum(['requests', 'points']).default('requests'),
});

/**
 * Configuration of the Shopify target: `api: 'rest'` ({@link ShopifyRestConfigSchema}) or
 * `api: 'graphql'` ({@link ShopifyGraphqlConfigSchema}).
 */
export const ShopifyTargetConfigSchema = z.discriminatedUnion('api', [ShopifyRestConfigSchema, ShopifyGraphqlConfigSchema]);

export type ShopifyRestConfig = z.output<typeof ShopifyRestConfigSchema>;
export type ShopifyGraphqlConfig = z.output<typeof ShopifyGraphqlConfigSchema>;
/** Configuration of the Shopify target, defaults applied. */
export type ShopifyTargetConfig = z.output<typeof ShopifyTargetConfigSchema>;
/** Configuration of the Shopify target as written by a user. */
export type ShopifyTargetConfigInput = z.input<typeof ShopifyTargetConfigSchema>;
