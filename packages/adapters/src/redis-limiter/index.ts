/**
 * @module @tributary/adapters/redis-limiter
 * A rate limiter shared by every dispatcher process through Redis: one token bucket per target, kept
 * in a Redis hash and updated by a Lua script, so the processes together never exceed the target's
 * limit. A pause (429, `Retry-After`) or an announced budget seen by one process holds for all.
 * (Bottleneck's Redis clustering is not used: it is unmaintained and fails on Redis 7.)
 */
import { checkRateLimit, type RateLimit, type RateLimiter } from '@tributary/core/dispatcher';
import type { AnnouncedBudget } from '@tributary/core/target';
import type { Redis } from 'ioredis';
import { loadIoredis } from '../_shared/load-ioredis.js';
import { TOKEN_BUCKET_SCRIPT } from './token-bucket.lua.js';

const COMPONENT = 'redis-limiter';

/** Options of {@link createRedisLimiter}. */
export interface RedisLimiterOptions {
  /** Redis URL. @default 'redis://127.0.0.1:6379' */
  url?: string;
  /** An ioredis client to use instead of connecting (not closed by `dispose`). */
  client?: Redis;
  /** Prefix of the bucket keys. @default 'tributary:limit:' */
  keyPrefix?: string;
  /** Longest single sleep between tries, so a freed token is noticed soon. @default 250 */
  maxPollMs?: number;
}

type Client = Redis & { tributaryBucket?: (key: string, ...args: (string | number)[]) => Promise<number> };

/** Creates a Redis-backed limiter. Connects on first use. */
export function createRedisLimiter(options: RedisLimiterOptions = {}): RateLimiter {
  const prefix = options.keyPrefix ?? 'tributary:limit:';
  const maxPollMs = options.maxPollMs ?? 250;
  let client: Client | undefined = options.client as Client | undefined;
  let connecting: Promise<Client> | undefined;
  // One waiter per key polls Redis at a time in this process; the others queue behind it in order.
  const lanes = new Map<string, Promise<void>>();

  const connect = (): Promise<Client> => {
    if (client) return Promise.resolve(ensureScript(client));
    connecting ??= (async () => {
      const RedisClass = await loadIoredis(COMPONENT);
      const c = new RedisClass(options.url ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null, lazyConnect: false }) as Client;
      client = c;
      return ensureScript(c);
    })();
    return connecting;
  };

  const ensureScript = (c: Client): Client => {
    if (!c.tributaryBucket) c.defineCommand('tributaryBucket', { numberOfKeys: 1, lua: TOKEN_BUCKET_SCRIPT });
    return c;
  };

  const perMs = (limit: Required<RateLimit>) => limit.perSecond / 1000;

  const sleep = (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });

  return {
    async acquire(key, limit, o = {}) {
      const checked = checkRateLimit(limit);
      const cost = Math.min(o.cost ?? 1, checked.burst);
      const previous = lanes.get(key) ?? Promise.resolve();
      let release!: () => void;
      const mine = new Promise<void>((r) => (release = r));
      const lane = previous.then(() => mine);
      lanes.set(key, lane);
      try {
        await previous;
        const c = await connect();
        for (;;) {
          if (o.signal?.aborted) throw o.signal.reason;
          const wait = Number(await c.tributaryBucket!(prefix + key, 'take', perMs(checked), checked.burst, cost));
          if (wait <= 0) return;
          await sleep(Math.min(wait, maxPollMs), o.signal);
        }
      } finally {
        release();
        if (lanes.get(key) === lane) lanes.delete(key);
      }
    },
    async pause(key, ms) {
      const c = await connect();
      await c.tributaryBucket!(prefix + key, 'pause', 1, 1, Math.max(0, Math.ceil(ms)));
    },
    async observe(key, limit, budget: AnnouncedBudget) {
      const checked = checkRateLimit(limit);
      const c = await connect();
      const resetIn = budget.resetAt === undefined ? -1 : Math.max(0, budget.resetAt - Date.now());
      await c.tributaryBucket!(prefix + key, 'observe', perMs(checked), checked.burst, budget.remaining, resetIn);
    },
    async dispose() {
      const c = client;
      if (c && !options.client) {
        await c.quit().catch(() => c.disconnect());
      }
      client = undefined;
      connecting = undefined;
    },
  };
}
