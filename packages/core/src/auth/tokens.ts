/** A token set an OAuth2 server issued. */
export interface OAuth2Tokens {
  accessToken: string;
  /** As the server named it (`Bearer` for nearly all), used as the `Authorization` scheme. */
  tokenType: string;
  /** When the access token expires, epoch milliseconds; undefined when the server gave no lifetime. */
  expiresAt?: number;
  /** The refresh token to use next (the rotated one, or the one that was used when not rotated). */
  refreshToken?: string;
  /** The scopes granted, when the server said. */
  scope?: string;
}

/** A token set as the cache keeps it: with the time it was requested, to size the early refresh. */
export interface IssuedTokens extends OAuth2Tokens {
  /** When the request for these tokens was sent, epoch milliseconds; undefined for stored ones. */
  issuedAt?: number;
}

/** `Bearer` whatever case the server used (RFC 6750 schemes are case-insensitive, some APIs are not). */
export function authorizationScheme(tokenType: string): string {
  return tokenType.toLowerCase() === 'bearer' ? 'Bearer' : tokenType;
}
