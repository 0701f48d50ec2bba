import * as nodeCrypto from 'node:crypto';
import type { SignatureSchemeName, WebhookRequest } from '../connector/index.js';
import { constantTimeEqual } from '../crypto/index.js';

/** Why a request failed verification. */
export type VerificationFailureReason = 'missing' | 'malformed' | 'mismatch' | 'stale' | 'future';

/** The outcome of {@link SignatureScheme.verify}. Messages name headers, never secrets or expected values. */
export type SignatureVerification =
  | { ok: true }
  | {
      ok: false;
      /** `unauthorized` when the signature (or a header it needs) is absent, `signature` when it is wrong. */
      code: 'unauthorized' | 'signature';
      reason: VerificationFailureReason;
      message: string;
    };

/** Options of {@link SignatureScheme.verify}. */
export interface VerifyOptions {
  /** How far a signed timestamp may be from `now`, in either direction. @default 300000 (5 minutes) */
  toleranceMs?: number;
}

/** Options of {@link SignatureScheme.sign}. */
export interface SignOptions {
  /** The message id (Standard Webhooks `webhook-id`). A random one when absent. */
  id?: string;
  /** More secrets to sign with, for a sender rotating keys (Standard Webhooks only). */
  extraSecrets?: readonly string[];
}

/**
 * A webhook signature scheme: verifies a received request against a shared secret and, where it makes
 * sense, signs a body the way the provider would (for tests, demo senders and signed-webhook targets).
 */
export interface SignatureScheme {
  readonly name: SignatureSchemeName;
  /** Headers the scheme reads (lower case), for documentation and error messages. */
  readonly headers: readonly string[];
  /**
   * Verifies the signature over `request.rawBody`. `now` is epoch milliseconds. Comparisons are
   * constant-time over the decoded signature bytes.
   * @throws TributaryError `config` when the secret itself is unusable (e.g. a `whsec_` secret that is not base64)
   */
  verify(request: WebhookRequest, secret: string, now: number, options?: VerifyOptions): SignatureVerification;
  /** Returns the headers a sender would add for `body`. `now` is epoch milliseconds. */
  sign?(body: Uint8Array | string, secret: string, now: number, options?: SignOptions): Record<string, string>;
  /**
   * The provider's delivery id, used to deduplicate redeliveries when the connector declares none.
   * `body` is the decoded body (some providers only carry the id there).
   */
  deliveryId?(request: WebhookRequest, body: unknown): string | undefined;
}

/** Default timestamp tolerance of timestamped schemes: 5 minutes, as Standard Webhooks, Stripe and Slack use. */
export const DEFAULT_TOLERANCE_MS = 5 * 60 * 1000;

