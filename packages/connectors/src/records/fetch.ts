import type { FetchContext, FetchPage } from '@tributary/core/connector';
import { createError } from '@tributary/core/errors';
import { COMPONENT } from './errors.js';
import type { RedisClientFactory } from './redis-client.js';
import { defaultProcessingKey, walkList } from './redis-list.js';
import { walkStream } from './redis-stream.js';
import type { RecordsCheckpoint, RecordsConfig, RecordsCredentials } from './schemas.js';

/**
 * Pulls value records from the configured Redis list or stream with a client opened for this run
 * (and quit when it ends, however it ends). A checkpoint of another mode or key is ignored.
 * @throws TributaryError `config` when the source has no `redis` (it only takes pushes)
 */
export function createRecordsFetch(openClient: RedisClientFactory) {
  return async function* fetchRecords(ctx: FetchContext<RecordsConfig, RecordsCredentials, RecordsCheckpoint>): AsyncGenerator<FetchPage<RecordsCheckpoint>> {
    const { config } = ctx;
    const redis = config.redis;
    if (!redis) {
      throw createError(COMPONENT, 'config', 'this records source has no `redis` configuration, so there is nothing to pull: it only takes pushes', {
        issues: [{ path: 'redis', message: 'required to pull' }],
      });
    }
    ctx.signal.throwIfAborted();
    const checkpoint = ctx.checkpoint?.mode === redis.mode && ctx.checkpoint.key === redis.key ? ctx.checkpoint : null;
    const client = await openClient(redis, ctx.credentials);
    try {
      if (redis.mode === 'stream') {
        yield* walkStream({ client, redis, config, lastId: checkpoint?.mode === 'stream' ? checkpoint.lastId : null, signal: ctx.signal });
      } else {
        yield* walkList({
          client,
          redis,
          config,
          processingKey: redis.processingKey ?? defaultProcessingKey(redis.key, ctx.workspaceId, ctx.sourceId),
          handedOver: checkpoint?.mode === 'list' ? checkpoint.handedOver : 0,
          signal: ctx.signal,
        });
      }
    } finally {
      await client.quit().catch(() => undefined);
    }
  };
}
