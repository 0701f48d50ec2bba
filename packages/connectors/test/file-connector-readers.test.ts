// The streaming readers of the file connector: RFC 4180 CSV (quotes, embedded newlines, CRLF, BOM,
// header) and NDJSON, with exact byte offsets and line numbers, and bad records reported, not fatal.
import { describe, expect, it } from 'vitest';
import { CsvRecordParser, CsvSyntaxError, readCsv, readLines, readNdjson, type CsvEntry, type NdjsonEntry } from '@tributary/connectors/file';
import { isTributaryError } from '@tributary/core/errors';
import { chunkedStream, fixturePath } from './fixtures/file/factories.js';

const enc = (text: string) => new TextEncoder().encode(text);

async function list<T>(entries: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const entry of entries) out.push(entry);
  return out;
}

describe('CsvRecordParser', () => {
  const parse = (...lines: string[]) => {
    const parser = new CsvRecordParser();
    const results = lines.map((line) => parser.feed(line));
    return { results, pending: parser.pending };
  };

  it('splits plain fields and strips a CR line ending', () => {
    expect(parse('a,b,,d\r').results).toEqual([['a', 'b', '', 'd']]);
  });

  it('reads quoted fields with delimiters, doubled quotes and empty quotes', () => {
    expect(parse('"a,1","say ""hi""","",x').results).toEqual([['a,1', 'say "hi"', '', 'x']]);
  });

  it('keeps line breaks inside quoted fields, as they were (LF or CRLF)', () => {
    expect(parse('1,"first', 'second",3').results).toEqual([null, ['1', 'first\nsecond', '3']]);
    expect(parse('1,"first\r', 'second"\r').results).toEqual([null, ['1', 'first\r\nsecond']]);
    expect(parse('"only quote', '').pending).toBe(true);
  });

  it('keeps a quote inside an unquoted field as text', () => {
    expect(parse('5" screen,ok').results).toEqual([['5" screen', 'ok']]);
  });

  it('refuses text after a closing quote, and starts afresh on the next line', () => {
    const parser = new CsvRecordParser();
    expect(() => parser.feed('"a"b,c')).toThrow(CsvSyntaxError);
    expect(parser.pending).toBe(false);
    expect(parser.feed('x,y')).toEqual(['x', 'y']);
  });

  it('takes another delimiter', () => {
    expect(new CsvRecordParser('\t').feed('a\t"b\tc"\td')).toEqual(['a', 'b\tc', 'd']);
  });
});

