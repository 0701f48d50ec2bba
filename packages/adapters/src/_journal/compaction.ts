// Compaction: the live state is written as a new journal beside the old one, made durable, and
// renamed over it. A crash at any point leaves either the old journal or the new one whole, never a
// mix: the temp file is only renamed once its data is fdatasync'd, and the directory is fsync'd after
// the rename so the new name survives a power loss too. A temp file left by a crash is simply deleted
// at the next open (the rename never happened, so the old journal is still the truth).
import { join } from 'node:path';
import { encodeFrame, type EncodedEntry, type JournalFormat } from './frame.js';
import type { JournalFile, JournalIo } from './journal-io.js';

/** Name of the journal inside its directory. */
export const JOURNAL_FILE = 'journal.log';
/** Name of the journal being written by a compaction (or by the creation of a first journal). */
export const COMPACT_FILE = 'journal.compact.tmp';
/** Largest frame a snapshot is cut into: bounds the memory a reader needs per frame. */
const SNAPSHOT_FRAME_BYTES = 4 * 1024 * 1024;

/** Writes `records` as a complete journal of `format` in the temp file; returns its size. Nothing is replaced yet. */
export async function writeSnapshot(io: JournalIo, directory: string, format: JournalFormat, records: EncodedEntry[], fsync: boolean): Promise<number> {
  const tmp = join(directory, COMPACT_FILE);
  const file = await io.open(tmp, 'create');
  let size = format.magic.length;
  try {
    const frames: Buffer[] = [format.magic];
    let chunk: EncodedEntry[] = [];
    let chunkBytes = 0;
    const cut = () => {
      if (chunk.length === 0) return;
      const frame = encodeFrame(chunk);
      frames.push(frame);
      size += frame.length;
      chunk = [];
      chunkBytes = 0;
    };
    for (const r of records) {
      if (chunkBytes + r.length > SNAPSHOT_FRAME_BYTES) cut();
      chunk.push(r);
      chunkBytes += r.length;
    }
    cut();
    await file.append(Buffer.concat(frames));
    if (fsync) await file.datasync();
  } finally {
    await file.close();
  }
  return size;
}

/** Renames the temp file over the journal, makes the rename durable, and opens the result for appending. */
export async function installSnapshot(io: JournalIo, directory: string, fsync: boolean): Promise<JournalFile> {
  await io.rename(join(directory, COMPACT_FILE), join(directory, JOURNAL_FILE));
  if (fsync) await io.syncDirectory(directory);
  return io.open(join(directory, JOURNAL_FILE), 'append');
}
