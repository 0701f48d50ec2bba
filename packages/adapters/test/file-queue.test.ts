// The file queue (an append-only journal, no service): the queue contract, then group commit (the
// fdatasyncs counted on the file system interface the adapter takes), the lock within one process,
// options, and a journal that fails. Crashes and restarts: file-queue-recovery.test.ts.
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { isTributaryError } from '@tributary/core/errors';
import { eventually, testQueueAdapter } from '@tributary/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { createFileQueueOn } from '../src/file-queue/adapter.js';
import { encodeFrame } from '../src/_journal/frame.js';
import { nodeJournalIo } from '../src/_journal/journal-io.js';
import { CORRUPT_JOURNAL, createFileQueue, DIRECTORY_LOCKED } from '../src/file-queue/index.js';
import { decodeJournal, encodeRecord, JOURNAL_MAGIC, type JournalRecord } from '../src/file-queue/journal-format.js';
import { collect, countingIo, tempDirs } from './file-queue-helpers.js';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());
const range = (count: number) => Array.from({ length: count }, (_, n) => n);

testQueueAdapter('file-queue', async () => createFileQueue({ directory: await dirs.make() }));

describe('file queue: journal format', () => {
  it('records round-trip; a bad last frame is a torn tail, a bad frame before a good one is corruption', () => {
    const records: JournalRecord[] = [
      { t: 'P', q: 'topic', id: 'a', at: 1, av: 2, h: { 'x-a': 'é' }, k: 'key', payload: '{"text":"héllo\\n","n":[1,2]}' },
      { t: 'A', q: 'topic', g: 'g', id: 'a' },
      { t: 'P', q: 'topic', id: 'b', at: 3, av: 3, payload: 'null' },
    ];
    const frames = [encodeFrame(records.slice(0, 2).map(encodeRecord)), encodeFrame([encodeRecord(records[2]!)])];
    const whole = Buffer.concat([JOURNAL_MAGIC, ...frames]);
    expect(decodeJournal(whole, 'j', 'test')).toEqual({ records, validLength: whole.length, tornBytes: 0 });

    const torn = whole.subarray(0, whole.length - 1);
    expect(decodeJournal(torn, 'j', 'test')).toMatchObject({ records: records.slice(0, 2), validLength: 8 + frames[0]!.length, tornBytes: frames[1]!.length - 1 });
    // Zeros where the last write should be (a crash after the file grew, before its data landed).
    const zeroed = Buffer.concat([JOURNAL_MAGIC, frames[0]!, Buffer.alloc(frames[1]!.length)]);
    expect(decodeJournal(zeroed, 'j', 'test').records).toEqual(records.slice(0, 2));

    const corrupt = Buffer.from(whole);
    corrupt[8 + 14] = corrupt[8 + 14]! ^ 1;
    expect(() => decodeJournal(corrupt, 'j', 'test')).toThrow(expect.objectContaining({ code: 'adapter', context: expect.objectContaining({ reason: CORRUPT_JOURNAL, offset: 8 }) }));
    expect(() => decodeJournal(Buffer.from('not a journal at all'), 'j', 'test')).toThrow(/not a file queue journal/);
  });
});

