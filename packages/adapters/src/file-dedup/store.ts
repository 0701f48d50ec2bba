// The dedup store over the journal. Claims live in this process's memory only: the store owns its
// directory alone, so no other process can hold a claim, and a crash ends the claims together with
// the requests that held them (which is exactly when they should end). Delivery records live in
// memory too, and every one is journaled before `remember()` resolves (or, with `lazyRecords`, soon
// after).
import type { Clock } from '@tributary/core/clock';
import { createError } from '@tributary/core/errors';
import type { ClaimOutcome, DedupStore } from '@tributary/core/webhooks';
import { nodeJournalIo, type JournalIo } from '../_journal/journal-io.js';
import type { JournalWriter } from '../_journal/journal-writer.js';
import type { DirectoryLock } from '../_journal/lock.js';
import { lazyOpen, openJournal } from '../_journal/open-journal.js';
import { oldestFirst } from '../_shared/oldest-first.js';
import { resolveFileDedupStoreOptions, type FileDedupStoreOptions } from './options.js';
import { createRecordTable, DEDUP_JOURNAL, encodeRemember, recordId, type RecordTable, type RememberRecord } from './records.js';

const COMPONENT = 'webhooks:file-dedup';

/** What {@link FileDedupStore.journal} reports. */
export interface FileDedupJournalStats {
  /** The journal's current length in bytes. */
  bytes: number;
  /** Compactions done since open. */
  compactions: number;
  /** Compactions put off since open because most of the journal was live. */
  deferredCompactions: number;
  /** Delivery records held in memory (some may have expired and not been dropped yet). */
  records: number;
  /** Claims held in memory. */
  claims: number;
  /** Records forgotten before their `expiresAt` because `maxRecords` was reached (replay included). */
  evictions: number;
  /** Records read back from the journal at open. */
  recoveredRecords: number;
  /** Of those, records that had expired and were skipped. */
  expiredSkipped: number;
  /** Bytes of a torn tail cut off at open (0 after a clean shutdown). */
  tornBytesCut: number;
}

/** The file dedup store: the {@link DedupStore} port, plus its lifecycle and what operators may want to see. */
export interface FileDedupStore extends DedupStore {
  /** Opens the directory now (lock, recovery) instead of at the first call; idempotent. */
  open(): Promise<void>;
  /** Writes what is queued, closes the journal and releases the directory. Later calls reject. */
  dispose(): Promise<void>;
  /** The journal and table counters, once open (undefined before). */
  journal(): FileDedupJournalStats | undefined;
}

interface Opened {
  table: RecordTable;
  writer: JournalWriter;
  lock: DirectoryLock;
  recoveredRecords: number;
  expiredSkipped: number;
  tornBytesCut: number;
}

/** A claim: which call holds it (a sequence number of this store) and until when. */
interface Claim {
  owner: number;
  expiresAt: number;
}

/**
 * Creates the file dedup store on a given file system interface (tests wrap the real one to count
 * or fail calls). `createFileDedupStore` is this with `node:fs/promises`.
 */
