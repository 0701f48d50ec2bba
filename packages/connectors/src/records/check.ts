import type { CheckContext } from '@tributary/core/connector';
import { createError } from '@tributary/core/errors';
import { COMPONENT } from './errors.js';
import { redisCall, type RedisClientFactory } from './redis-client.js';
import type { RecordsConfig, RecordsCredentials } from './schemas.js';

/**
 * Connects to Redis with the credentials and checks the key is a list or stream as configured (or
 * does not exist yet). A push-only source has nothing to check.
 * @throws TributaryError `unavailable` when Redis cannot be reached, `config` when the key has another type
 */
export function createRecordsCheck(openClient: RedisClientFactory) {
  return async function checkRecords(ctx: CheckContext<RecordsConfig, RecordsCredentials>): Promise<void> {
    const redis = ctx.config.redis;
    if (!redis) return;
    const client = await openClient(redis, ctx.credentials);
    try {
      const type = await redisCall('TYPE', () => client.type(redis.key));
      if (type !== 'none' && type !== redis.mode) {
        throw createError(COMPONENT, 'config', `Redis key ${JSON.stringify(redis.key)} is a ${type}, not a ${redis.mode}`, {
          issues: [{ path: 'redis.mode', message: `the key is a ${type}` }],
        });
      }
    } finally {
      await client.quit().catch(() => undefined);
    }
  };
}
