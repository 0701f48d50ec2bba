import { fromZodError } from '../errors/index.js';
import { oauth2ClientCredentials } from './oauth2-client-credentials.js';
import type { OAuth2RefreshTokenOptions } from './oauth2-options.js';
import { oauth2RefreshToken } from './oauth2-refresh-token.js';
import { AuthCredentialsSchema, type AuthCredentialsInput } from './schemas.js';
import { apiKeyAuth, basicAuth, bearerAuth } from './static-auth.js';
import type { RequestAuth } from './types.js';

/**
 * Builds the auth for credentials tagged by `type` ({@link AuthCredentialsSchema}). The options apply
 * to the OAuth2 kinds (`onTokens` to the refresh token grant) and are ignored by the static ones.
 * @throws TributaryError `validation` when the credentials are malformed
 * @example
 * ```ts
 * const fetch = withAuth(context.fetch, createAuth(credentials, { clock: context.clock }));
 * ```
 */
export function createAuth(credentials: AuthCredentialsInput, options: OAuth2RefreshTokenOptions = {}): RequestAuth {
  const parsed = AuthCredentialsSchema.safeParse(credentials);
  if (!parsed.success) throw fromZodError('auth', 'credentials', parsed.error);
  const tagged = parsed.data;
  // The helpers' schemas drop the `type` tag, so each takes the tagged object as it is.
  switch (tagged.type) {
    case 'api_key':
      return apiKeyAuth(tagged);
    case 'basic':
      return basicAuth(tagged);
    case 'bearer':
      return bearerAuth(tagged);
    case 'oauth2_client_credentials': {
      const { onTokens: _unused, ...oauth } = options;
      return oauth2ClientCredentials(tagged, oauth);
    }
    case 'oauth2_refresh_token':
      return oauth2RefreshToken(tagged, options);
  }
}
