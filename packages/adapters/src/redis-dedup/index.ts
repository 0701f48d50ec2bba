/**
 * @module @tributary/adapters/redis-dedup
 * Webhook delivery dedup ({@link DedupStore}) in Redis: every process receiving webhooks shares it.
 * A delivery's key holds either its in-progress claim or, once its items are enqueued, its record;
 * both expire by Redis TTL (the claim after its lease, the record at `expiresAt`), so nothing has to
 * sweep them. A new delivery costs two steps, claim-or-read and then the record over the claim (which
 * also gives the claim back, so its release sends nothing). The steps asked for in one turn of the
 * event loop go as one script call: under load, one command a turn carries the records of the
 * deliveries just accepted and the claims of the new ones, where storage-backed dedup costs database
 * commits. The keys of one call may lie in any slot, so this store needs a Redis that is not a
 * cluster.
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
import { RELEASE, REMEMBER_THEN_CLAIM } from './scripts.js';
import { turnBatch, type TurnEntry } from './turn-batch.js';

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
  tributaryDedupRememberThenClaim?: (keyCount: number, ...keysThenArgs: (string | number)[]) => Promise<(string | null)[]>;
  tributaryDedupRelease?: (key: string, claim: string) => Promise<number>;
};

/** Most deliveries in one script call, so one call never holds the server long. */
const MAX_BATCH = 200;

const isClaim = (stored: Stored): stored is StoredClaim => (stored as Partial<StoredClaim>).pending === true;

/** Creates a Redis-backed delivery dedup store. Connects on first use. */
export function createRedisDedupStore(options: RedisDedupStoreOptions = {}): RedisDedupStore {
  const prefix = options.keyPrefix ?? 'tributary:webhook-delivery:';
  let client: Client | undefined = options.client as Client | undefined;
  let connecting: Promise<Client> | undefined;

  const ensureScripts = (c: Client): Client => {
    // No numberOfKeys: each call says how many keys it carries.
    if (!c.tributaryDedupRememberThenClaim) c.defineCommand('tributaryDedupRememberThenClaim', { lua: REMEMBER_THEN_CLAIM });
    if (!c.tributaryDedupRelease) c.defineCommand('tributaryDedupRelease', { numberOfKeys: 1, lua: RELEASE });
    return c;
  };

  const connect = (): Promise<Client> => {
    if (client) return Promise.resolve(ensureScripts(client));
    connecting ??= (async () => {
      const RedisClass = await loadIoredis(COMPONENT);
      // No auto-pipelining: the store batches each turn's claims and records itself (turnBatch), so
      // ioredis's own per-command batching only added work (about 10 µs of CPU per webhook in
      // bench/ingest-inprocess.ts).
      const c = new RedisClass(options.url ?? 'redis://127.0.0.1:6379', { enableAutoPipelining: false, ...options.redisOptions }) as Client;
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

  /** The keys of a turn's script call, then the number of records, then each key's value and TTL. */
  const scriptArgs = (entries: TurnEntry[], records: number): (string | number)[] => {
    const out: (string | number)[] = entries.map((e) => e.redisKey);
    out.push(records);
    for (const e of entries) out.push(e.value, e.ttlMs);
    return out;
  };
  // One script call a turn: the records of deliveries just accepted and the claims of new ones,
  // records first (a copy claiming in the same call then finds the record, not a claim).
  const turns = turnBatch((toRemember, toClaim) => {
    const both = toClaim.length === 0 ? toRemember : toRemember.length === 0 ? toClaim : [...toRemember, ...toClaim];
    return call('remembering and claiming deliveries', (c) => c.tributaryDedupRememberThenClaim!(both.length, ...scriptArgs(both, toRemember.length)));
  }, MAX_BATCH);

  /**
   * Claims this process holds, by key. A record written over a claim gives it back on the server, so
   * its release then has nothing to send (one command less per delivery).
   */
  const held = new Map<string, string>();
  // Owners need only be unique: one random id per store, then a counter.
  const ownerPrefix = randomUUID();
  let claims = 0;

  const releaseOf = (redisKey: string, claim: string) => async () => {
    if (held.get(redisKey) !== claim) return;
    held.delete(redisKey);
    await call('releasing a delivery claim', (c) => c.tributaryDedupRelease!(redisKey, claim));
  };

  /** Claims the key or returns what holds it. */
  const claimOrGet = async (workspaceId: string, key: string, ttlMs: number): Promise<ClaimOutcome> => {
    const redisKey = keyOf(workspaceId, key);
    // A StoredClaim's JSON, written out: the owner holds only a UUID's characters, a colon and digits.
    const claim = `{"pending":true,"owner":"${ownerPrefix}:${++claims}"}`;
    const found = await turns.claim({ redisKey, value: claim, ttlMs: Math.max(1, Math.ceil(ttlMs)) });
    if (found === null) {
      held.set(redisKey, claim);
      return { release: releaseOf(redisKey, claim) };
    }
    const stored = JSON.parse(found) as Stored;
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
      // The claim, if any, stays held and is given back by its release.
      if (ttlMs <= 0) return;
      const redisKey = keyOf(workspaceId, key);
      await turns.remember({ redisKey, value: JSON.stringify(record), ttlMs });
      // The record replaced the claim on the server: nothing is left to give back.
      held.delete(redisKey);
    },

    async dispose() {
      // Claims and records waiting for their turn's script call go out before the connection closes
      // (a record is often written just after the delivery was answered).
      await turns.drain();
      const c = client;
      client = undefined;
      connecting = undefined;
      if (c && !options.client) await c.quit().catch(() => c.disconnect());
    },
  };
}