export function createFileDedupStoreOn(options: FileDedupStoreOptions, io: JournalIo = nodeJournalIo): FileDedupStore {
  const o = resolveFileDedupStoreOptions(options, COMPONENT);
  const clock: Clock = o.clock;
  const claims = new Map<string, Claim>();
  const oldestClaim = oldestFirst(claims);
  let claimSeq = 0;
  let disposed = false;

  const gone = () => createError(COMPONENT, 'unavailable', 'the dedup store was disposed');

  const open = async (): Promise<Opened> => {
    // A fresh table per attempt: a recovery that failed halfway leaves nothing behind.
    const table = createRecordTable(o.maxRecords, COMPONENT);
    let expiredSkipped = 0;
    const now = clock.now();
    const journal = await openJournal<RememberRecord>({
      io,
      directory: o.directory,
      format: DEDUP_JOURNAL,
      writerLabel: 'the dedup store',
      lockLabel: 'file dedup store',
      component: COMPONENT,
      fsync: o.fsync,
      compactAfterBytes: o.compactAfterBytes,
      onError: o.onError,
      apply: (record) => {
        if (!table.replay(record, now)) expiredSkipped++;
      },
      // Expired records are left out here: this is where they leave the disk.
      snapshot: () => table.snapshot(clock.now()),
      liveBytes: () => table.liveBytes(clock.now()),
    });
    return { table, expiredSkipped, ...journal };
  };
  const opener = lazyOpen(open);

  /**
   * Opens on first use; a failed open is tried again by the next call (the lock may be free by then).
   * Once a journal write failed, every call is `unavailable`: a record that cannot be made durable
   * must not look remembered, so the handler answers 503 and the sender retries after a reopen.
   */
  const ready = async (): Promise<Opened> => {
    if (disposed) throw gone();
    const value = await opener.ready();
    if (disposed) throw gone();
    if (value.writer.failure) throw value.writer.failure;
    return value;
  };

  /**
   * The opened store when it may be used at once (open, not disposed, its journal healthy): the
   * calls every webhook makes then take no await; anything else goes through {@link ready}, which
   * opens or throws.
   */
  const openNow = (): Opened | undefined => {
    const value = disposed ? undefined : opener.current;
    return value && !value.writer.failure ? value : undefined;
  };

  /**
   * Drops lapsed claims at the old end, a couple per claim: every claim of the handler has the same
   * lease, so they lapse in about the order they were taken, and a claim whose holder never released
   * it (a request that died with an exception nobody caught) does not stay in memory for good.
   */
  const sweepClaims = (now: number) => {
    for (let i = 0; i < 2; i++) {
      const first = oldestClaim.peek();
      if (!first || first[1].expiresAt > now) return;
      claims.delete(first[0]);
    }
  };

  /** Takes the claim of `id` unless a live one holds it. Synchronous: nothing can slip in between. */
  const takeClaim = (id: string, ttlMs: number): (() => Promise<void>) | null => {
    const now = clock.now();
    const held = claims.get(id);
    if (held && held.expiresAt > now) return null;
    const owner = ++claimSeq;
    // Deleted first so the Map keeps claims in the order they were taken (see sweepClaims).
    claims.delete(id);
    claims.set(id, { owner, expiresAt: now + ttlMs });
    sweepClaims(now);
    return async () => {
      // Only our own claim: a holder whose lease lapsed must not remove the claim that replaced it.
      if (claims.get(id)?.owner === owner) claims.delete(id);
    };
  };

  const store: FileDedupStore = {
    async get(workspaceId, key) {
      const q = await ready();
      return q.table.get(recordId(workspaceId, key), clock.now()) ?? null;
    },

    async claim(workspaceId, key, ttlMs) {
      await ready();
      return takeClaim(recordId(workspaceId, key), ttlMs);
    },

    // Everything happens in one synchronous step after the store is open: looking for the record
    // and taking the claim cannot be interleaved with another request's.
    async claimOrGet(workspaceId, key, ttlMs): Promise<ClaimOutcome> {
      const q = openNow() ?? (await ready());
      const id = recordId(workspaceId, key);
      const record = q.table.get(id, clock.now());
      if (record) return { record };
      const release = takeClaim(id, ttlMs);
      return release ? { release } : { busy: true };
    },

    async remember(workspaceId, key, record) {
      const q = openNow() ?? (await ready());
      const now = clock.now();
      // Already past its expiry (a clock far behind the sender's retention): nothing to keep.
      if (record.expiresAt <= now) return;
      const id = recordId(workspaceId, key);
      // Kept as JSON text (see records.ts): what the journal writes too, and a copy a caller
      // changing its object later cannot reach.
      const recordJson = JSON.stringify(record);
      // Into memory and the writer's queue in one synchronous step, as the writer's compaction
      // requires (its snapshot must hold every record queued before it). A redelivery arriving before
      // the fdatasync is answered from memory already: `remember` is called only after the delivery
      // was enqueued, so it is accepted either way. The record replaces the claim, as in the other
      // stores: from now on it answers redeliveries.
      q.table.put(id, recordJson, record.expiresAt, now);
      claims.delete(id);
      if (o.lazyRecords) q.writer.appendLazy([encodeRemember(workspaceId, key, recordJson)]);
      else await q.writer.append([encodeRemember(workspaceId, key, recordJson)]);
    },

    async open() {
      await ready();
    },

    async dispose() {
      if (disposed) return;
      disposed = true;
      claims.clear();
      const q = opener.current ?? (await opener.pending?.catch(() => undefined));
      if (!q) return;
      try {
        await q.writer.close();
      } finally {
        await q.lock.release();
      }
    },

    journal() {
      const opened = opener.current;
      if (!opened) return undefined;
      const counts = opened.table.counts();
      return {
        bytes: opened.writer.size,
        compactions: opened.writer.compactions,
        deferredCompactions: opened.writer.deferredCompactions,
        records: counts.size,
        claims: claims.size,
        evictions: counts.evictions,
        recoveredRecords: opened.recoveredRecords,
        expiredSkipped: opened.expiredSkipped,
        tornBytesCut: opened.tornBytesCut,
      };
    },
  };
  return store;
}
