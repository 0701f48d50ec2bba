import { z } from 'zod';
import { headersSchema, httpUrl, secretString } from '../../_targets/schema.js';

/**
 * Configuration of the generic HTTP target.
 * @example
 * ```ts
 * { url: 'https://hooks.example.com/tributary', method: 'POST', body: 'payload', headers: { 'X-Team': 'growth' } }
 * ```
 */
export const HttpTargetConfigSchema = z.object({
  /** Where messages are sent, e.g. `https://hooks.example.com/tributary`. */
  url: httpUrl(),
  /**
   * The HTTP method.
   * @default 'POST'
   */
  method: z.enum(['POST', 'PUT']).default('POST'),
  /**
   * What the JSON body holds: the whole message (`{ id, idempotencyKey, type, workspaceId, payload, createdAt }`)
   * or only its `payload`.
   * @default 'message'
   */
  body: z.enum(['message', 'payload']).default('message'),
  /**
   * Extra headers sent with every request, e.g. `{ 'X-Team': 'growth' }`. They cannot replace
   * `Content-Type`, `Accept`, `User-Agent` or `Idempotency-Key`, which the target sets. Put a credential in
   * `bearerToken` rather than here: headers are not treated as secret.
   * @default {}
   */
  headers: headersSchema().default({}),
  /** A secret sent as `Authorization: Bearer <token>`. */
  bearerToken: secretString('Sent as Authorization: Bearer <token>').optional(),
});

/** Configuration of the HTTP target, defaults applied. */
export type HttpTargetConfig = z.output<typeof HttpTargetConfigSchema>;
/** Configuration of the HTTP target as written by a user. */
export type HttpTargetConfigInput = z.input<typeof HttpTargetConfigSchema>;
