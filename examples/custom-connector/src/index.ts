/**
 * @module @tributary/example-custom-connector
 * A connector written from scratch against `@tributary/core/connector`: JSON Feed 1.1
 * (https://www.jsonfeed.org/version/1.1/), the JSON twin of RSS that blogs, forums, changelogs and
 * status pages publish. It pulls the feed page by page along `next_url`, resumes with a checkpoint,
 * and turns each item into a feedback record. See README.md and docs/connectors.md.
 */
import { defineConnector } from '@tributary/core/connector';
import { checkJsonFeed } from './check.js';
import { fetchJsonFeed } from './fetch.js';
import { parseJsonFeedItem } from './parse.js';
import { JsonFeedCheckpointSchema, JsonFeedConfigSchema, type JsonFeedCheckpoint, type JsonFeedConfig } from './schemas.js';

export { JsonFeedCheckpointSchema, JsonFeedConfigSchema, type JsonFeedCheckpoint, type JsonFeedConfig } from './schemas.js';
export { FeedItemSchema, FeedPageSchema, JSON_FEED_ITEM_TYPE, type FeedItem, type FeedItemPayload, type FeedPage } from './feed.js';
export { parseJsonFeedItem } from './parse.js';
export { reparseSource, needsReparse, type ReparseResult } from './reparse.js';

/**
 * The connector's version. Records remember it. Bump the minor when `parse` turns the same payload
 * into a different draft, the major when config, checkpoint or external ids change incompatibly.
 */
export const JSON_FEED_CONNECTOR_VERSION = '1.0.0';

/** Pulls a JSON Feed into feedback records. */
export const jsonFeedConnector = defineConnector<JsonFeedConfig, undefined, JsonFeedCheckpoint>({
  name: 'json-feed',
  version: JSON_FEED_CONNECTOR_VERSION,
  displayName: 'JSON Feed',
  description: 'Items of a JSON Feed (jsonfeed.org), pulled page by page.',
  configSchema: JsonFeedConfigSchema,
  checkpointSchema: JsonFeedCheckpointSchema,
  // Feeds are static files on someone's server: stay polite whatever the schedule.
  rateBudget: () => ({ requests: 30, perMs: 60_000, concurrency: 1 }),
  check: checkJsonFeed,
  fetch: fetchJsonFeed,
  parse: parseJsonFeedItem,
});
