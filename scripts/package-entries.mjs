// One rule for every package: each `src/**/index.ts` is a public subpath, named by its folder.
// tsup, package.json `exports` and the packaging test all derive from this, so they cannot drift.
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/**
 * Lists the entry points of a package directory.
 * @param {string} packageDir absolute path of the package
 * @returns {{ subpath: string, entry: string, out: string }[]} `subpath` is the export key ("." or "./x/y"),
 *   `entry` the source file relative to the package, `out` the output path without extension.
 */
export function packageEntries(packageDir) {
  const src = join(packageDir, 'src');
  const found = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) {
        if (name.startsWith('_') || name === 'internal' || name === '__tests__') continue;
        walk(full);
      } else if (name === 'index.ts') {
        const rel = relative(src, dir).split(sep).join('/');
        found.push({
          subpath: rel === '' ? '.' : `./${rel}`,
          entry: `src/${rel === '' ? '' : `${rel}/`}index.ts`,
          out: rel === '' ? 'index' : `${rel}/index`,
        });
      }
    }
  };
  walk(src);
  return found;
}

/**
 * Subpaths published as ES modules only: the test kits import vitest, which cannot be `require`d, so
 * offering them to CommonJS would only move the failure to run time.
 */
export const ESM_ONLY = /(^|\/)testing$/;

/** Builds the `exports` object of package.json for the entries of a package. */
export function exportsFor(entries) {
  const exports = {};
  for (const { subpath, entry, out } of entries) {
    exports[subpath] = {
      '@tributary/source': `./${entry}`,
      import: { types: `./dist/${out}.d.ts`, default: `./dist/${out}.js` },
      ...(ESM_ONLY.test(subpath) ? {} : { require: { types: `./dist/${out}.d.cts`, default: `./dist/${out}.cjs` } }),
    };
  }
  exports['./package.json'] = './package.json';
  return exports;
}
