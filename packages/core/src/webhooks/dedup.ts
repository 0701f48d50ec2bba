import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../clock/index.js';
import { sha256Hex } from '../record/ids.js';
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
   * Hold in-progress claims in this process's memory instead of in storage: a delivery then costs a
   * read and one write (its record). Only correct when this is the one process handling webhooks on
   * the store (the embedded engines); with several, a concurrent copy in another process would not
   * see the claim. Delivery records stay in storage either way. @default false
   */
  localClaims?: boolean;
}

/** The storage methods the dedup store uses (`insertDocument` when the adapter has it). */
export type DedupStorage = Pick<StorageAdapter, 'getDocument' | 'putDocument' | 'deleteDocument' | 'acquireLock' | 'releaseLock' | 'insertDocument'>;

/**
 * A delivery in progress, stored under the key its record will have: the claim is the document
 * itself, replaced by the record once accepted. `expiresAt` is 0 so that a reader that does not know
 * claims (an older version of this store) takes it for an expired record, never for an accepted one.
 */
interface PendingDelivery {
  pending: true;
  owner: string;
  /** Epoch ms after which the claim is abandoned (a crashed process) and may be taken over. */
  claimExpiresAt: number;
  expiresAt: 0;
}

type StoredDelivery = DeliveryRecord | PendingDelivery;

const isPending = (stored: StoredDelivery): stored is PendingDelivery => (stored as Partial<PendingDelivery>).pending === true;

/**
 * A dedup store on a storage adapter, shared by every process on the store. Delivery records are
 * documents. In-progress claims are, by preference: the delivery's own document, inserted only if
 * absent (`insertDocument`) and replaced by the record once accepted — one write per claim, none to
 * give it back; else leases (`acquireLock`); or, with `localClaims`, this process's memory.
 */
