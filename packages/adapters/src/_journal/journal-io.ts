// The file system calls the journal makes, behind one small interface: the adapters use Node's
// promise API for everything that may wait on the disk (fdatasync, large writes, opens), so the
// event loop never does, and tests wrap it to count fdatasyncs or to fail a call on purpose.
import { writeSync } from 'node:fs';
import { mkdir, open, readFile, rename, unlink, type FileHandle } from 'node:fs/promises';

/**
 * Appends up to this size are written synchronously. A small write() only copies into the page
 * cache (microseconds), while its trip through libuv's thread pool cost about a millisecond under
 * load (bench/README.md, "Ingest"): on a busy machine the pool's thread waits for a core, and every
 * group commit waited with it. Larger writes (compaction snapshots) still go through the pool.
 */
const SYNC_APPEND_MAX_BYTES = 256 * 1024;

/** An open journal file. */
export interface JournalFile {
  /** Writes all of `bytes` at the end of the file (it is opened for appending). */
  append(bytes: Buffer): Promise<void>;
  /** Flushes the file's data to the disk (fdatasync). */
  datasync(): Promise<void>;
  /** Cuts the file to `length` bytes. */
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

/** What a journal (the file queue's, the file dedup store's) needs from the file system. */
export interface JournalIo {
  mkdir(path: string): Promise<void>;
  /** The whole file, or undefined when it does not exist. */
  readFile(path: string): Promise<Buffer | undefined>;
  /** Opens for appending; `create` truncates or creates it (`w`) instead. */
  open(path: string, mode: 'append' | 'create'): Promise<JournalFile>;
  rename(from: string, to: string): Promise<void>;
  /** Removes a file; no error when it is already gone. */
  remove(path: string): Promise<void>;
  /** Makes a directory's entries durable (after a create or rename in it). */
  syncDirectory(path: string): Promise<void>;
}

function wrap(handle: FileHandle): JournalFile {
  return {
    async append(bytes) {
      // write() may write less than asked (a signal, a full pipe on odd file systems): loop.
      let offset = 0;
      if (bytes.length <= SYNC_APPEND_MAX_BYTES) {
        while (offset < bytes.length) offset += writeSync(handle.fd, bytes, offset, bytes.length - offset);
        return;
      }
      while (offset < bytes.length) {
        const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
        offset += bytesWritten;
      }
    },
    datasync: () => handle.datasync(),
    truncate: (length) => handle.truncate(length),
    close: () => handle.close(),
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
    return wrap(await open(path, mode === 'append' ? 'a' : 'w', FILE_MODE));
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