/** UTF-8 bytes of a string, or the bytes themselves. */
export function toBytes(value: Uint8Array | string): Uint8Array {
  // Buffer.from, not a TextEncoder: short strings then come from Buffer's pool instead of a memory
  // allocation of their own.
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

type OneShotHash = (algorithm: string, data: Uint8Array, outputEncoding: 'latin1') => string;
// `crypto.hash` (Node >= 20.12, the engines floor is 20.19) digests in one call with no Hash object.
const sha256Latin1 = (data: Uint8Array) => (nodeCrypto as unknown as { hash: OneShotHash }).hash('sha256', data, 'latin1');

const BLOCK_BYTES = 64;
const DIGEST_BYTES = 32;
// Scratch space of hmacSha256, zeroed after each use where it held key material: the key (when it
// fits a block), and the outer pad block followed by the inner digest.
const keyBlock = Buffer.alloc(BLOCK_BYTES);
const outerMessage = Buffer.alloc(BLOCK_BYTES + DIGEST_BYTES);
// The inner message (inner pad block, then the parts) of messages up to this size is built in one
// reused buffer: a webhook is verified on every request, and a buffer each from Buffer's pool made
// the pool's 8 KiB slabs churn. Larger messages get a buffer of their own.
const INNER_SCRATCH_BYTES = 16 * 1024;
let innerScratch: Buffer | undefined;

/** Bytes of a part of the message. */
const partLength = (part: Uint8Array | string) => (typeof part === 'string' ? Buffer.byteLength(part, 'utf8') : part.byteLength);

/**
 * HMAC-SHA256 (RFC 2104) of the concatenated parts, each given as text or raw bytes.
 *
 * Built on one-shot SHA-256 calls rather than `createHmac`: a webhook is verified on every request,
 * and an `Hmac` object (a native handle, reclaimed by the garbage collector) cost about three times
 * its arithmetic under load (bench/README.md, "Ingest"). Digests travel as latin1 strings, one
 * character a byte, and the key block and inner message are written into reused scratch space, so
 * the only buffer made per call is the digest returned. Synchronous throughout, so no two calls
 * share the scratch space. Tested against `createHmac` and RFC 4231's vectors.
 */
export function hmacSha256(key: Uint8Array | string, ...parts: (Uint8Array | string)[]): Buffer {
  let innerLength = BLOCK_BYTES;
  for (const part of parts) innerLength += partLength(part);
  const inner = innerLength <= INNER_SCRATCH_BYTES ? (innerScratch ??= Buffer.alloc(INNER_SCRATCH_BYTES)) : Buffer.allocUnsafe(innerLength);
  try {
    // The key in the key block when it fits (RFC 2104 pads a short key with zeros), else its digest.
    const keyLength = partLength(key);
    if (keyLength > BLOCK_BYTES) {
      const bytes = toBytes(key);
      keyBlock.write(sha256Latin1(bytes), 0, DIGEST_BYTES, 'latin1');
      // A copy of a text key made here would sit in Buffer's shared pool.
      if (typeof key === 'string') bytes.fill(0);
    } else if (typeof key === 'string') keyBlock.write(key, 0, keyLength, 'utf8');
    else keyBlock.set(key, 0);
    for (let i = 0; i < BLOCK_BYTES; i++) {
      const byte = keyBlock[i]!;
      inner[i] = byte ^ 0x36;
      outerMessage[i] = byte ^ 0x5c;
    }
    let offset = BLOCK_BYTES;
    for (const part of parts) {
      if (typeof part === 'string') offset += inner.write(part, offset, 'utf8');
      else {
        inner.set(part, offset);
        offset += part.byteLength;
      }
    }
    outerMessage.write(sha256Latin1(inner.subarray(0, innerLength)), BLOCK_BYTES, 'latin1');
    return Buffer.from(sha256Latin1(outerMessage), 'latin1');
  } finally {
    // The key and its pads do not outlive the call, whatever happened (the parts are the caller's data).
    keyBlock.fill(0);
    inner.fill(0, 0, BLOCK_BYTES);
    outerMessage.fill(0);
  }
}

const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;
// A SHA-256 digest is 32 bytes: 43 base64 characters and one `=` of padding (padding optional).
const BASE64_SHA256 = /^[A-Za-z0-9+/]{43}=?$/;

/**
 * Decodes a hex SHA-256 digest, or null when it is not exactly one. Node's own hex decoder silently
 * stops at the first bad character, so a strict check comes first.
 */
export function decodeHexDigest(value: string): Buffer | null {
  return HEX_SHA256.test(value) ? Buffer.from(value, 'hex') : null;
}

/** Decodes a base64 SHA-256 digest, or null when it is not exactly one (Node's decoder is lenient too). */
export function decodeBase64Digest(value: string): Buffer | null {
  return BASE64_SHA256.test(value) ? Buffer.from(value, 'base64') : null;
}

/**
 * True when any candidate equals `expected`, compared in constant time. Every candidate is compared
 * (no early exit), so the time taken depends only on how many were sent.
 */
export function anyDigestMatches(expected: Uint8Array, candidates: readonly (Uint8Array | null)[]): boolean {
  let matched = false;
  for (const candidate of candidates) {
    // A malformed candidate still costs a comparison, so its position is not observable either.
    const ok = constantTimeEqual(expected, candidate ?? new Uint8Array(expected.length + 1));
    matched = ok || matched;
  }
  return matched;
}

/** Builds a failed verification. */
export function fail(reason: VerificationFailureReason, message: string): SignatureVerification {
  return { ok: false, code: reason === 'missing' ? 'unauthorized' : 'signature', reason, message };
}

/** The trimmed value of a header, or undefined when it is absent or blank. */
export function header(request: WebhookRequest, name: string): string | undefined {
  const value = request.headers.get(name)?.trim();
  return value ? value : undefined;
}

const UNIX_SECONDS = /^\d{1,12}$/;

/**
 * Checks a signed Unix timestamp (seconds) against `now` (ms) within `toleranceMs` both ways. Returns
 * null when it is fine, else the failure. Future timestamps are refused too: a sender's clock may be
 * ahead a little, but a far-future signature would stay replayable for that long.
 */
export function checkTimestamp(value: string, now: number, toleranceMs: number, headerName: string): SignatureVerification | null {
  if (!UNIX_SECONDS.test(value)) return fail('malformed', `${headerName} must be a Unix timestamp in seconds`);
  const at = Number(value) * 1000;
  if (now - at > toleranceMs) return fail('stale', `${headerName} is more than ${Math.round(toleranceMs / 1000)} s in the past: the request is stale or replayed`);
  if (at - now > toleranceMs) return fail('future', `${headerName} is more than ${Math.round(toleranceMs / 1000)} s in the future`);
  return null;
}

/** Unix seconds of an epoch-milliseconds time. */
export const unixSeconds = (now: number): number => Math.floor(now / 1000);

/** A string property of a JSON object body, if present. */
export function bodyString(body: unknown, key: string): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value = (body as Record<string, unknown>)[key];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
