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
}

/** Options of {@link createStorageDedupStore}. */
export interface StorageDedupStoreOptions {
  /** Document collection of delivery records. @default 'webhook-deliveries' */
  collection?: string;
  /** @default systemClock */
  clock?: Clock;
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
  return {
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
      const owner = randomUUID();
      const lease = await storage.acquireLock(lockKey, owner, ttlMs);
      if (!lease) return null;
      return () => storage.releaseLock(lockKey, owner);
    },
    async remember(workspaceId, key, record) {
      await storage.putDocument(collection, workspaceId, key, record);
    },
  };
}

/**
 * The dedup key of a delivery: a hash of the source and the provider's delivery id, so ids of any
 * length or alphabet make safe document ids and two sources never share a key.
 */
export function deliveryKey(sourceId: string, deliveryId: string): string {
  return createHash('sha256').update(`${sourceId}\u0000${deliveryId}`).digest('hex');
}
