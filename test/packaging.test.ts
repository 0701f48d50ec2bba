// Checks what consumers get: the BUILT packages (dist/, as `pnpm test` builds before vitest runs) and the
// tarballs `pnpm pack` makes of them.
// - every subpath export loads with `import()` and with `require()` in a fresh Node process that does not
//   use the `@tributary/source` condition, resolves into dist/, has runtime exports, and both formats agree;
// - every export has its .js/.cjs and .d.ts/.d.cts files;
// - publint finds nothing (no error, warning or suggestion) in the packed tarball;
// - arethetypeswrong finds no problem in the packed tarball for node16 (CJS and ESM) and bundler resolution.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

interface Target {
  types: string;
  default: string;
}
interface Entry {
  import: Target;
  /** Absent for an ES-module-only subpath (e.g. one that needs a dependency that cannot be required). */
  require?: Target;
}
interface Manifest {
  name: string;
  version: string;
  exports: Record<string, Entry | string>;
}

const packages = readdirSync(join(root, 'packages'))
  .filter((name) => existsSync(join(root, 'packages', name, 'package.json')))
  .sort()
  .map((folder) => {
    const dir = join(root, 'packages', folder);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
    const subpaths = Object.entries(manifest.exports ?? {})
      .filter((pair): pair is [string, Entry] => typeof pair[1] === 'object')
      .map(([subpath, entry]) => ({ subpath, entry, specifier: subpath === '.' ? manifest.name : `${manifest.name}${subpath.slice(1)}` }));
    return { folder, dir, manifest, subpaths };
  });
type Package = (typeof packages)[number];

interface RunOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Send stdout to this file instead of a pipe (a pipe loses output when the child calls process.exit()). */
  stdoutFile?: string;
}

function run(command: string, args: string[], { stdoutFile, ...options }: RunOptions): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const out = stdoutFile ? openSync(stdoutFile, 'w') : 'pipe';
    const child = spawn(command, args, { ...options, stdio: ['ignore', out, 'pipe'] });
    if (typeof out === 'number') closeSync(out);
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const done = (code: number, extra = '') => {
      clearTimeout(timer);
      resolve({ code, stdout: stdoutFile && existsSync(stdoutFile) ? readFileSync(stdoutFile, 'utf8') : stdout, stderr: stderr + extra });
    };
    child.on('error', (error) => done(1, String(error)));
    child.on('close', (code, signal) => done(code ?? 1, signal ? `killed by ${signal}` : ''));
  });
}

/** The pnpm that runs `pnpm test` (on PATH inside its scripts), else the README's `npx -y pnpm@10`. */
function pnpm(): [string, string[]] {
  const onPath = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => dir !== '')
    .map((dir) => join(dir, 'pnpm'))
    .find((file) => existsSync(file));
  return onPath ? [onPath, []] : ['npx', ['-y', 'pnpm@10']];
}

// ---------------------------------------------------------------------------------------------------
// Loading the built entries in a clean Node process.

/** Runs in a child process whose cwd is the package, so `import('@tributary/x/y')` self-references it. */
const LOADER = `
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
const require = createRequire(process.cwd() + '/package.json');
const out = {};
const names = (ns) => Object.keys(ns).filter((k) => k !== '__esModule').sort();
const fail = (e) => (e && e.stack) || String(e);
for (const specifier of JSON.parse(process.env.TRIBUTARY_SPECIFIERS)) {
  const r = (out[specifier] = {});
  try { r.esmFile = fileURLToPath(import.meta.resolve(specifier)); r.esm = names(await import(specifier)); } catch (e) { r.esmError = fail(e); }
  try { r.cjsFile = require.resolve(specifier); r.cjs = names(require(specifier)); } catch (e) { r.cjsError = fail(e); }
}
process.stdout.write(JSON.stringify(out));
`;

interface Loaded {
  esmFile?: string;
  esm?: string[];
  esmError?: string;
  cjsFile?: string;
  cjs?: string[];
  cjsError?: string;
}

