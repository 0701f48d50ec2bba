// TypeDoc plugin for the API reference (`pnpm docs`, see typedoc.json).
// Names each entry module by the specifier users import (`packages/core/src/queue/memory/index.ts` →
// `@tributary/core/queue/memory`, the same rule as scripts/package-entries.mjs) and gives it the
// description from the file's `@module` header. TypeDoc reads `@module @tributary/core/x` as two tags
// (the name starts with `@`) and drops both, so the header is read here instead.
import { readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Comment, CommentTag, Converter, ReflectionKind } from 'typedoc';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const packageNames = new Map();

/** `@tributary/<package>/<subpath>` for an entry file, or undefined for any other file. */
function specifierOf(fileName) {
  const parts = relative(root, fileName).split(sep);
  if (parts[0] !== 'packages' || parts[2] !== 'src' || parts.at(-1) !== 'index.ts') return undefined;
  const folder = parts[1];
  if (!packageNames.has(folder)) packageNames.set(folder, JSON.parse(readFileSync(join(root, 'packages', folder, 'package.json'), 'utf8')).name);
  const subpath = parts.slice(3, -1).join('/');
  return subpath === '' ? packageNames.get(folder) : `${packageNames.get(folder)}/${subpath}`;
}

/** The text of the file's `@module` header after the name: a summary, then any `@example` blocks. */
function headerOf(source) {
  const match = /^\s*\/\*\*([\s\S]*?)\*\//.exec(source);
  if (!match || !/@module\b/.test(match[1])) return undefined;
  const lines = match[1].split('\n').map((line) => line.replace(/^\s*\* ?/, ''));
  const summary = [];
  const examples = [];
  let current = summary;
  for (const line of lines) {
    if (/^@module\b/.test(line.trim())) continue;
    if (/^@example\b/.test(line.trim())) {
      examples.push([line.trim().slice('@example'.length).trim()]);
      current = examples.at(-1);
      continue;
    }
    current.push(line);
  }
  const text = (list) => list.join('\n').trim();
  return { summary: text(summary), examples: examples.map(text).filter((e) => e !== '') };
}

/** @param {import('typedoc').Application} app */
export function load(app) {
  const files = new Map();
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (context, reflection) => {
    if (!reflection.kindOf(ReflectionKind.Module)) return;
    const fileName = context.getSymbolFromReflection(reflection)?.declarations?.[0]?.getSourceFile().fileName;
    const specifier = fileName && specifierOf(fileName);
    if (!specifier) return;
    reflection.name = specifier;
    files.set(reflection, fileName);
  });
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, () => {
    for (const [reflection, fileName] of files) {
      const header = headerOf(readFileSync(fileName, 'utf8'));
      if (!header) continue;
      const comment = new Comment(header.summary ? [{ kind: 'text', text: header.summary }] : []);
      for (const example of header.examples) comment.blockTags.push(new CommentTag('@example', [{ kind: 'text', text: example }]));
      reflection.comment = comment;
    }
  });
}
