// docs/connectors.md quotes this example's code. Each quoted block is marked with the file it comes
// from; this test fails when a block is no longer in that file line for line (indentation aside, so
// an excerpt from inside a function can be shown dedented), so the guide cannot drift from code that
// the other tests run.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');
const guide = readFileSync(join(root, 'docs', 'connectors.md'), 'utf8');
/** Lines without their indentation, so a dedented excerpt still matches its source. */
const unindent = (text: string) => text.split('\n').map((line) => line.trim()).join('\n');
const samples = [...guide.matchAll(/<!-- sample: (\S+) -->\n```ts\n([\s\S]*?)\n```/g)].map((m) => ({ path: m[1]!, code: m[2]! }));

describe('docs/connectors.md samples', () => {
  it('quotes this example', () => {
    expect(samples.length).toBeGreaterThanOrEqual(5);
    expect(samples.every((s) => s.path.startsWith('examples/custom-connector/'))).toBe(true);
  });

  it.each(samples.map((s, i) => [`${i + 1}: ${s.path}`, s] as const))('sample %s is the code of its file', (_name, { path, code }) => {
    const file = join(root, path);
    expect(existsSync(file), `${path} exists`).toBe(true);
    expect(unindent(readFileSync(file, 'utf8'))).toContain(unindent(code));
  });
});
