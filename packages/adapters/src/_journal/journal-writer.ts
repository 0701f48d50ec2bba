// The journal writer: group commit and compaction, one write at a time.
//
// Records are queued synchronously, in the order the state changed, and written by one loop: every
// record queued while a write + fdatasync runs (or during the event-loop turn before an idle writer
// starts) goes into the next single write and fdatasync, so fifty concurrent callers cost about one
// fsync, not fifty. Records nobody waits for (the queue's acks, retries) do not start a write on their own: they
// ride with the next durable one, or go after a short linger. Every write is fdatasync'd before the
// next starts, which is what lets recovery tell a torn tail from corruption (see frame.ts).
//
// Compaction runs inside the same loop, so no write overlaps it. The state snapshot and the split
// of queued records happen in one synchronous step: records queued before it are reflected in the
// snapshot (and are first written to the old journal, which stays complete if compaction fails);
// records queued after it wait and are appended to the new journal once it is installed.
import { createError, toError } from '@tributary/core/errors';
import { installSnapshot, writeSnapshot } from './compaction.js';
import { encodeFrame, type EncodedEntry, type JournalFormat } from './frame.js';
import type { JournalFile, JournalIo } from './journal-io.js';

/** How long records nobody waits for may sit in memory before they are written anyway. */
const LAZY_FLUSH_MS = 20;

/** Options of {@link createJournalWriter}. */
export interface JournalWriterOptions {
  io: JournalIo;
  directory: string;
  /** The journal's format: compaction writes its magic header. */
  format: JournalFormat;
  /** What errors call the journal's owner, e.g. `'the queue'`: `… the queue stopped (reopen it)`. */
  label: string;
  /** The journal, open for appending, already recovered. */
  file: JournalFile;
  /** Its current length in bytes. */
  size: number;
  /** False: write without fdatasync (tests and benchmarks only). */
  fsync: boolean;
  /** Compact once the journal passes this many bytes (and twice the last snapshot). */
  compactAfterBytes: number;
  /** Encodes the live state as records; called synchronously at the compaction point. */
  snapshot: () => EncodedEntry[];
  /**
   * About how many bytes the snapshot would take, counted without encoding it. When more than half
   * the journal is still live, a compaction would rewrite more than it reclaims, and the snapshot's
   * encoding holds the event loop for all of it (a backlog nobody consumes yet: every message is
   * live): the compaction is put off until the journal has doubled again. The journal then stays
   * under about four times the live state (twice without this). Without it, every compaction runs.
   */
  liveBytes?: () => number;
  /** Errors the writer recovered from (a failed compaction) or that stopped it. */
  onError: (error: Error) => void;
  component: string;
}

/** The journal writer. */
export interface JournalWriter {
  /** Queues records; resolves once they are written and fdatasync'd. */
  append(records: EncodedEntry[]): Promise<void>;
  /** Queues records that may ride with a later write: losing them in a crash is harmless. */
  appendLazy(records: EncodedEntry[]): void;
  /** Resolves once everything queued so far is durable. */
  sync(): Promise<void>;
  /** Writes what is queued, then closes the file. Later calls reject. */
  close(): Promise<void>;
  /** Journal length in bytes, as far as written. */
  readonly size: number;
  /** Compactions completed since open. */
  readonly compactions: number;
  /** Compactions put off since open because most of the journal was live (see `liveBytes`). */
  readonly deferredCompactions: number;
  /** Set once a write failed: the writer takes nothing more. */
  readonly failure: Error | undefined;
}

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

interface Batch {
  records: EncodedEntry[];
  waiters: Waiter[];
}

