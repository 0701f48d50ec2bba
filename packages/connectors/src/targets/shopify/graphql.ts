import type { AnnouncedBudget, DeliveryResult, OutboundMessage, SendContext } from '@tributary/core/target';
import { excerpt as cut, readText, redact, resultForResponse, statusClass } from '../../_targets/classify.js';
import { jsonBody, sendRequest } from '../../_targets/request.js';
import { parseRetryAfter } from '../../_targets/retry-after.js';
import { adminApiBase, shopifyHeaders } from './headers.js';
import type { ShopifyGraphqlConfig } from './schemas.js';

/** `extensions.cost` of a GraphQL Admin API response. */
export interface ShopifyQueryCost {
  requestedQueryCost?: number;
  /** Null when the query was throttled (it did not run). */
  actualQueryCost?: number | null;
  throttleStatus?: {
    /** The bucket's size in points. */
    maximumAvailable: number;
    /** Points available now. */
    currentlyAvailable: number;
    /** Points restored per second. */
    restoreRate: number;
  };
}

interface GraphqlError {
  message?: unknown;
  path?: unknown;
  extensions?: { code?: unknown } | null;
}

interface GraphqlBody {
  data?: Record<string, unknown> | null;
  errors?: GraphqlError[] | string;
  extensions?: { cost?: ShopifyQueryCost } | null;
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The cost a query asks for (what the bucket must hold for it to run), at least 1. */
function queryCost(cost: ShopifyQueryCost): number | undefined {
  const c = finite(cost.requestedQueryCost) ? cost.requestedQueryCost : finite(cost.actualQueryCost) ? cost.actualQueryCost : undefined;
  return c !== undefined && c >= 1 ? c : undefined;
}

/**
 * Turns `extensions.cost.throttleStatus` into a budget. In `points` it is Shopify's numbers; in
 * `requests` (what the dispatcher counts, one unit per message) they are divided by the query's
 * requested cost: 66 points available for a 10-point mutation is 6 more messages.
 * @example
 * shopifyGraphqlBudget({ requestedQueryCost: 10, throttleStatus: { maximumAvailable: 1000, currentlyAvailable: 66, restoreRate: 50 } }, 'requests')
 * // { remaining: 6, limit: 100, restorePerSecond: 5 }
 */
export function shopifyGraphqlBudget(cost: ShopifyQueryCost | undefined, unit: 'requests' | 'points'): AnnouncedBudget | undefined {
  const t = cost?.throttleStatus;
  if (!t || !finite(t.currentlyAvailable) || !finite(t.maximumAvailable)) return undefined;
  const divisor = unit === 'requests' ? (queryCost(cost!) ?? 1) : 1;
  return {
    remaining: Math.max(0, Math.floor(t.currentlyAvailable / divisor)),
    limit: Math.floor(t.maximumAvailable / divisor),
    ...(finite(t.restoreRate) && t.restoreRate > 0 ? { restorePerSecond: t.restoreRate / divisor } : {}),
  };
}

/**
 * How long until the bucket holds the query's requested cost again:
 * `(requestedQueryCost − currentlyAvailable) / restoreRate` seconds (at least one point's worth).
 * @example
 * throttledWaitMs({ requestedQueryCost: 202, throttleStatus: { maximumAvailable: 1000, currentlyAvailable: 118, restoreRate: 50 } }) // 1680
 */
export function throttledWaitMs(cost: ShopifyQueryCost | undefined): number | undefined {
  const t = cost?.throttleStatus;
  const requested = cost ? queryCost(cost) : undefined;
  if (!t || requested === undefined || !finite(t.currentlyAvailable) || !finite(t.restoreRate) || t.restoreRate <= 0) return undefined;
  return Math.ceil((Math.max(1, requested - t.currentlyAvailable) / t.restoreRate) * 1000);
}

const codeOf = (e: GraphqlError) => (typeof e.extensions?.code === 'string' ? e.extensions.code : undefined);
const isThrottled = (e: GraphqlError) => codeOf(e) === 'THROTTLED' || (codeOf(e) === undefined && e.message === 'Throttled');

/** Codes of errors that a later attempt may not meet (an outage, a permission granted meanwhile). */
const TRANSIENT_CODES = new Set(['INTERNAL_SERVER_ERROR', 'SERVICE_UNAVAILABLE', 'TIMEOUT', 'ACCESS_DENIED', 'UNAUTHORIZED', 'FORBIDDEN', 'SHOP_INACTIVE']);
/** Codes of errors in the request itself: the same mutation and variables fail the same way. */
const VALIDATION_CODES = new Set([
  'BAD_REQUEST',
  'BAD_USER_INPUT',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'INVALID_VARIABLE',
  'MAX_COST_EXCEEDED',
  'NOT_FOUND',
  'argumentLiteralsIncompatible',
  'argumentNotAccepted',
  'missingRequiredArguments',
  'undefinedField',
  'undefinedType',
  'variableMismatch',
  'variableNotDefined',
  'variableNotUsed',
]);

const describeErrors = (errors: GraphqlError[]) =>
  errors.map((e) => `${typeof e.message === 'string' ? e.message : 'error'}${codeOf(e) ? ` [${codeOf(e)}]` : ''}`).join('; ');

/** Non-empty `userErrors` (or `…UserErrors`) of the mutation fields in `data`. */
function userErrorsOf(data: Record<string, unknown> | null | undefined): { field?: unknown; message?: unknown; code?: unknown }[] {
  const found: { field?: unknown; message?: unknown; code?: unknown }[] = [];
  for (const value of Object.values(data ?? {})) {
    if (typeof value !== 'object' || value === null) continue;
    for (const [key, list] of Object.entries(value)) {
      if (/userErrors$/i.test(key) && Array.isArray(list)) found.push(...list);
    }
  }
  return found;
}

/**
 * Classifies a 2xx GraphQL answer. Shopify answers most failures with HTTP 200 and an `errors` list:
 * - `THROTTLED`: a 429-like result (the dispatcher pauses the whole target) with the wait the bucket
 *   needs to refill the requested cost;
 * - validation errors (a malformed document, unknown fields, bad variables, a query over the cost
 *   limit; or any error raised before execution, without a `path`): permanent;
 * - other errors (internal errors, access denied): retried;
 * - `userErrors` of the mutation: permanent, the input was refused.
 * The budget is read from `extensions.cost` in every case. `secrets` never appear in the error.
 */
export function interpretGraphqlBody(status: number, body: GraphqlBody, unit: 'requests' | 'points', secrets?: readonly (string | undefined)[]): DeliveryResult {
  // Redacted before it is cut, so a secret on the cut cannot leak its first half.
  const excerpt = (text: string) => cut(redact(text, secrets));
  const cost = body.extensions?.cost;
  const budget = shopifyGraphqlBudget(cost, unit);
  const withBudget = budget ? { budget } : {};
  const errors = body.errors;
  if (typeof errors === 'string') return { ok: false, status, ...withBudget, error: excerpt(errors) };
  if (Array.isArray(errors) && errors.length > 0) {
    if (errors.some(isThrottled)) {
      const retryAfterMs = throttledWaitMs(cost);
      return { ok: false, status: 429, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}), ...withBudget, error: excerpt(`throttled: ${describeErrors(errors)}`) };
    }
    const transient = errors.some((e) => TRANSIENT_CODES.has(codeOf(e) ?? ''));
    const beforeExecution = body.data === undefined || body.data === null;
    const invalid = errors.every((e) => VALIDATION_CODES.has(codeOf(e) ?? '') || (beforeExecution && e.path === undefined && codeOf(e) === undefined));
    return { ok: false, status, ...(!transient && invalid ? { permanent: true } : {}), ...withBudget, error: excerpt(describeErrors(errors)) };
  }
  const userErrors = userErrorsOf(body.data);
  if (userErrors.length > 0) {
    const text = userErrors
      .map((e) => `${Array.isArray(e.field) ? `${e.field.join('.')}: ` : ''}${typeof e.message === 'string' ? e.message : 'invalid'}${typeof e.code === 'string' ? ` [${e.code}]` : ''}`)
      .join('; ');
    return { ok: false, status, permanent: true, ...withBudget, error: excerpt(`userErrors: ${text}`) };
  }
  return { ok: true, status, ...withBudget };
}

