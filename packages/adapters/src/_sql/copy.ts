/**
 * COPY's binary format for rows of text columns. Every field goes as its UTF-8 bytes behind a length,
 * so the server neither unescapes nor parses anything while loading (the text format makes it scan
 * every byte for escapes; a JSON batch makes it parse the whole document, bodies included). Casts
 * to timestamptz, numeric and jsonb then happen once, in the statement that reads the staged rows.
 *
 * Format: https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.4
 */

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/** Builds one COPY binary payload, growing its buffer as rows are added. */
export class BinaryCopyWriter {
  private buffer: Buffer;
  private offset = 0;

  constructor(
    private readonly columns: number,
    /** A first guess of the payload size, in bytes. */
    initialBytes = 64 * 1024,
  ) {
    this.buffer = Buffer.allocUnsafe(Math.max(initialBytes, 64));
    SIGNATURE.copy(this.buffer, 0);
    this.buffer.writeInt32BE(0, 11); // flags: no OIDs
    this.buffer.writeInt32BE(0, 15); // header extension length
    this.offset = 19;
  }

  private reserve(bytes: number): void {
    if (this.offset + bytes <= this.buffer.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.offset + bytes));
    this.buffer.copy(next, 0, 0, this.offset);
    this.buffer = next;
  }

  /**
   * Appends one row; `values.length` must equal the column count. A string goes to a text column, a
   * {@link PgTimestamp} to a timestamptz column.
   */
  row(values: readonly (string | PgTimestamp | null)[]): void {
    if (values.length !== this.columns) throw new Error(`COPY row has ${values.length} fields, expected ${this.columns}`);
    this.reserve(2);
    this.offset = this.buffer.writeInt16BE(this.columns, this.offset);
    for (const value of values) {
      if (value === null) {
        this.reserve(4);
        this.offset = this.buffer.writeInt32BE(-1, this.offset);
        continue;
      }
      if (typeof value !== 'string') {
        // int64 microseconds since 2000-01-01, as two 32-bit halves (exact below 2^53).
        this.reserve(12);
        const high = Math.floor(value.micros / 4294967296);
        this.offset = this.buffer.writeInt32BE(8, this.offset);
        this.offset = this.buffer.writeInt32BE(high, this.offset);
        this.offset = this.buffer.writeUInt32BE(value.micros - high * 4294967296, this.offset);
        continue;
      }
      // At most 3 bytes per UTF-16 unit in UTF-8; the exact length is written once known.
      this.reserve(4 + value.length * 3);
      const written = this.buffer.write(value, this.offset + 4, 'utf8');
      this.buffer.writeInt32BE(written, this.offset);
      this.offset += 4 + written;
    }
  }

  /** The finished payload (the writer must not be used afterwards). */
  finish(): Buffer {
    this.reserve(2);
    this.offset = this.buffer.writeInt16BE(-1, this.offset);
    return this.buffer.subarray(0, this.offset);
  }
}

/** A timestamptz in PostgreSQL's binary form. */
export interface PgTimestamp {
  /** Microseconds since 2000-01-01T00:00:00Z. */
  micros: number;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(?:Z|([+-])(\d{2}):(\d{2}))$/;
const PG_EPOCH_MS = Date.UTC(2000, 0, 1);

/**
 * The exact timestamptz of an ISO 8601 instant, or null when this parser cannot be sure it reads it as
 * PostgreSQL would (more than 6 fractional digits, which PostgreSQL rounds; out-of-range fields, which
 * it rejects or carries; years before 1900 or after 2200): the caller then lets the server cast the text.
 */
export function pgTimestamp(iso: string): PgTimestamp | null {
  const m = ISO.exec(iso);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  if (year < 1900 || year > 2200 || hour > 23 || minute > 59 || second > 59) return null;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const date = new Date(ms);
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  let offsetMinutes = 0;
  if (m[8] !== undefined) {
    const oh = Number(m[9]);
    const om = Number(m[10]);
    if (oh > 15 || om > 59) return null;
    offsetMinutes = (m[8] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const fraction = m[7] === undefined ? 0 : Number(m[7].padEnd(6, '0'));
  return { micros: (ms - offsetMinutes * 60_000 - PG_EPOCH_MS) * 1000 + fraction };
}
