// Opening a directory: read the journal back through the owner's `apply`, cut off a tail torn by a
// crash, and return the file ready for appending. The journal is read whole: it is bounded by
// compaction (`compactAfterBytes`, or twice the live state), and a restart is the one time that is paid.
import { join } from 'node:path';
import { COMPACT_FILE, installSnapshot, JOURNAL_FILE, writeSnapshot } from './compaction.js';
import { decodeFrames, type JournalEntry, type JournalFormat } from './frame.js';
import type { JournalFile, JournalIo } from './journal-io.js';

/** A journal recovered into its owner's state. */
export interface RecoveredJournal {
  /** Open for appending after the last valid frame. */
  file: JournalFile;
  /** Its length in bytes. */
  size: number;
  /** Records read back (each passed to `apply`). */
  records: number;
  /** Bytes of a torn tail that were cut off (0 after a clean shutdown). */
  tornBytes: number;
}

/** Where and what to recover. */
export interface RecoverOptions<R extends JournalEntry> {
  io: JournalIo;
  directory: string;
  format: JournalFormat;
  /** Called with every record, in journal order. */
  apply: (record: R) => void;
  fsync: boolean;
  component: string;
}

/**
 * Reads the journal of `directory` record by record into `apply` (creating an empty journal when
 * there is none). Mid-file damage throws the `corrupt_journal` error of {@link decodeFrames}.
 */
export async function recoverJournal<R extends JournalEntry>(options: RecoverOptions<R>): Promise<RecoveredJournal> {
  const { io, directory, format, fsync, component } = options;
  // A compaction cut short by a crash: its rename never happened, so the journal is still whole.
  await io.remove(join(directory, COMPACT_FILE));
  const path = join(directory, JOURNAL_FILE);
  const bytes = await io.readFile(path);
  if (bytes === undefined || bytes.length < format.magic.length) {
    // A new journal goes through the same temp-file-and-rename as a compaction, so its header is never torn.
    const size = await writeSnapshot(io, directory, format, [], fsync);
    return { file: await installSnapshot(io, directory, fsync), size, records: 0, tornBytes: bytes?.length ?? 0 };
  }
  const decoded = decodeFrames<R>(bytes, path, component, format);
  for (const record of decoded.records) options.apply(record);
  const file = await io.open(path, 'append');
  if (bytes.length > decoded.validLength) {
    try {
      // Cut before appending: new frames after the garbage would make it look like mid-file corruption
      // (and the zeros a crash left past the end are space to reserve again, not data).
      await file.truncate(decoded.validLength);
      await file.datasync();
    } catch (error) {
      await file.close().catch(() => undefined);
      throw error;
    }
  }
  return { file, size: decoded.validLength, records: decoded.records.length, tornBytes: decoded.tornBytes };
}
