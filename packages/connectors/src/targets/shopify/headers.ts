/** The headers of every Shopify Admin API request. */
export function shopifyHeaders(accessToken: string, idempotencyKey: string, userAgent: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    accept: 'application/json',
    'x-shopify-access-token': accessToken,
    'idempotency-key': idempotencyKey,
    'user-agent': userAgent,
  };
}

/** The Admin API base path of a store: `https://my-shop.myshopify.com/admin/api/2025-10`. */
export const adminApiBase = (storeUrl: string, apiVersion: string) => `${storeUrl}/admin/api/${apiVersion}`;
