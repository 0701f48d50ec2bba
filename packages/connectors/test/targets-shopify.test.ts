import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { z } from 'zod';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  interpretGraphqlBody,
  parseShopifyCallLimit,
  shopifyGraphqlBudget,
  shopifyTarget,
  ShopifyTargetConfigSchema,
  throttledWaitMs,
  type ShopifyTargetConfigInput,
} from '@tributary/connectors/targets/shopify';
import { dispatchAll, expectAllAcceptedOnce, flakyReceiver, message, sendContext } from './fixtures/targets/messages.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const STORE = 'https://my-shop.myshopify.com';
const TOKEN = 'shpat_0123456789abcdef0123456789abcdef';
const REST_URL = `${STORE}/admin/api/2025-10/customers/:id/metafields.json`;
const GRAPHQL_URL = `${STORE}/admin/api/2025-10/graphql.json`;
const MUTATION = 'mutation Set($metafields: [MetafieldsSetInput!]!, $idempotencyKey: String!) { metafieldsSet(metafields: $metafields) @idempotent(key: $idempotencyKey) { metafields { id } userErrors { field message code } } }';

const rest = { api: 'rest', storeUrl: `${STORE}/`, accessToken: TOKEN, resource: 'customers/{{payload.customerId}}/metafields', rootKey: 'metafield' } satisfies ShopifyTargetConfigInput;
const graphql = { api: 'graphql', storeUrl: STORE, accessToken: TOKEN, mutation: MUTATION, variableName: 'metafields' } satisfies ShopifyTargetConfigInput;
const send = (input: ShopifyTargetConfigInput, m = message(1, { payload: { customerId: 42, namespace: 'tributary', key: 'score', value: '7', type: 'number_integer' } })) =>
  shopifyTarget.send(m, sendContext(ShopifyTargetConfigSchema.parse(input)));

const cost = (requested: number, available: number, restoreRate = 50, maximum = 1000) => ({
  cost: { requestedQueryCost: requested, actualQueryCost: requested, throttleStatus: { maximumAvailable: maximum, currentlyAvailable: available, restoreRate } },
});

describe('shopify REST', () => {
  it('POSTs the wrapped payload with the access token and Idempotency-Key, and reads the call limit into the budget', async () => {
    const seen: { url: string; headers: Headers; body: unknown }[] = [];
    server.use(
      http.post(REST_URL, async ({ request }) => {
        seen.push({ url: request.url, headers: request.headers, body: await request.json() });
        return HttpResponse.json({ metafield: { id: 1 } }, { status: 201, headers: { 'X-Shopify-Shop-Api-Call-Limit': '32/40' } });
      }),
    );
    expect(await send(rest)).toEqual({ ok: true, status: 201, budget: { remaining: 8, limit: 40, restorePerSecond: 2 } });
    expect(seen[0]!.url).toBe(`${STORE}/admin/api/2025-10/customers/42/metafields.json`);
    expect(seen[0]!.headers.get('x-shopify-access-token')).toBe(TOKEN);
    expect(seen[0]!.headers.get('idempotency-key')).toBe('key-1');
    expect(seen[0]!.body).toEqual({ metafield: { customerId: 42, namespace: 'tributary', key: 'score', value: '7', type: 'number_integer' } });
  });

  it('PUTs the bare payload with another version and restore rate', async () => {
    const seen: string[] = [];
    server.use(
      http.put(`${STORE}/admin/api/2024-07/products/:id.json`, ({ request }) => {
        seen.push(request.url);
        return HttpResponse.json({}, { headers: { 'X-Shopify-Shop-Api-Call-Limit': '1/80' } });
      }),
    );
    const result = await send({ ...rest, resource: 'products/{{payload.customerId}}', rootKey: undefined, method: 'PUT', apiVersion: '2024-07', restorePerSecond: 4 });
    expect(result).toEqual({ ok: true, status: 200, budget: { remaining: 79, limit: 80, restorePerSecond: 4 } });
    expect(seen).toEqual([`${STORE}/admin/api/2024-07/products/42.json`]);
  });

  it('429 carries Retry-After (2.0) and the exhausted budget', async () => {
    server.use(http.post(REST_URL, () => HttpResponse.json({ errors: 'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.' }, { status: 429, headers: { 'Retry-After': '2.0', 'X-Shopify-Shop-Api-Call-Limit': '40/40' } })));
    expect(await send(rest)).toMatchObject({ ok: false, status: 429, retryAfterMs: 2000, budget: { remaining: 0, limit: 40, restorePerSecond: 2 } });
  });

  it('422 is permanent; 423 and 5xx are retried', async () => {
    server.use(http.post(REST_URL, () => HttpResponse.json({ errors: { value: ["can't be blank"] } }, { status: 422 })));
    expect(await send(rest)).toMatchObject({ ok: false, status: 422, permanent: true, error: '{"errors":{"value":["can\'t be blank"]}}' });
    server.use(http.post(REST_URL, () => new HttpResponse(null, { status: 423 })));
    expect((await send(rest)).permanent).toBeUndefined();
    server.use(http.post(REST_URL, () => new HttpResponse(null, { status: 503, headers: { 'retry-after': '4' } })));
    expect(await send(rest)).toMatchObject({ ok: false, status: 503, retryAfterMs: 4000 });
  });

  it('a message without the id its resource needs is permanent, without a request', async () => {
    expect(await send(rest, message(2, { payload: { value: 1 } }))).toMatchObject({ ok: false, permanent: true });
  });

  it('URL-encodes placeholder values', async () => {
    const seen: string[] = [];
    server.use(http.post(`${STORE}/admin/api/2025-10/customers/:id/metafields.json`, ({ request }) => (seen.push(request.url), HttpResponse.json({}))));
    await send(rest, message(3, { payload: { customerId: '1/../../shop' } }));
    expect(seen).toEqual([`${STORE}/admin/api/2025-10/customers/1%2F..%2F..%2Fshop/metafields.json`]);
  });

  it('parses X-Shopify-Shop-Api-Call-Limit', () => {
    expect(parseShopifyCallLimit('32/40', 2)).toEqual({ remaining: 8, limit: 40, restorePerSecond: 2 });
    expect(parseShopifyCallLimit(' 40 / 40 ')).toEqual({ remaining: 0, limit: 40 });
    expect(parseShopifyCallLimit('45/40')).toEqual({ remaining: 0, limit: 40 });
    expect(parseShopifyCallLimit('x/40')).toBeUndefined();
    expect(parseShopifyCallLimit(null)).toBeUndefined();
    expect(parseShopifyCallLimit('0/0')).toBeUndefined();
  });
});

