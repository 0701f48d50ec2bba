/**
 * @module @tributary/connectors/targets/shopify
 * A Shopify-style target, using the Admin API's own rate budgets so the dispatcher paces itself
 * instead of waiting for refusals:
 * - `api: 'rest'`: `POST`/`PUT /admin/api/<version>/<resource>.json` with `X-Shopify-Access-Token`;
 *   `X-Shopify-Shop-Api-Call-Limit: 32/40` becomes `budget: { remaining: 8, limit: 40, restorePerSecond: 2 }`;
 *   a 429 carries `Retry-After` (e.g. `2.0`); 422 (invalid input) and 400/404 are permanent.
 * - `api: 'graphql'`: `POST /admin/api/<version>/graphql.json` with a configured mutation;
 *   `extensions.cost.throttleStatus` becomes the budget; a `THROTTLED` error becomes a 429-like result
 *   whose `retryAfterMs` is the time the bucket needs to refill the requested cost; validation errors
 *   and `userErrors` are permanent, other errors are retried.
 * Both send `Idempotency-Key`; a GraphQL mutation declaring `$idempotencyKey` also gets it as a variable.
 * @example
 * ```ts
 * import { shopifyTarget } from '@tributary/connectors/targets/shopify';
 * const config = shopifyTarget.configSchema.parse({
 *   api: 'rest',
 *   storeUrl: 'https://my-shop.myshopify.com',
 *   accessToken: process.env.SHOPIFY_ACCESS_TOKEN,
 *   resource: 'orders/{{payload.orderId}}/fulfillments',
 *   rootKey: 'fulfillment',
 * });
 * ```
 */
import { defineTarget, type Target } from '@tributary/core/target';
import { sendGraphql } from './graphql.js';
import { sendRest } from './rest.js';
import { ShopifyTargetConfigSchema, type ShopifyTargetConfig } from './schemas.js';

export {
  SHOPIFY_DEFAULT_API_VERSION,
  ShopifyGraphqlConfigSchema,
  ShopifyRestConfigSchema,
  ShopifyTargetConfigSchema,
  type ShopifyGraphqlConfig,
  type ShopifyRestConfig,
  type ShopifyTargetConfig,
  type ShopifyTargetConfigInput,
} from './schemas.js';
export { interpretGraphqlBody, shopifyGraphqlBudget, throttledWaitMs, type ShopifyQueryCost } from './graphql.js';
export { parseShopifyCallLimit, restResourcePath, SHOPIFY_CALL_LIMIT_HEADER } from './rest.js';

/** The target's version. */
export const SHOPIFY_TARGET_VERSION = '0.1.0';
const USER_AGENT = `tributary-shopify-target/${SHOPIFY_TARGET_VERSION}`;

/** The Shopify target (REST or GraphQL Admin API, by `config.api`). */
export const shopifyTarget: Target<ShopifyTargetConfig> = defineTarget<ShopifyTargetConfig>({
  name: 'shopify',
  version: SHOPIFY_TARGET_VERSION,
  configSchema: ShopifyTargetConfigSchema,
  send(message, context) {
    const { config } = context;
    return config.api === 'graphql' ? sendGraphql(message, { ...context, config }, USER_AGENT) : sendRest(message, { ...context, config }, USER_AGENT);
  },
});