export function createStorageDedupStore(storage: DedupStorage, options: StorageDedupStoreOptions = {}): DedupStore {
  const collection = options.collection ?? 'webhook-deliveries';
  const clock = options.clock ?? systemClock;
  const lockKeyOf = (workspaceId: string, key: string) => `webhook-delivery:${workspaceId}:${key}`;
  if (!options.localClaims && storage.insertDocument) return documentClaimStore(storage, storage.insertDocument.bind(storage), collection, clock, lockKeyOf);

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
      const record = await storage.getDocument<StoredDelivery>(collection, workspaceId, key);
      if (!record || isPending(record)) return null;
      if (record.expiresAt <= clock.now()) {
        await storage.deleteDocument(collection, workspaceId, key).catch(() => false);
        return null;
      }
      return record;
    },
    async claim(workspaceId, key, ttlMs) {
      const lockKey = lockKeyOf(workspaceId, key);
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
 * Claims as documents (see {@link PendingDelivery}). A new delivery costs one conditional insert
 * (the claim) and one put (the record over it); a redelivery, the refused insert and a read. Taking
 * over an abandoned claim or an expired record is the rare path: under a lease on the key, so two
 * takers never both win, and the document is read again under it before being replaced.
 */
function documentClaimStore(
  storage: DedupStorage,
  insertDocument: NonNullable<DedupStorage['insertDocument']>,
  collection: string,
  clock: Clock,
  lockKeyOf: (workspaceId: string, key: string) => string,
): DedupStore {
  /** Claims this store holds and has not yet replaced by a record, by workspace and key: owner. */
  const held = new Map<string, string>();
  const heldKey = (workspaceId: string, key: string) => `${workspaceId}\u0000${key}`;
  const live = (stored: StoredDelivery, now: number) => (isPending(stored) ? stored.claimExpiresAt > now : stored.expiresAt > now);

  /** Gives a claim back (after a failure) unless it was replaced by the record or is no longer ours. */
  const releaser = (workspaceId: string, key: string, owner: string, ttlMs: number) => async () => {
    const id = heldKey(workspaceId, key);
    if (held.get(id) !== owner) return;
    held.delete(id);
    const stored = await storage.getDocument<StoredDelivery>(collection, workspaceId, key);
    // Only a claim still ours and well within its time is deleted: one near or past expiry may be
    // taken over at any moment, and deleting the taker's claim would let a third copy in. Left in
    // place, it merely expires (a retry meanwhile gets 409).
    const margin = Math.min(1000, ttlMs / 2);
    if (stored && isPending(stored) && stored.owner === owner && stored.claimExpiresAt - clock.now() > margin) {
      await storage.deleteDocument(collection, workspaceId, key);
    }
  };

  const granted = (workspaceId: string, key: string, owner: string, ttlMs: number): ClaimOutcome => {
    held.set(heldKey(workspaceId, key), owner);
    return { release: releaser(workspaceId, key, owner, ttlMs) };
  };

  /** Replaces an abandoned claim or an expired record, under a lease so that only one taker wins. */
  async function takeOver(workspaceId: string, key: string, owner: string, ttlMs: number): Promise<ClaimOutcome> {
    const lockKey = lockKeyOf(workspaceId, key);
    if (!(await storage.acquireLock(lockKey, owner, ttlMs))) return { busy: true };
    try {
      const now = clock.now();
      const current = await storage.getDocument<StoredDelivery>(collection, workspaceId, key);
      const claim: PendingDelivery = { pending: true, owner, claimExpiresAt: now + ttlMs, expiresAt: 0 };
      if (!current) {
        // Given back meanwhile: an insert again, since a new copy may be inserting too.
        return (await insertDocument(collection, workspaceId, key, claim)) ? granted(workspaceId, key, owner, ttlMs) : { busy: true };
      }
      if (live(current, now)) return isPending(current) ? { busy: true } : { record: current };
      await storage.putDocument(collection, workspaceId, key, claim);
      return granted(workspaceId, key, owner, ttlMs);
    } finally {
      await storage.releaseLock(lockKey, owner).catch(() => undefined);
    }
  }

  const store: DedupStore = {
    async get(workspaceId, key) {
      const stored = await storage.getDocument<StoredDelivery>(collection, workspaceId, key);
      // An expired record is left for the next claim to replace: deleting it here could delete a claim that just replaced it.
      return stored && !isPending(stored) && stored.expiresAt > clock.now() ? stored : null;
    },
    async claim(workspaceId, key, ttlMs) {
      const outcome = await store.claimOrGet!(workspaceId, key, ttlMs);
      // The record is the claim here: an accepted delivery has no claim to hold, and the caller's next look finds the record.
      if ('record' in outcome) return async () => undefined;
      return 'release' in outcome ? outcome.release : null;
    },
    async claimOrGet(workspaceId, key, ttlMs) {
      const owner = randomUUID();
      const claim: PendingDelivery = { pending: true, owner, claimExpiresAt: clock.now() + ttlMs, expiresAt: 0 };
      if (await insertDocument(collection, workspaceId, key, claim)) return granted(workspaceId, key, owner, ttlMs);
      const stored = await storage.getDocument<StoredDelivery>(collection, workspaceId, key);
      // Gone between the insert and the read (a failed copy gave its claim back): one more try.
      if (!stored) return (await insertDocument(collection, workspaceId, key, claim)) ? granted(workspaceId, key, owner, ttlMs) : { busy: true };
      // Ours: the insert committed but its answer was lost, and the driver's retry found it.
      if (isPending(stored) && stored.owner === owner) return granted(workspaceId, key, owner, ttlMs);
      if (live(stored, clock.now())) return isPending(stored) ? { busy: true } : { record: stored };
      return takeOver(workspaceId, key, owner, ttlMs);
    },
    async remember(workspaceId, key, record) {
      // Over the claim: from now on the document answers redeliveries, and there is no claim left to give back.
      await storage.putDocument(collection, workspaceId, key, record);
      held.delete(heldKey(workspaceId, key));
    },
  };
  return store;
}

/**
 * The dedup key of a delivery: a hash of the source and the provider's delivery id, so ids of any
 * length or alphabet make safe document ids and two sources never share a key.
 */
export function deliveryKey(sourceId: string, deliveryId: string): string {
  return sha256Hex(`${sourceId}\u0000${deliveryId}`);
}
