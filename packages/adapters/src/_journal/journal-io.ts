// The file system calls the journal makes, behind one small interface: the adapters use Node's
// promise API for everything that may wait on the disk (fdatasync, large writes, opens), so the
// event loop never does, and tests wrap it to count fdatasyncs or to fail a call on purpose.
import { constants, writeSync } from 'node:fs';
import { mkdir, open, readFile, rename, unlink, type FileHandle } from 'node:fs/promises';

/**
 * Appends up to this size are written synchronously. A small write() only copies into the page
 * cache (microseconds), while its trip through libuv's thread pool cost about a millisecond under
 * load (bench/README.md, "Ingest"): on a busy machine the pool's thread waits for a core, and every
 * group commit waited with it. Larger writes (compaction snapshots) still go through the pool.
 */
const SYNC_APPEND_MAX_BYTES = 256 * 1024;

/**
 * How far ahead of its end a journal open for appending is filled with zeros. A frame then lands in
 * blocks the file already has, so its fdatasync only writes data: an append that grows the file
 * also has the file system commit its own journal (the new size and blocks) on every fdatasync: in
 * a micro-benchmark under CPU load, write + fdatasync took 0.37 ms appending and 0.20 ms into space
 * written ahead (bench/README.md, "Ingest"). Readers take the zeros for the unused end they are
 * (see frame.ts), and a clean close cuts them off.
 */
const PREALLOCATE_BYTES = 1024 * 1024;
let zeros: Buffer | undefined;

/** An open journal file. */
export interface JournalFile {
  /** Writes all of `bytes` at the end of the journal (opened for appending, that is after its last byte). */
  append(bytes: Buffer): Promise<void>;
  /** Flushes the file's data to the disk (fdatasync). */
  datasync(): Promise<void>;
  /** Cuts the file to `length` bytes: the next append goes there. */
  truncate(length: number): Promise<void>;
  /** Closes the file, cutting off any space it had reserved past the last append. */
  close(): Promise<void>;
}

/** What a journal (the file queue's, the file dedup store's) needs from the file system. */
export interface JournalIo {
  mkdir(path: string): Promise<void>;
  /** The whole file, or undefined when it does not exist. */
  readFile(path: string): Promise<Buffer | undefined>;
  /**
   * Opens for appending after the file's last byte; `create` truncates or creates it (`w`) instead.
   * An appending file may reserve space past what it wrote (zeros), until it is closed.
   */
  open(path: string, mode: 'append' | 'create'): Promise<JournalFile>;
  rename(from: string, to: string): Promise<void>;
  /** Removes a file; no error when it is already gone. */
  remove(path: string): Promise<void>;
  /** Makes a directory's entries durable (after a create or rename in it). */
  syncDirectory(path: string): Promise<void>;
}

/** Writes all of `bytes` at `position` (write() may write less than asked: a signal, an odd file system). */
async function writeAt(handle: FileHandle, bytes: Buffer, position: number): Promise<void> {
  let offset = 0;
  if (bytes.length <= SYNC_APPEND_MAX_BYTES) {
    while (offset < bytes.length) offset += writeSync(handle.fd, bytes, offset, bytes.length - offset, position + offset);
    return;
  }
  while (offset < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset, position + offset);
    offset += bytesWritten;
  }
}

/**
 * A journal file written at its logical end, `end`. With `preallocate`, the bytes from `end` to
 * `allocated` are zeros written ahead (see {@link PREALLOCATE_BYTES}).
 */
function wrap(handle: FileHandle, size: number, preallocate: boolean): JournalFile {
  let end = size;
  let allocated = size;
  const extend = async (needed: number) => {
    zeros ??= Buffer.alloc(PREALLOCATE_BYTES);
    const target = needed + PREALLOCATE_BYTES;
    while (allocated < target) {
      const chunk = Math.min(zeros.length, target - allocated);
      await writeAt(handle, zeros.subarray(0, chunk), allocated);
      allocated += chunk;
    }
  };
  return {
    async append(bytes) {
      if (preallocate && end + bytes.length > allocated) await extend(end + bytes.length);
      await writeAt(handle, bytes, end);
      end += bytes.length;
      if (end > allocated) allocated = end;
    },
    datasync: () => handle.datasync(),
    async truncate(length) {
      await handle.truncate(length);
      end = length;
      allocated = length;
    },
    async close() {
      // A cleanly closed journal ends at its last frame: the zeros written ahead are cut off.
      if (allocated > end) await handle.truncate(end).catch(() => undefined);
      await handle.close();
    },
  };
}

// Journals hold message payloads and delivery records, which are the users' data: readable by the
// owner only, whatever the umask (the directory too, for a journal placed outside a private one).
const DIRECTORY_MODE = 0o700;
const FILE_MODE = 0o600;

/** The real file system, through `node:fs/promises`. */
export const nodeJournalIo: JournalIo = {
  async mkdir(path) {
    await mkdir(path, { recursive: true, mode: DIRECTORY_MODE });
  },
  async readFile(path) {
    try {
      return await readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  },
  async open(path, mode) {
    if (mode === 'create') return wrap(await open(path, 'w', FILE_MODE), 0, false);
    // Not O_APPEND: frames are written at the journal's logical end, which the zeros written ahead
    // (or left by a crash) lie beyond.
    const handle = await open(path, constants.O_WRONLY | constants.O_CREAT, FILE_MODE);
    try {
      return wrap(handle, (await handle.stat()).size, true);
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
  },
  rename: (from, to) => rename(from, to),
  async remove(path) {
    try {
      await unlink(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  },
  async syncDirectory(path) {
    const handle = await open(path, 'r');
    try {
      await handle.sync();
    } catch (error) {
      // Some file systems refuse fsync on a directory (EINVAL/EISDIR); their renames are as durable as they get.
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EPERM') throw error;
    } finally {
      await handle.close();
    }
  },
};
