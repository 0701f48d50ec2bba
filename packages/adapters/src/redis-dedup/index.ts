/**
 * @module @tributary/adapters/redis-dedup
 * Webhook delivery dedup ({@link DedupStore}) in Redis: every process receiving webhooks shares it.
 * A delivery's key holds either its in-progress claim or, once its items are enqueued, its record;
 * both expire by Redis TTL (the claim after its lease, the record at `expiresAt`), so nothing has to
 * sweep them. A new delivery costs two commands (claim-or-read, then the record over the claim), and
 * commands of concurrent deliveries share the client's writes (auto-pipelining): under load, a few
 * round trips per burst of deliveries, where storage-backed dedup costs database commits.
 *
 * Choose it when the queue is Redis already (the records then share its durability: a Redis that
 * loses its data loses the queue too); a delivery whose record was lost is enqueued again on its
 * redelivery, which downstream idempotency (records are upserted by id) absorbs.
 */
import { randomUUID } from 'node:crypto';
import type { Redis, RedisOptions } from 'ioredis';
import { createError, toError } from '@tributary/core/errors';
import type { ClaimOutcome, DedupStore, DeliveryRecord } from '@tributary/core/webhooks';
import { loadIoredis } from '../_shared/load-ioredis.js';
import { CLAIM_OR_GET, RELEASE } from './scripts.js';

const COMPONENT = 'webhooks:redis-dedup';

/** Options of {@link createRedisDedupStore}. */
export interface RedisDedupStoreOptions {
  /** Redis URL. @default 'redis://127.0.0.1:6379' */
  url?: string;
  /** An ioredis client to use instead of connecting (not closed by `dispose`). */
  client?: Redis;
  /** Options of the client this store creates (ignored with `client`). */
  redisOptions?: RedisOptions;
  /** Prefix of every key. @default 'tributary:webhook-delivery:' */
  keyPrefix?: string;
}

/** A {@link DedupStore} that also closes its connection. */
export interface RedisDedupStore extends DedupStore {
  /** Closes the connection this store opened (not a `client` it was given). */
  dispose(): Promise<void>;
}

/** What a claim stores under the delivery's key until its record replaces it. */
interface StoredClaim {
  pending: true;
  owner: string;
}

type Stored = DeliveryRecord | StoredClaim;

type Client = Redis & {
  tributaryDedupClaim?: (key: string, claim: string, ttlMs: number) => Promise<string | null>;
  tributaryDedupRelease?: (key: string, claim: string) => Promise<number>;
};

const isClaim = (stored: Stored): stored is StoredClaim => (stored as Partial<StoredClaim>).pending === true;

/** Creates a Redis-backed delivery dedup store. Connects on first use. */
export function createRedisDedupStore(options: RedisDedupStoreOptions = {}): RedisDedupStore {
  const prefix = options.keyPrefix ?? 'tributary:webhook-delivery:';
  let client: Client | undefined = options.client as Client | undefined;
  let connecting: Promise<Client> | undefined;

  const ensureScripts = (c: Client): Client => {
    if (!c.tributaryDedupClaim) c.defineCommand('tributaryDedupClaim', { numberOfKeys: 1, lua: CLAIM_OR_GET });
    if (!c.tributaryDedupRelease) c.defineCommand('tributaryDedupRelease', { numberOfKeys: 1, lua: RELEASE });
    return c;
  };

  const connect = (): Promise<Client> => {
    if (client) return Promise.resolve(ensureScripts(client));
    connecting ??= (async () => {
      const RedisClass = await loadIoredis(COMPONENT);
      // Commands issued in one tick leave in one write: concurrent deliveries share round trips.
      const c = new RedisClass(options.url ?? 'redis://127.0.0.1:6379', { enableAutoPipelining: true, ...options.redisOptions }) as Client;
      c.on('error', () => {
        // ioredis reconnects on its own; failed commands reach their callers.
      });
      client = c;
      return ensureScripts(c);
    })().catch((error) => {
      connecting = undefined;
      throw error;
    });
    return connecting;
  };

  // The workspace is part of the key: one workspace can never read another's deliveries.
  const keyOf = (workspaceId: string, key: string) => `${prefix}${workspaceId.length}:${workspaceId}:${key}`;

  /** Runs one Redis call, turning a connection failure into `unavailable` (the handler answers 503). */
  const call = async <R>(what: string, run: (c: Client) => Promise<R>): Promise<R> => {
    try {
      return await run(await connect());
    } catch (error) {
      throw createError(COMPONENT, 'unavailable', `${what} failed: ${toError(error).message}`, { cause: error });
    }
  };

  const releaseOf = (redisKey: string, claim: string) => async () => {
    await call('releasing a delivery claim', (c) => c.tributaryDedupRelease!(redisKey, claim));
  };

  /** Claims the key or returns what holds it. */
  const claimOrGet = async (workspaceId: string, key: string, ttlMs: number): Promise<ClaimOutcome> => {
    const redisKey = keyOf(workspaceId, key);
    const claim = JSON.stringify({ pending: true, owner: randomUUID() } satisfies StoredClaim);
    const held = await call('claiming a delivery', (c) => c.tributaryDedupClaim!(redisKey, claim, Math.max(1, Math.ceil(ttlMs))));
    if (held === null) return { release: releaseOf(redisKey, claim) };
    const stored = JSON.parse(held) as Stored;
    return isClaim(stored) ? { busy: true } : { record: stored };
  };

  return {
    async get(workspaceId, key) {
      const held = await call('reading a delivery', (c) => c.get(keyOf(workspaceId, key)));
      if (held === null) return null;
      const stored = JSON.parse(held) as Stored;
      return isClaim(stored) ? null : stored;
    },

    async claim(workspaceId, key, ttlMs) {
      const outcome = await claimOrGet(workspaceId, key, ttlMs);
      return 'release' in outcome ? outcome.release : null;
    },

    claimOrGet,

    async remember(workspaceId, key, record) {
      const ttlMs = Math.ceil(record.expiresAt - Date.now());
      // Already past its expiry (a clock far behind): nothing to keep, and SET refuses a TTL below 1.
      if (ttlMs <= 0) return;
      await call('remembering a delivery', (c) => c.set(keyOf(workspaceId, key), JSON.stringify(record), 'PX', ttlMs));
    },

    async dispose() {
      const c = client;
      client = undefined;
      connecting = undefined;
      if (c && !options.client) await c.quit().catch(() => c.disconnect());
    },
  };
}
