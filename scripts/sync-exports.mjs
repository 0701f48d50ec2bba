#!/usr/bin/env node
// Rewrites the `exports` of every package under packages/ from its src/ folders.
// `--check` exits 1 (and names the package) when a package.json is out of date instead of writing.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportsFor, packageEntries } from './package-entries.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
let stale = 0;
for (const name of readdirSync(join(root, 'packages'))) {
  const dir = join(root, 'packages', name);
  const file = join(dir, 'package.json');
  const pkg = JSON.parse(readFileSync(file, 'utf8'));
  const next = exportsFor(packageEntries(dir));
  if (JSON.stringify(pkg.exports) === JSON.stringify(next)) continue;
  if (check) {
    console.error(`${pkg.name}: exports are out of date; run node scripts/sync-exports.mjs`);
    stale++;
    continue;
  }
  pkg.exports = next;
  writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
  console.log(`${pkg.name}: exports updated (${Object.keys(next).length - 1} entries)`);
}
process.exit(stale ? 1 : 0);
