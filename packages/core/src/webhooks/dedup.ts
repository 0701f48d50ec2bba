import { createHash, randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../clock/index.js';
import type { StorageAdapter } from '../storage/index.js';

/** What the handler remembers about an accepted delivery, to answer its redeliveries the same way. */
export interface DeliveryRecord {
  sourceId: string;
  deliveryId: string;
  /** ISO time it was accepted. */
  acceptedAt: string;
  /** Epoch ms after which it is forgotten (a later delivery with the same id is new again). */
  expiresAt: number;
  accepted: number;
  ids: string[];
  runId?: string;
}

/**
 * Where delivery ids of accepted webhooks are remembered. Keys are opaque (already scoped to the
 * source); every call is scoped to a workspace.
 */
export interface DedupStore {
  /** The record of an accepted delivery that has not expired, or null. */
  get(workspaceId: string, key: string): Promise<DeliveryRecord | null>;
  /**
   * Marks a delivery as in progress so a concurrent redelivery is not enqueued twice. Returns a
   * release function, or null when another request holds it. The claim expires after `ttlMs`, so a
   * crashed process does not block the delivery for good.
   */
  claim(workspaceId: string, key: string, ttlMs: number): Promise<(() => Promise<void>) | null>;
  /** Remembers an accepted delivery until `record.expiresAt`. Called only after a successful enqueue. */
  remember(workspaceId: string, key: string, record: DeliveryRecord): Promise<void>;
  /**
   * Optional: {@link DedupStore.get} and {@link DedupStore.claim} in one step, for stores that can
   * do it in fewer round trips. Claims the delivery, then looks for its record under the claim:
   * `record` when it was accepted already (the claim is given back), `release` when it is new and now
   * held, `busy` when another request holds it and no record exists. The handler uses it when
   * present, and `get`/`claim`/`get` otherwise; the outcomes are the same.
   */
  claimOrGet?(workspaceId: string, key: string, ttlMs: number): Promise<ClaimOutcome>;
}

/** What {@link DedupStore.claimOrGet} found. */
export type ClaimOutcome = { record: DeliveryRecord } | { release: () => Promise<void> } | { busy: true };

/** Options of {@link createStorageDedupStore}. */
export interface StorageDedupStoreOptions {
  /** Document collection of delivery records. @default 'webhook-deliveries' */
  collection?: string;
  /** @default systemClock */
  clock?: Clock;
  /**
   * Hold in-progress claims in this process's memory instead of as storage leases: two storage
   * writes less per delivery. Only correct when this is the one process handling webhooks on the
   * store (the embedded engines); with several, a concurrent copy in another process would not see
   * the claim. Delivery records stay in storage either way. @default false
   */
  localClaims?: boolean;
}

/** The storage methods the dedup store uses. */
export type DedupStorage = Pick<StorageAdapter, 'getDocument' | 'putDocument' | 'deleteDocument' | 'acquireLock' | 'releaseLock'>;

/**
 * A dedup store on a storage adapter: delivery records are documents, in-progress claims are leases
 * (`acquireLock`), so processes sharing the store also share the dedup. Expired records are deleted
 * when next read.
 */
export function createStorageDedupStore(storage: DedupStorage, options: StorageDedupStoreOptions = {}): DedupStore {
  const collection = options.collection ?? 'webhook-deliveries';
  const clock = options.clock ?? systemClock;
  /** In-process claims (`localClaims`): owner and expiry by key, dropped on release or when expired. */
  const local = new Map<string, { owner: string; expiresAt: number }>();
  const claimLocally = (lockKey: string, ttlMs: number): (() => Promise<void>) | null => {
    const held = local.get(lockKey);
    if (held && held.expiresAt > clock.now()) return null;
    const owner = randomUUID();
    local.set(lockKey, { owner, expiresAt: clock.now() + ttlMs });
    return async () => {
      if (local.get(lockKey)?.owner === owner) local.delete(lockKey);
    };
  };
  const store: DedupStore = {
    async get(workspaceId, key) {
      const record = await storage.getDocument<DeliveryRecord>(collection, workspaceId, key);
      if (!record) return null;
      if (record.expiresAt <= clock.now()) {
        await storage.deleteDocument(collection, workspaceId, key).catch(() => false);
        return null;
      }
      return record;
    },
    async claim(workspaceId, key, ttlMs) {
      const lockKey = `webhook-delivery:${workspaceId}:${key}`;
      if (options.localClaims) return claimLocally(lockKey, ttlMs);
      const owner = randomUUID();
      const lease = await storage.acquireLock(lockKey, owner, ttlMs);
      if (!lease) return null;
      return () => storage.releaseLock(lockKey, owner);
    },
    // Claim first, then one look under the claim: a new delivery costs two round trips instead of
    // three (look, claim, look again), and a record written by a copy that finished before the claim
    // is still seen. Only a redelivery of an accepted one pays one more (giving the claim back).
    async claimOrGet(workspaceId, key, ttlMs) {
      const release = await store.claim(workspaceId, key, ttlMs);
      let record: DeliveryRecord | null;
      try {
        record = await store.get(workspaceId, key);
      } catch (error) {
        await release?.().catch(() => undefined);
        throw error;
      }
      if (record) {
        await release?.().catch(() => undefined);
        return { record };
      }
      return release ? { release } : { busy: true };
    },
    async remember(workspaceId, key, record) {
      await storage.putDocument(collection, workspaceId, key, record);
    },
  };
  return store;
}

/**
 * The dedup key of a delivery: a hash of the source and the provider's delivery id, so ids of any
 * length or alphabet make safe document ids and two sources never share a key.
 */
export function deliveryKey(sourceId: string, deliveryId: string): string {
  return createHash('sha256').update(`${sourceId}\u0000${deliveryId}`).digest('hex');
}
