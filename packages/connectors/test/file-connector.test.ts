// The file connector: CSV and NDJSON exports through the contract, resuming an import killed midway
// by its byte offset, bad lines reported by line number without losing good ones, and path rules.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createFileConnector, fileConnector, FileConfigSchema, parseFileItem, type FileCheckpoint, type FileConfigInput } from '@tributary/connectors/file';
import type { FetchPage } from '@tributary/core/connector';
import { isTributaryError, type TributaryError } from '@tributary/core/errors';
import { createPipeline, type Pipeline } from '@tributary/core/pipeline';
import { createMemoryQueue } from '@tributary/core/queue/memory';
import { createMemoryStorage } from '@tributary/core/storage/memory';
import { testConnector } from '@tributary/core/testing';
import { collect, fileContext, fixturePath, tempDir } from './fixtures/file/factories.js';

const reviewsConfig: FileConfigInput = {
  path: fixturePath('reviews.csv'),
  itemType: 'appstore.review',
  idPath: 'review_id',
  pageSize: 2,
  mapping: {
    occurredAt: 'submitted_at',
    title: 'title',
    text: 'comment',
    tags: 'tags',
    author: { name: 'author' },
    attributes: { review: { rating: 'rating' } },
  },
};

testConnector('file (CSV reviews export)', {
  connector: fileConnector,
  config: FileConfigSchema.parse(reviewsConfig),
  fetch: { expectItems: 5 },
});

testConnector('file (NDJSON feedback)', {
  connector: fileConnector,
  config: FileConfigSchema.parse({ path: fixturePath('feedback.ndjson'), pageSize: 2, mapping: { author: { email: 'user.email' }, attributes: { metadata: { channel: 'channel' } } } }),
  fetch: { expectItems: 5 },
});

const tmp = tempDir();
afterAll(() => tmp.cleanup());

async function failure(promise: Promise<unknown>): Promise<TributaryError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  if (!isTributaryError(error)) throw new Error(`expected a Tributary error, got ${String(error)}`);
  return error;
}

describe('file connector: rows into records', () => {
  it('maps the CSV export, reading each of its time formats', async () => {
    const pages = await collect(fileConnector.fetch!(fileContext(reviewsConfig)));
    const config = FileConfigSchema.parse(reviewsConfig);
    const drafts = pages.flatMap((p) => p.items).flatMap((item) => parseFileItem(item, { config }));
    expect(drafts.map((d) => [d.externalId, d.occurredAt])).toEqual([
      ['R-1001', '2024-05-02T08:15:00.000Z'],
      ['R-1002', '2024-05-02T09:30:00.000Z'],
      ['R-1003', '2024-05-02T10:30:00.000Z'],
      ['R-1004', '2024-05-03T00:00:00.000Z'],
      ['R-1005', '2024-05-03T10:00:00.000Z'],
    ]);
    expect(drafts[1]).toMatchObject({
      itemType: 'appstore.review',
      author: { name: "O'Brien, Pat" },
      content: { title: 'Crashes', text: 'Crashes when I open settings.\nTried reinstalling, same thing.' },
      attributes: { review: { rating: '2' } },
      tags: ['bug', 'android'],
    });
  });

  it('infers the format and delimiter from the extension, or asks for it', () => {
    expect(FileConfigSchema.parse({ path: '/x/a.tsv' })).toMatchObject({ format: 'csv', csv: { delimiter: '\t' } });
    expect(FileConfigSchema.parse({ path: '/x/a.jsonl' })).toMatchObject({ format: 'ndjson' });
    const result = FileConfigSchema.safeParse({ path: '/x/export.txt' });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]).toMatchObject({ path: ['format'], message: expect.stringContaining('required') });
    expect(FileConfigSchema.safeParse({ path: '/x/a.csv', itemType: 'file.rejected' }).error!.issues[0]!.path).toEqual(['itemType']);
  });
});