const loads = new Map<string, Promise<Record<string, Loaded>>>();
function loadAll(pkg: Package): Promise<Record<string, Loaded>> {
  requireDist(pkg);
  let loaded = loads.get(pkg.folder);
  if (!loaded) {
    const env: NodeJS.ProcessEnv = { ...process.env, TRIBUTARY_SPECIFIERS: JSON.stringify(pkg.subpaths.map((s) => s.specifier)) };
    delete env.NODE_OPTIONS; // nothing may add `--conditions=@tributary/source` (or a loader) to the child
    // `--no-experimental-require-module`: the CommonJS build must not need require(esm) (tsup-preset bundles
    // ESM-only dependencies for that reason), so a CJS entry that requires an ES module fails here.
    loaded = run(process.execPath, ['--no-experimental-require-module', '--input-type=module', '-e', LOADER], { cwd: pkg.dir, env }).then(({ code, stdout, stderr }) => {
      if (code !== 0) throw new Error(`loading the built ${pkg.manifest.name} failed (exit ${code}):\n${stderr}`);
      return JSON.parse(stdout) as Record<string, Loaded>;
    });
    loads.set(pkg.folder, loaded);
  }
  return loaded;
}

// ---------------------------------------------------------------------------------------------------
// Tarballs (packed once per package) for publint and arethetypeswrong.

let packDir = '';
const tarballs = new Map<string, string>();

/** Fails with a clear message when the package was not built: every check here is on the built output. */
function requireDist(pkg: Package): void {
  if (!existsSync(join(pkg.dir, 'dist'))) {
    throw new Error(
      `${pkg.manifest.name} has no dist/: the packaging test checks the BUILT packages. Run \`npx -y pnpm@10 build\` first ` +
        '(`pnpm test` builds before it runs vitest).',
    );
  }
}

beforeAll(async () => {
  packDir = mkdtempSync(join(tmpdir(), 'tributary-pack-'));
  const [command, prefix] = pnpm();
  await Promise.all(
    packages
      .filter((p) => existsSync(join(p.dir, 'dist')))
      .map(async (p) => {
        const destination = join(packDir, p.folder);
        const result = await run(command, [...prefix, 'pack', '--pack-destination', destination], { cwd: p.dir });
        const tgz = existsSync(destination) ? readdirSync(destination).find((f) => f.endsWith('.tgz')) : undefined;
        if (result.code !== 0 || !tgz) throw new Error(`pnpm pack failed for ${p.manifest.name} (exit ${result.code}):\n${result.stderr}${result.stdout}`);
        tarballs.set(p.folder, join(destination, tgz));
      }),
  );
}, 90_000);

afterAll(() => {
  if (packDir) rmSync(packDir, { recursive: true, force: true });
});

function tarball(pkg: Package): string {
  requireDist(pkg);
  const file = tarballs.get(pkg.folder);
  if (!file) throw new Error(`${pkg.manifest.name} was not packed`);
  return file;
}

const attwBin = (() => {
  const dir = join(root, 'node_modules/@arethetypeswrong/cli');
  const bin = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin.attw;
  return join(dir, bin ?? 'dist/index.js');
})();

interface AttwProblem {
  kind: string;
  entrypoint?: string;
  resolutionKind?: string;
  [key: string]: unknown;
}
interface AttwOutput {
  analysis: {
    types: false | { kind: string };
    entrypoints: Record<string, { resolutions: Record<string, unknown> }>;
    problems: AttwProblem[];
  };
}

// ---------------------------------------------------------------------------------------------------

