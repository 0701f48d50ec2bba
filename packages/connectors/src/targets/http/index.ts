/**
 * @module @tributary/connectors/targets/http
 * The generic HTTP target: each message is one JSON request (the whole message or only its payload)
 * to a configured URL, carrying `Idempotency-Key: <message.idempotencyKey>` so the receiver can drop a
 * redelivery. The answer is classified for the dispatcher:
 * - 2xx: accepted;
 * - 408, 425, 429, 5xx: retryable, with `Retry-After` (seconds or an HTTP date) as `retryAfterMs`
 *   (a 429 pauses the whole target);
 * - 400, 404, 410, 413, 422: permanent, the message goes to the dead letters at once;
 * - 401, 403: a failure that is **not** permanent: fixing the credentials makes the same message
 *   acceptable, so it is retried within its attempts (and can be replayed from the dead letters);
 * - no answer (network error, timeout): retryable.
 * `RateLimit-Remaining` / `X-RateLimit-Remaining` (with `-Limit` and `-Reset`) become the announced budget.
 * @example
 * ```ts
 * import { httpTarget } from '@tributary/connectors/targets/http';
 * const config = httpTarget.configSchema.parse({ url: 'https://hooks.example.com/tributary', body: 'payload' });
 * ```
 */
import { defineTarget, type Target } from '@tributary/core/target';
import { classifyResponse, discardBody } from '../../_targets/classify.js';
import { jsonBody, jsonHeaders, sendRequest } from '../../_targets/request.js';
import { HttpTargetConfigSchema, type HttpTargetConfig } from './schemas.js';

export { HttpTargetConfigSchema, type HttpTargetConfig, type HttpTargetConfigInput } from './schemas.js';
export { classifyResponse, statusClass, type ClassifyOptions, type StatusClass } from '../../_targets/classify.js';
export { parseRetryAfter } from '../../_targets/retry-after.js';

/** The target's version. */
export const HTTP_TARGET_VERSION = '0.1.0';

/** The generic HTTP (JSON) target. See the module description for how answers are classified. */
export const httpTarget: Target<HttpTargetConfig> = defineTarget<HttpTargetConfig>({
  name: 'http',
  version: HTTP_TARGET_VERSION,
  configSchema: HttpTargetConfigSchema,
  async send(message, { config, fetch, signal }) {
    const serialized = jsonBody(config.body === 'payload' ? message.payload : message);
    if (serialized.result) return serialized.result;
    const secrets = [config.bearerToken];
    const sent = await sendRequest(
      { fetch, signal },
      {
        url: config.url,
        method: config.method,
        extraHeaders: config.headers,
        headers: { ...jsonHeaders(message.idempotencyKey, `tributary-http-target/${HTTP_TARGET_VERSION}`), ...(config.bearerToken ? { authorization: `Bearer ${config.bearerToken}` } : {}) },
        body: serialized.body,
        secrets,
      },
    );
    if (sent.result) return sent.result;
    const result = await classifyResponse(sent.response, { now: Date.now(), secrets });
    if (result.ok) discardBody(sent.response);
    return result;
  },
});
