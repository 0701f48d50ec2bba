import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { githubConnector, type GithubCheckpoint, type GithubConfigInput } from '@tributary/connectors/github';
import type { FetchPage } from '@tributary/core/connector';
import { isTributaryError } from '@tributary/core/errors';
import {
  collect,
  commentAt,
  fetchContext,
  issueAt,
  minutes,
  pullRequestAt,
  pullRequestCommentAt,
  REPO_API,
  serveGithub,
  TOKEN,
} from './fixtures/github/factories.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const base: GithubConfigInput = { owner: 'octocat', repo: 'Hello-World' };
const issuesOnly: GithubConfigInput = { ...base, include: ['issues'] };

function run(config: GithubConfigInput, checkpoint: GithubCheckpoint | null = null, extra: Parameters<typeof fetchContext>[1] = {}): Promise<FetchPage<GithubCheckpoint>[]> {
  return collect(githubConnector.fetch!(fetchContext(config, { checkpoint, ...extra })));
}

const ids = (pages: FetchPage<GithubCheckpoint>[]) => pages.flatMap((page) => page.items.map((item) => item.externalId));
const last = (pages: FetchPage<GithubCheckpoint>[]) => pages.at(-1)!.checkpoint;

describe('github fetch: requests', () => {
  it('lists issues with state=all, sorted by update ascending, 100 a page, with GitHub headers and the token', async () => {
    const fake = serveGithub(server, { issues: [issueAt(1, '2025-02-01T00:00:00Z')] });
    await run(issuesOnly);
    const { url, headers } = fake.requests[0]!;
    expect(`${url.origin}${url.pathname}`).toBe(`${REPO_API}/issues`);
    expect(Object.fromEntries(url.searchParams)).toEqual({ state: 'all', sort: 'updated', direction: 'asc', per_page: '100' });
    expect(headers.get('authorization')).toBe(`Bearer ${TOKEN}`);
    expect(headers.get('accept')).toBe('application/vnd.github+json');
    expect(headers.get('x-github-api-version')).toBe('2022-11-28');
    expect(headers.get('user-agent')).toBeTruthy();
  });

  it('lists issue comments sorted by update ascending', async () => {
    const fake = serveGithub(server, { comments: [commentAt(1, 1, '2025-02-01T00:00:00Z')] });
    await run({ ...base, include: ['comments'] });
    const { url } = fake.requests[0]!;
    expect(url.pathname).toBe('/repos/octocat/Hello-World/issues/comments');
    expect(Object.fromEntries(url.searchParams)).toEqual({ sort: 'updated', direction: 'asc', per_page: '100' });
  });

  it('sends no Authorization header without credentials', async () => {
    const fake = serveGithub(server, { issues: [] });
    await run({ ...issuesOnly, anonymous: true }, null, { credentials: null });
    expect(fake.requests[0]!.headers.get('authorization')).toBeNull();
  });

  it('pulls issues, then comments, carrying both streams in every checkpoint', async () => {
    serveGithub(server, { issues: [issueAt(1, '2025-02-01T00:00:00Z')], comments: [commentAt(1, 1, '2025-02-03T00:00:00Z')] });
    const pages = await run(base);
    expect(ids(pages)).toEqual(['issue:10001', 'issue_comment:500001']);
    expect(pages[0]!.checkpoint).toMatchObject({ issues: { updatedSince: '2025-02-01T00:00:00Z' } });
    expect(pages[0]!.checkpoint.comments).toBeUndefined();
    expect(last(pages)).toMatchObject({ issues: { updatedSince: '2025-02-01T00:00:00Z' }, comments: { updatedSince: '2025-02-03T00:00:00Z' } });
  });
});

