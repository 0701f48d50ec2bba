/**
 * @module @tributary/core/auth
 * Credentials for the requests connectors make: an API key (header or query), HTTP basic, a bearer
 * token, OAuth2 client credentials (cached until shortly before expiry) and OAuth2 refresh tokens
 * with rotation (refreshed before expiry and on a 401, single-flight, new tokens handed to
 * `onTokens` for the host to persist). Apply one to a fetch with {@link withAuth}; reuse the zod
 * schemas in a connector's `credentialsSchema`. Secrets never appear in error messages.
 * @example
 * ```ts
 * import { bearerAuth, BearerTokenCredentialsSchema, withAuth } from '@tributary/core/auth';
 * const credentialsSchema = BearerTokenCredentialsSchema;
 * // in fetch(context):
 * const fetch = withAuth(context.fetch, bearerAuth(context.credentials));
 * ```
 */
export { withAuth } from './with-auth.js';
export { apiKeyAuth, basicAuth, bearerAuth } from './static-auth.js';
export { oauth2ClientCredentials } from './oauth2-client-credentials.js';
export { oauth2RefreshToken } from './oauth2-refresh-token.js';
export { createAuth } from './create-auth.js';
export type { AuthContext, AuthRequest, RequestAuth } from './types.js';
export type { OAuth2Options, OAuth2RefreshTokenOptions, TokensInfo } from './oauth2-options.js';
export type { OAuth2Tokens } from './tokens.js';
export {
  ApiKeyCredentialsSchema,
  AuthCredentialsSchema,
  BasicCredentialsSchema,
  BearerTokenCredentialsSchema,
  ClientAuthSchema,
  OAuth2ClientCredentialsSchema,
  OAuth2RefreshTokenSchema,
  ScopeSchema,
  TokenUrlSchema,
  type ApiKeyCredentials,
  type ApiKeyCredentialsInput,
  type AuthCredentials,
  type AuthCredentialsInput,
  type BasicCredentials,
  type BearerTokenCredentials,
  type OAuth2ClientCredentials,
  type OAuth2ClientCredentialsInput,
  type OAuth2RefreshTokenCredentials,
  type OAuth2RefreshTokenCredentialsInput,
} from './schemas.js';
