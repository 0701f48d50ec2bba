import { missingDependency } from '@tributary/core/errors';
import type { Redis } from 'ioredis';

/** The ioredis client class, loaded on first use so only the Redis subpaths need the package. */
export async function loadIoredis(component: string): Promise<new (url: string, options?: Record<string, unknown>) => Redis> {
  try {
    const mod = (await import('ioredis')) as unknown as { default?: unknown; Redis?: unknown };
    const RedisClass = (mod.Redis ?? mod.default) as (new (url: string, options?: Record<string, unknown>) => Redis) | undefined;
    if (!RedisClass) throw new Error('ioredis has no Redis export');
    return RedisClass;
  } catch (error) {
    throw missingDependency(component, 'ioredis', error);
  }
}
