// `changeset version` with the repository's configuration, run on a scratch copy of the workspace manifests
// (so the real package.json files are never touched). Offline: the default changelog generator needs
// neither git nor the network.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const changesetBin = join(root, 'node_modules/.bin/changeset');

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const workspaceDirs = ['packages', 'examples'].flatMap((group) =>
  existsSync(join(root, group))
    ? readdirSync(join(root, group))
        .filter((name) => existsSync(join(root, group, name, 'package.json')))
        .map((name) => `${group}/${name}`)
    : [],
);
const original = new Map(
  workspaceDirs.map((dir) => {
    const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as Manifest;
    return [manifest.name, { dir, manifest }] as const;
  }),
);
/** Published packages that depend on core through the workspace protocol. */
const coreDependents = [...original.values()].filter(
  ({ manifest }) =>
    !manifest.private && [manifest.dependencies, manifest.peerDependencies].some((deps) => deps?.['@tributary/core']?.startsWith('workspace:')),
);

const scratchDirs: string[] = [];
afterEach(() => {
  for (const dir of scratchDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A copy of the workspace's manifests and changesets configuration, `.changeset/config.json` link included. */
function scratchWorkspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-changesets-'));
  scratchDirs.push(dir);
  for (const file of ['package.json', 'pnpm-workspace.yaml', 'changeset.config.json']) cpSync(join(root, file), join(dir, file));
  mkdirSync(join(dir, '.changeset'));
  // Only the README: pending changesets of the repository would change what this test expects.
  if (existsSync(join(root, '.changeset/README.md'))) cpSync(join(root, '.changeset/README.md'), join(dir, '.changeset/README.md'));
  symlinkSync('../changeset.config.json', join(dir, '.changeset/config.json'));
  for (const { dir: pkgDir } of original.values()) {
    mkdirSync(join(dir, pkgDir), { recursive: true });
    cpSync(join(root, pkgDir, 'package.json'), join(dir, pkgDir, 'package.json'));
  }
  return dir;
}

function addChangeset(dir: string, id: string, releases: Record<string, 'patch' | 'minor' | 'major'>, summary: string): void {
  const front = Object.entries(releases).map(([name, type]) => `"${name}": ${type}`);
  writeFileSync(join(dir, '.changeset', `${id}.md`), `---\n${front.join('\n')}\n---\n\n${summary}\n`);
}

function changesetVersion(cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(changesetBin, ['version'], { cwd, env: { ...process.env, CI: 'true' }, timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`changeset version failed: ${error.message}\n${stdout}${stderr}`));
      else resolve(`${stdout}${stderr}`);
    });
  });
}

const manifestIn = (dir: string, name: string): Manifest => {
  const entry = original.get(name);
  if (!entry) throw new Error(`${name} is not in the workspace`);
  return JSON.parse(readFileSync(join(dir, entry.dir, 'package.json'), 'utf8')) as Manifest;
};
const changelogIn = (dir: string, name: string): string | undefined => {
  const file = join(dir, original.get(name)?.dir ?? '', 'CHANGELOG.md');
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
};

function nextPatch(version: string): string {
  const [major, minor, patch] = version.split('-')[0]!.split('.').map(Number);
  return `${major}.${minor}.${(patch ?? 0) + 1}`;
}

