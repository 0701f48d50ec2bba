// Every TypeScript sample in the docs compiles: the ```ts (or ```typescript) fenced blocks of README.md
// and docs/**/*.md (docs/api/, TypeDoc's output, aside) are type-checked with the TypeScript compiler API
// against the workspace sources (tsconfig.base.json's options, so `@tributary/*` resolves through the
// `@tributary/source` condition), one module per block: top-level await works, and nothing leaks from
// one block into the next.
//
// What a doc can add, in HTML comments (invisible when rendered):
// - `<!-- sample-preamble: declare const storage: import('@tributary/core/storage').StorageAdapter; -->`
//   anywhere in the doc: global declarations (a script, so types come from `import('…')`) that every
//   block of that doc may use. A block that declares the same name shadows it.
// - `<!-- sample-setup: import Fastify from 'fastify'; const app = Fastify(); -->` right before one block
//   (blank lines may separate them): code put in front of that block only, in its module.
// - `<!-- sample: examples/host-app/src/feedback.ts -->` right before a block: the block is quoted from
//   that file, which the workspace typecheck (tsconfig.json) covers; the block must appear in the file
//   word for word, so the doc cannot drift from code that compiles and is tested.
// - ```ts no-check: <reason> — a block that is not checked; the reason is required.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const samplesDir = join(root, '__doc_samples__');

interface Block {
  /** 1-based line of the first code line in the doc. */
  line: number;
  code: string;
  /** `sample-setup` code for this block, and the doc line where it starts. */
  setup: { code: string; line: number } | null;
  /** Set for ```ts no-check blocks: the reason given. */
  noCheck: string | null;
  /** The file a `<!-- sample: path -->` block is quoted from (relative to the repository root). */
  quotes: string | null;
}

interface Doc {
  /** Path relative to the repository root, with forward slashes. */
  path: string;
  preamble: string;
  blocks: Block[];
  /** Problems in the doc's markup itself (an unclosed fence, a no-check without a reason, a broken fence). */
  problems: string[];
}

function listDocs(): string[] {
  const found = ['README.md'];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) {
        if (relative(root, full) !== join('docs', 'api')) walk(full);
      } else if (name.endsWith('.md')) found.push(relative(root, full).split('\\').join('/'));
    }
  };
  if (existsSync(join(root, 'docs'))) walk(join(root, 'docs'));
  return found;
}

const PREAMBLE = /<!--\s*sample-preamble:([\s\S]*?)-->/g;

function parseDoc(path: string, text: string): Doc {
  const lines = text.split(/\r?\n/);
  const doc: Doc = { path, preamble: '', blocks: [], problems: [] };
  const outside: string[] = [];
  let fence: { marker: string; indent: number; lang: string; info: string; start: number; code: string[] } | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (!fence) {
      const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)\s*(.*)$/.exec(line);
      if (open) {
        // CommonMark: the info string of a backtick fence cannot hold a backtick (the line would not open a fence).
        if (open[2]?.startsWith('`') && (open[4] ?? '').includes('`')) doc.problems.push(`${path}:${i + 1}: a backtick in the info string of a \`\`\` fence keeps it from being a fence`);
        fence = { marker: open[2] ?? '```', indent: open[1]?.length ?? 0, lang: (open[3] ?? '').toLowerCase(), info: (open[4] ?? '').trim(), start: i + 1, code: [] };
        outside.push('');
      } else outside.push(line);
      continue;
    }
    const close = new RegExp(`^\\s*${fence.marker[0] === '`' ? '`' : '~'}{${fence.marker.length},}\\s*$`).exec(line);
    if (!close) {
      fence.code.push(line.slice(Math.min(fence.indent, line.length - line.trimStart().length)));
      outside.push('');
      continue;
    }
    outside.push('');
    if (fence.lang === 'ts' || fence.lang === 'typescript') {
      const noCheck = /^no-check\b:?\s*(.*)$/.exec(fence.info);
      if (noCheck && !noCheck[1]) doc.problems.push(`${path}:${fence.start}: \`\`\`ts no-check needs a reason after it`);
      const comment = commentBefore(lines, fence.start - 1);
      doc.blocks.push({
        line: fence.start + 1,
        code: fence.code.join('\n'),
        setup: comment?.kind === 'setup' ? { code: comment.text, line: comment.line } : null,
        noCheck: noCheck ? noCheck[1] || '(no reason)' : null,
        quotes: comment?.kind === 'sample' ? comment.text.trim() : null,
      });
    }
    fence = null;
  }
  if (fence) doc.problems.push(`${path}:${fence.start}: the code fence opened here is never closed`);
  for (const match of outside.join('\n').matchAll(PREAMBLE)) doc.preamble += `${match[1]}\n`;
  return doc;
}

