import { z } from 'zod';

/**
 * An `http:` or `https:` URL. Plain `http:` is accepted for receivers on a private network or
 * loopback; anything carrying credentials should use `https:`.
 */
export const httpUrl = () => z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

/**
 * A secret: a non-empty string marked `secret: true` and `writeOnly: true` in the schema's metadata
 * (and so in its JSON Schema), so hosts store it encrypted, never show it back, and never log it.
 */
export const secretString = (description: string) => z.string().min(1).meta({ secret: true, writeOnly: true, description });

// RFC 9110 token characters for names; values without control characters (no header injection).
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE = /^[^\0-\x08\x0a-\x1f\x7f]*$/;

/** Extra request headers, validated so a bad one fails at configuration time rather than at every send. */
export const headersSchema = () =>
  z.record(z.string().regex(HEADER_NAME, 'must be a valid header name'), z.string().regex(HEADER_VALUE, 'must not contain control characters'));

/** A URL that is itself a credential (a Slack incoming webhook URL): validated as a URL, marked secret. */
export const secretUrl = (description: string) => httpUrl().meta({ secret: true, writeOnly: true, description });
