/**
 * @module @tributary/connectors/discourse
 * The Discourse connector: pulls forum posts through `/search.json` (seed 001's data flow) or the
 * full history of `/posts.json`, receives `post_created` / `post_edited` webhooks, and parses each
 * post into a `discourse.post` record.
 * @example
 * ```ts
 * import { discourseConnector } from '@tributary/connectors/discourse';
 * const config = discourseConnector.configSchema.parse({ baseUrl: 'https://meta.discourse.org', searchTerm: 'test', after: '2021-01-01' });
 * ```
 */
import { defineConnector } from '@tributary/core/connector';
import { checkDiscourse } from './check.js';
import { fetchLatestPosts } from './latest-posts.js';
import { parseDiscourseItem } from './parse.js';
import { discourseRateBudget } from './rate-budget.js';
import {
  DiscourseCheckpointSchema,
  DiscourseConfigSchema,
  DiscourseCredentialsSchema,
  type DiscourseCheckpoint,
  type DiscourseConfig,
  type DiscourseCredentials,
} from './schemas.js';
import { fetchSearch } from './search.js';
import { discourseWebhook } from './webhook.js';

export {
  DISCOURSE_PAGE_SIZE,
  DiscourseApiKeySchema,
  DiscourseCheckpointSchema,
  DiscourseConfigSchema,
  DiscourseCredentialsSchema,
  DiscourseLatestPostsCheckpointSchema,
  DiscourseSearchCheckpointSchema,
  DiscourseUserApiKeySchema,
  type DiscourseCheckpoint,
  type DiscourseConfig,
  type DiscourseConfigInput,
  type DiscourseCredentials,
  type DiscourseLatestPostsCheckpoint,
  type DiscourseSearchCheckpoint,
} from './schemas.js';
export { DISCOURSE_POST_ITEM_TYPE, DiscoursePostSchema, type DiscoursePost, type DiscoursePostPayload, type DiscourseTopic } from './payload.js';
export { decodeEntities, htmlToText } from './html-to-text.js';
export { searchPath, searchQuery } from './search.js';
export { parseDiscourseWebhook } from './webhook.js';

/** The connector's version; records remember it, and a new minor means records may be re-parsed. */
export const DISCOURSE_CONNECTOR_VERSION = '0.1.0';

/**
 * The Discourse connector.
 * - `fetch`: `search` mode walks `/search.json?page=N&q=<term> after:… before:… order:latest`;
 *   `latest-posts` mode walks `/posts.json?before=…` backwards. Both resume part-way walks.
 * - `parse`: a post → one `discourse.post` draft (text from `cooked`, author, topic title and URL).
 * - `webhook`: `X-Discourse-Event` post events → items, topic events → a triggered pull.
 * - `check`: `/session/current.json` with credentials, `/about.json` without.
 */
export const discourseConnector = defineConnector<DiscourseConfig, DiscourseCredentials, DiscourseCheckpoint>({
  name: 'discourse',
  version: DISCOURSE_CONNECTOR_VERSION,
  displayName: 'Discourse',
  description: 'Posts from a Discourse forum, by search or full history, pulled or pushed by webhook.',
  configSchema: DiscourseConfigSchema,
  credentialsSchema: DiscourseCredentialsSchema,
  checkpointSchema: DiscourseCheckpointSchema,
  rateBudget: discourseRateBudget,
  check: checkDiscourse,
  fetch: (context) => (context.config.mode === 'latest-posts' ? fetchLatestPosts(context) : fetchSearch(context)),
  parse: parseDiscourseItem,
  webhook: discourseWebhook,
});