/** The `sample-setup` or `sample` comment ending right before the fence at 0-based line `fenceIndex`, if any. */
function commentBefore(lines: string[], fenceIndex: number): { kind: 'setup' | 'sample'; text: string; line: number } | null {
  let end = fenceIndex - 1;
  while (end >= 0 && (lines[end] ?? '').trim() === '') end--;
  if (end < 0 || !(lines[end] ?? '').trimEnd().endsWith('-->')) return null;
  let start = end;
  while (start >= 0 && !(lines[start] ?? '').includes('<!--')) start--;
  if (start < 0) return null;
  const match = /^\s*<!--\s*sample(-setup)?:([\s\S]*?)-->\s*$/.exec(lines.slice(start, end + 1).join('\n'));
  return match ? { kind: match[1] ? 'setup' : 'sample', text: match[2] ?? '', line: start + 1 } : null;
}

/** Folders the workspace typecheck covers (tsconfig.json `include`), so a quoted file is compiled. */
const TYPECHECKED = [/^packages\/[^/]+\/(src|test)\//, /^examples\/[^/]+\/(src|test)\//, /^bench\//, /^test\//];

/** Problems of a block quoted from a file: the file must exist, be type-checked, and hold the block verbatim. */
function checkQuote(doc: Doc, block: Block & { quotes: string }): string[] {
  const where = `${doc.path}:${block.line}`;
  const file = join(root, block.quotes);
  if (!existsSync(file)) return [`${where}: quotes ${block.quotes}, which does not exist`];
  const problems: string[] = [];
  if (!/\.(c|m)?tsx?$/.test(file) || !TYPECHECKED.some((re) => re.test(block.quotes))) problems.push(`${where}: quotes ${block.quotes}, which the workspace typecheck does not cover`);
  // Word for word, but not indentation for indentation: a doc shows a block from inside a test body
  // without the test's nesting.
  const flatten = (text: string) => text.split('\n').map((line) => line.trim()).join('\n');
  if (!flatten(readFileSync(file, 'utf8')).includes(flatten(block.code))) problems.push(`${where}: the block is no longer in ${block.quotes} word for word`);
  return problems;
}

// ---------------------------------------------------------------------------------------------------
// Type-checking: one program per doc (its preamble is global to it), sharing parsed files.

const config = ts.readConfigFile(join(root, 'tsconfig.base.json'), (file) => ts.sys.readFile(file));
const options: ts.CompilerOptions = { ...ts.parseJsonConfigFileContent(config.config, ts.sys, root).options, noEmit: true, declaration: false, sourceMap: false };

const virtualFiles = new Map<string, string>();
const parsed = new Map<string, ts.SourceFile>();
const host = ts.createCompilerHost(options, true);
const realGetSourceFile = host.getSourceFile.bind(host);
host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
  const text = virtualFiles.get(fileName);
  if (text !== undefined) return ts.createSourceFile(fileName, text, languageVersion, true);
  let file = parsed.get(fileName);
  if (!file) {
    file = realGetSourceFile(fileName, languageVersion, onError, shouldCreate);
    if (file) parsed.set(fileName, file);
  }
  return file;
};
const realFileExists = host.fileExists.bind(host);
host.fileExists = (fileName) => virtualFiles.has(fileName) || realFileExists(fileName);
const realReadFile = host.readFile.bind(host);
host.readFile = (fileName) => virtualFiles.get(fileName) ?? realReadFile(fileName);