/** Starts a writer on a recovered journal. */
export function createJournalWriter(options: JournalWriterOptions): JournalWriter {
  const { io, directory, component, label } = options;
  let file = options.file;
  let size = options.size;
  let compactions = 0;
  let deferredCompactions = 0;
  let compactAt = Math.max(options.compactAfterBytes, size * 2);
  let queued: Batch = { records: [], waiters: [] };
  let running = false;
  let scheduled = false;
  let lazyTimer: ReturnType<typeof setTimeout> | undefined;
  let lazyDue = false;
  let closing = false;
  let closed = false;
  let failure: Error | undefined;
  /** Settles when the batch being written is durable; what `sync()` waits for when nothing is queued. */
  let writing: Promise<void> | undefined;
  let drained: Waiter[] = [];

  const take = (): Batch => {
    const batch = queued;
    queued = { records: [], waiters: [] };
    return batch;
  };

  const fail = (error: unknown): Error => {
    if (!failure) {
      failure = createError(component, 'unavailable', `the journal could not be written, ${label} stopped (reopen it): ${toError(error).message}`, { cause: error });
      options.onError(failure);
    }
    return failure;
  };

  const write = async (batch: Batch): Promise<void> => {
    const frame = encodeFrame(batch.records);
    let done!: () => void;
    writing = new Promise<void>((resolve) => (done = resolve));
    try {
      await file.append(frame);
      if (options.fsync) await file.datasync();
      size += frame.length;
      for (const w of batch.waiters) w.resolve();
    } catch (error) {
      const e = fail(error);
      for (const w of batch.waiters) w.reject(e);
    } finally {
      done();
      writing = undefined;
    }
  };

  const compact = async (): Promise<void> => {
    // One synchronous step: what is queued now is already in the state the snapshot encodes.
    const before = take();
    const snapshot = options.snapshot();
    if (before.records.length > 0) await write(before);
    if (failure) return;
    let snapshotSize: number;
    try {
      snapshotSize = await writeSnapshot(io, directory, options.format, snapshot, options.fsync);
    } catch (error) {
      // The old journal is untouched and complete: keep using it, try again once it doubled.
      compactAt = size * 2;
      options.onError(createError(component, 'adapter', `compaction failed, the journal keeps growing: ${toError(error).message}`, { cause: error }));
      return;
    }
    let next: JournalFile;
    try {
      next = await installSnapshot(io, directory, options.fsync);
    } catch (error) {
      // The rename may have happened: appending to the old file could write to an unlinked inode.
      fail(error);
      return;
    }
    await file.close().catch(() => undefined);
    file = next;
    size = snapshotSize;
    compactAt = Math.max(options.compactAfterBytes, size * 2);
    compactions++;
  };

  const loop = async (): Promise<void> => {
    running = true;
    try {
      while (!failure) {
        if (size > compactAt && !closing) {
          if (options.liveBytes && options.liveBytes() * 2 > size) {
            // Mostly live: little to reclaim. Looked at again once the journal has doubled.
            compactAt = size * 2;
            deferredCompactions++;
            continue;
          }
          await compact();
          continue;
        }
        if (queued.records.length === 0) break;
        if (queued.waiters.length === 0 && !lazyDue && !closing) {
          lazyTimer ??= setTimeout(() => {
            lazyTimer = undefined;
            lazyDue = true;
            kick();
          }, LAZY_FLUSH_MS);
          lazyTimer.unref?.();
          break;
        }
        lazyDue = false;
        if (lazyTimer) {
          clearTimeout(lazyTimer);
          lazyTimer = undefined;
        }
        await write(take());
      }
    } finally {
      running = false;
      if (failure) for (const w of take().waiters) w.reject(failure);
      const idle = queued.records.length === 0 || failure;
      if (idle) {
        const waiting = drained;
        drained = [];
        for (const w of waiting) (failure ? w.reject(failure) : w.resolve());
      } else if (queued.waiters.length > 0 || lazyDue || closing) kick();
    }
  };

  const kick = () => {
    if (running || scheduled || failure) return;
    scheduled = true;
    // One event-loop turn: the publishes of everything that already arrived join the first write.
    setImmediate(() => {
      scheduled = false;
      void loop();
    });
  };

  const unavailable = () => failure ?? createError(component, 'unavailable', `${label} was disposed`);

  return {
    append(records) {
      if (failure || closed) return Promise.reject(unavailable());
      return new Promise<void>((resolve, reject) => {
        queued.records.push(...records);
        queued.waiters.push({ resolve, reject });
        kick();
      });
    },
    appendLazy(records) {
      if (failure || closed) return;
      queued.records.push(...records);
      kick();
    },
    sync() {
      if (failure) return Promise.reject(failure);
      if (queued.records.length > 0) {
        return new Promise<void>((resolve, reject) => {
          queued.waiters.push({ resolve, reject });
          kick();
        });
      }
      return writing ? writing.then(() => (failure ? Promise.reject(failure) : undefined)) : Promise.resolve();
    },
    async close() {
      if (closed) return;
      closing = true;
      if (lazyTimer) clearTimeout(lazyTimer);
      lazyTimer = undefined;
      if (queued.records.length > 0 || running || scheduled) {
        await new Promise<void>((resolve) => {
          drained.push({ resolve, reject: () => resolve() });
          kick();
        });
      }
      closed = true;
      await file.close().catch(() => undefined);
    },
    get size() {
      return size;
    },
    get deferredCompactions() {
      return deferredCompactions;
    },
    get compactions() {
      return compactions;
    },
    get failure() {
      return failure;
    },
  };
}