describe('file connector: resuming', () => {
  const rows = Array.from({ length: 11 }, (_, i) => ({ id: `n-${i + 1}`, text: `line ${i + 1}`, created_at: new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString() }));
  const path = tmp.write('resume.ndjson', rows.map((r) => JSON.stringify(r)).join('\n') + '\n');

  it('an import killed after two pages resumes at the next row, losing and repeating nothing', async () => {
    const config = { path, pageSize: 3 };
    const killed = fileConnector.fetch!(fileContext(config))[Symbol.asyncIterator]();
    const seen: string[] = [];
    let checkpoint: FileCheckpoint | undefined;
    for (let i = 0; i < 2; i++) {
      const page = (await killed.next()).value as FetchPage<FileCheckpoint>;
      seen.push(...page.items.map((item) => item.externalId));
      checkpoint = page.checkpoint;
    }
    await killed.return?.(undefined);
    expect(checkpoint).toMatchObject({ path, line: 6 });

    const rest = await collect(fileConnector.fetch!(fileContext(config, JSON.parse(JSON.stringify(checkpoint)) as FileCheckpoint)));
    seen.push(...rest.flatMap((p) => p.items.map((item) => item.externalId)));
    expect(seen).toEqual(rows.map((r) => r.id));
    expect(rest.at(-1)!.checkpoint).toEqual({ path, offset: Buffer.byteLength(rows.map((r) => JSON.stringify(r)).join('\n') + '\n'), line: 11 });
  });

  it('resumes a CSV mid-file with the header kept in the checkpoint', async () => {
    const config = { ...reviewsConfig, pageSize: 2 };
    const first = fileConnector.fetch!(fileContext(config))[Symbol.asyncIterator]();
    const page = (await first.next()).value as FetchPage<FileCheckpoint>;
    await first.return?.(undefined);
    expect(page.checkpoint.columns).toEqual(['review_id', 'submitted_at', 'rating', 'author', 'title', 'comment', 'tags']);
    const rest = await collect(fileConnector.fetch!(fileContext(config, page.checkpoint)));
    expect(rest.flatMap((p) => p.items.map((i) => i.externalId))).toEqual(['R-1003', 'R-1004', 'R-1005']);
  });

  it('picks up rows appended after a completed import, and starts over for a replaced (shorter) file', async () => {
    const growing = tmp.write('growing.ndjson', '{"id":"a","text":"x","created_at":"2024-01-01"}\n');
    const done = await collect(fileConnector.fetch!(fileContext({ path: growing })));
    tmp.write('growing.ndjson', '{"id":"a","text":"x","created_at":"2024-01-01"}\n{"id":"b","text":"y","created_at":"2024-01-02"}\n');
    const more = await collect(fileConnector.fetch!(fileContext({ path: growing }, done.at(-1)!.checkpoint)));
    expect(more.flatMap((p) => p.items.map((i) => i.externalId))).toEqual(['b']);
    tmp.write('growing.ndjson', '{"id":"c","text":"z","created_at":"2024-01-03"}\n');
    const replaced = await collect(fileConnector.fetch!(fileContext({ path: growing }, more.at(-1)!.checkpoint)));
    expect(replaced.flatMap((p) => p.items.map((i) => i.externalId))).toEqual(['c']);
  });
});

describe('file connector: bad lines', () => {
  const pipelines: Pipeline[] = [];
  afterEach(async () => {
    for (const p of pipelines.splice(0)) await p.stop();
  });

  it('reports malformed lines with their numbers through the pipeline and stores every good row', async () => {
    const path = tmp.write(
      'mixed.ndjson',
      [
        '{"id":"ok-1","text":"fine","created_at":"2024-01-01T00:00:00Z"}',
        '{"id":"broken",',
        '["not","an","object"]',
        '{"text":"no id","created_at":"2024-01-01T00:00:00Z"}',
        '{"id":"bad-time","text":"x","created_at":"someday"}',
        '{"id":"ok-2","text":"also fine","created_at":"2024-01-01T00:01:00Z"}',
      ].join('\n'),
    );
    const pipeline = createPipeline({ storage: createMemoryStorage(), queue: createMemoryQueue(), connectors: [fileConnector] });
    pipelines.push(pipeline);
    const rejected: string[] = [];
    pipeline.bus.on('record.rejected', (e) => rejected.push(`${e.externalId}: ${e.error.message}`));
    const source = await pipeline.sources.create('ws1', { name: 'backfill', connector: 'file', config: { path, pageSize: 2 } });
    await pipeline.start();
    const { runId } = await pipeline.trigger('ws1', source.id);
    await pipeline.drain();
    expect(await pipeline.getRun('ws1', runId)).toMatchObject({ status: 'succeeded', items: 6 });
    const stored = await pipeline.storage.queryRecords({ workspaceId: 'ws1' });
    expect(stored.items.map((r) => r.externalId).sort()).toEqual(['ok-1', 'ok-2']);
    expect(rejected.sort()).toEqual([
      'bad-time: [tributary] [file-connector] invalid row at line 5 (occurredAt: "someday" at "created_at" is not a time (ISO 8601, a date or epoch seconds/ms))',
      expect.stringMatching(/^line:2: \[tributary\] \[file-connector\] line 2: invalid JSON/),
      'line:3: [tributary] [file-connector] line 3: expected a JSON object',
      'line:4: [tributary] [file-connector] line 4: no id at "id"',
    ]);
  });
});

describe('file connector: paths', () => {
  it('fails with not_found for a missing file', async () => {
    const error = await failure(collect(fileConnector.fetch!(fileContext({ path: `${tmp.dir}/nope.csv` }))));
    expect(error.code).toBe('not_found');
  });

  it('confines paths to the root it was given', async () => {
    const confined = createFileConnector({ root: tmp.dir });
    tmp.write('inside.ndjson', '{"id":"1","text":"t","created_at":"2024-01-01"}\n');
    const pages = await collect(confined.fetch!(fileContext({ path: 'inside.ndjson' })));
    expect(pages.flatMap((p) => p.items.map((i) => i.externalId))).toEqual(['1']);
    const error = await failure(collect(confined.fetch!(fileContext({ path: '../../etc/passwd.csv' }))));
    expect(error.code).toBe('config');
    expect(error.issues[0]!.path).toBe('path');
  });
});
