// docs/http-api.md is generated from the reference server's OpenAPI document by
// scripts/http-api-doc.mjs. This test fails when the page no longer matches what the server declares:
// run `node scripts/http-api-doc.mjs` after changing a route, and commit the page with the change.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const script = join(root, 'scripts/http-api-doc.mjs');
const page = join(root, 'docs/http-api.md');

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [script, ...args], { cwd: root, timeout: 90_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const scratch = mkdtempSync(join(tmpdir(), 'tributary-http-api-doc-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('docs/http-api.md (scripts/http-api-doc.mjs)', () => {
  it('is what the server declares at /openapi.json', async () => {
    const { code, stderr } = await run(['--check']);
    expect(stderr, 'docs/http-api.md is stale: run `node scripts/http-api-doc.mjs`').toBe('');
    expect(code).toBe(0);
  }, 120_000);

  it('documents every route of the server, and --check notices a stale page', async () => {
    const { code, stdout } = await run(['--stdout']);
    expect(code).toBe(0);
    // The routes the server's README promises, as headings.
    for (const heading of [
      'POST /v1/workspaces',
      'POST /v1/workspaces/{ws}/sources',
      'POST /v1/workspaces/{ws}/sources/{id}/sync',
      'POST /v1/hooks/{ws}/{source}',
      'POST /v1/workspaces/{ws}/records',
      'GET /v1/workspaces/{ws}/records',
      'GET /v1/workspaces/{ws}/insights',
      'GET /v1/workspaces/{ws}/aggregates',
      'POST /v1/workspaces/{ws}/destinations',
      'POST /v1/workspaces/{ws}/dead-letters/{id}/replay',
      'GET /healthz',
      'GET /readyz',
      'GET /metrics',
    ]) {
      expect(stdout).toContain(`\n### ${heading}\n`);
    }
    // No ts fences: the page is not a place for samples (test/docs-samples.test.ts checks those).
    expect(stdout).not.toMatch(/^```ts/m);

    const stale = join(scratch, 'http-api.md');
    writeFileSync(stale, readFileSync(page, 'utf8').replace('### GET /healthz', '### GET /health'));
    const check = await run(['--check', '--file', stale]);
    expect(check.code).toBe(1);
    expect(check.stderr).toMatch(/is stale \(first difference at line \d+\)/);
  }, 120_000);
});
