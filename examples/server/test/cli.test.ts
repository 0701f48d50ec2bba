import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKey } from '@tributary/core/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { createServer, type TributaryServer } from '../src/server.js';

const bin = join(import.meta.dirname, '..', 'bin', 'tributary.mjs');
const work = mkdtempSync(join(tmpdir(), 'tributary-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout's lines, parsed. */
  json: any[];
}

/** Runs `tributary …` as a user would: a separate process, env and stdin given. */
function cli(args: string[], options: { stdin?: string; env?: Record<string, string>; cwd?: string } = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: options.cwd ?? work,
      // A clean configuration: nothing from the developer's shell decides the engines.
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TRIBUTARY_DATA_DIR: join(work, 'data'), ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const json = stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l));
      resolve({ code, stdout, stderr, json });
    });
    child.stdin.end(options.stdin ?? '');
  });
}

describe('tributary (usage)', () => {
  it('lists the commands, and describes each with --help', async () => {
    const top = await cli(['--help']);
    expect(top.code).toBe(0);
    for (const command of ['serve', 'sync', 'analyze', 'import', 'dlq', 'migrate']) expect(top.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    const all = [['analyze', '--help'], ['sync', '--help'], ['import', '-h'], ['dlq', '--help'], ['dlq', 'list', '--help'], ['dlq', 'replay', '--help'], ['migrate', '--help'], ['serve', '--help']];
    const helps = await Promise.all(all.map((args) => cli(args)));
    helps.forEach((help, i) => {
      expect(help.code, all[i]!.join(' ')).toBe(0);
      expect(help.stdout).toMatch(/^Usage: tributary /);
      expect(help.stdout).toContain('--help');
    });
  }, 60_000);

  it.concurrent.each([
    [[], /Usage: tributary <command>/],
    [['frobnicate'], /tributary: unknown command "frobnicate"/],
    [['analyze', '--fast'], /tributary analyze: Unknown option '--fast'/],
    [['analyze', '--analyzers', 'astrology'], /unknown analyzer astrology: available are language, sentiment/],
    [['import'], /tributary import: missing <file>/],
    [['import', 'nope.csv'], /tributary import: cannot read nope\.csv: ENOENT/],
    [['import', 'a.csv', '--format', 'xlsx'], /./],
    [['sync', 'discourse'], /--config <file\.json> is required/],
    [['sync', 'carrier-pigeon', '--config', 'x.json'], /./],
    [['dlq'], /missing subcommand: list or replay/],
    [['dlq', 'purge'], /unknown subcommand "purge"/],
    [['dlq', 'replay'], /give the ids of the dead letters to replay, or --all/],
    [['dlq', 'list', '--stage', 'lunch'], /--stage must be one of fetch, parse, analyze, report, deliver/],
    [['serve', '--role', 'chef'], /--role must be one of all, api, worker, dispatcher/],
  ])('exits 2 on %j', async (args, message) => {
    const res = await cli(args);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(message);
    expect(res.stdout).toBe('');
  }, 30_000);
});

describe('tributary analyze', () => {
  it('analyzes NDJSON from stdin, reporting invalid lines with their number', async () => {
    const input = [
      JSON.stringify({ id: 'a', text: 'I absolutely love this app, it is wonderful and works perfectly!' }),
      JSON.stringify({ id: 2, text: 'Terrible update. It crashes every time and I lost my data. Awful.' }),
      'this is not json',
      JSON.stringify({ id: 'c', text: 'The invoice was sent on Tuesday.' }),
      '',
      JSON.stringify({ text: 'no id' }),
      JSON.stringify({ id: 'd', title: 'Feature request', text: 'Please add a dark mode to the dashboard' }),
    ].join('\n');
    const res = await cli(['analyze'], { stdin: `${input}\n` });
    expect(res.code).toBe(0);
    expect(res.json.map((r) => r.id)).toEqual(['a', 2, 'c', 'd']);
    const byId = Object.fromEntries(res.json.map((r) => [r.id, r]));
    expect(byId.a.analysis.sentiment.label).toBe('positive');
    expect(byId[2].analysis.sentiment.label).toBe('negative');
    expect(byId.c.analysis.sentiment.label).toBe('neutral');
    expect(byId.a.analysis.language.code).toBe('en');
    expect(byId.a.analyzers.map((a: { name: string }) => a.name)).toEqual(expect.arrayContaining(['language', 'sentiment']));
    expect(res.stderr).toMatch(/^line 3: invalid JSON.*; skipped$/m);
    expect(res.stderr).toMatch(/^line 6: missing "id".*; skipped$/m);
    expect(res.stderr).toMatch(/analyze: 4 analyzed, 2 invalid lines skipped/);
  }, 30_000);

  it('runs only the analyzers asked for, and skips over-long lines', async () => {
    const long = JSON.stringify({ id: 'long', text: 'x'.repeat(5000) });
    const res = await cli(['analyze', '--analyzers', 'sentiment,language', '--max-line-bytes', '1024', '-q'], { stdin: `${JSON.stringify({ id: 1, text: 'good' })}\n${long}\n${JSON.stringify({ id: 3, text: 'bad' })}\n` });
    expect(res.code).toBe(0);
    expect(res.json.map((r) => r.id)).toEqual([1, 3]);
    expect(res.json[0].analyzers.map((a: { name: string }) => a.name)).toEqual(['language', 'sentiment']);
    expect(Object.keys(res.json[0].analysis).sort()).toEqual(['language', 'sentiment']);
    expect(res.stderr).toMatch(/^line 2: .*longer than 1024 bytes.*skipped$/m);
  }, 30_000);
});

describe('tributary sync', () => {
  let forum: Server;
  let base: string;
  const requests: string[] = [];
  beforeAll(async () => {
    // A Discourse-like forum: two pages of search results.
    const post = (id: number, blurb: string) => ({ id, topic_id: 8, username: 'ada', created_at: new Date(Date.UTC(2026, 0, 1, 10, 60 - id)).toISOString(), blurb, post_number: id });
    forum = createHttpServer((req, res) => {
      requests.push(req.url ?? '');
      const url = new URL(req.url ?? '/', 'http://forum');
      if (url.pathname !== '/search.json') return res.writeHead(404).end();
      const page = Number(url.searchParams.get('page') ?? '1');
      // A full page (50 posts) means there may be more; the second page ends the walk.
      const first = [post(1, 'I love the new release, fantastic work'), post(2, 'This update is terrible and broke everything')];
      for (let id = 3; id <= 50; id++) first.push(post(id, `Release notes, part ${id}`));
      const body =
        page === 1
          ? { posts: first, topics: [{ id: 8, title: 'Release', slug: 'release' }], grouped_search_result: { more_full_page_results: true } }
          : page === 2
            ? { posts: [post(51, 'The release notes are on the website')], topics: [{ id: 8, title: 'Release', slug: 'release' }], grouped_search_result: { more_full_page_results: null } }
            : { posts: [], topics: [], grouped_search_result: { more_full_page_results: null } };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((r) => forum.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(forum.address() as AddressInfo).port}`;
    writeFileSync(join(work, 'forum.json'), JSON.stringify({ baseUrl: base, searchTerm: 'release', requestsPerMinute: 6000 }));
  });
  afterAll(() => new Promise((r) => forum.close(r)));

  it('pulls every page and prints the records with their analysis (private network allowed for the test)', async () => {
    const res = await cli(['sync', 'discourse', '--config', 'forum.json', '--allow-private-network', '--state', 'forum.state.json']);
    expect(res.stderr).toMatch(/sync discourse: 51 records from 2 pages/);
    expect(res.code).toBe(0);
    expect(res.json).toHaveLength(51);
    const byExternal = Object.fromEntries(res.json.map((r) => [r.externalId, r]));
    expect(Object.keys(byExternal)).toHaveLength(51);
    expect(byExternal['1']).toMatchObject({ kind: 'feedback', content: { text: expect.stringContaining('love the new release') }, analysis: { sentiment: { label: 'positive' } }, provenance: { connector: { name: 'discourse' } } });
    expect(byExternal['2'].analysis.sentiment.label).toBe('negative');
    expect(requests.some((u) => u.startsWith('/search.json?page=2'))).toBe(true);
    expect(JSON.parse(readFileSync(join(work, 'forum.state.json'), 'utf8'))).toMatchObject({ mode: 'search', newestCreatedAt: expect.any(String) });
  }, 60_000);

  it('refuses the private address without the flag', async () => {
    const before = requests.length;
    const res = await cli(['sync', 'discourse', '--config', 'forum.json', '-q']);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/refused to connect to 127\.0\.0\.1:\d+: loopback addresses are not allowed/);
    expect(res.stdout).toBe('');
    expect(requests.length).toBe(before);
  }, 60_000);

  it('says what is wrong with the config file', async () => {
    writeFileSync(join(work, 'bad.json'), JSON.stringify({ baseUrl: 'not a url' }));
    const res = await cli(['sync', 'discourse', '--config', 'bad.json']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/invalid discourse settings:\n {2}(config\.)?baseUrl: /);
  }, 30_000);
});

describe('tributary import, dlq and migrate on the embedded engine', () => {
  const dataDir = join(work, 'engine');
  const env = { TRIBUTARY_DATA_DIR: dataDir };
  let workspaceId: string;
  let deadLetterId: string;

  /** The server on the same data directory, in this process (stopped before each CLI run: PGlite has one owner). */
  async function withServer<T>(fn: (server: TributaryServer) => Promise<T>): Promise<T> {
    const config = loadConfig({ TRIBUTARY_DATA_DIR: dataDir, TRIBUTARY_RATE_LIMIT: '0' });
    const server = await createServer({ config, logger: createLogger({ level: 'silent' }), secrets: { adminToken: 'cli-test-admin-token-0123456789', secretKey: generateKey() } });
    try {
      return await fn(server);
    } finally {
      await server.stop();
    }
  }

  beforeAll(async () => {
    const migrated = await cli(['migrate'], { env });
    expect(migrated.code).toBe(0);
    expect(migrated.stderr).toMatch(/pglite .*: up to date/);
    await withServer(async (server) => {
      await server.start();
      const res = await server.app.fetch(new Request('http://t/v1/workspaces', { method: 'POST', headers: { authorization: 'Bearer cli-test-admin-token-0123456789', 'content-type': 'application/json' }, body: JSON.stringify({ name: 'acme' }) }));
      workspaceId = ((await res.json()) as { id: string }).id;
      // A parse job for a source that does not exist: dead-lettered at once.
      await server.pipeline.queue.publish(server.pipeline.topics.parse, { workspaceId, sourceId: 'src_gone', connector: { name: 'file', version: '0.1.0' }, items: [], receivedAt: new Date().toISOString() });
      await server.pipeline.drain({ timeoutMs: 20_000 });
    });
  }, 120_000);

  it('imports a CSV through the file connector, analyzed, and resumes instead of re-reading', async () => {
    const csv = ['review_id,comment,submitted,stars', 'r1,"Love it, works great",2026-01-02T10:00:00Z,5', 'r2,"Awful, it broke after a day",2026-01-03T10:00:00Z,1', 'r3,"it has, ""quotes"" and commas",2026-01-04T10:00:00Z,3', 'r4,missing a column', ''].join('\n');
    writeFileSync(join(work, 'reviews.csv'), csv);
    const mapping = JSON.stringify({ text: 'comment', occurredAt: 'submitted', attributes: { review: { rating: 'stars' } } });
    const res = await cli(['import', 'reviews.csv', '--workspace', 'acme', '--id', 'review_id', '--mapping', mapping, '--item-type', 'review'], { env });
    expect(res.stderr).toMatch(/import reviews\.csv: 4 rows · 3 stored · 1 rejected into workspace ws_\S+, source src_\S+/);
    expect(res.code).toBe(0);

    const again = await cli(['import', 'reviews.csv', '--id', 'review_id', '--mapping', mapping], { env });
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/0 rows · 0 stored .*already imported up to its end/);

    await withServer(async (server) => {
      const page = await server.engines.storage.queryRecords({ workspaceId, limit: 10, order: 'asc' });
      expect(page.items.map((r) => r.externalId)).toEqual(['r1', 'r2', 'r3']);
      expect(page.items.map((r) => r.analysis.sentiment?.label)).toEqual(['positive', 'negative', expect.any(String)]);
      expect(page.items[2]!.content?.text).toBe('it has, "quotes" and commas');
      expect(page.items[0]).toMatchObject({ itemType: 'review', attributes: { review: { rating: '5' } } });
      const sources = await server.pipeline.sources.list(workspaceId);
      expect(sources.filter((s) => s.connector === 'file')).toHaveLength(1);
    });
  }, 120_000);

  it('lists dead letters as a table and as JSON, and replays one', async () => {
    const table = await cli(['dlq', 'list'], { env });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ID\s+STAGE\s+WORKSPACE\s+ATTEMPTS\s+FAILED AT\s+REASON$/m);
    expect(table.stdout).toMatch(new RegExp(`\\sparse\\s+${workspaceId}\\s+1\\s+\\S+\\s+.*src_gone`));

    const json = await cli(['dlq', 'list', '--json', '--stage', 'parse', '--workspace', workspaceId], { env });
    expect(json.code).toBe(0);
    expect(json.json).toEqual([expect.objectContaining({ stage: 'parse', workspaceId, attempts: 1, reason: expect.stringContaining('src_gone'), payload: expect.objectContaining({ sourceId: 'src_gone' }) })]);
    deadLetterId = json.json[0].id;
    expect((await cli(['dlq', 'list', '--json', '--stage', 'deliver'], { env })).json).toEqual([]);

    const missing = await cli(['dlq', 'replay', 'dl_nope'], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/dl_nope: no such dead letter/);
    const replayed = await cli(['dlq', 'replay', deadLetterId], { env });
    expect(replayed.code).toBe(0);
    expect(replayed.stderr).toContain(`replayed ${deadLetterId} (parse)`);
    expect((await cli(['dlq', 'list', '--json'], { env })).json).toEqual([]);
  }, 120_000);
});
