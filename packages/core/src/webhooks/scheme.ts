import { createHmac } from 'node:crypto';
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

const encoder = new TextEncoder();

/** UTF-8 bytes of a string, or the bytes themselves. */
export function toBytes(value: Uint8Array | string): Uint8Array {
  return typeof value === 'string' ? encoder.encode(value) : value;
}

/** HMAC-SHA256 of the concatenated parts, each given as text or raw bytes. */
export function hmacSha256(key: Uint8Array | string, ...parts: (Uint8Array | string)[]): Buffer {
  const mac = createHmac('sha256', typeof key === 'string' ? Buffer.from(key, 'utf8') : key);
  for (const part of parts) mac.update(toBytes(part));
  return mac.digest();
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
