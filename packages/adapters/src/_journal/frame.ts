// The journal's bytes: how records are framed, and how a file is read back. What a record says is
// up to each journal's user (the file queue, the file dedup store); this only knows that it is JSON
// with a type tag `t`, optionally with a payload kept as raw JSON text beside it.
//
// A journal file is an 8-byte magic header (which journal it is, and its version) followed by
// frames. One frame is one `write()` of the writer: a group commit's records together, behind a
// 12-byte header:
//
//   u32 LE body length | u32 LE CRC-32 of those 4 length bytes | u32 LE CRC-32 of the body | body
//
// and the body is the records one after another, each `u32 meta length | u32 payload length
// (0xffffffff: none) | meta JSON | payload JSON`. Framing a whole write rather than each record is
// what makes a crash decidable: the writer never starts a write before the previous one was
// fdatasync'd, so the only write a crash can tear is the last, and it can only leave garbage at the
// end of the file, never valid data after garbage. A bad frame followed by nothing valid is therefore
// a torn tail (its fsync never completed, so no caller was told it was durable) and is cut off; a bad
// frame followed by a valid one is real corruption and is reported. The length has its own CRC so a
// flipped length byte is recognised instead of swallowing the rest of the file; records inside a
// frame carry no CRC of their own, so the search for a valid frame after a bad one cannot be fooled
// by a record of the torn write. While a journal is open its file may run on past the last frame in
// zeros (space the appender writes ahead, see journal-io.ts); a crash leaves them there, and a
// reader takes them for the unused end they are, never for a torn write.
import { crc32 } from 'node:zlib';
import { createError } from '@tributary/core/errors';

const FRAME_HEADER = 12;
const RECORD_HEADER = 8;
const NO_PAYLOAD = 0xffffffff;

/** The `context.reason` of the error thrown for a journal damaged before its end. */
export const CORRUPT_JOURNAL = 'corrupt_journal';

/**
 * What every journal record is: JSON with a type tag. `payload`, when present, is JSON text stored
 * beside the rest rather than inside it, so it is neither escaped on write nor parsed on recovery.
 */
export interface JournalEntry {
  t: string;
  payload?: string;
}

/** Which kind of journal a file is. */
export interface JournalFormat {
  /** First bytes of every file of this kind: the format and its version. Exactly 8 bytes. */
  magic: Buffer;
  /** What errors call a file of this kind, e.g. `'file queue journal'`. */
  name: string;
}

/**
 * One record ready to be framed: its two texts and their sizes. The bytes are written once, straight
 * into the frame ({@link encodeFrame}): a buffer per record, copied into the frame afterwards, cost
 * more than the rest of a publish's journal work.
 */
export class EncodedEntry {
  /** Bytes this record takes in a frame. */
  readonly length: number;

  constructor(
    readonly meta: string,
    readonly metaBytes: number,
    readonly payload: string | undefined,
    readonly payloadBytes: number,
  ) {
    this.length = RECORD_HEADER + metaBytes + payloadBytes;
  }
}

/** Encodes one record (without framing). */
export function encodeEntry(record: JournalEntry): EncodedEntry {
  if (record.payload === undefined) {
    // Nothing to set apart (JSON leaves an undefined field out): no copy of the record to make.
    const text = JSON.stringify(record);
    return new EncodedEntry(text, Buffer.byteLength(text), undefined, 0);
  }
  const { payload, ...meta } = record as JournalEntry & { payload: string };
  const metaText = JSON.stringify(meta);
  return new EncodedEntry(metaText, Buffer.byteLength(metaText), payload, Buffer.byteLength(payload));
}

/** Frames encoded records into one unit the reader accepts or rejects whole. */
export function encodeFrame(records: readonly EncodedEntry[]): Buffer {
  let bodyLength = 0;
  for (const r of records) bodyLength += r.length;
  const frame = Buffer.allocUnsafe(FRAME_HEADER + bodyLength);
  frame.writeUInt32LE(bodyLength, 0);
  frame.writeUInt32LE(crc32(frame.subarray(0, 4)), 4);
  let offset = FRAME_HEADER;
  for (const r of records) {
    frame.writeUInt32LE(r.metaBytes, offset);
    frame.writeUInt32LE(r.payload === undefined ? NO_PAYLOAD : r.payloadBytes, offset + 4);
    offset += RECORD_HEADER;
    offset += frame.write(r.meta, offset, r.metaBytes, 'utf8');
    if (r.payload !== undefined) offset += frame.write(r.payload, offset, r.payloadBytes, 'utf8');
  }
  frame.writeUInt32LE(crc32(frame.subarray(FRAME_HEADER)), 8);
  return frame;
}

