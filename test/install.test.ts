// What someone who runs `npm install @tributary/core @tributary/connectors @tributary/adapters zod` gets:
// the packages are packed (`pnpm pack`, from the dist/ that `pnpm test` built), installed with npm
// into a fresh project OUTSIDE the workspace (os.tmpdir(), so nothing resolves to the workspace's
// node_modules), with zod and the packages' runtime dependencies from the npm registry (or npm's cache).
// In that project:
// - an ES module script and a CommonJS script each build a pipeline with the in-memory storage and
//   queue and the Discourse connector, push one raw post through ingest (no network), and read the
//   analyzed record and the daily report back; both resolve every package inside the project, share the
//   project's one zod, and get the adapters' clear "install pg" error since the optional peer is absent;
// - `tsc --noEmit` (the workspace's TypeScript, by absolute path) type-checks a small program over the
//   public types with `moduleResolution` node16 (an .mts and a .cts file; `skipLibCheck: false`, so the
//   shipped .d.ts/.d.cts files are checked too) and bundler; `@ts-expect-error` lines prove the types
//   are real rather than `any`.
// Only an unreachable npm registry skips this file, with the reason printed; under CI it fails instead.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUDGET_MS = 90_000;

interface Manifest {
  name: string;
  version: string;
  devDependencies?: Record<string, string>;
}

const packages = readdirSync(join(root, 'packages'))
  .filter((folder) => existsSync(join(root, 'packages', folder, 'package.json')))
  .sort()
  .map((folder) => {
    const dir = join(root, 'packages', folder);
    return { folder, dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest };
  });
const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Manifest;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a command without a shell; kills it after `timeoutMs`. */
function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<Result> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    const done = (code: number, extra = '') => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr: stderr + extra, ms: Date.now() - started });
    };
    child.on('error', (error) => done(1, String(error)));
    child.on('close', (code, signal) => done(code ?? 1, signal ? `\nkilled by ${signal}` : ''));
  });
}

/**
 * The environment of the child processes: without NODE_OPTIONS (nothing may add the
 * `@tributary/source` condition or a loader) and without the settings pnpm passes to its scripts as
 * `npm_config_*`, which would steer npm; the registry, cache and proxy settings are kept.
 */
