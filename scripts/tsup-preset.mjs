// The build every package shares: ESM + CJS + .d.ts/.d.cts for each entry that package-entries finds.
import { packageEntries } from './package-entries.mjs';

/**
 * @param {string} packageDir
 * @param {{ bundle?: (string|RegExp)[] }} [options] dependencies to inline (ESM-only packages, so the
 *   CommonJS build never has to `require()` an ES module).
 */
export function tsupPreset(packageDir, options = {}) {
  const entry = Object.fromEntries(packageEntries(packageDir).map((e) => [e.out, e.entry]));
  return {
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    splitting: true,
    treeshake: true,
    target: 'node20',
    platform: 'node',
    outDir: 'dist',
    noExternal: options.bundle ?? [],
    outExtension: ({ format }) => ({ js: format === 'cjs' ? '.cjs' : '.js' }),
  };
}
