// The dedup store's records: what its journal says, and the in-memory table it is read back into.
//
// The journal has one kind of record, a remembered delivery. A delivery remembered again appends a
// new record that replaces the earlier one on replay; nothing is ever deleted by a record, since
// records expire by their own `expiresAt` (skipped on replay, dropped at compaction) and evictions
// happen again, the same way, when the journal is replayed (see `put`).
import { createError } from '@tributary/core/errors';
import type { DeliveryRecord } from '@tributary/core/webhooks';
import { CORRUPT_JOURNAL, encodeEntry, type EncodedEntry, type JournalFormat } from '../_journal/frame.js';

/** The dedup store's journal format: its own header, so a file queue's journal is never read as one. */
export const DEDUP_JOURNAL: JournalFormat = { magic: Buffer.from('TRBDJNL1', 'latin1'), name: 'file dedup store journal' };

/** A remembered delivery: `w` workspace, `k` key, `r` the record. */
export interface RememberRecord {
  t: 'R';
  w: string;
  k: string;
  r: DeliveryRecord;
}

/** One remembered delivery in memory. */
interface Entry {
  workspaceId: string;
  key: string;
  record: DeliveryRecord;
}

/** What the table has done since it was created. */
export interface TableCounts {
  /** Records held (some may have expired since and not yet been dropped). */
  size: number;
  /** Records forgotten before their `expiresAt` because `maxRecords` was reached. */
  evictions: number;
}

/** The live delivery records, by workspace and key, oldest first. */
export interface RecordTable {
  /** The record, unless absent or expired at `now` (an expired one is dropped). */
  get(id: string, now: number): DeliveryRecord | undefined;
  /** Stores a record as the newest, evicting the oldest past `maxRecords`. */
  put(id: string, workspaceId: string, key: string, record: DeliveryRecord, now: number): void;
  /** Applies a journal record read back at recovery; false when it had expired (skipped). */
  replay(record: RememberRecord, now: number): boolean;
  /** The records live at `now`, encoded oldest first: a compacted journal. */
  snapshot(now: number): EncodedEntry[];
  counts(): TableCounts;
}

/**
 * The table key of a delivery. The workspace is length-prefixed, so no pair of workspace and key can
 * spell another pair's id: workspaces never see each other's keys.
 */
export const recordId = (workspaceId: string, key: string) => `${workspaceId.length}:${workspaceId}:${key}`;

/** Encodes a remembered delivery for the journal. */
export function encodeRemember(workspaceId: string, key: string, record: DeliveryRecord): EncodedEntry {
  const entry: RememberRecord = { t: 'R', w: workspaceId, k: key, r: record };
  return encodeEntry(entry);
}

/** Creates an empty table holding at most `maxRecords` records. */
export function createRecordTable(maxRecords: number, component: string): RecordTable {
  // A Map iterates in insertion order; `put` deletes before it sets, so the first entry is always the
  // one remembered longest ago. The journal appends in the same order, so replaying it evicts the
  // same records again and the table after a restart is the table before it.
  const entries = new Map<string, Entry>();
  let evictions = 0;

  const dropOldest = (now: number) => {
    const first = entries.entries().next();
    if (first.done) return;
    const [id, entry] = first.value;
    entries.delete(id);
    if (entry.record.expiresAt > now) evictions++;
  };

  /**
   * Drops expired records at the old end, a couple per call: with one retention for every delivery
   * (the handler's), they expire in about the order they were remembered, so this keeps memory near
   * the live set without ever scanning the table.
   */
  const sweep = (now: number) => {
    for (let i = 0; i < 2; i++) {
      const first = entries.values().next();
      if (first.done || first.value.record.expiresAt > now) return;
      dropOldest(now);
    }
  };

  const put = (id: string, workspaceId: string, key: string, record: DeliveryRecord, now: number) => {
    entries.delete(id);
    entries.set(id, { workspaceId, key, record });
    sweep(now);
    while (entries.size > maxRecords) dropOldest(now);
  };

  return {
    get(id, now) {
      const entry = entries.get(id);
      if (!entry) return undefined;
      if (entry.record.expiresAt <= now) {
        entries.delete(id);
        return undefined;
      }
      return entry.record;
    },
    put,
    replay(record, now) {
      if (record.t !== 'R' || typeof record.w !== 'string' || typeof record.k !== 'string' || typeof record.r?.expiresAt !== 'number') {
        throw createError(component, 'adapter', `journal record of unknown shape (type ${JSON.stringify((record as { t: unknown }).t)}): written by a newer version?`, {
          context: { reason: CORRUPT_JOURNAL },
        });
      }
      if (record.r.expiresAt <= now) {
        // An older record of the same delivery must not outlive the newer one that expired.
        entries.delete(recordId(record.w, record.k));
        return false;
      }
      put(recordId(record.w, record.k), record.w, record.k, record.r, now);
      return true;
    },
    snapshot(now) {
      const out: EncodedEntry[] = [];
      for (const entry of entries.values()) {
        if (entry.record.expiresAt > now) out.push(encodeRemember(entry.workspaceId, entry.key, entry.record));
      }
      return out;
    },
    counts: () => ({ size: entries.size, evictions }),
  };
}
