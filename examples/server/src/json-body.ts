/**
 * @module json-body
 * Turning a request body into JSON, the same way wherever it was read (Hono's web stream or the
 * node:http fast path's Buffer): the announced length checked against the limit before any read,
 * then UTF-8 (strict) and `JSON.parse`, each failure a typed error with the status it answers.
 */
import { createError } from '@tributary/core/errors';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Refuses a body whose `Content-Length` already says it is over the limit, before reading it.
 * @throws TributaryError `payload_too_large`
 */
export function checkDeclaredLength(declared: string | null | undefined, maxBytes: number): void {
  if (declared && /^\d+$/.test(declared) && Number(declared) > maxBytes) throw bodyTooLarge(maxBytes);
}

/** The error of a body over the limit, announced or found while reading: one message for both. */
export function bodyTooLarge(maxBytes: number) {
  return createError('api', 'payload_too_large', `request body is larger than the limit of ${maxBytes} bytes`);
}

/**
 * Decodes a body read within the limit: strict UTF-8, then JSON.
 * @throws TributaryError `validation` for an empty body, invalid UTF-8 or invalid JSON
 */
export function decodeJsonBody(raw: Uint8Array): unknown {
  if (raw.byteLength === 0) throw createError('api', 'validation', 'a JSON body is required', { issues: [{ path: '', message: 'required' }] });
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw createError('api', 'validation', 'request body is not valid UTF-8', { issues: [{ path: '', message: 'invalid UTF-8' }] });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw createError('api', 'validation', `request body is not valid JSON: ${(error as Error).message}`, { issues: [{ path: '', message: 'invalid JSON' }] });
  }
}