/** Diagnostics of each checked block of a doc, as `doc:line: error TSxxxx: message`. */
function checkDoc(doc: Doc, oldProgram: ts.Program | undefined): { program: ts.Program; results: Map<Block, string[]> } {
  const stem = join(samplesDir, doc.path.replace(/[/.]/g, '_'));
  const preambleFile = `${stem}.preamble.ts`;
  virtualFiles.set(preambleFile, doc.preamble);
  const files = new Map<string, { block: Block; setupLines: number }>();
  for (const block of doc.blocks.filter((b) => b.noCheck === null && b.quotes === null)) {
    const setup = block.setup ? `${block.setup.code.trim()}\n` : '';
    const file = `${stem}.line${block.line}.ts`;
    virtualFiles.set(file, `${setup}${block.code}\nexport {};\n`);
    files.set(file, { block, setupLines: setup === '' ? 0 : setup.split('\n').length - 1 });
  }
  const program = ts.createProgram({ rootNames: [preambleFile, ...files.keys()], options, host, ...(oldProgram ? { oldProgram } : {}) });
  const where = (file: ts.SourceFile | undefined, start: number | undefined): string => {
    if (!file || start === undefined) return doc.path;
    const { line } = file.getLineAndCharacterOfPosition(start);
    if (file.fileName === preambleFile) return `${doc.path} (sample-preamble, line ${line + 1})`;
    const entry = files.get(file.fileName);
    if (!entry) return relative(root, file.fileName);
    if (line < entry.setupLines) return `${doc.path}:${(entry.block.setup?.line ?? 0) + line} (sample-setup)`;
    return `${doc.path}:${entry.block.line + line - entry.setupLines}`;
  };
  const format = (d: ts.Diagnostic) => `${where(d.file, d.start)}: error TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  const results = new Map<Block, string[]>();
  const preambleProblems = [...program.getSyntacticDiagnostics(program.getSourceFile(preambleFile)), ...program.getSemanticDiagnostics(program.getSourceFile(preambleFile))].map(format);
  for (const [file, { block }] of files) {
    const source = program.getSourceFile(file);
    results.set(block, [...preambleProblems, ...[...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)].map(format)]);
  }
  const global = program.getGlobalDiagnostics().map(format);
  if (global.length > 0) for (const list of results.values()) list.push(...global);
  return { program, results };
}

// ---------------------------------------------------------------------------------------------------

const docs = listDocs().map((path) => parseDoc(path, readFileSync(join(root, path), 'utf8')));
const withSamples = docs.filter((d) => d.blocks.length > 0);

describe('docs samples', () => {
  it('README.md has TypeScript samples, and they are checked', () => {
    const readme = docs.find((d) => d.path === 'README.md');
    expect(readme?.blocks.filter((b) => b.noCheck === null).length ?? 0).toBeGreaterThan(0);
  });

  it('fences are closed and every no-check block says why', () => {
    expect(docs.flatMap((d) => d.problems)).toEqual([]);
  });

  it('the extractor reads fences, info strings, preambles and setups', () => {
    const doc = parseDoc(
      'x.md',
      [
        '<!-- sample-preamble: declare const a: number; -->',
        '```ts',
        'const b = a;',
        '```',
        '<!-- sample-setup: const c = 1; -->',
        '',
        '```typescript',
        'c;',
        '```',
        '- list item:',
        '  ```ts no-check: pseudo-code',
        '  interface X { … }',
        '  ```',
        '```sh',
        'echo not checked',
        '```',
        '<!-- sample: test/docs-samples.test.ts -->',
        '```ts',
        'import ts from',
        '```',
      ].join('\n'),
    );
    expect(doc.preamble.trim()).toBe('declare const a: number;');
    expect(doc.blocks).toEqual([
      { line: 3, code: 'const b = a;', setup: null, noCheck: null, quotes: null },
      { line: 8, code: 'c;', setup: { code: ' const c = 1; ', line: 5 }, noCheck: null, quotes: null },
      { line: 12, code: 'interface X { … }', setup: null, noCheck: 'pseudo-code', quotes: null },
      { line: 19, code: 'import ts from', setup: null, noCheck: null, quotes: 'test/docs-samples.test.ts' },
    ]);
    const quoted = doc.blocks[3]!;
    expect(checkQuote(doc, { ...quoted, quotes: 'test/docs-samples.test.ts' })).toEqual([]);
    expect(checkQuote(doc, { ...quoted, code: '\u0000', quotes: 'test/docs-samples.test.ts' })).toEqual(['x.md:19: the block is no longer in test/docs-samples.test.ts word for word']);
    expect(checkQuote(doc, { ...quoted, quotes: 'README.md' })).toContain('x.md:19: quotes README.md, which the workspace typecheck does not cover');
    expect(parseDoc('y.md', '```ts no-check\nx\n```').problems).toEqual(['y.md:1: ```ts no-check needs a reason after it']);
  });

  let previous: ts.Program | undefined;
  describe.each(withSamples.map((d) => [d.path, d] as const))('%s', (_path, doc) => {
    let results: Map<Block, string[]> | undefined;
    const resultsOf = () => {
      if (!results) {
        const checked = checkDoc(doc, previous);
        previous = checked.program;
        results = checked.results;
      }
      return results;
    };
    const label = (b: Block) => `line ${b.line}${b.noCheck !== null ? ` (no-check: ${b.noCheck})` : b.quotes !== null ? ` (quoted from ${b.quotes})` : ''}`;
    it.each(doc.blocks.map((b) => [label(b), b] as const))('sample at %s type-checks', (_name, block) => {
      if (block.noCheck !== null) return;
      if (block.quotes !== null) expect(checkQuote(doc, { ...block, quotes: block.quotes })).toEqual([]);
      else expect(resultsOf().get(block)).toEqual([]);
    }, 60_000);
  });
});
