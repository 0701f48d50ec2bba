/**
 * @module @tributary/connectors/records
 * Seed 003's value records — `{ recordId, time, sourceId, destinationId, type, value, unit, reference }`
 * — as measurement records (`draftFromValueRecord`), idempotent on `recordId`: the same record pushed
 * or pulled twice is one record.
 *
 * - **Push** (the webhook endpoint): one record, an array, or `{ records: [...] }`. Invalid entries are
 *   rejected one by one with the field named, valid ones accepted; a body with no valid record gets 400.
 *   `splitValueRecords` does the same split for hosts with their own records endpoint.
 * - **Pull from a Redis stream**: `XRANGE` after the last stream id, which is the checkpoint.
 * - **Pull from a Redis list** (a work queue): each page is moved with `LMOVE` into a processing list
 *   and removed from it only once the runtime has enqueued it and saved the checkpoint. At least once:
 *   a run that dies in between hands the same entries over again on the next run, and they collapse
 *   by `recordId`. The list is its own position; the checkpoint only counts entries handed over.
 *
 * ioredis is an optional peer dependency, loaded only when a source pulls from Redis.
 * @example
 * ```ts
 * import { recordsConnector } from '@tributary/connectors/records';
 * const pipeline = createPipeline({ storage, queue, connectors: [recordsConnector] });
 * await pipeline.sources.create('ws1', { name: 'payments', connector: 'records', config: { redis: { url: 'redis://127.0.0.1:6379', key: 'records', mode: 'stream' } } });
 * ```
 */
import { defineConnector, type Connector } from '@tributary/core/connector';
import { createRecordsCheck } from './check.js';
import { createRecordsFetch } from './fetch.js';
import { parseValueRecordItem } from './parse.js';
import { valueRecordsWebhook } from './receive.js';
import { ioredisClientFactory, type RedisClientFactory } from './redis-client.js';
import { RecordsCheckpointSchema, RecordsConfigSchema, RecordsCredentialsSchema, type RecordsCheckpoint, type RecordsConfig, type RecordsCredentials } from './schemas.js';

export {
  RecordsCheckpointSchema,
  RecordsConfigSchema,
  RecordsCredentialsSchema,
  RecordsRedisSchema,
  type RecordsCheckpoint,
  type RecordsConfig,
  type RecordsConfigInput,
  type RecordsCredentials,
  type RecordsRedis,
} from './schemas.js';
export { splitValueRecords, valueRecordItem, type RejectedEntry, type SplitValueRecords } from './entries.js';
export { VALUE_RECORD_ITEM_TYPE } from './errors.js';
export { parseValueRecordItem } from './parse.js';
export { receiveValueRecords } from './receive.js';
export { defaultProcessingKey } from './redis-list.js';
export { ioredisClientFactory, type RecordsRedisClient, type RedisClientFactory } from './redis-client.js';

/** The connector's version; records remember it, and a new minor means records may be re-parsed. */
export const RECORDS_CONNECTOR_VERSION = '0.1.0';

/** Options of {@link createRecordsConnector}. */
export interface RecordsConnectorOptions {
  /**
   * Opens the Redis client of a run; the connector quits it when the run ends.
   * @default an ioredis client per run (ioredis must be installed)
   */
  redis?: RedisClientFactory;
}

/** Creates the records connector, e.g. with a Redis client factory of your own. */
export function createRecordsConnector(options: RecordsConnectorOptions = {}): Connector<RecordsConfig, RecordsCredentials, RecordsCheckpoint> {
  return defineConnector<RecordsConfig, RecordsCredentials, RecordsCheckpoint>({
    name: 'records',
    version: RECORDS_CONNECTOR_VERSION,
    displayName: 'Value records',
    description: "Seed 003's value records, pushed over HTTP or pulled from a Redis list or stream, idempotent on recordId.",
    configSchema: RecordsConfigSchema,
    credentialsSchema: RecordsCredentialsSchema,
    checkpointSchema: RecordsCheckpointSchema,
    check: createRecordsCheck(options.redis ?? ioredisClientFactory),
    fetch: createRecordsFetch(options.redis ?? ioredisClientFactory),
    parse: parseValueRecordItem,
    webhook: valueRecordsWebhook,
  });
}

/** The records connector with the default (ioredis) client. */
export const recordsConnector = createRecordsConnector();
