import type { z } from 'zod';
import { fromZodError } from '../errors/index.js';
import {
  ApiKeyCredentialsSchema,
  BasicCredentialsSchema,
  BearerTokenCredentialsSchema,
  type ApiKeyCredentialsInput,
  type BasicCredentials,
  type BearerTokenCredentials,
} from './schemas.js';
import type { RequestAuth } from './types.js';

const COMPONENT = 'auth';

/** Validates credentials without letting their values into the error (zod messages name fields only). */
function parseOrThrow<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw fromZodError(COMPONENT, what, parsed.error);
  return parsed.data;
}

/**
 * An API key in a header (`X-API-Key: <key>` by default) or a query parameter (`?api_key=<key>`).
 * @throws TributaryError `validation` when the credentials are malformed
 * @example
 * ```ts
 * const fetch = withAuth(context.fetch, apiKeyAuth({ apiKey: credentials.apiKey, name: 'Api-Key' }));
 * ```
 */
export function apiKeyAuth(credentials: ApiKeyCredentialsInput): RequestAuth {
  const { apiKey, in: where, name, prefix } = parseOrThrow(ApiKeyCredentialsSchema, credentials, 'API key credentials');
  const key = name ?? (where === 'header' ? 'X-API-Key' : 'api_key');
  return {
    kind: 'api_key',
    async authorize(request) {
      if (where === 'header') request.headers.set(key, `${prefix ?? ''}${apiKey}`);
      else request.url.searchParams.set(key, apiKey);
      return undefined;
    },
  };
}

/**
 * HTTP basic authentication (RFC 7617), user name and password encoded as UTF-8.
 * @throws TributaryError `validation` when the credentials are malformed
 * @example
 * ```ts
 * const fetch = withAuth(context.fetch, basicAuth({ username: 'api', password: credentials.password }));
 * ```
 */
export function basicAuth(credentials: BasicCredentials): RequestAuth {
  const { username, password } = parseOrThrow(BasicCredentialsSchema, credentials, 'basic credentials');
  const value = `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
  return {
    kind: 'basic',
    async authorize(request) {
      request.headers.set('authorization', value);
      return undefined;
    },
  };
}

/**
 * A static bearer token: `Authorization: Bearer <token>`. A 401 is returned as is, since retrying
 * with the same token cannot help.
 * @throws TributaryError `validation` when the token is empty
 * @example
 * ```ts
 * const fetch = withAuth(context.fetch, bearerAuth({ token: credentials.token }));
 * ```
 */
export function bearerAuth(credentials: BearerTokenCredentials): RequestAuth {
  const { token } = parseOrThrow(BearerTokenCredentialsSchema, credentials, 'bearer credentials');
  return {
    kind: 'bearer',
    async authorize(request) {
      request.headers.set('authorization', `Bearer ${token}`);
      return undefined;
    },
  };
}