describe('github fetch: pages', () => {
  it('walks every page of a long list, moving on from the newest update of each page', async () => {
    const times = minutes('2025-02-01T00:00:00Z', 250);
    const fake = serveGithub(server, { issues: times.map((at, i) => issueAt(i + 1, at)) });
    const pages = await run(issuesOnly);
    expect(new Set(ids(pages)).size).toBe(250);
    // Items are not repeated across pages, although each restart overlaps the previous page by a second.
    expect(ids(pages)).toHaveLength(250);
    // A restart at the newest update of the page (minus a second) rather than `page=2`.
    expect(fake.requests.map((r) => [r.url.searchParams.get('since'), r.url.searchParams.get('page')])).toEqual([
      [null, null],
      ['2025-02-01T01:38:59Z', null],
      ['2025-02-01T03:17:59Z', null],
    ]);
    expect(pages.map((p) => p.checkpoint.issues!.updatedSince)).toEqual(['2025-02-01T01:39:00Z', '2025-02-01T03:18:00Z', times.at(-1)]);
  });

  it('follows the Link header when a whole page shares one second', async () => {
    const same = '2025-02-01T12:00:00Z';
    const fake = serveGithub(server, { issues: [...Array.from({ length: 150 }, (_, i) => issueAt(i + 1, same)), issueAt(151, '2025-02-01T12:05:00Z')] });
    const pages = await run(issuesOnly);
    expect(new Set(ids(pages)).size).toBe(151);
    expect(fake.requests.map((r) => r.url.searchParams.get('page'))).toEqual([null, '2']);
  });

  it('loses nothing when an issue on a page already read is updated mid-walk', async () => {
    const times = minutes('2025-02-01T00:00:00Z', 200);
    const fake = serveGithub(server, { issues: times.map((at, i) => issueAt(i + 1, at)) });
    // After the first page, issue 5 is edited: it moves to the end and everything behind it moves up.
    // Following `page=2` would skip the issue that slid back onto page 1.
    fake.onRequest = (_url, index) => {
      if (index === 1) fake.issues[4] = { ...fake.issues[4]!, updated_at: '2025-03-01T00:00:00Z' };
    };
    const pages = await run(issuesOnly);
    expect(new Set(ids(pages)).size).toBe(200);
  });

  it('skips pull requests and comments on them, while their updates still move the watermark', async () => {
    serveGithub(server, {
      issues: [issueAt(1, '2025-02-01T00:00:00Z'), pullRequestAt(2, '2025-02-02T00:00:00Z')],
      comments: [commentAt(1, 1, '2025-02-01T00:00:00Z'), pullRequestCommentAt(2, 2, '2025-02-03T00:00:00Z')],
    });
    const pages = await run(base);
    expect(ids(pages)).toEqual(['issue:10001', 'issue_comment:500001']);
    expect(last(pages)).toMatchObject({ issues: { updatedSince: '2025-02-02T00:00:00Z' }, comments: { updatedSince: '2025-02-03T00:00:00Z' } });
  });

  it('stops after maxPages and the next run continues from the checkpoint', async () => {
    const times = minutes('2025-02-01T00:00:00Z', 350);
    serveGithub(server, { issues: times.map((at, i) => issueAt(i + 1, at)) });
    const first = await run({ ...issuesOnly, maxPages: 2, overlapSeconds: 0 });
    expect(first).toHaveLength(2);
    const second = await run({ ...issuesOnly, maxPages: 2, overlapSeconds: 0 }, last(first));
    expect(new Set([...ids(first), ...ids(second)]).size).toBe(350);
  });

  it('fails on a list that is not an array', async () => {
    server.use(http.get(`${REPO_API}/issues`, () => HttpResponse.json({ message: 'odd proxy' })));
    const error = await run(issuesOnly).catch((e: unknown) => e);
    expect(isTributaryError(error, 'connector')).toBe(true);
    expect((error as Error).message).toContain('instead of a list');
  });

  it('fails with a connector error on a body that is not JSON', async () => {
    server.use(http.get(`${REPO_API}/issues`, () => new HttpResponse('<html>Unicorn!</html>', { status: 200, headers: { 'content-type': 'text/html' } })));
    const error = await run(issuesOnly).catch((e: unknown) => e);
    expect(isTributaryError(error, 'connector')).toBe(true);
    expect((error as Error).message).toContain('is not JSON');
  });

  it('stops with an aborted error when the signal fires', async () => {
    serveGithub(server, { issues: [issueAt(1, '2025-02-01T00:00:00Z')] });
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    const error = await run(issuesOnly, null, { signal: controller.signal }).catch((e: unknown) => e);
    expect(isTributaryError(error, 'aborted')).toBe(true);
  });
});