describe('file queue: group commit', () => {
  it('200 concurrent publishes share a few fdatasyncs, and each resolves only after one completed', async () => {
    const { io, counts } = countingIo();
    const queue = createFileQueueOn({ directory: await dirs.make() }, io);
    await queue.open();
    const atOpen = { ...counts };
    const syncedWhenResolved: number[] = [];
    const ids = await Promise.all(
      range(200).map((n) =>
        queue.publish('gc', { n }).then((id) => {
          syncedWhenResolved.push(counts.datasyncsDone - atOpen.datasyncsDone);
          return id;
        }),
      ),
    );
    const datasyncs = counts.datasyncsStarted - atOpen.datasyncsStarted;
    expect(new Set(ids).size).toBe(200);
    expect(datasyncs, `${datasyncs} fdatasyncs for 200 publishes`).toBeGreaterThanOrEqual(1);
    expect(datasyncs).toBeLessThanOrEqual(10);
    expect(counts.appends - atOpen.appends, 'one write per fdatasync').toBe(datasyncs);
    expect(Math.min(...syncedWhenResolved), 'no publish resolved before an fdatasync completed').toBeGreaterThanOrEqual(1);

    await queue.dispose();
  });

  it('publishes made while an fdatasync runs, over many event-loop turns, go together into the next one', async () => {
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    let holding = false;
    let started = 0;
    const queue = createFileQueueOn(
      { directory: await dirs.make() },
      {
        ...nodeJournalIo,
        async open(path, mode) {
          const file = await nodeJournalIo.open(path, mode);
          return {
            ...file,
            async datasync() {
              started++;
              // The first publish's fdatasync is held until the others were all made.
              if (holding) await blocked;
              await file.datasync();
            },
          };
        },
      },
    );
    await queue.open();
    const before = started;
    holding = true;
    const first = queue.publish('gc', { n: -1 });
    await eventually(() => expect(started).toBe(before + 1), 10_000, 1);
    const later: Promise<string>[] = [];
    for (const n of range(100)) {
      later.push(queue.publish('gc', { n }));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(started, 'nothing else started while the first flush ran').toBe(before + 1);
    holding = false;
    release();
    await Promise.all([first, ...later]);
    expect(started - before, 'the first flush, then one for the 100 that waited').toBe(2);
    await queue.dispose();
  });
});

describe('file queue: lock, options, failures', () => {
  it('a second queue on the same directory is refused until the first is disposed', async () => {
    const dir = await dirs.make();
    const first = createFileQueue({ directory: dir });
    await first.publish('t', { n: 1 });
    const second = createFileQueue({ directory: dir });
    const error = await second.publish('t', { n: 2 }).catch((e: unknown) => e);
    expect(isTributaryError(error, 'conflict'), String(error)).toBe(true);
    expect((error as { context: Record<string, unknown> }).context.reason).toBe(DIRECTORY_LOCKED);
    await first.dispose();
    // The failed open is tried again by the next call.
    await second.publish('t', { n: 2 });
    expect((await second.stats('t')).depth).toBe(2);
    await second.dispose();
    await expect(access(join(dir, 'lock'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('the factory validates options and touches no file; the directory is created at first use', async () => {
    expect(() => createFileQueue({ directory: '' })).toThrow(expect.objectContaining({ code: 'validation' }));
    expect(() => createFileQueue({ directory: 'd', fsync: 'sometimes' as 'always' })).toThrow(/fsync/);
    expect(() => createFileQueue({ directory: 'd', compactAfterBytes: -1 })).toThrow(/compactAfterBytes/);
    const dir = join(await dirs.make(), 'nested', 'queue');
    const queue = createFileQueue({ directory: dir, maxPayloadBytes: 100 });
    await expect(access(dir)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(queue.publish('t', { text: 'x'.repeat(200) })).rejects.toMatchObject({ code: 'payload_too_large' });
    let deep: unknown = 1;
    for (let i = 0; i < 600; i++) deep = [deep];
    await expect(queue.publish('t', deep)).rejects.toMatchObject({ code: 'validation' });
    await queue.publish('t', { n: 1 });
    await access(join(dir, 'journal.log'));
    await queue.dispose();
    await expect(queue.publish('t', { n: 2 })).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('a duplicate id is dropped and resolves with the same id, also after a restart while the first is retained', async () => {
    const dir = await dirs.make();
    const first = createFileQueue({ directory: dir });
    const [a, b] = await Promise.all([first.publish('t', { n: 1 }, { id: 'same' }), first.publish('t', { n: 2 }, { id: 'same' })]);
    expect([a, b]).toEqual(['same', 'same']);
    await first.dispose();
    const second = createFileQueue({ directory: dir });
    expect(await second.publish('t', { n: 3 }, { id: 'same' })).toBe('same');
    const { got } = await collect(second, 't', 'g');
    await eventually(() => expect(got).toHaveLength(1), 10_000);
    expect(got[0]!.payload).toEqual({ n: 1 });
    await second.dispose();
  });

  it('a failed fdatasync rejects the publishes waiting on it, reports the error, and stops the queue', async () => {
    let failing = false;
    const errors: Error[] = [];
    const queue = createFileQueueOn(
      { directory: await dirs.make(), onError: (e) => errors.push(e) },
      {
        ...nodeJournalIo,
        async open(path, mode) {
          const file = await nodeJournalIo.open(path, mode);
          return {
            ...file,
            async datasync() {
              if (failing) throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
              await file.datasync();
            },
          };
        },
      },
    );
    await queue.publish('t', { n: 1 });
    failing = true;
    const results = await Promise.allSettled(range(3).map((n) => queue.publish('t', { n })));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect((results[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'unavailable' });
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain('EIO');
    await expect(queue.publish('t', { n: 9 })).rejects.toMatchObject({ code: 'unavailable' });
    await queue.dispose();
  });
});