describe.each(packages.map((p) => [p.manifest.name, p] as const))('%s (built)', (_name, pkg) => {
  it('is built and has subpath exports', () => {
    requireDist(pkg);
    expect(pkg.subpaths.length, `${pkg.manifest.name} exports nothing but package.json`).toBeGreaterThan(0);
  });

  it.each(pkg.subpaths.map((s) => [s.subpath, s] as const))('%s: .js, .cjs, .d.ts and .d.cts exist', (_subpath, { entry }) => {
    requireDist(pkg);
    const files = [entry.import.default, entry.import.types, ...(entry.require ? [entry.require.default, entry.require.types] : [])];
    const shapes = files.map((f) => (/\.d\.c?ts$/.test(f) ? f.slice(f.lastIndexOf('.d.')) : f.slice(f.lastIndexOf('.'))));
    expect(shapes).toEqual(['.js', '.d.ts', '.cjs', '.d.cts'].slice(0, files.length));
    expect(files.filter((f) => !f.startsWith('./dist/'))).toEqual([]);
    expect(files.filter((f) => !existsSync(join(pkg.dir, f)))).toEqual([]);
  });

  it.each(pkg.subpaths.map((s) => [s.specifier, s] as const))('%s: import() and require() load dist with the same exports', async (specifier, { entry }) => {
    const r = (await loadAll(pkg))[specifier];
    expect(r, `no result for ${specifier}`).toBeDefined();
    if (!r) return;
    expect(r.esmError, `import('${specifier}') failed`).toBeUndefined();
    const dist = join(pkg.dir, 'dist') + sep;
    expect(r.esmFile?.startsWith(dist) && r.esmFile.endsWith('.js'), `import resolved to ${r.esmFile}, not dist/**.js`).toBe(true);
    expect(r.esm?.length ?? 0, `${specifier} has no runtime exports`).toBeGreaterThan(0);
    if (!entry.require) {
      // Declared ES-module-only: CommonJS consumers must get Node's clear "not exported" error.
      expect(r.cjsError).toContain('ERR_PACKAGE_PATH_NOT_EXPORTED');
      return;
    }
    const esmOnly = r.cjsError?.includes('ERR_REQUIRE_ESM')
      ? ' (the CommonJS build requires an ES-module-only dependency: inline it with the `bundle` option of the package\'s tsup.config.ts)'
      : '';
    expect(r.cjsError, `require('${specifier}') failed${esmOnly}`).toBeUndefined();
    expect(r.cjsFile?.startsWith(dist) && r.cjsFile.endsWith('.cjs'), `require resolved to ${r.cjsFile}, not dist/**.cjs`).toBe(true);
    expect(r.cjs, 'CommonJS and ES module builds export different names').toEqual(r.esm);
  });

  it('passes publint without any message', async () => {
    const data = readFileSync(tarball(pkg));
    const tgz = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
    const { messages, pkg: manifest } = await publint({ pack: { tarball: tgz }, level: 'suggestion' });
    const lines = messages.map((m) => `${m.type} ${m.code}: ${formatMessage(m, manifest, { color: false }) ?? JSON.stringify(m)}`);
    expect(lines).toEqual([]);
  });

  it('passes arethetypeswrong (node16 CJS + ESM, bundler)', async () => {
    const file = tarball(pkg);
    const { code, stdout, stderr } = await run(process.execPath, [attwBin, file, '--profile', 'node16', '--format', 'json'], {
      cwd: dirname(file),
      stdoutFile: `${file}.attw.json`,
    });
    expect(stdout, `attw produced no report (exit ${code}): ${stderr}`).not.toBe('');
    const { analysis } = JSON.parse(stdout) as AttwOutput;
    expect(analysis.types, 'attw found no types in the package').toMatchObject({ kind: 'included' });
    // The node16 profile ignores only node10 (no subpath support there); everything else must be clean,
    // except that a subpath declared ES-module-only (no `require` condition) cannot resolve from CommonJS.
    const esmOnly = new Set(pkg.subpaths.filter((s) => !s.entry.require).map((s) => s.subpath));
    const expected = (p: AttwProblem) => p.resolutionKind === 'node16-cjs' && p.kind === 'NoResolution' && esmOnly.has(p.entrypoint ?? '');
    const problems = analysis.problems.filter((p) => p.resolutionKind !== 'node10' && !expected(p));
    expect(problems).toEqual([]);
    if (!analysis.problems.some(expected)) expect(code).toBe(0);
    const checked = Object.entries(analysis.entrypoints).filter(([subpath]) => subpath !== './package.json');
    expect(checked.map(([subpath]) => subpath).sort()).toEqual(pkg.subpaths.map((s) => s.subpath).sort());
    for (const [, { resolutions }] of checked) expect(Object.keys(resolutions)).toEqual(expect.arrayContaining(['node16-cjs', 'node16-esm', 'bundler']));
  });
});
