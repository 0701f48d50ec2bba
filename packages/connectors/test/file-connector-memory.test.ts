// A 50 MB CSV export imported through the file connector in bounded memory: the heap grows by a small
// fraction of the file, however large it is, because only a chunk, the unfinished record and one
// page of rows are held at a time.
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileConnector } from '@tributary/connectors/file';
import { fileContext, tempDir } from './fixtures/file/factories.js';

const TARGET_BYTES = 50 * 1024 * 1024;
const tmp = tempDir();
let path = '';
let rows = 0;

/** Writes rows like a review export (quoted commas, doubled quotes, a line break every 7th row) up to the target size. */
async function writeExport(file: string): Promise<number> {
  const out = createWriteStream(file);
  out.write('id,created_at,rating,author,comment\r\n');
  let written = 0;
  let n = 0;
  while (written < TARGET_BYTES) {
    let chunk = '';
    for (let i = 0; i < 2000; i++, n++) {
      const comment = n % 7 === 0 ? `"Line one of ${n}, with a comma\r\nand a ""quoted"" second line"` : `"Review ${n}: ${'works well, mostly '.repeat(6)}"`;
      chunk += `r-${n},${new Date(Date.UTC(2023, 0, 1) + n * 1000).toISOString()},${(n % 5) + 1},user ${n % 997},${comment}\r\n`;
    }
    written += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  return n;
}

// A real collection before each reading, so "before" and "after" measure what is held, not garbage
// the collector had not reached yet (vitest's workers run without --expose-gc).
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

const used = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

describe('file connector memory', () => {
  beforeAll(async () => {
    path = tmp.write('big.csv', '');
    rows = await writeExport(path);
  }, 30_000);
  afterAll(() => tmp.cleanup());

  it('imports a 50 MB CSV with the heap bounded, every row accounted for', async () => {
    const size = (await stat(path)).size;
    expect(size).toBeGreaterThanOrEqual(TARGET_BYTES);
    collect();
    const before = used();
    let peak = before;
    let items = 0;
    let pages = 0;
    let lastOffset = 0;
    for await (const page of fileConnector.fetch!(fileContext({ path, pageSize: 500, idPath: 'id', mapping: { text: 'comment' } }))) {
      items += page.items.length;
      pages++;
      lastOffset = page.checkpoint.offset;
      // Sampled per page: the most the import ever held at once, garbage not yet collected included.
      if (pages % 10 === 0) peak = Math.max(peak, used());
    }
    collect();
    const after = used();
    const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
    console.info(`[file-connector memory] ${mb(size)} MB, ${items} rows, ${pages} pages: heap+buffers before ${mb(before)} MB, peak ${mb(peak)} MB, after ${mb(after)} MB`);

    expect(items).toBe(rows);
    expect(lastOffset).toBe(size);
    // Reading the file whole would hold all of it, and its rows again (over twice its size in all):
    // the peak, sampled with uncollected garbage included, must stay below the file's size, and
    // little may remain once the import is done.
    expect(peak - before).toBeLessThan(size);
    expect(after - before).toBeLessThan(16 * 1024 * 1024);
  }, 30_000);
});
