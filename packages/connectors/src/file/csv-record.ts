/** A CSV syntax error in one record. */
export class CsvSyntaxError extends Error {
  override readonly name = 'CsvSyntaxError';
}

/**
 * Assembles RFC 4180 records from physical lines: fields separated by the delimiter, quoted fields
 * with `""` for a quote and line breaks inside (a record may span lines), CRLF or LF endings.
 * Lenient where files in the wild are: a quote inside an unquoted field is kept as text. Strict where
 * guessing would corrupt data: text after a closing quote is an error.
 */
export class CsvRecordParser {
  private fields: string[] = [];
  private field = '';
  private inQuotes = false;
  /** The current field was quoted and its closing quote has been read. */
  private closed = false;
  private open = false;

  constructor(
    private readonly delimiter = ',',
    private readonly quote = '"',
  ) {}

  /** True while a record started on an earlier line is unfinished (inside a quoted field). */
  get pending(): boolean {
    return this.open;
  }

  /** Drops an unfinished record (after an error). */
  reset(): void {
    this.fields = [];
    this.field = '';
    this.inQuotes = false;
    this.closed = false;
    this.open = false;
  }

  /**
   * Feeds one physical line (without its `\n`). Returns the record's fields once it is complete, or
   * null when a quoted field continues on the next line.
   * @throws CsvSyntaxError (the record is dropped; the next line starts a new one)
   */
  feed(text: string): string[] | null {
    const { delimiter, quote } = this;
    // Most lines of most files hold no quote at all.
    if (!this.open && !text.includes(quote)) return (text.endsWith('\r') ? text.slice(0, -1) : text).split(delimiter);
    this.open = true;
    const n = text.length;
    let i = 0;
    while (i < n) {
      if (this.inQuotes) {
        const q = text.indexOf(quote, i);
        if (q === -1) {
          this.field += text.slice(i);
          i = n;
        } else if (text[q + 1] === quote) {
          this.field += text.slice(i, q + 1);
          i = q + 2;
        } else {
          this.field += text.slice(i, q);
          this.inQuotes = false;
          this.closed = true;
          i = q + 1;
        }
        continue;
      }
      const c = text[i]!;
      if (c === delimiter) {
        this.fields.push(this.field);
        this.field = '';
        this.closed = false;
        i++;
      } else if (c === '\r' && i === n - 1) {
        i++;
      } else if (this.closed) {
        this.reset();
        throw new CsvSyntaxError(`unexpected ${JSON.stringify(c)} after the closing quote of field ${this.fields.length + 1}`);
      } else if (c === quote && this.field === '') {
        this.inQuotes = true;
        i++;
      } else {
        let stop = text.indexOf(delimiter, i);
        if (stop === -1) stop = text.endsWith('\r') ? n - 1 : n;
        this.field += text.slice(i, stop);
        i = stop;
      }
    }
    if (this.inQuotes) {
      // The line break belongs to the quoted field: its `\r` (if any) was kept above, add the `\n`.
      this.field += '\n';
      return null;
    }
    const fields = [...this.fields, this.field];
    this.reset();
    return fields;
  }
}