describe('changesets (changeset.config.json)', () => {
  const core = original.get('@tributary/core');

  it('has the workspace this test expects', () => {
    expect(core, '@tributary/core not found under packages/').toBeDefined();
    expect(coreDependents.map((d) => d.manifest.name)).toEqual(expect.arrayContaining(['@tributary/connectors', '@tributary/adapters']));
    const config = JSON.parse(readFileSync(join(root, 'changeset.config.json'), 'utf8')) as Record<string, unknown>;
    expect(config).toMatchObject({ updateInternalDependencies: 'patch', commit: false });
    expect(readFileSync(join(root, '.changeset/config.json'), 'utf8'), '.changeset/config.json must be the root config').toBe(
      readFileSync(join(root, 'changeset.config.json'), 'utf8'),
    );
  });

  it('a core patch bumps core and writes its CHANGELOG; dependents on workspace:^ stay as they are', async () => {
    const dir = scratchWorkspace();
    const from = core!.manifest.version;
    const to = nextPatch(from);
    addChangeset(dir, 'brave-core-fix', { '@tributary/core': 'patch' }, 'Fix the record hash for empty bodies.');

    await changesetVersion(dir);

    expect(manifestIn(dir, '@tributary/core').version).toBe(to);
    const changelog = changelogIn(dir, '@tributary/core');
    expect(changelog).toBeDefined();
    expect(changelog).toMatch(new RegExp(`^# @tributary/core\\n\\n## ${to.replaceAll('.', '\\.')}\\n\\n### Patch Changes\\n\\n- Fix the record hash for empty bodies\\.`));
    expect(existsSync(join(dir, '.changeset/brave-core-fix.md')), 'the changeset is consumed').toBe(false);

    // `workspace:^` still covers the new core version, so with updateInternalDependencies "patch" the
    // dependents need no release: their ranges keep the workspace protocol (pnpm publish turns it into ^<new>).
    for (const { manifest } of coreDependents) {
      const after = manifestIn(dir, manifest.name);
      expect(after.version, `${manifest.name} is not released`).toBe(manifest.version);
      expect(after.peerDependencies?.['@tributary/core']).toBe(manifest.peerDependencies?.['@tributary/core']);
      expect(after.dependencies?.['@tributary/core']).toBe(manifest.dependencies?.['@tributary/core']);
      expect(after.devDependencies?.['@tributary/core']).toBe(manifest.devDependencies?.['@tributary/core']);
      expect(changelogIn(dir, manifest.name), `${manifest.name} gets no CHANGELOG`).toBeUndefined();
    }
    // Private examples are ignored and never versioned.
    for (const { manifest } of original.values()) {
      if (manifest.private) expect(manifestIn(dir, manifest.name).version).toBe(manifest.version);
    }
  });

  it('a dependent released with core lists the core patch under "Updated dependencies" and keeps workspace:^', async () => {
    const dir = scratchWorkspace();
    const to = nextPatch(core!.manifest.version);
    addChangeset(dir, 'quiet-pair', { '@tributary/core': 'patch', '@tributary/connectors': 'patch' }, 'Retry Discourse pages on 429.');

    await changesetVersion(dir);

    const connectors = original.get('@tributary/connectors')!.manifest;
    expect(manifestIn(dir, '@tributary/core').version).toBe(to);
    expect(manifestIn(dir, '@tributary/connectors').version).toBe(nextPatch(connectors.version));
    expect(changelogIn(dir, '@tributary/connectors')).toContain(`- Retry Discourse pages on 429.\n- Updated dependencies\n  - @tributary/core@${to}`);
    expect(manifestIn(dir, '@tributary/connectors').peerDependencies?.['@tributary/core']).toBe(connectors.peerDependencies?.['@tributary/core']);
    expect(changelogIn(dir, '@tributary/adapters')).toBeUndefined();
  });

  it('updateInternalDependencies "patch": a released dependent with an explicit range follows a core patch', async () => {
    // The real packages use `workspace:^`, which has nothing to rewrite; a scratch-only package with an
    // explicit range shows the setting itself (with "minor" its range would stay at the old version).
    const dir = scratchWorkspace();
    const from = core!.manifest.version;
    const to = nextPatch(from);
    mkdirSync(join(dir, 'packages/probe'));
    writeFileSync(
      join(dir, 'packages/probe/package.json'),
      JSON.stringify({ name: '@tributary/probe', version: '1.0.0', dependencies: { '@tributary/core': `workspace:^${from}` } }),
    );
    addChangeset(dir, 'probe-pair', { '@tributary/core': 'patch', '@tributary/probe': 'patch' }, 'Probe.');

    await changesetVersion(dir);

    const probe = JSON.parse(readFileSync(join(dir, 'packages/probe/package.json'), 'utf8')) as Manifest;
    expect(probe.version).toBe('1.0.1');
    expect(probe.dependencies?.['@tributary/core']).toBe(`workspace:^${to}`);
    expect(readFileSync(join(dir, 'packages/probe/CHANGELOG.md'), 'utf8')).toContain(`- Updated dependencies\n  - @tributary/core@${to}`);
  });
});