describe('github fetch: since and overlap', () => {
  it('starts a backfill at the configured since (a day becomes midnight UTC)', async () => {
    const fake = serveGithub(server, { issues: [issueAt(1, '2024-12-01T00:00:00Z'), issueAt(2, '2025-02-01T00:00:00Z')] });
    const pages = await run({ ...issuesOnly, since: '2025-01-15' });
    expect(fake.requests[0]!.url.searchParams.get('since')).toBe('2025-01-15T00:00:00Z');
    expect(ids(pages)).toEqual(['issue:10002']);
  });

  it('resumes from the newest update seen minus the overlap', async () => {
    const fake = serveGithub(server, { issues: [issueAt(1, '2025-02-01T11:58:00Z'), issueAt(2, '2025-02-01T12:30:00Z')] });
    const pages = await run({ ...issuesOnly, overlapSeconds: 300 }, { issues: { updatedSince: '2025-02-01T12:00:00Z' } });
    expect(fake.requests[0]!.url.searchParams.get('since')).toBe('2025-02-01T11:55:00Z');
    // The overlap repeats an item (dedup collapses it) and never loses one.
    expect(ids(pages)).toEqual(['issue:10001', 'issue:10002']);
    expect(last(pages).issues!.updatedSince).toBe('2025-02-01T12:30:00Z');
  });

  it('never resumes before the configured since', async () => {
    const fake = serveGithub(server, { issues: [] });
    await run({ ...issuesOnly, since: '2025-02-01T12:00:00Z', overlapSeconds: 3600 }, { issues: { updatedSince: '2025-02-01T12:10:00Z' } });
    expect(fake.requests[0]!.url.searchParams.get('since')).toBe('2025-02-01T12:00:00Z');
  });

  it('keeps the watermark when a run finds nothing', async () => {
    serveGithub(server, { issues: [] });
    const pages = await run(issuesOnly, { issues: { updatedSince: '2025-02-01T12:00:00Z' } });
    expect(pages).toHaveLength(1);
    expect(last(pages).issues!.updatedSince).toBe('2025-02-01T12:00:00Z');
  });
});

describe('github fetch: conditional requests', () => {
  it('keeps the ETag of a complete short answer and sends it next run; a 304 yields nothing and keeps the checkpoint', async () => {
    const fake = serveGithub(server, { issues: [issueAt(1, '2025-02-01T12:00:00Z')] });
    const first = await run(issuesOnly, { issues: { updatedSince: '2025-02-01T12:00:00Z' } });
    const checkpoint = last(first);
    expect(checkpoint.issues!.etag).toMatchObject({ value: expect.stringMatching(/^W\/"/) });
    expect(checkpoint.issues!.etag!.url).toBe(`${REPO_API}/issues?state=all&sort=updated&direction=asc&since=2025-02-01T11%3A55%3A00Z&per_page=100`);

    const second = await run(issuesOnly, checkpoint);
    expect(fake.requests[1]!.headers.get('if-none-match')).toBe(checkpoint.issues!.etag!.value);
    expect(second).toHaveLength(1);
    expect(second[0]!.items).toEqual([]);
    expect(second[0]!.checkpoint).toEqual(checkpoint);
  });

  it('gets the full answer when the list changed since the ETag', async () => {
    const fake = serveGithub(server, { issues: [issueAt(1, '2025-02-01T12:00:00Z')] });
    const first = await run(issuesOnly, { issues: { updatedSince: '2025-02-01T12:00:00Z' } });
    fake.issues.push(issueAt(2, '2025-02-01T12:00:00Z'));
    const second = await run(issuesOnly, last(first));
    expect(ids(second)).toEqual(['issue:10001', 'issue:10002']);
    expect(last(second).issues!.etag!.value).not.toBe(last(first).issues!.etag!.value);
  });

  it('sends no If-None-Match when the run starts at another URL', async () => {
    const fake = serveGithub(server, { issues: [issueAt(1, '2025-02-01T12:30:00Z')] });
    const checkpoint = { issues: { updatedSince: '2025-02-01T12:00:00Z', etag: { url: `${REPO_API}/issues?since=elsewhere`, value: 'W/"abc"' } } };
    await run(issuesOnly, checkpoint);
    expect(fake.requests[0]!.headers.get('if-none-match')).toBeNull();
  });

  it('keeps no ETag for an answer of several pages (its first page can stay the same while later ones change)', async () => {
    serveGithub(server, { issues: minutes('2025-02-01T00:00:00Z', 150).map((at, i) => issueAt(i + 1, at)) });
    const pages = await run(issuesOnly);
    expect(pages.every((page) => page.checkpoint.issues!.etag === undefined)).toBe(true);
  });

  it('costs no rate limit for an unchanged list: only 304s on an idle repository', async () => {
    const fake = serveGithub(server, { issues: [issueAt(1, '2025-02-01T12:00:00Z')], comments: [commentAt(1, 1, '2025-02-01T12:00:00Z')] });
    let checkpoint: GithubCheckpoint | null = null;
    for (let i = 0; i < 3; i++) checkpoint = last(await run(base, checkpoint));
    // First run: full answers; second: full answers at the new URL (since moved); third: 304s.
    const statuses = fake.requests.slice(-2).map((r) => r.headers.get('if-none-match') !== null);
    expect(statuses).toEqual([true, true]);
  });
});
