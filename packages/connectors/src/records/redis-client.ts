import { createError, isTributaryError, missingDependency } from '@tributary/core/errors';
import { COMPONENT } from './errors.js';
import type { RecordsCredentials, RecordsRedis } from './schemas.js';

/** The Redis commands the records connector uses; an ioredis client fits. */
export interface RecordsRedisClient {
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  lrange(key: string, start: number, stop: number): Promise<string[]>;
  xrange(key: string, start: string, end: string, countToken: 'COUNT', count: number): Promise<[id: string, fields: string[]][]>;
  xrevrange(key: string, end: string, start: string, countToken: 'COUNT', count: number): Promise<[id: string, fields: string[]][]>;
  type(key: string): Promise<string>;
  quit(): Promise<unknown>;
}

/** Opens a client for one run; the connector quits it when the run ends. */
export type RedisClientFactory = (redis: RecordsRedis, credentials: RecordsCredentials) => RecordsRedisClient | Promise<RecordsRedisClient>;

type IoredisClass = new (url: string, options?: Record<string, unknown>) => RecordsRedisClient & {
  connect(): Promise<void>;
  disconnect(): void;
  on(event: 'error', listener: (error: Error) => void): unknown;
};

/** ioredis, loaded on first use so only sources that pull from Redis need the package. */
async function loadIoredis(): Promise<IoredisClass> {
  try {
    const mod = (await import('ioredis')) as unknown as { Redis?: unknown; default?: unknown };
    const RedisClass = (mod.Redis ?? mod.default) as IoredisClass | undefined;
    if (!RedisClass) throw new Error('ioredis has no Redis export');
    return RedisClass;
  } catch (error) {
    throw missingDependency(COMPONENT, 'ioredis', error);
  }
}

/**
 * The default factory: an ioredis client that connects at once and does not reconnect or queue
 * commands while down, so a lost server fails the run (`unavailable`, retried by the queue) instead
 * of hanging it.
 */
export const ioredisClientFactory: RedisClientFactory = async (redis, credentials) => {
  const Redis = await loadIoredis();
  const client = new Redis(redis.url, {
    lazyConnect: true,
    connectTimeout: 5_000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    ...(credentials?.redisUsername ? { username: credentials.redisUsername } : {}),
    ...(credentials?.redisPassword ? { password: credentials.redisPassword } : {}),
  });
  // Failures reach the run through the rejected command; without a listener ioredis would also print them.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (cause) {
    client.disconnect();
    throw unavailable(`could not connect to Redis at ${hostOf(redis.url)}`, cause);
  }
  return client;
};

/** Runs a Redis call, turning a failure into an `unavailable` error (retryable) naming the operation. */
export async function redisCall<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (cause) {
    if (isTributaryError(cause)) throw cause;
    throw unavailable(`Redis ${operation} failed: ${(cause as Error)?.message ?? String(cause)}`, cause);
  }
}

function unavailable(message: string, cause: unknown) {
  return createError(COMPONENT, 'unavailable', message, { cause });
}

function hostOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || 6379}`;
}
