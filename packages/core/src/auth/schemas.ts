import { z } from 'zod';

/** RFC 9110 token characters: what a header name may be made of. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * A token endpoint URL. Plain `http` is accepted only for loopback hosts (local test servers):
 * anywhere else it would send client secrets and refresh tokens in clear text.
 */
export const TokenUrlSchema = z.url({ protocol: /^https?$/ }).refine((value) => {
  const url = new URL(value);
  return url.protocol === 'https:' || LOOPBACK_HOSTS.has(url.hostname);
}, 'must use https (http is allowed only for localhost)');

/** `scope` as a space-separated string or a list of scopes; normalized to the string form. */
export const ScopeSchema = z
  .union([z.string().trim().min(1), z.array(z.string().trim().min(1)).min(1)])
  .transform((scope) => (Array.isArray(scope) ? scope.join(' ') : scope));

const ApiKeyObjectSchema = z.object({
  apiKey: z.string().min(1),
  /**
   * Where the key travels. Prefer `header`: query strings end up in proxy and server logs.
   * @default 'header'
   */
  in: z.enum(['header', 'query']).default('header'),
  /**
   * The header or query parameter that carries the key.
   * @default 'X-API-Key' in a header, 'api_key' in the query
   */
  name: z.string().trim().min(1).optional(),
  /** Written before the key in a header, e.g. `Token ` for `Authorization: Token <key>`. */
  prefix: z.string().optional(),
});

function checkApiKey(value: z.output<typeof ApiKeyObjectSchema>, ctx: z.RefinementCtx): void {
  if (value.in === 'header' && value.name !== undefined && !HEADER_NAME.test(value.name)) {
    ctx.addIssue({ code: 'custom', path: ['name'], message: 'must be a valid header name' });
  }
  if (value.in === 'query' && value.prefix !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['prefix'], message: 'only applies to a key sent in a header' });
  }
}

/**
 * An API key sent in a header or a query parameter.
 * @example
 * ```ts
 * ApiKeyCredentialsSchema.parse({ apiKey: 'k-123', in: 'header', name: 'Api-Key' });
 * ```
 */
export const ApiKeyCredentialsSchema = ApiKeyObjectSchema.superRefine(checkApiKey);
export type ApiKeyCredentials = z.output<typeof ApiKeyCredentialsSchema>;
export type ApiKeyCredentialsInput = z.input<typeof ApiKeyCredentialsSchema>;

/**
 * HTTP basic credentials (RFC 7617), sent UTF-8 encoded.
 * @example
 * ```ts
 * BasicCredentialsSchema.parse({ username: 'api', password: 's3cret' });
 * ```
 */
export const BasicCredentialsSchema = z.object({
  // A colon would end the user name early: basic auth cannot carry one (RFC 7617 §2).
  username: z.string().min(1).refine((name) => !name.includes(':'), 'must not contain ":"'),
  /** May be empty: some APIs take a key as the user name and no password. */
  password: z.string(),
});
export type BasicCredentials = z.output<typeof BasicCredentialsSchema>;

/**
 * A bearer token (`Authorization: Bearer <token>`): a personal access token, an installation token,
 * an API token.
 * @example
 * ```ts
 * BearerTokenCredentialsSchema.parse({ token: 'ghp_…' });
 * ```
 */
export const BearerTokenCredentialsSchema = z.object({ token: z.string().min(1) });
export type BearerTokenCredentials = z.output<typeof BearerTokenCredentialsSchema>;

/**
 * How the client authenticates at the token endpoint: HTTP basic (`client_secret_basic`, which RFC
 * 6749 §2.3.1 requires every server to accept) or form fields (`client_secret_post`).
 * @default 'basic'
 */
export const ClientAuthSchema = z.enum(['basic', 'body']).default('basic');

/**
 * OAuth2 client credentials grant (RFC 6749 §4.4): a machine-to-machine client.
 * @example
 * ```ts
 * OAuth2ClientCredentialsSchema.parse({
 *   tokenUrl: 'https://auth.example.com/oauth/token', clientId: 'id', clientSecret: 'secret',
 *   scope: ['read:feedback'], audience: 'https://api.example.com',
 * });
 * ```
 */
export const OAuth2ClientCredentialsSchema = z.object({
  tokenUrl: TokenUrlSchema,
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  /** Scopes to ask for; the server's default scopes when absent. */
  scope: ScopeSchema.optional(),
  /** The API the token is for, as Auth0 and similar servers require (`audience` parameter). */
  audience: z.string().min(1).optional(),
  clientAuth: ClientAuthSchema,
});
export type OAuth2ClientCredentials = z.output<typeof OAuth2ClientCredentialsSchema>;
export type OAuth2ClientCredentialsInput = z.input<typeof OAuth2ClientCredentialsSchema>;

/**
 * OAuth2 refresh token grant (RFC 6749 §6), with the last access token when one was stored. When the
 * server rotates the refresh token, `onTokens` hands the new one to the host, which stores it back
 * here (see `oauth2RefreshToken`).
 * @example
 * ```ts
 * OAuth2RefreshTokenSchema.parse({
 *   tokenUrl: 'https://auth.example.com/oauth/token', clientId: 'id', clientSecret: 'secret',
 *   refreshToken: 'r-1', accessToken: 'a-1', expiresAt: 1767225600000,
 * });
 * ```
 */
export const OAuth2RefreshTokenSchema = z.object({
  tokenUrl: TokenUrlSchema,
  clientId: z.string().min(1),
  /** Absent for public clients (PKCE apps), which send only their `client_id`. */
  clientSecret: z.string().min(1).optional(),
  refreshToken: z.string().min(1),
  /** The last access token, so a new process does not refresh before it must. */
  accessToken: z.string().min(1).optional(),
  /** When `accessToken` expires, epoch milliseconds. Without it the token is used until a 401. */
  expiresAt: z.number().int().nonnegative().optional(),
  /** Scopes to ask for on refresh; the originally granted ones when absent. */
  scope: ScopeSchema.optional(),
  clientAuth: ClientAuthSchema,
});
export type OAuth2RefreshTokenCredentials = z.output<typeof OAuth2RefreshTokenSchema>;
export type OAuth2RefreshTokenCredentialsInput = z.input<typeof OAuth2RefreshTokenSchema>;

/**
 * Any of the credential kinds, tagged by `type`, for connectors whose users pick the kind (the
 * declarative HTTP connector, say). Turn one into a {@link RequestAuth} with `createAuth`.
 * @example
 * ```ts
 * AuthCredentialsSchema.parse({ type: 'bearer', token: 't-1' });
 * ```
 */
export const AuthCredentialsSchema = z.discriminatedUnion('type', [
  ApiKeyObjectSchema.extend({ type: z.literal('api_key') }).superRefine(checkApiKey),
  BasicCredentialsSchema.extend({ type: z.literal('basic') }),
  BearerTokenCredentialsSchema.extend({ type: z.literal('bearer') }),
  OAuth2ClientCredentialsSchema.extend({ type: z.literal('oauth2_client_credentials') }),
  OAuth2RefreshTokenSchema.extend({ type: z.literal('oauth2_refresh_token') }),
]);
export type AuthCredentials = z.output<typeof AuthCredentialsSchema>;
export type AuthCredentialsInput = z.input<typeof AuthCredentialsSchema>;