/** The variables of a message's mutation. */
function variablesOf(message: OutboundMessage, config: ShopifyGraphqlConfig): { variables: Record<string, unknown>; result?: undefined } | { variables?: undefined; result: DeliveryResult } {
  let variables: Record<string, unknown>;
  if (config.variableName) variables = { [config.variableName]: message.payload };
  else if (typeof message.payload === 'object' && message.payload !== null && !Array.isArray(message.payload)) variables = { ...(message.payload as Record<string, unknown>) };
  else return { result: { ok: false, permanent: true, error: 'the payload is not an object, so it cannot be the variables; set variableName' } };
  if (/\$idempotencyKey\b/.test(config.mutation)) variables.idempotencyKey = message.idempotencyKey;
  return { variables };
}

/** Sends one message as a GraphQL Admin API mutation. */
export async function sendGraphql(message: OutboundMessage, { config, fetch, signal }: SendContext<ShopifyGraphqlConfig>, userAgent: string): Promise<DeliveryResult> {
  const vars = variablesOf(message, config);
  if (vars.result) return vars.result;
  const serialized = jsonBody({ query: config.mutation, variables: vars.variables });
  if (serialized.result) return serialized.result;
  const secrets = [config.accessToken];
  const sent = await sendRequest(
    { fetch, signal },
    { url: `${adminApiBase(config.storeUrl, config.apiVersion)}/graphql.json`, method: 'POST', headers: shopifyHeaders(config.accessToken, message.idempotencyKey, userAgent), body: serialized.body, secrets },
  );
  if (sent.result) return sent.result;
  const response = sent.response;
  const text = await readText(response);
  let body: GraphqlBody | undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) body = parsed as GraphqlBody;
  } catch {
    body = undefined;
  }
  const now = Date.now();
  if (statusClass(response.status) !== 'ok') {
    const result = resultForResponse(response, text, { now, secrets, budget: () => shopifyGraphqlBudget(body?.extensions?.cost, config.budgetUnit) });
    // A THROTTLED body behind a 429 still says how long the bucket needs.
    if (result.status === 429 && result.retryAfterMs === undefined && parseRetryAfter(response.headers.get('retry-after'), now) === undefined) {
      const wait = throttledWaitMs(body?.extensions?.cost);
      if (wait !== undefined) return { ...result, retryAfterMs: wait };
    }
    return result;
  }
  if (!body) return { ok: false, status: response.status, error: cut(redact(`the response is not a GraphQL JSON object: ${text.trim() || 'empty body'}`, secrets)) };
  return interpretGraphqlBody(response.status, body, config.budgetUnit, secrets);
}