/** What a journal file holds. */
export interface DecodedJournal<R extends JournalEntry = JournalEntry> {
  records: R[];
  /** Bytes up to the end of the last valid frame: where appending continues (anything after it is cut off). */
  validLength: number;
  /**
   * Bytes of a torn tail after `validLength` (0 when the file ended cleanly). Zeros at the very end
   * (space the appender wrote ahead, left by a crash) are not counted: they never held data.
   */
  tornBytes: number;
}

/** The index after the last byte at or past `from` that is not zero (`from` when all are). */
function endOfData(bytes: Buffer, from: number): number {
  let end = bytes.length;
  while (end > from && bytes[end - 1] === 0) end--;
  return end;
}

/** True when a whole, valid frame starts at `offset`. */
function frameAt(bytes: Buffer, offset: number): number | undefined {
  if (offset + FRAME_HEADER > bytes.length) return undefined;
  const length = bytes.readUInt32LE(offset);
  if (crc32(bytes.subarray(offset, offset + 4)) !== bytes.readUInt32LE(offset + 4)) return undefined;
  const end = offset + FRAME_HEADER + length;
  if (end > bytes.length) return undefined;
  if (crc32(bytes.subarray(offset + FRAME_HEADER, end)) !== bytes.readUInt32LE(offset + 8)) return undefined;
  return end;
}

/**
 * Reads a journal file of the given format. A damaged end (a write torn by a crash) is reported in
 * `tornBytes` for the caller to cut off; damage with valid data after it throws an `adapter` error
 * whose `context.reason` is {@link CORRUPT_JOURNAL}: silently dropping acknowledged records is never
 * an option. Records are checked to be objects with a string `t`, nothing more: their meaning is
 * the caller's.
 */
export function decodeFrames<R extends JournalEntry>(bytes: Buffer, file: string, component: string, format: JournalFormat): DecodedJournal<R> {
  // A file shorter than the header is one whose creation was cut short: it never held a record.
  if (bytes.length < format.magic.length) return { records: [], validLength: 0, tornBytes: bytes.length };
  if (!bytes.subarray(0, format.magic.length).equals(format.magic)) {
    throw createError(component, 'adapter', `${file} is not a ${format.name} (unknown header)`, { context: { reason: CORRUPT_JOURNAL, file, offset: 0 } });
  }
  const records: R[] = [];
  let offset = format.magic.length;
  while (offset < bytes.length) {
    const end = frameAt(bytes, offset);
    if (end === undefined) {
      // Zeros at the end are space written ahead by the appender (journal-io.ts), not data: no valid
      // frame header is all zeros, so the search for one stops at the last byte that is not.
      const dataEnd = endOfData(bytes, offset);
      for (let probe = offset + 1; probe < dataEnd && probe + FRAME_HEADER <= bytes.length; probe++) {
        if (frameAt(bytes, probe) !== undefined) {
          throw createError(component, 'adapter', `${file} is corrupt at byte ${offset}: a damaged frame is followed by valid ones, so records that were acknowledged as durable would be lost; restore the directory from a backup or move the journal away`, {
            context: { reason: CORRUPT_JOURNAL, file, offset },
          });
        }
      }
      return { records, validLength: offset, tornBytes: dataEnd - offset };
    }
    decodeBody(bytes, offset + FRAME_HEADER, end, records, file, component);
    offset = end;
  }
  return { records, validLength: offset, tornBytes: 0 };
}

function decodeBody<R extends JournalEntry>(bytes: Buffer, start: number, end: number, into: R[], file: string, component: string): void {
  let offset = start;
  while (offset < end) {
    // The frame's CRC matched, so a record that does not parse was written that way: a bug, not a crash.
    const fail = (why: string) =>
      createError(component, 'adapter', `${file} holds an unreadable record at byte ${offset}: ${why}`, { context: { reason: CORRUPT_JOURNAL, file, offset } });
    if (offset + RECORD_HEADER > end) throw fail('truncated record header');
    const metaLength = bytes.readUInt32LE(offset);
    const payloadField = bytes.readUInt32LE(offset + 4);
    const payloadLength = payloadField === NO_PAYLOAD ? 0 : payloadField;
    const metaStart = offset + RECORD_HEADER;
    const payloadStart = metaStart + metaLength;
    if (payloadStart + payloadLength > end) throw fail('record longer than its frame');
    let record: R;
    try {
      record = JSON.parse(bytes.toString('utf8', metaStart, payloadStart)) as R;
    } catch (error) {
      throw fail(`bad JSON (${(error as Error).message})`);
    }
    if (typeof record !== 'object' || record === null || typeof record.t !== 'string') throw fail('not a record');
    if (payloadField !== NO_PAYLOAD) record.payload = bytes.toString('utf8', payloadStart, payloadStart + payloadLength);
    into.push(record);
    offset = payloadStart + payloadLength;
  }
}