describe('readCsv', () => {
  it('reads the reviews export: BOM, CRLF, quoted commas, doubled quotes and a record over two lines', async () => {
    const entries = await list(readCsv(fixturePath('reviews.csv')));
    expect(entries[0]).toMatchObject({ kind: 'header', line: 1, columns: ['review_id', 'submitted_at', 'rating', 'author', 'title', 'comment', 'tags'] });
    const rows = entries.filter((e): e is Extract<CsvEntry, { kind: 'row' }> => e.kind === 'row');
    expect(rows.map((r) => [r.line, r.row.review_id])).toEqual([
      [2, 'R-1001'],
      [3, 'R-1002'],
      [5, 'R-1003'],
      [6, 'R-1004'],
      [7, 'R-1005'],
    ]);
    expect(rows[1]!.row).toMatchObject({ author: "O'Brien, Pat", comment: 'Crashes when I open settings.\nTried reinstalling, same thing.', tags: 'bug,android' });
    expect(rows[2]!.row.comment).toBe('Would love a "dark mode" option.');
    expect(rows[3]!.row).toMatchObject({ title: '', tags: '' });
    expect(entries.every((e) => e.kind !== 'error')).toBe(true);
  });

  it('gives the same rows and offsets however the bytes are chunked', async () => {
    const text = 'id,text\r\n1,"héllo, ""wörld"""\r\n2,"multi\r\nline ✓"\r\n3,last';
    const whole = await list(readCsv(chunkedStream(enc(text), 1 << 16)));
    for (const size of [1, 2, 3, 7]) expect(await list(readCsv(chunkedStream(enc(text), size))), `chunks of ${size}`).toEqual(whole);
    expect(whole.filter((e) => e.kind === 'row').map((e) => (e as { row: Record<string, string> }).row.text)).toEqual(['héllo, "wörld"', 'multi\r\nline ✓', 'last']);
    // Offsets are bytes: the last row ends at the end of the file (no newline after it).
    expect(whole.at(-1)!.end).toBe(enc(text).length);
  });

  it('reports bad records with their line numbers and goes on', async () => {
    const text = ['id,text', '1,ok', '2,too,many', '"3"x,bad quote', '4,"fine"', '5,"never closed', '6,swallowed'].join('\n');
    const entries = await list(readCsv(chunkedStream(enc(text), 5)));
    expect(entries.map((e) => [e.kind, e.line, e.kind === 'error' ? e.message : e.kind === 'row' ? e.row.id : ''])).toEqual([
      ['header', 1, ''],
      ['row', 2, '1'],
      ['error', 3, '3 fields where the header has 2'],
      ['error', 4, 'unexpected "x" after the closing quote of field 1'],
      ['row', 5, '4'],
      ['error', 6, 'unterminated quoted field at the end of the file'],
    ]);
  });

  it('skips blank lines, takes given columns for a file without a header, and resumes at an offset', async () => {
    const text = 'a,1\n\nb,2\nc,3\n';
    const all = await list(readCsv(chunkedStream(enc(text), 4), { header: ['name', 'n'] }));
    expect(all.map((e) => (e.kind === 'row' ? e.row : e))).toEqual([{ name: 'a', n: '1' }, { name: 'b', n: '2' }, { name: 'c', n: '3' }]);
    const second = all[1]!;
    const resumed = await list(readCsv(chunkedStream(enc(text), 4), { header: ['name', 'n'], startOffset: second.end, startLine: second.nextLine }));
    expect(resumed.map((e) => [e.line, e.kind === 'row' ? e.row.name : e.kind])).toEqual([[4, 'c']]);
  });

  it('refuses a header with an empty or repeated column', async () => {
    const error = await list(readCsv(chunkedStream(enc('id,text,id\n1,a,2\n'), 64))).then(() => undefined, (e: unknown) => e);
    expect(isTributaryError(error, 'validation')).toBe(true);
    expect((error as Error).message).toContain('"id" appears twice');
  });
});

describe('readNdjson and readLines', () => {
  it('reads the feedback export, skipping the blank line', async () => {
    const entries = await list(readNdjson(fixturePath('feedback.ndjson')));
    expect(entries.map((e) => [e.line, e.kind === 'row' ? (e.value as { id: string }).id : e.message])).toEqual([
      [1, 'fb-1'],
      [2, 'fb-2'],
      [4, 'fb-3'],
      [5, 'fb-4'],
      [6, 'fb-5'],
    ]);
  });

  it('reports lines that are not JSON, not UTF-8 or too long, with their numbers, and keeps the rest', async () => {
    const bytes = new Uint8Array([
      ...enc('{"id":1}\r\n'),
      ...enc('{"id":2,\n'),
      ...[0x7b, 0xff, 0xfe, 0x7d, 0x0a],
      ...enc(`{"id":"${'x'.repeat(5000)}"}\n`),
      ...enc('{"id":5}'),
    ]);
    const entries = await list(readNdjson(chunkedStream(bytes, 333), { maxLineBytes: 1024 }));
    expect(entries.map((e: NdjsonEntry) => [e.line, e.kind, e.kind === 'error' ? e.message.replace(/:.*/, '') : (e.value as { id: number }).id])).toEqual([
      [1, 'row', 1],
      [2, 'error', 'invalid JSON'],
      [3, 'error', 'invalid UTF-8'],
      [4, 'error', 'line is longer than 1024 bytes'],
      [5, 'row', 5],
    ]);
    expect(entries.at(-1)!.end).toBe(bytes.length);
  });

  it('numbers lines and bytes exactly, dropping a BOM only at the start of the file', async () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...enc('a\nbc\r\n\nd')]);
    const lines = await list(readLines(chunkedStream(bytes, 2)));
    expect(lines).toEqual([
      { line: 1, start: 0, end: 5, text: 'a' },
      { line: 2, start: 5, end: 9, text: 'bc\r' },
      { line: 3, start: 9, end: 10, text: '' },
      { line: 4, start: 10, end: 11, text: 'd' },
    ]);
  });
});
