import { byteChunks, type ByteSource } from './bytes.js';

/** Options of {@link readLines}. */
export interface ReadLinesOptions {
  /** Byte offset to start at (a checkpoint's `offset`). @default 0 */
  startOffset?: number;
  /** Lines before `startOffset`, so line numbers stay those of the whole file. @default 0 */
  startLine?: number;
  /** Longest line kept; a longer one is reported as an error and skipped, in bounded memory. @default 1048576 (1 MiB) */
  maxLineBytes?: number;
  signal?: AbortSignal;
}

/** One physical line: its 1-based number, its bytes `[start, end)` (end is past its `\n`), and its text or why it has none. */
export type Line = { line: number; start: number; end: number } & ({ text: string; error?: undefined } | { text?: undefined; error: string });

const NEWLINE = 0x0a;
const BOM = [0xef, 0xbb, 0xbf];
const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

/**
 * Splits a byte source into lines in bounded memory: only the current chunk and the unfinished line
 * are held. Offsets are exact byte positions, so a checkpoint can resume at any line end. The text
 * excludes the `\n` but keeps a `\r` (CSV must see it inside quoted fields); a UTF-8 BOM at the start
 * of the file is dropped. Invalid UTF-8 and over-long lines are reported, never fatal.
 */
export async function* readLines(source: ByteSource, options: ReadLinesOptions = {}): AsyncGenerator<Line> {
  const max = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let lineNo = options.startLine ?? 0;
  let lineStart = options.startOffset ?? 0;
  /** Pieces of the unfinished line (copied: chunks may be reused by their producer). */
  let pieces: Uint8Array[] = [];
  /** Bytes of the unfinished line, counted even once they are no longer kept. */
  let lineBytes = 0;

  const finish = (last: Uint8Array, terminated: boolean): Line => {
    lineNo++;
    const start = lineStart;
    lineBytes += last.byteLength;
    const end = start + lineBytes + (terminated ? 1 : 0);
    const tooLong = lineBytes > max;
    const bytes = tooLong ? null : pieces.length === 0 ? last : concat([...pieces, last], lineBytes);
    pieces = [];
    lineBytes = 0;
    lineStart = end;
    if (!bytes) return { line: lineNo, start, end, error: `line is longer than ${max} bytes` };
    const body = start === 0 && BOM.every((b, i) => bytes[i] === b) ? bytes.subarray(3) : bytes;
    try {
      return { line: lineNo, start, end, text: decoder.decode(body) };
    } catch {
      return { line: lineNo, start, end, error: 'invalid UTF-8' };
    }
  };

  for await (const chunk of byteChunks(source, options.startOffset ?? 0, options.signal)) {
    let pos = 0;
    for (let nl = chunk.indexOf(NEWLINE, pos); nl !== -1; nl = chunk.indexOf(NEWLINE, pos)) {
      yield finish(chunk.subarray(pos, nl), true);
      pos = nl + 1;
    }
    if (pos < chunk.byteLength) {
      const rest = chunk.subarray(pos);
      // Past the limit the line's bytes are only counted, so one huge line costs no memory.
      if (lineBytes + rest.byteLength <= max) pieces.push(rest.slice());
      else pieces = [];
      lineBytes += rest.byteLength;
    }
  }
  if (lineBytes > 0 || pieces.length > 0) {
    const tail = pieces.length ? concat(pieces, pieces.reduce((n, p) => n + p.byteLength, 0)) : new Uint8Array(0);
    pieces = [];
    lineBytes -= tail.byteLength;
    yield finish(tail, false);
  }
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}
