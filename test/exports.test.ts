// The package.json of every published package follows the repository's packaging rules: `exports` is
// generated from the src folders (scripts/sync-exports.mjs) and the manifest fields consumers rely on are set.
// Runs on the sources only; the built output is checked by packaging.test.ts.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

interface Manifest {
  name: string;
  type?: string;
  sideEffects?: unknown;
  files?: string[];
  exports?: Record<string, unknown>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

const packages = readdirSync(join(root, 'packages'))
  .filter((name) => existsSync(join(root, 'packages', name, 'package.json')))
  .sort()
  .map((name) => ({
    dir: join(root, 'packages', name),
    manifest: JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8')) as Manifest,
  }));

describe('package exports', () => {
  it('finds the published packages', () => {
    expect(packages.map((p) => p.manifest.name)).toEqual(expect.arrayContaining(['@tributary/core', '@tributary/connectors', '@tributary/adapters']));
  });

  it('match the src folders (node scripts/sync-exports.mjs --check)', () => {
    let output = '';
    try {
      execFileSync(process.execPath, [join(root, 'scripts/sync-exports.mjs'), '--check'], { cwd: root, encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string; message: string };
      output = `${e.stderr ?? ''}${e.stdout ?? ''}`.trim() || e.message;
    }
    expect(output, 'package.json exports are stale: run `node scripts/sync-exports.mjs` and commit the result').toBe('');
  });

  describe.each(packages.map((p) => [p.manifest.name, p] as const))('%s', (_name, { manifest }) => {
    it('is an ES module package without side effects', () => {
      expect(manifest.type).toBe('module');
      expect(manifest.sideEffects).toBe(false);
    });

    it('takes zod as a (required) peer dependency, never a direct one', () => {
      expect(manifest.peerDependencies?.zod, 'zod must be in peerDependencies so host and library share one instance').toBeTruthy();
      expect(manifest.peerDependenciesMeta?.zod?.optional ?? false).toBe(false);
      expect(manifest.dependencies?.zod).toBeUndefined();
    });

    it('publishes dist', () => {
      expect(manifest.files).toContain('dist');
    });
  });
});
