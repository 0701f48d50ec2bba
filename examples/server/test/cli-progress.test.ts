import { describe, expect, it } from 'vitest';
import { createProgress } from '../src/cli/progress.js';

function stream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, isTTY, columns: 200, write: (text: string) => writes.push(text) };
}

describe('cli progress', () => {
  it('redraws a bar in place on a terminal, at most every redrawMs, and clears it for the last line', () => {
    let now = 0;
    const s = stream(true);
    const p = createProgress({ label: 'import x.csv', unit: 'bytes', total: 2048, stream: s, now: () => now, redrawMs: 100 });
    p.update(512, undefined, '10 rows');
    now = 50;
    p.update(1024);
    now = 200;
    p.update(1024);
    expect(s.writes).toHaveLength(2);
    expect(s.writes[0]).toMatch(/^\r\x1b\[2K\[#{6}-{18}\] import x\.csv ·  25% · 512 B of 2\.0 KiB · .* · 10 rows$/);
    expect(s.writes[1]).toMatch(/^\r\x1b\[2K\[#{12}-{12}\] import x\.csv ·  50% · 1\.0 KiB of 2\.0 KiB/);
    p.done('import x.csv: 10 rows');
    expect(s.writes.slice(2)).toEqual(['\r\x1b[2K', 'import x.csv: 10 rows\n']);
  });

  it('prints plain lines, no escape codes, every lineEveryMs elsewhere; short work prints only its last line', () => {
    let now = 0;
    const s = stream(false);
    const p = createProgress({ label: 'analyze', unit: 'texts', stream: s, now: () => now, lineEveryMs: 5000 });
    p.update(100);
    now = 4000;
    p.update(400);
    expect(s.writes).toEqual([]);
    now = 6000;
    p.update(600);
    expect(s.writes).toEqual(['analyze · 600 texts · 100/s\n']);
    p.done('analyze: 600 analyzed');
    expect(s.writes.at(-1)).toBe('analyze: 600 analyzed\n');
    expect(s.writes.join('')).not.toContain('\x1b');
  });

  it('shows nothing but the last line when quiet', () => {
    const s = stream(true);
    const p = createProgress({ label: 'sync', stream: s, quiet: true });
    p.update(10);
    p.done('sync: 10 records');
    expect(s.writes).toEqual(['sync: 10 records\n']);
  });
});
