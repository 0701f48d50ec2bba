import type { DeliveryResult, SendContext } from '@tributary/core/target';
import { failureFromError } from './classify.js';

/** One HTTP request of a target. */
export interface TargetRequest {
  url: string;
  method: 'POST' | 'PUT';
  /** Headers set by the target; they win over `extraHeaders`. */
  headers: Record<string, string>;
  /** Headers from the configuration, applied first. */
  extraHeaders?: Record<string, string>;
  body: string;
  /** Never echoed in an error. */
  secrets?: readonly (string | undefined)[];
}

/** Either the receiver's response, or the result of a request that never got one. */
export type Sent = { response: Response; result?: undefined } | { response?: undefined; result: DeliveryResult };

/**
 * Sends a request with the dispatcher's fetch and signal. Never throws: a request that cannot be
 * built is a permanent failure, one without an answer (network, abort) a retryable one. Redirects are
 * not followed (see `classifyResponse`).
 */
export async function sendRequest(context: Pick<SendContext<unknown>, 'fetch' | 'signal'>, request: TargetRequest): Promise<Sent> {
  let headers: Headers;
  try {
    headers = new Headers(request.extraHeaders);
    for (const [name, value] of Object.entries(request.headers)) headers.set(name, value);
  } catch (error) {
    // A header value that is not a valid byte string (say, an idempotency key with a line break) fails
    // the same way on every attempt. The value is not quoted: it may be a credential.
    return { result: { ok: false, permanent: true, error: `cannot build the request headers: ${(error as Error).message.replace(/".*"/, '<value>')}` } };
  }
  try {
    const response = await context.fetch(request.url, { method: request.method, headers, body: request.body, signal: context.signal, redirect: 'manual' });
    return { response };
  } catch (error) {
    return { result: failureFromError(error, context.signal, request.secrets) };
  }
}

/** Serializes a body as JSON; a value JSON cannot carry (a BigInt, a cycle) is a permanent failure. */
export function jsonBody(value: unknown): { body: string; result?: undefined } | { body?: undefined; result: DeliveryResult } {
  try {
    return { body: JSON.stringify(value ?? null) };
  } catch (error) {
    return { result: { ok: false, permanent: true, error: `the message cannot be sent as JSON: ${(error as Error).message}` } };
  }
}

/** The headers every JSON target sends: content type and the message's idempotency key. */
export function jsonHeaders(idempotencyKey: string, userAgent: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    accept: 'application/json',
    'idempotency-key': idempotencyKey,
    'user-agent': userAgent,
  };
}