describe('shopify GraphQL', () => {
  it('POSTs the mutation with the payload and idempotency key as variables, and reads throttleStatus into the budget', async () => {
    const seen: { headers: Headers; body: unknown }[] = [];
    server.use(
      http.post(GRAPHQL_URL, async ({ request }) => {
        seen.push({ headers: request.headers, body: await request.json() });
        return HttpResponse.json({ data: { metafieldsSet: { metafields: [{ id: 'gid://1' }], userErrors: [] } }, extensions: cost(10, 990) });
      }),
    );
    const m = message(1, { payload: [{ ownerId: 'gid://shopify/Customer/42', namespace: 'tributary', key: 'score', value: '7', type: 'number_integer' }] });
    expect(await send(graphql, m)).toEqual({ ok: true, status: 200, budget: { remaining: 99, limit: 100, restorePerSecond: 5 } });
    expect(seen[0]!.headers.get('x-shopify-access-token')).toBe(TOKEN);
    expect(seen[0]!.headers.get('idempotency-key')).toBe('key-1');
    expect(seen[0]!.body).toEqual({ query: MUTATION, variables: { metafields: m.payload, idempotencyKey: 'key-1' } });
  });

  it('reports the budget in points when asked', async () => {
    server.use(http.post(GRAPHQL_URL, () => HttpResponse.json({ data: { metafieldsSet: { userErrors: [] } }, extensions: cost(10, 990) })));
    expect((await send({ ...graphql, budgetUnit: 'points' })).budget).toEqual({ remaining: 990, limit: 1000, restorePerSecond: 50 });
  });

  it('THROTTLED becomes a 429 with the wait the bucket needs for the requested cost', async () => {
    server.use(
      http.post(GRAPHQL_URL, () =>
        HttpResponse.json({ errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } }], extensions: { cost: { requestedQueryCost: 202, actualQueryCost: null, throttleStatus: { maximumAvailable: 1000, currentlyAvailable: 118, restoreRate: 50 } } } }),
      ),
    );
    const result = await send(graphql);
    // (202 − 118) / 50 = 1.68 s
    expect(result).toMatchObject({ ok: false, status: 429, retryAfterMs: 1680, budget: { remaining: 0, limit: 4, restorePerSecond: 50 / 202 } });
    expect(result.permanent).toBeUndefined();
  });

  it('a THROTTLED body behind HTTP 429 also gives the wait', async () => {
    server.use(http.post(GRAPHQL_URL, () => HttpResponse.json({ errors: [{ message: 'Throttled' }], extensions: cost(100, 0, 100) }, { status: 429 })));
    expect(await send(graphql)).toMatchObject({ ok: false, status: 429, retryAfterMs: 1000, budget: { remaining: 0 } });
  });

  it('userErrors are permanent', async () => {
    server.use(http.post(GRAPHQL_URL, () => HttpResponse.json({ data: { metafieldsSet: { metafields: [], userErrors: [{ field: ['metafields', '0', 'value'], message: 'Value must be an integer.', code: 'INVALID_VALUE' }] } }, extensions: cost(10, 990) })));
    expect(await send(graphql)).toEqual({
      ok: false,
      status: 200,
      permanent: true,
      budget: { remaining: 99, limit: 100, restorePerSecond: 5 },
      error: 'userErrors: metafields.0.value: Value must be an integer. [INVALID_VALUE]',
    });
  });

  it('validation errors are permanent; internal and access errors are retried', async () => {
    const answer = (body: Record<string, unknown>) => server.use(http.post(GRAPHQL_URL, () => HttpResponse.json(body)));
    answer({ errors: [{ message: "Field 'nope' doesn't exist on type 'Mutation'", locations: [{ line: 1, column: 12 }], path: ['mutation', 'nope'], extensions: { code: 'undefinedField', typeName: 'Mutation', fieldName: 'nope' } }] });
    expect(await send(graphql)).toMatchObject({ ok: false, permanent: true, error: "Field 'nope' doesn't exist on type 'Mutation' [undefinedField]" });
    answer({ errors: [{ message: 'Parse error on "}"', locations: [{ line: 1, column: 3 }] }] });
    expect(await send(graphql)).toMatchObject({ ok: false, permanent: true });
    answer({ errors: [{ message: 'Query cost is 1500, which exceeds the single query max cost limit (1000).', extensions: { code: 'MAX_COST_EXCEEDED', cost: 1500, maxCost: 1000 } }] });
    expect(await send(graphql)).toMatchObject({ ok: false, permanent: true });
    answer({ errors: [{ message: 'Internal error. Looks like something went wrong on our end.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }], extensions: cost(10, 500) });
    const internal = await send(graphql);
    expect(internal).toMatchObject({ ok: false, status: 200, budget: { remaining: 50 } });
    expect(internal.permanent).toBeUndefined();
    answer({ data: { metafieldsSet: null }, errors: [{ message: 'Access denied for metafieldsSet field.', path: ['metafieldsSet'], extensions: { code: 'ACCESS_DENIED' } }] });
    expect((await send(graphql)).permanent).toBeUndefined();
  });

  it('HTTP errors are classified by status; a non-JSON 200 is retried', async () => {
    server.use(http.post(GRAPHQL_URL, () => HttpResponse.json({ errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' }, { status: 401 })));
    expect(await send(graphql)).toMatchObject({ ok: false, status: 401 });
    expect((await send(graphql)).permanent).toBeUndefined();
    server.use(http.post(GRAPHQL_URL, () => new HttpResponse('<html>oops</html>', { status: 200 })));
    const result = await send(graphql);
    expect(result).toMatchObject({ ok: false, status: 200 });
    expect(result.permanent).toBeUndefined();
  });

  it('without variableName the payload object is the variables', async () => {
    const seen: unknown[] = [];
    server.use(http.post(GRAPHQL_URL, async ({ request }) => (seen.push(await request.json()), HttpResponse.json({ data: { x: { userErrors: [] } } }))));
    const mutation = 'mutation Tag($id: ID!, $tags: [String!]!) { tagsAdd(id: $id, tags: $tags) { userErrors { message } } }';
    await send({ ...graphql, mutation, variableName: undefined }, message(1, { payload: { id: 'gid://shopify/Order/1', tags: ['vip'] } }));
    expect(seen[0]).toEqual({ query: mutation, variables: { id: 'gid://shopify/Order/1', tags: ['vip'] } });
    expect(await send({ ...graphql, mutation, variableName: undefined }, message(2, { payload: 'text' }))).toMatchObject({ ok: false, permanent: true });
  });

  it('computes budgets and waits from the cost', () => {
    expect(shopifyGraphqlBudget({ requestedQueryCost: 10, throttleStatus: { maximumAvailable: 1000, currentlyAvailable: 66, restoreRate: 50 } }, 'requests')).toEqual({ remaining: 6, limit: 100, restorePerSecond: 5 });
    expect(shopifyGraphqlBudget({ throttleStatus: { maximumAvailable: 1000, currentlyAvailable: 66, restoreRate: 50 } }, 'requests')).toEqual({ remaining: 66, limit: 1000, restorePerSecond: 50 });
    expect(shopifyGraphqlBudget(undefined, 'points')).toBeUndefined();
    expect(throttledWaitMs({ requestedQueryCost: 202, throttleStatus: { maximumAvailable: 1000, currentlyAvailable: 118, restoreRate: 50 } })).toBe(1680);
    // Already enough points (spent meanwhile by another client): wait for one point.
    expect(throttledWaitMs({ requestedQueryCost: 50, throttleStatus: { maximumAvailable: 1000, currentlyAvailable: 80, restoreRate: 50 } })).toBe(20);
    expect(throttledWaitMs({ requestedQueryCost: 50 })).toBeUndefined();
    expect(interpretGraphqlBody(200, { data: { a: { userErrors: [] } } }, 'requests')).toEqual({ ok: true, status: 200 });
  });
});

describe('shopify configuration', () => {
  it('applies defaults and marks the access token secret', () => {
    expect(ShopifyTargetConfigSchema.parse(rest)).toEqual({ ...rest, storeUrl: STORE, apiVersion: '2025-10', method: 'POST', restorePerSecond: 2 });
    expect(ShopifyTargetConfigSchema.parse(graphql)).toMatchObject({ apiVersion: '2025-10', budgetUnit: 'requests' });
    const schema = z.toJSONSchema(ShopifyTargetConfigSchema, { io: 'input' }) as { oneOf?: { properties: Record<string, Record<string, unknown>> }[]; anyOf?: { properties: Record<string, Record<string, unknown>> }[] };
    const variants = schema.oneOf ?? schema.anyOf ?? [];
    expect(variants.map((v) => v.properties.accessToken)).toEqual([expect.objectContaining({ secret: true, writeOnly: true }), expect.objectContaining({ secret: true, writeOnly: true })]);
  });

  it('refuses bad versions, resources and mutations', () => {
    expect(ShopifyTargetConfigSchema.safeParse({ ...rest, apiVersion: '2025-02' }).success).toBe(false);
    expect(ShopifyTargetConfigSchema.safeParse({ ...rest, resource: '/orders.json' }).success).toBe(false);
    expect(ShopifyTargetConfigSchema.safeParse({ ...rest, resource: 'orders/../shop' }).success).toBe(false);
    expect(ShopifyTargetConfigSchema.safeParse({ ...graphql, mutation: '{ shop { name } }' }).success).toBe(false);
    expect(ShopifyTargetConfigSchema.safeParse({ ...graphql, api: 'soap' }).success).toBe(false);
  });
});

describe('shopify through the dispatcher', () => {
  it('REST: every message accepted exactly once while Shopify answers 429 sometimes', async () => {
    const receiver = flakyReceiver(3);
    server.use(
      http.post(REST_URL, ({ request }) => {
        if (receiver.next()) return HttpResponse.json({ errors: 'Exceeded 2 calls per second for api client.' }, { status: 429, headers: { 'Retry-After': '0.02', 'X-Shopify-Shop-Api-Call-Limit': '40/40' } });
        receiver.accept(request.headers.get('idempotency-key'));
        return HttpResponse.json({}, { status: 201, headers: { 'X-Shopify-Shop-Api-Call-Limit': '20/40' } });
      }),
    );
    const messages = Array.from({ length: 20 }, (_, i) => message(i, { payload: { customerId: i } }));
    const result = await dispatchAll(shopifyTarget, ShopifyTargetConfigSchema.parse(rest), messages);
    expectAllAcceptedOnce(result, receiver.accepted, messages);
  });

  it('GraphQL: every message accepted exactly once while Shopify answers THROTTLED sometimes', async () => {
    const receiver = flakyReceiver(3);
    server.use(
      http.post(GRAPHQL_URL, async ({ request }) => {
        if (receiver.next()) return HttpResponse.json({ errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED' } }], extensions: { cost: { requestedQueryCost: 10, actualQueryCost: null, throttleStatus: { maximumAvailable: 1000, currentlyAvailable: 8, restoreRate: 1000 } } } });
        const { variables } = (await request.json()) as { variables: { idempotencyKey: string } };
        receiver.accept(variables.idempotencyKey);
        return HttpResponse.json({ data: { metafieldsSet: { metafields: [], userErrors: [] } }, extensions: cost(10, 500, 1000) });
      }),
    );
    const messages = Array.from({ length: 20 }, (_, i) => message(i, { payload: [{ key: `k${i}` }] }));
    const result = await dispatchAll(shopifyTarget, ShopifyTargetConfigSchema.parse(graphql), messages);
    expectAllAcceptedOnce(result, receiver.accepted, messages);
  });
});
