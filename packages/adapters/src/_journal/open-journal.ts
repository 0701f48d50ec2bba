// Opening a journal directory for its one owner (the file queue, the file dedup store): create the
// directory, take its lock, read the journal back into the owner's state and start the writer; and
// the lazy, retried open both owners need (no I/O until the first call, and a failed open is tried
// again by the next call, when the lock may be free).
import { createError, isTributaryError, toError } from '@tributary/core/errors';
import type { EncodedEntry, JournalEntry, JournalFormat } from './frame.js';
import type { JournalIo } from './journal-io.js';
import { createJournalWriter, type JournalWriter } from './journal-writer.js';
import { lockDirectory, type DirectoryLock } from './lock.js';
import { recoverJournal } from './recovery.js';

/** What {@link openJournal} needs. */
export interface OpenJournalOptions<R extends JournalEntry> {
  io: JournalIo;
  directory: string;
  format: JournalFormat;
  /** How the owner is named in errors: "the queue" (writer), "file queue" (lock). */
  writerLabel: string;
  lockLabel: string;
  component: string;
  fsync: boolean;
  compactAfterBytes: number;
  onError: (error: Error) => void;
  /** Called with every record read back, in journal order. */
  apply: (record: R) => void;
  /** Encodes the live state as records, at the compaction point. */
  snapshot: () => EncodedEntry[];
  /** About how many bytes {@link snapshot} would write, without encoding it (see the writer's `liveBytes`). */
  liveBytes?: () => number;
}

/** An open journal directory. */
export interface OpenedJournal {
  writer: JournalWriter;
  lock: DirectoryLock;
  /** Records read back at the open. */
  recoveredRecords: number;
  /** Bytes of a torn tail cut off at the open. */
  tornBytesCut: number;
}

/**
 * Opens `directory`: creates it, locks it, recovers its journal through `apply`, starts the writer.
 * The lock is given back when anything after it fails.
 * @throws `unavailable` when the directory cannot be created or the journal read; the lock's
 * `conflict` and recovery's `corrupt_journal` errors as they are
 */
export async function openJournal<R extends JournalEntry>(o: OpenJournalOptions<R>): Promise<OpenedJournal> {
  try {
    await o.io.mkdir(o.directory);
  } catch (error) {
    throw createError(o.component, 'unavailable', `could not create ${o.directory}: ${toError(error).message}`, { cause: error });
  }
  const lock = await lockDirectory(o.directory, o.component, o.lockLabel);
  try {
    const recovered = await recoverJournal<R>({ io: o.io, directory: o.directory, format: o.format, apply: o.apply, fsync: o.fsync, component: o.component });
    const writer = createJournalWriter({
      io: o.io,
      directory: o.directory,
      format: o.format,
      label: o.writerLabel,
      file: recovered.file,
      size: recovered.size,
      fsync: o.fsync,
      compactAfterBytes: o.compactAfterBytes,
      snapshot: o.snapshot,
      ...(o.liveBytes ? { liveBytes: o.liveBytes } : {}),
      onError: o.onError,
      component: o.component,
    });
    return { writer, lock, recoveredRecords: recovered.records, tornBytesCut: recovered.tornBytes };
  } catch (error) {
    await lock.release();
    if (isTributaryError(error)) throw error;
    throw createError(o.component, 'unavailable', `could not open the journal in ${o.directory}: ${toError(error).message}`, { cause: error });
  }
}

/** An open on first use, shared by every caller. */
export interface LazyOpen<T> {
  /** The opened value; opens on the first call, and again after an open that failed. */
  ready(): Promise<T>;
  /** The value once opened, or undefined. */
  readonly current: T | undefined;
  /** The open in progress or done, if any (for a dispose that must wait for it). */
  readonly pending: Promise<T> | undefined;
}

/** Wraps `open` so that it runs at the first `ready()`, once, and again only after a failure. */
export function lazyOpen<T>(open: () => Promise<T>): LazyOpen<T> {
  let opening: Promise<T> | undefined;
  let current: T | undefined;
  return {
    ready() {
      if (!opening) {
        const attempt = open();
        opening = attempt;
        attempt.then(
          (value) => {
            current = value;
          },
          () => {
            if (opening === attempt) opening = undefined;
          },
        );
      }
      return opening;
    },
    get current() {
      return current;
    },
    get pending() {
      return opening;
    },
  };
}
