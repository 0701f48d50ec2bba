import { createError } from '../errors/index.js';

/** Default largest webhook body: 1 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** The `payload_too_large` error for a limit. */
export function payloadTooLarge(maxBytes: number) {
  return createError('webhooks', 'payload_too_large', `request body is larger than the limit of ${maxBytes} bytes`, {
    context: { maxBytes },
  });
}

/**
 * The declared `Content-Length`, or undefined when absent or not a plain number (then only the
 * streamed count decides).
 */
export function declaredLength(value: string | null | undefined): number | undefined {
  if (value === null || value === undefined || !/^\s*\d+\s*$/.test(value)) return undefined;
  return Number(value);
}

/** Joins chunks into one buffer of exactly `total` bytes. */
function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/**
 * Reads a web stream to the end, but never more than `maxBytes`: past the limit it cancels the
 * stream and throws, so a huge or endless body costs at most `maxBytes` of memory.
 * @throws TributaryError `payload_too_large`
 */
export async function readStreamCapped(stream: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<Uint8Array> {
  if (!stream) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw payloadTooLarge(maxBytes);
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  return concat(chunks, total);
}

/**
 * Reads a Node-style async iterable of chunks (an `IncomingMessage`) with the same cap. Stops
 * pulling at the limit; the caller decides what to do with the rest of the connection.
 * @throws TributaryError `payload_too_large`
 */
export async function readIterableCapped(source: AsyncIterable<Uint8Array | string>, maxBytes: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const piece of source) {
    const chunk = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
    total += chunk.byteLength;
    if (total > maxBytes) throw payloadTooLarge(maxBytes);
    chunks.push(chunk);
  }
  return concat(chunks, total);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes a verified body for the connector: `undefined` when empty; an object of fields for
 * `application/x-www-form-urlencoded` (a lone `payload` field holding JSON, as GitHub and Slack send,
 * is parsed); otherwise JSON, whatever the declared type, since every supported provider sends JSON.
 * @throws TributaryError `validation` for invalid UTF-8 or JSON
 */
export function decodeBody(raw: Uint8Array, contentType: string | null): unknown {
  if (raw.byteLength === 0) return undefined;
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch (cause) {
    throw createError('webhooks', 'validation', 'request body is not valid UTF-8', { cause, issues: [{ path: 'body', message: 'invalid UTF-8' }] });
  }
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') {
    const fields = Object.fromEntries(new URLSearchParams(text));
    const keys = Object.keys(fields);
    if (keys.length === 1 && keys[0] === 'payload') return parseJson(fields.payload!, 'payload');
    return fields;
  }
  return parseJson(text, 'body');
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    const detail = cause instanceof SyntaxError ? `: ${cause.message}` : '';
    throw createError('webhooks', 'validation', `request ${path} is not valid JSON${detail}`, { cause, issues: [{ path, message: 'invalid JSON' }] });
  }
}