function cleanEnv(): NodeJS.ProcessEnv {
  const keep = new Set(['npm_config_registry', 'npm_config_cache', 'npm_config_userconfig', 'npm_config_proxy', 'npm_config_https_proxy', 'npm_config_noproxy', 'npm_config_strict_ssl', 'npm_config_cafile']);
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    const lower = key.toLowerCase();
    if (key === 'NODE_OPTIONS' || lower.startsWith('npm_package_') || (lower.startsWith('npm_config_') && !keep.has(lower))) continue;
    env[key] = value;
  }
  return { ...env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
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

/** npm answers `npm ping` from the registry it is configured with. */
async function registryReachable(): Promise<{ ok: true } | { ok: false; reason: string }> {
  const ping = await run('npm', ['ping'], { cwd: tmpdir(), timeoutMs: 20_000 });
  if (ping.code === 0) return { ok: true };
  return { ok: false, reason: `\`npm ping\` failed (exit ${ping.code}): ${(ping.stderr || ping.stdout).trim().split('\n').slice(-3).join(' | ')}` };
}

const registry = await registryReachable();
if (!registry.ok) {
  if (process.env.CI) throw new Error(`test/install.test.ts: the npm registry cannot be reached, and under CI this test must run. ${registry.reason}`);
  console.warn(`[install.test] SKIPPED: the npm registry cannot be reached, so the packed packages cannot be installed with their dependencies. ${registry.reason}`);
}

// ---------------------------------------------------------------------------------------------------
// The consumer's files.

const POST = {
  externalId: '1001',
  itemType: 'discourse.post',
  payload: {
    post: { id: 1001, topic_id: 7, post_number: 1, username: 'ann', created_at: '2024-03-01T10:00:00.000Z', cooked: '<p>I love the new editor, it is fantastic!</p>' },
    topic: { id: 7, title: 'The new editor', slug: 'the-new-editor' },
  },
};

/** The body shared by the ESM and CommonJS scripts; `resolve(specifier)` and `requireFrom(file)` differ. */
const PIPELINE_RUN = `
  const pipeline = createPipeline({
    storage: createMemoryStorage(),
    queue: createMemoryQueue(),
    connectors: [discourseConnector],
    analyzers: defaultAnalyzers(),
    fetch: () => Promise.reject(new Error('no network in the install test')),
  });
  const source = await pipeline.sources.create('acme', { id: 'forum', name: 'Forum', connector: 'discourse', config: { baseUrl: 'https://forum.example.test', searchTerm: 'editor' } });
  await pipeline.start();
  const { ids } = await pipeline.ingest('acme', source.id, [${JSON.stringify(POST)}]);
  await pipeline.drain({ timeoutMs: 10000 });
  const record = await pipeline.storage.getRecord('acme', ids[0]);
  const report = await dailyReport(pipeline.storage, { workspaceId: 'acme', from: '2024-03-01', to: '2024-03-02' });
  await pipeline.stop();
  await pipeline.queue.dispose();

  let missingPg = null;
  const postgres = createPostgresStorage({ connectionString: 'postgres://127.0.0.1:1/never' });
  try { await postgres.getRecord('acme', 'x'); } catch (error) { missingPg = { code: error.code, message: error.message, isTributary: isTributaryError(error, 'missing_dependency') }; }

  const files = ['@tributary/core/pipeline', '@tributary/connectors/discourse', '@tributary/adapters/postgres', 'zod'].map(resolve);
  const zodOfCore = requireFrom(resolve('@tributary/core/pipeline')).resolve('zod');
  const zodOfProject = requireFrom(process.cwd() + '/package.json').resolve('zod');
  process.stdout.write(JSON.stringify({
    files,
    zodShared: zodOfCore === zodOfProject,
    record: record && { id: record.id, text: record.content?.text, itemType: record.itemType, sourceId: record.sourceId, sentiment: record.analysis.sentiment?.label, language: record.analysis.language?.code },
    report: report.rows.map((row) => ({ day: row.day, count: row.count, positive: row.positive })),
    missingPg,
  }));
`;

const ESM_SCRIPT = `
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { createPipeline } from '@tributary/core/pipeline';
import { createMemoryQueue } from '@tributary/core/queue/memory';
import { createMemoryStorage } from '@tributary/core/storage/memory';
import { defaultAnalyzers } from '@tributary/core/analyzers/defaults';
import { dailyReport } from '@tributary/core/reports';
import { isTributaryError } from '@tributary/core/errors';
import { discourseConnector } from '@tributary/connectors/discourse';
import { createPostgresStorage } from '@tributary/adapters/postgres';
const resolve = (specifier) => fileURLToPath(import.meta.resolve(specifier));
const requireFrom = (file) => createRequire(file);
${PIPELINE_RUN}
`;

const CJS_SCRIPT = `
const { createRequire } = require('node:module');
const { createPipeline } = require('@tributary/core/pipeline');
const { createMemoryQueue } = require('@tributary/core/queue/memory');
const { createMemoryStorage } = require('@tributary/core/storage/memory');
const { defaultAnalyzers } = require('@tributary/core/analyzers/defaults');
const { dailyReport } = require('@tributary/core/reports');
const { isTributaryError } = require('@tributary/core/errors');
const { discourseConnector } = require('@tributary/connectors/discourse');
const { createPostgresStorage } = require('@tributary/adapters/postgres');
const resolve = (specifier) => require.resolve(specifier);
const requireFrom = (file) => createRequire(file);
(async () => {
${PIPELINE_RUN}
})().catch((error) => { console.error(error); process.exit(1); });
`;

/** The typed program; `$AWAIT` is top-level await (ESM) or inside an async function (CommonJS). */
const TYPED_PROGRAM = `
import { createPipeline, type Pipeline, type PipelineOptions } from '@tributary/core/pipeline';
import { createMemoryQueue } from '@tributary/core/queue/memory';
import { createMemoryStorage } from '@tributary/core/storage/memory';
import { defaultAnalyzers, type DefaultAnalyzersOptions } from '@tributary/core/analyzers/defaults';
import type { RawItem } from '@tributary/core/connector';
import type { TributaryRecord } from '@tributary/core/record';
import { dailyReport, type DailyReport } from '@tributary/core/reports';
import { isTributaryError } from '@tributary/core/errors';
import { discourseConnector, DiscourseConfigSchema, type DiscourseConfig, type DiscourseConfigInput } from '@tributary/connectors/discourse';
import { z } from 'zod';

const forum: DiscourseConfigInput = { baseUrl: 'https://forum.example.test', searchTerm: 'editor', after: '2024-01-01' };
const parsed: DiscourseConfig = DiscourseConfigSchema.parse(forum);
const mode: 'search' | 'latest-posts' = parsed.mode;
const maxPages: number = parsed.maxPages;
// zod is a peer: the host's zod and the connector's schemas are one library.
const wrapped = z.object({ forum: DiscourseConfigSchema });
type Wrapped = z.infer<typeof wrapped>;
const fromWrapped: DiscourseConfig = ({} as Wrapped).forum;

const analyzerOptions: DefaultAnalyzersOptions = { moderation: false, language: { languages: ['en', 'de'] } };
const options: PipelineOptions = { storage: createMemoryStorage(), queue: createMemoryQueue(), connectors: [discourseConnector], analyzers: defaultAnalyzers(analyzerOptions) };
const pipeline: Pipeline = createPipeline(options);
// @ts-expect-error the storage port is required: the types are real, not any
createPipeline({ queue: createMemoryQueue() });

async function use(): Promise<void> {
  const source = await pipeline.sources.create('acme', { name: 'Forum', connector: 'discourse', config: forum });
  const item: RawItem = { externalId: '1', itemType: 'discourse.post', payload: {} };
  const { ids }: { accepted: number; ids: string[] } = await pipeline.ingest('acme', source.id, [item]);
  const record: TributaryRecord | null = await pipeline.storage.getRecord('acme', ids[0] ?? '');
  const label: 'positive' | 'negative' | 'neutral' | undefined = record?.analysis.sentiment?.label;
  const report: DailyReport = await dailyReport(pipeline.storage, { workspaceId: 'acme', from: '2024-03-01', to: '2024-03-02' });
  const counts: number[] = report.rows.map((row) => row.count);
  try {
    await pipeline.trigger('acme', 'missing');
  } catch (error) {
    if (isTributaryError(error, 'not_found')) console.log(error.code, label, counts, mode, maxPages, fromWrapped);
  }
}
$AWAIT
`;

const TSCONFIG_COMMON = { target: 'ES2022', lib: ['ES2023'], strict: true, noEmit: true, skipLibCheck: false, types: ['node'] };

// ---------------------------------------------------------------------------------------------------

let workDir = '';
let project = '';
const startedAt = Date.now();
const timings: Record<string, number> = {};
let checks: Record<'esm' | 'cjs' | 'node16' | 'bundler', Promise<Result>>;

function requireDist(): void {
  const missing = packages.filter((p) => !existsSync(join(p.dir, 'dist')));
  if (missing.length > 0) {
    throw new Error(
      `${missing.map((p) => p.manifest.name).join(', ')} has no dist/: the install test packs the BUILT packages. ` +
        'Run `npx -y pnpm@10 build` first (`pnpm test` builds before it runs vitest).',
    );
  }
}

describe.skipIf(!registry.ok)('installing the packed packages into a fresh project (npm, outside the workspace)', () => {
  beforeAll(async () => {
    requireDist();
    workDir = mkdtempSync(join(tmpdir(), 'tributary-install-'));
    project = join(workDir, 'consumer');
    mkdirSync(project);
    for (const dir of [join(tmpdir(), 'node_modules'), '/node_modules']) {
      if (existsSync(dir)) throw new Error(`${dir} exists: the fresh project in ${project} would resolve packages from it; remove it`);
    }

    const [command, prefix] = pnpm();
    const packStarted = Date.now();
    const packed = await Promise.all(
      packages.map(async (p) => {
        const destination = join(workDir, 'tarballs', p.folder);
        const result = await run(command, [...prefix, 'pack', '--pack-destination', destination], { cwd: p.dir, env: { ...process.env } });
        const tgz = existsSync(destination) ? readdirSync(destination).find((f) => f.endsWith('.tgz')) : undefined;
        if (result.code !== 0 || !tgz) throw new Error(`pnpm pack failed for ${p.manifest.name} (exit ${result.code}):\n${result.stderr}${result.stdout}`);
        return join(destination, tgz);
      }),
    );
    timings.pack = Date.now() - packStarted;

    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'tributary-consumer', version: '1.0.0', private: true }, null, 2));
    const zod = rootManifest.devDependencies?.zod ?? '^4';
    const typesNode = rootManifest.devDependencies?.['@types/node'] ?? '^20';
    const install = await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...packed, `zod@${zod}`, `@types/node@${typesNode}`], {
      cwd: project,
      timeoutMs: 75_000,
    });
    timings.install = install.ms;
    if (install.code !== 0) throw new Error(`npm install in ${project} failed (exit ${install.code}):\n${install.stderr}\n${install.stdout}`);

    writeFileSync(join(project, 'esm.mjs'), ESM_SCRIPT);
    writeFileSync(join(project, 'cjs.cjs'), CJS_SCRIPT);
    writeFileSync(join(project, 'typed.mts'), TYPED_PROGRAM.replace('$AWAIT', 'await use();\nexport {};'));
    writeFileSync(join(project, 'typed.cts'), TYPED_PROGRAM.replace('$AWAIT', 'void use();'));
    writeFileSync(join(project, 'typed.ts'), TYPED_PROGRAM.replace('$AWAIT', 'await use();\nexport {};'));
    writeFileSync(join(project, 'tsconfig.node16.json'), JSON.stringify({ compilerOptions: { ...TSCONFIG_COMMON, module: 'Node16', moduleResolution: 'Node16' }, files: ['typed.mts', 'typed.cts'] }));
    // The node16 run checks every shipped .d.ts and .d.cts it loads (skipLibCheck off); the bundler run
    // resolves the same .d.ts files, so it checks only the program, which halves the time.
    writeFileSync(join(project, 'tsconfig.bundler.json'), JSON.stringify({ compilerOptions: { ...TSCONFIG_COMMON, module: 'ESNext', moduleResolution: 'Bundler', skipLibCheck: true }, files: ['typed.ts'] }));

    // The four checks run side by side; each test awaits its own.
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    checks = {
      esm: run(process.execPath, ['esm.mjs'], { cwd: project, timeoutMs: 30_000 }),
      cjs: run(process.execPath, ['--no-experimental-require-module', 'cjs.cjs'], { cwd: project, timeoutMs: 30_000 }),
      node16: run(process.execPath, [tsc, '-p', 'tsconfig.node16.json'], { cwd: project, timeoutMs: 60_000 }),
      bundler: run(process.execPath, [tsc, '-p', 'tsconfig.bundler.json'], { cwd: project, timeoutMs: 60_000 }),
    };
  }, BUDGET_MS);

  afterAll(() => {
    console.log(`[install.test] timings (ms): ${JSON.stringify({ ...timings, total: Date.now() - startedAt })}`);
    if (workDir && !process.env.TRIBUTARY_KEEP_INSTALL) rmSync(workDir, { recursive: true, force: true });
  });

  interface RunOutput {
    files: string[];
    zodShared: boolean;
    record: { id: string; text: string; itemType: string; sourceId: string; sentiment: string; language: string } | null;
    report: { day: string; count: number; positive: number }[];
    missingPg: { code: string; message: string; isTributary: boolean } | null;
  }

  it.each(['esm', 'cjs'] as const)('%s: builds a pipeline with the memory adapters and the Discourse connector and runs a record through', async (kind) => {
    const result = await checks[kind];
    timings[kind] = result.ms;
    expect(result.code, `node ${kind} script failed:\n${result.stderr}`).toBe(0);
    const out = JSON.parse(result.stdout) as RunOutput;
    expect(out.files.filter((file) => !file.startsWith(join(project, 'node_modules') + sep)), 'resolved outside the fresh project').toEqual([]);
    expect(out.files.slice(0, 3).every((file) => file.includes(`${sep}dist${sep}`) && file.endsWith(kind === 'esm' ? '.js' : '.cjs'))).toBe(true);
    expect(out.zodShared, 'core resolves a zod of its own instead of the project\'s (zod must be a peer)').toBe(true);
    expect(out.record).toMatchObject({ text: 'I love the new editor, it is fantastic!', itemType: 'discourse.post', sourceId: 'forum', sentiment: 'positive', language: 'en' });
    expect(out.report).toEqual([{ day: '2024-03-01', count: 1, positive: 1 }]);
    expect(out.missingPg).toMatchObject({ code: 'missing_dependency', isTributary: true });
    expect(out.missingPg?.message).toContain('npm install pg');
  }, BUDGET_MS);

  it.each(['node16', 'bundler'] as const)('tsc --noEmit with moduleResolution %s type-checks a program over the public types', async (kind) => {
    const result = await checks[kind];
    timings[`tsc-${kind}`] = result.ms;
    expect(result.stdout + result.stderr, `tsc (${kind}) reported errors`).toBe('');
    expect(result.code).toBe(0);
    expect(Date.now() - startedAt, 'the install test took longer than its budget').toBeLessThan(BUDGET_MS);
  }, BUDGET_MS);
});
