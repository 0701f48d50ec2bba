/**
 * @module @tributary/connectors/http
 * The declarative HTTP connector: connects a JSON API with configuration only — a URL template with
 * `{{checkpoint}}` / `{{since}}`, auth (bearer, basic, API key in a header or the query), a pagination
 * style (page, cursor, next URL, `Link` header, offset), where the items are, their id, the field that
 * orders them for incremental runs, and a field mapping into the record.
 * @example
 * ```ts
 * import { httpConnector } from '@tributary/connectors/http';
 * await pipeline.sources.create('ws1', {
 *   name: 'Acme reviews',
 *   connector: 'http',
 *   config: {
 *     url: 'https://api.acme.test/v1/reviews?updated_since={{since}}',
 *     auth: { type: 'bearer' },
 *     pagination: { style: 'page', param: 'page', pageSize: 100, pageSizeParam: 'per_page' },
 *     itemsPath: 'data', checkpointPath: 'updated_at',
 *     mapping: { text: 'body', occurredAt: 'created_at', author: { username: 'author.name' }, attributes: { review: { rating: 'stars' } } },
 *   },
 *   credentials: { token: process.env.ACME_TOKEN },
 * });
 * ```
 */
import { defineConnector } from '@tributary/core/connector';
import { checkHttp } from './check.js';
import { fetchHttp } from './fetch.js';
import { parseHttpItem } from './parse.js';
import { HttpCheckpointSchema, HttpConfigSchema, HttpCredentialsSchema, type HttpCheckpoint, type HttpConfig, type HttpCredentials } from './schemas.js';

export {
  HttpAuthSchema,
  HttpCheckpointSchema,
  HttpConfigSchema,
  HttpCredentialsSchema,
  HttpPaginationSchema,
  type HttpAuth,
  type HttpCheckpoint,
  type HttpConfig,
  type HttpConfigInput,
  type HttpCredentials,
  type HttpPagination,
} from './schemas.js';
export { FieldMappingSchema, FieldSourceSchema, type FieldMapping, type FieldMappingInput, type FieldSource } from '../_mapping/index.js';
export { renderUrl } from './template.js';
export { parseHttpItem } from './parse.js';

/** The connector's version; records remember it, and a new minor means records may be re-parsed. */
export const HTTP_CONNECTOR_VERSION = '0.1.0';

/**
 * The declarative HTTP connector.
 * - `fetch`: walks the configured pagination from the last watermark; resumes part-way walks.
 * - `parse`: an item → one draft through the field mapping (usual field names fill the gaps).
 * - `check`: requests the first page and checks the items are where `itemsPath` says.
 * - `rateBudget`: `config.rateLimit` (60 a minute unless set).
 */
export const httpConnector = defineConnector<HttpConfig, HttpCredentials, HttpCheckpoint>({
  name: 'http',
  version: HTTP_CONNECTOR_VERSION,
  displayName: 'HTTP (JSON API)',
  description: 'Any JSON API, described by configuration: URL template, auth, pagination, items path and field mapping.',
  configSchema: HttpConfigSchema,
  credentialsSchema: HttpCredentialsSchema,
  checkpointSchema: HttpCheckpointSchema,
  rateBudget: (config) => ({ requests: config.rateLimit.requests, perMs: config.rateLimit.perSeconds * 1000, concurrency: config.rateLimit.concurrency }),
  check: checkHttp,
  fetch: fetchHttp,
  parse: parseHttpItem,
});
