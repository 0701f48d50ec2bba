// The dedup store's records: what its journal says, and the in-memory table it is read back into.
//
// The journal has one kind of record, a remembered delivery. A delivery remembered again appends a
// new record that replaces the earlier one on replay; nothing is ever deleted by a record, since
// records expire by their own `expiresAt` (skipped on replay, dropped at compaction) and evictions
// happen again, the same way, when the journal is replayed (see `put`).
import { createError } from '@tributary/core/errors';
import type { DeliveryRecord } from '@tributary/core/webhooks';
import { CORRUPT_JOURNAL, EncodedEntry, type JournalFormat } from '../_journal/frame.js';
import { oldestFirst } from '../_shared/oldest-first.js';

/** The dedup store's journal format: its own header, so a file queue's journal is never read as one. */
export const DEDUP_JOURNAL: JournalFormat = { magic: Buffer.from('TRBDJNL1', 'latin1'), name: 'file dedup store journal' };

/** A remembered delivery: `w` workspace, `k` key, `r` the record. */
export interface RememberRecord {
  t: 'R';
  w: string;
  k: string;
  r: DeliveryRecord;
}

/**
 * One remembered delivery in memory: its record as JSON text, and when it expires. One string rather
 * than the record's objects: a table may hold a million of them (`maxRecords`), each live until it
 * expires, and the collector copies and traces every object that survives. The text is also what
 * the journal writes, so it is made once, and no caller can change a record after the fact. The
 * workspace and key are in the table key ({@link recordId}), read back only to compact.
 */
interface Entry {
  expiresAt: number;
  record: string;
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
  /** The record (a fresh object), unless absent or expired at `now` (an expired one is dropped). */
  get(id: string, now: number): DeliveryRecord | undefined;
  /** Stores a record, as its JSON text, as the newest, evicting the oldest past `maxRecords`. */
  put(id: string, recordJson: string, expiresAt: number, now: number): void;
  /** Applies a journal record read back at recovery; false when it had expired (skipped). */
  replay(record: RememberRecord, now: number): boolean;
  /** The records live at `now`, encoded oldest first: a compacted journal. */
  snapshot(now: number): EncodedEntry[];
  /** About how many bytes {@link RecordTable.snapshot} would take at `now`, counted without encoding anything. */
  liveBytes(now: number): number;
  counts(): TableCounts;
}

/**
 * The table key of a delivery. The workspace is length-prefixed, so no pair of workspace and key can
 * spell another pair's id: workspaces never see each other's keys.
 */
export const recordId = (workspaceId: string, key: string) => `${workspaceId.length}:${workspaceId}:${key}`;

/** The workspace and key a {@link recordId} was made of. */
function idParts(id: string): { workspaceId: string; key: string } {
  const colon = id.indexOf(':');
  const start = colon + 1;
  const end = start + Number(id.slice(0, colon));
  return { workspaceId: id.slice(start, end), key: id.slice(end + 1) };
}

/**
 * Encodes a remembered delivery for the journal, from the record's JSON text: the same text as
 * `JSON.stringify({ t: 'R', w, k, r })`, with the record not serialized a second time.
 */
export function encodeRemember(workspaceId: string, key: string, recordJson: string): EncodedEntry {
  const text = `{"t":"R","w":${JSON.stringify(workspaceId)},"k":${JSON.stringify(key)},"r":${recordJson}}`;
  return new EncodedEntry(text, Buffer.byteLength(text), undefined, 0);
}

/** Creates an empty table holding at most `maxRecords` records. */
export function createRecordTable(maxRecords: number, component: string): RecordTable {
  // A Map iterates in insertion order; `put` deletes before it sets, so the first entry is always the
  // one remembered longest ago. The journal appends in the same order, so replaying it evicts the
  // same records again and the table after a restart is the table before it.
  const entries = new Map<string, Entry>();
  // Expiry and eviction both take from the old end, on every put once the table is full or records
  // start expiring: see oldest-first.ts for why that is not `entries.entries().next()`.
  const oldest = oldestFirst(entries);
  let evictions = 0;

  const dropOldest = (now: number) => {
    const first = oldest.peek();
    if (!first) return;
    const [id, entry] = first;
    entries.delete(id);
    if (entry.expiresAt > now) evictions++;
  };

  /**
   * Drops expired records at the old end, a couple per call: with one retention for every delivery
   * (the handler's), they expire in about the order they were remembered, so this keeps memory near
   * the live set without ever scanning the table.
   */
  const sweep = (now: number) => {
    for (let i = 0; i < 2; i++) {
      const first = oldest.peek();
      if (!first || first[1].expiresAt > now) return;
      dropOldest(now);
    }
  };

  const put = (id: string, record: string, expiresAt: number, now: number) => {
    const entry: Entry = { expiresAt, record };
    const size = entries.size;
    entries.set(id, entry);
    // A new id (the usual case) is the newest now, for one lookup; one remembered again kept its old
    // place in the order, so it moves to the end.
    if (entries.size === size) {
      entries.delete(id);
      entries.set(id, entry);
    }
    sweep(now);
    while (entries.size > maxRecords) dropOldest(now);
  };

  return {
    get(id, now) {
      const entry = entries.get(id);
      if (!entry) return undefined;
      if (entry.expiresAt <= now) {
        entries.delete(id);
        return undefined;
      }
      return JSON.parse(entry.record) as DeliveryRecord;
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
      put(recordId(record.w, record.k), JSON.stringify(record.r), record.r.expiresAt, now);
      return true;
    },
    snapshot(now) {
      const out: EncodedEntry[] = [];
      for (const [id, entry] of entries) {
        if (entry.expiresAt <= now) continue;
        const { workspaceId, key } = idParts(id);
        out.push(encodeRemember(workspaceId, key, entry.record));
      }
      return out;
    },
    liveBytes(now) {
      // The record header and `{"t":"R","w":…,"k":…,"r":…}` around the texts (the id holds w and k).
      let bytes = 0;
      for (const [id, entry] of entries) if (entry.expiresAt > now) bytes += 8 + 30 + id.length + entry.record.length;
      return bytes;
    },
    counts: () => ({ size: entries.size, evictions }),
  };
}
