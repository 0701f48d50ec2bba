import { createError } from '@tributary/core/errors';
import type { ByteSource } from './bytes.js';
import { CsvRecordParser, CsvSyntaxError } from './csv-record.js';
import { readLines, type ReadLinesOptions } from './lines.js';

/** Options of {@link readCsv}. */
export interface ReadCsvOptions extends ReadLinesOptions {
  /**
   * `true`: the first record is the header row. An array: the column names (the file has no header
   * row, or reading resumes after it).
   * @default true
   */
  header?: true | readonly string[];
  /** @default ',' */
  delimiter?: string;
  /** Longest record (it may span lines inside quotes); a longer one is reported and skipped. @default 4194304 (4 MiB) */
  maxRecordBytes?: number;
}

/** Where an entry ends: resume a read here (`startOffset: end, startLine: nextLine`). */
interface Position {
  /** 1-based line the entry starts on. */
  line: number;
  /** Byte offset just past the entry. */
  end: number;
  /** Lines consumed up to `end`. */
  nextLine: number;
}

/** What {@link readCsv} yields: the header, a row, or a bad record (reported and skipped). */
export type CsvEntry =
  | (Position & { kind: 'header'; columns: string[] })
  | (Position & { kind: 'row'; row: Record<string, string> })
  | (Position & { kind: 'error'; message: string });

/**
 * Streams a CSV file (RFC 4180: quotes, `""`, line breaks inside quoted fields, CRLF, a UTF-8 BOM)
 * as objects keyed by the header, in bounded memory. A bad record — a syntax error, a field count
 * that differs from the header, invalid UTF-8, an over-long record — is yielded as an error with its
 * line number, and reading goes on with the next record. Blank lines are skipped.
 * @throws TributaryError `validation` when the header itself is unusable (empty or repeated column names)
 * @example
 * ```ts
 * for await (const entry of readCsv('reviews.csv')) if (entry.kind === 'row') console.log(entry.line, entry.row.text);
 * ```
 */
export async function* readCsv(source: ByteSource, options: ReadCsvOptions = {}): AsyncGenerator<CsvEntry> {
  const parser = new CsvRecordParser(options.delimiter ?? ',');
  const maxRecordBytes = options.maxRecordBytes ?? 4 * 1024 * 1024;
  let columns = options.header === undefined || options.header === true ? null : checkColumns([...options.header]);
  let recordLine = 0;
  let recordBytes = 0;
  let lastEnd = options.startOffset ?? 0;
  let lastLine = options.startLine ?? 0;

  for await (const line of readLines(source, options)) {
    lastEnd = line.end;
    lastLine = line.line;
    const at = { end: line.end, nextLine: line.line };
    if (!parser.pending) {
      recordLine = line.line;
      recordBytes = 0;
    }
    if (line.error !== undefined) {
      parser.reset();
      yield { kind: 'error', line: recordLine, ...at, message: line.error };
      continue;
    }
    if (!parser.pending && (line.text === '' || line.text === '\r')) continue;
    recordBytes += line.end - line.start;
    let fields: string[] | null;
    try {
      fields = parser.feed(line.text);
    } catch (error) {
      if (!(error instanceof CsvSyntaxError)) throw error;
      yield { kind: 'error', line: recordLine, ...at, message: error.message };
      continue;
    }
    if (fields === null) {
      if (recordBytes > maxRecordBytes) {
        parser.reset();
        yield { kind: 'error', line: recordLine, ...at, message: `record is longer than ${maxRecordBytes} bytes (an unterminated quote?)` };
      }
      continue;
    }
    if (columns === null) {
      columns = checkColumns(fields);
      yield { kind: 'header', line: recordLine, ...at, columns };
      continue;
    }
    if (fields.length !== columns.length) {
      yield { kind: 'error', line: recordLine, ...at, message: `${fields.length} fields where the header has ${columns.length}` };
      continue;
    }
    const row: Record<string, string> = {};
    for (let i = 0; i < columns.length; i++) row[columns[i]!] = fields[i]!;
    yield { kind: 'row', line: recordLine, ...at, row };
  }
  if (parser.pending) {
    parser.reset();
    yield { kind: 'error', line: recordLine, end: lastEnd, nextLine: lastLine, message: 'unterminated quoted field at the end of the file' };
  }
}

function checkColumns(columns: string[]): string[] {
  const names = columns.map((c) => c.trim());
  names.forEach((name, i) => {
    if (name === '') throw headerError(`column ${i + 1} has no name`);
    if (names.indexOf(name) !== i) throw headerError(`column ${JSON.stringify(name)} appears twice`);
  });
  return names;
}

function headerError(message: string) {
  return createError('csv', 'validation', `CSV header: ${message}`, { issues: [{ path: 'header', message }] });
}
