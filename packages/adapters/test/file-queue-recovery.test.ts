// The file queue across restarts: a real crash (SIGKILL) in the middle of a publish stream and in
// the middle of a delivery, torn and corrupt journals, attempts, delays and dead letters kept,
// replay after a restart, and compaction under concurrent publishing.
import { open as openFile, readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createManualClock } from '@tributary/core/clock';
import { isTributaryError } from '@tributary/core/errors';
import { eventually, sleep } from '@tributary/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { CORRUPT_JOURNAL, createFileQueue, DIRECTORY_LOCKED } from '../src/file-queue/index.js';
import { createFileQueueOn } from '../src/file-queue/adapter.js';
import { collect, countingIo, startChild, tempDirs } from './file-queue-helpers.js';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());
const journalOf = (dir: string) => join(dir, 'journal.log');
const nOf = (m: { payload: unknown }) => (m.payload as { n: number }).n;
const range = (count: number) => Array.from({ length: count }, (_, n) => n);
/** Generous: the machine is shared and loaded. */
const WAIT_MS = 15_000;

describe('file queue: crashes', () => {
  it('every publish that resolved before a SIGKILL is delivered after reopening', async () => {
    const dir = await dirs.make();
    const child = startChild('publish-stream', dir);
    await eventually(() => expect(child.lines.filter((l) => l.startsWith('ok ')).length).toBeGreaterThanOrEqual(300), WAIT_MS, 20);
    expect(await child.kill()).toBe('SIGKILL');
    const acknowledged = child.lines.filter((l) => l.startsWith('ok ')).map((l) => l.slice(3));
    expect(acknowledged.length).toBeGreaterThanOrEqual(300);

    // The child's lock names a dead pid: taken over.
    const queue = createFileQueue({ directory: dir });
    const { got } = await collect(queue, 'crash', 'g', undefined, { concurrency: 16 });
    await eventually(async () => {
      const delivered = new Set(got.map((m) => m.id));
      expect(acknowledged.filter((id) => !delivered.has(id)), 'acknowledged publishes missing after the crash').toEqual([]);
      expect(await queue.stats('crash')).toMatchObject({ depth: 0, inFlight: 0 });
    }, WAIT_MS, 50);
    // Publishes in flight at the kill may be there too (durable, not yet acknowledged); each once.
    expect(new Set(got.map((m) => m.id)).size).toBe(got.length);
    expect(got.every((m) => m.attempt === 1)).toBe(true);
    await queue.dispose();
  });

  it('a live process holds the lock; after its SIGKILL, the delivery it had in flight comes again at once with attempt 2', async () => {
    const dir = await dirs.make();
    const child = startChild('hold', dir);
    await eventually(() => expect(child.lines).toContain('delivered held-1 1'), WAIT_MS, 20);

    const refused = createFileQueue({ directory: dir });
    const error = await refused.open().catch((e: unknown) => e);
    expect(isTributaryError(error, 'conflict'), String(error)).toBe(true);
    expect((error as { context: Record<string, unknown> }).context.reason).toBe(DIRECTORY_LOCKED);
    expect((error as Error).message).toContain(`process ${child.child.pid}`);

    await child.kill();
    // The same adapter tries again: the lock is stale now. The child's visibility timeout was 10
    // minutes; the redelivery cannot be waiting for it.
    const { got } = await collect(refused, 'held', 'g');
    await eventually(() => expect(got).toHaveLength(1), WAIT_MS, 20);
    expect(got[0]!).toMatchObject({ id: 'held-1', attempt: 2, payload: { n: 1 } });
    await refused.dispose();
  });
});

describe('file queue: damaged journals', () => {
  /** A journal of five messages, one frame each (each publish awaited alone). */
  const fiveMessages = async () => {
    const dir = await dirs.make();
    const queue = createFileQueue({ directory: dir });
    for (const n of range(5)) await queue.publish('t', { n });
    await queue.dispose();
    return dir;
  };

  for (const damage of ['cut', 'garbled'] as const) {
    it(`a ${damage} tail (a write torn by a crash) is cut off; the rest is kept and appending continues`, async () => {
      const dir = await fiveMessages();
      const path = journalOf(dir);
      const { size } = await stat(path);
      if (damage === 'cut') await truncate(path, size - 3);
      else {
        const bytes = await readFile(path);
        bytes[size - 2] = bytes[size - 2]! ^ 0xff;
        await writeFile(path, bytes);
      }
      const queue = createFileQueue({ directory: dir });
      await queue.open();
      expect(queue.journal()!.tornBytesCut).toBeGreaterThan(0);
      expect((await queue.stats('t')).depth).toBe(4);
      await queue.publish('t', { n: 5 });
      await queue.dispose();

      const again = createFileQueue({ directory: dir });
      const { got } = await collect(again, 't', 'g');
      await eventually(() => expect(got.map(nOf).sort()).toEqual([0, 1, 2, 3, 5]), WAIT_MS);
      expect(again.journal()!.tornBytesCut, 'nothing torn the second time').toBe(0);
      await again.dispose();
    });
  }

  for (const [where, at] of [
    ['a record', 40],
    ['a frame length', 9],
  ] as const) {
    it(`damage to ${where} before the end of the journal is reported as corrupt_journal, and the file is left as it was`, async () => {
      const dir = await fiveMessages();
      const path = journalOf(dir);
      const before = await readFile(path);
      const damaged = Buffer.from(before);
      // In the first frame (the header is 8 bytes), four valid frames after it.
      damaged[at] = damaged[at]! ^ 0x55;
      await writeFile(path, damaged);
      const queue = createFileQueue({ directory: dir });
      const error = await queue.stats('t').catch((e: unknown) => e);
      expect(isTributaryError(error, 'adapter'), String(error)).toBe(true);
      expect((error as { context: Record<string, unknown> }).context).toMatchObject({ reason: CORRUPT_JOURNAL, offset: 8 });
      expect(await readFile(path)).toEqual(damaged);
      // The lock was released on the failed open: the directory can be repaired and opened.
      await writeFile(path, before);
      expect((await queue.stats('t')).depth).toBe(5);
      await queue.dispose();
    });
  }

  it('space written ahead of the end: zeros while open, cut at a clean close, and a crash that leaves it loses nothing and tears nothing', async () => {
    const dir = await fiveMessages();
    const closedSize = (await stat(journalOf(dir))).size;
    const queue = createFileQueue({ directory: dir });
    await queue.publish('t', { n: 5 });
    // While open the file reaches past its last frame, and what lies there is zeros.
    const open = await readFile(journalOf(dir));
    expect(open.length).toBeGreaterThan(closedSize + 1024);
    // The state of the directory at a crash now: frames, then the zeros written ahead.
    const crashed = await dirs.make();
    await writeFile(journalOf(crashed), open);
    await queue.dispose();
    const afterClose = await readFile(journalOf(dir));
    expect(afterClose.length, 'cut at the last frame').toBeLessThan(closedSize + 1024);
    expect(open.subarray(0, afterClose.length)).toEqual(afterClose);
    expect(open.subarray(afterClose.length).every((b) => b === 0)).toBe(true);

    const recovered = createFileQueue({ directory: crashed });
    await recovered.open();
    expect(recovered.journal()!.tornBytesCut, 'zeros are not a torn write').toBe(0);
    expect((await recovered.stats('t')).depth).toBe(6);
    await recovered.publish('t', { n: 6 });
    await recovered.dispose();
    const again = createFileQueue({ directory: crashed });
    const { got } = await collect(again, 't', 'g');
    await eventually(() => expect(got.map(nOf).sort()).toEqual(range(7)), WAIT_MS);
    await again.dispose();
  });

  it('a torn write followed by the zeros written ahead is a torn tail, cut off', async () => {
    const dir = await fiveMessages();
    const path = journalOf(dir);
    const bytes = await readFile(path);
    // Half of a last frame's worth of garbage, then a megabyte of reserved space, as a crash mid-write leaves it.
    await writeFile(path, Buffer.concat([bytes, Buffer.from('a frame cut short by the crash'), Buffer.alloc(1024 * 1024)]));
    const queue = createFileQueue({ directory: dir });
    await queue.open();
    expect(queue.journal()!.tornBytesCut).toBe('a frame cut short by the crash'.length);
    expect((await queue.stats('t')).depth).toBe(5);
    await queue.dispose();
  });

  it('a compaction cut short by a crash (temp file left behind) changes nothing', async () => {
    const dir = await fiveMessages();
    await writeFile(join(dir, 'journal.compact.tmp'), 'half a snapshot');
    const queue = createFileQueue({ directory: dir });
    expect((await queue.stats('t')).depth).toBe(5);
    await queue.dispose();
    await expect(stat(join(dir, 'journal.compact.tmp'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('file queue: state across restarts', () => {
  it('attempt counts, dead letters and their replay survive restarts', async () => {
    const dir = await dirs.make();
    const clock = createManualClock();
    const open = () => createFileQueue({ directory: dir, clock });
    const failing = (m: { attempt: number }) => {
      throw new Error(`boom at attempt ${m.attempt}`);
    };

    // Two failed attempts in a first life; another group handles the message at once.
    const first = open();
    const id = await first.publish('t', { n: 1 }, { headers: { 'x-h': 'v' }, key: 'k1' });
    const g = await first.consume('t', async (m) => failing(m), { group: 'g', maxAttempts: 3, retryDelayMs: () => 1000, visibilityTimeoutMs: 30_000 });
    const { got: other } = await collect(first, 't', 'other');
    await eventually(() => expect(other).toHaveLength(1), WAIT_MS);
    await eventually(async () => expect((await first.stats('t')).inFlight).toBe(0), WAIT_MS);
    await clock.advance(1000);
    await eventually(async () => {
      expect((await first.stats('t')).inFlight).toBe(0);
      expect(first.journal()).toBeDefined();
    }, WAIT_MS);
    await g.close();
    await first.dispose();

    // Second life: the third attempt is the last, and it is numbered 3.
    const second = open();
    const { got } = await collect(second, 't', 'g', failing, { maxAttempts: 3 });
    await collect(second, 't', 'other');
    await clock.advance(1000);
    await eventually(async () => expect(await second.listDeadLetters('t')).toHaveLength(1), WAIT_MS);
    expect(got.map((m) => m.attempt)).toEqual([3]);
    await second.dispose();

    // Third life: the dead letter is there; replayed, it goes to g only, with attempt 1.
    const third = open();
    const [dl] = await third.listDeadLetters('t');
    expect(dl).toMatchObject({ topic: 't', group: 'g', message: { id, attempt: 3, payload: { n: 1 }, headers: { 'x-h': 'v' }, key: 'k1' } });
    expect(dl!.reason).toContain('boom at attempt 3');
    expect(await third.replayDeadLetter('t', dl!.id)).toBe(true);
    await third.dispose();

    const fourth = open();
    expect(await fourth.listDeadLetters('t')).toEqual([]);
    const { got: again } = await collect(fourth, 't', 'g');
    const { got: otherAgain } = await collect(fourth, 't', 'other');
    await eventually(() => expect(again).toHaveLength(1), WAIT_MS);
    expect(again[0]).toMatchObject({ attempt: 1, payload: { n: 1 }, key: 'k1' });
    await sleep(100);
    expect(otherAgain, 'the group that succeeded does not see the replay').toEqual([]);
    await eventually(async () => expect(await fourth.stats('t')).toMatchObject({ depth: 0, inFlight: 0, deadLetters: 0 }), WAIT_MS);
    await fourth.dispose();

    // Acks are written on dispose: nothing comes back.
    const fifth = open();
    expect(await fifth.stats('t')).toMatchObject({ depth: 0, inFlight: 0, deadLetters: 0, oldestAgeMs: null });
    await fifth.dispose();
  });

  it('a delayed message keeps its delay across a restart', async () => {
    const dir = await dirs.make();
    const clock = createManualClock();
    const first = createFileQueue({ directory: dir, clock });
    await first.publish('t', { n: 1 }, { delayMs: 60_000 });
    await first.dispose();

    await clock.advance(30_000);
    const second = createFileQueue({ directory: dir, clock });
    const { got } = await collect(second, 't', 'g');
    await sleep(150);
    expect(got, 'not before its time').toEqual([]);
    await clock.advance(29_000);
    await sleep(50);
    expect(got).toEqual([]);
    await clock.advance(1000);
    await eventually(() => expect(got.map(nOf)).toEqual([1]), WAIT_MS);
    await second.dispose();
  });

  it('compaction under concurrent publishing loses nothing and shrinks the journal', async () => {
    const dir = await dirs.make();
    const { io, counts } = countingIo();
    const errors: Error[] = [];
    const queue = createFileQueueOn({ directory: dir, compactAfterBytes: 32 * 1024, onError: (e) => errors.push(e) }, io);
    const consumed = new Set<number>();
    await queue.consume('acked', (m) => void consumed.add(nOf(m)), { group: 'g', concurrency: 8 });
    const renamesAtOpen = counts.renames;

    // 50 publishers; 'kept' has no group yet, so every one of its messages must be retained.
    const TOTAL = 2000;
    let next = 0;
    const publisher = async () => {
      while (next < TOTAL) {
        const n = next++;
        await queue.publish('acked', { n, text: `payload ${n} `.repeat(4) });
        if (n % 10 === 0) await queue.publish('kept', { n });
      }
    };
    await Promise.all(range(50).map(publisher));
    await eventually(() => expect(consumed.size).toBe(TOTAL), WAIT_MS, 20);
    expect(errors).toEqual([]);
    const { compactions } = queue.journal()!;
    // While the consumers lag behind, most of the journal is live and compactions are put off
    // (the next case); one at least falls while publishing.
    expect(compactions, 'compacted while publishing').toBeGreaterThanOrEqual(1);
    expect(counts.renames - renamesAtOpen).toBe(compactions);

    // A compaction waits until the journal doubles past the state it last wrote (a backlog made that
    // large above); keep the now-idle topic busy until the next one, which finds almost nothing live.
    let extra = 0;
    while (queue.journal()!.compactions === compactions && extra < 20_000) {
      await queue.publishBatch!('acked', range(50).map((i) => ({ payload: { n: TOTAL + extra + i } })));
      extra += 50;
      await eventually(() => expect(consumed.size).toBe(TOTAL + extra), WAIT_MS, 10);
    }
    expect(queue.journal()!.compactions).toBeGreaterThan(compactions);
    await queue.dispose();

    const { size } = await stat(journalOf(dir));
    expect(size, 'the journal holds far less than was written').toBeLessThan(counts.bytesAppended / 4);
    expect(size, 'about the threshold, not the history').toBeLessThan(128 * 1024);

    const reopened = createFileQueue({ directory: dir });
    expect(await reopened.stats('acked')).toMatchObject({ depth: 0, inFlight: 0 });
    const { got: kept } = await collect(reopened, 'kept', 'late');
    await eventually(() => expect(kept).toHaveLength(TOTAL / 10), WAIT_MS);
    expect(kept.map(nOf).sort((a, b) => a - b)).toEqual(range(TOTAL / 10).map((i) => i * 10));
    const { got: redelivered } = await collect(reopened, 'acked', 'g');
    await sleep(100);
    expect(redelivered, 'acknowledged messages stay acknowledged through compaction').toEqual([]);
    await reopened.dispose();
  });

  it('a backlog nobody has consumed yet is not rewritten: compaction waits until half the journal is reclaimable', async () => {
    const dir = await dirs.make();
    const { io, counts } = countingIo();
    const errors: Error[] = [];
    const open = () => createFileQueueOn({ directory: dir, compactAfterBytes: 16 * 1024, onError: (e) => errors.push(e) }, io);
    const payload = (n: number) => ({ n, text: `backlog ${n} `.repeat(8) });
    // A backlog of many times the threshold, every message live (no group consumes it yet).
    const BACKLOG = 2000;
    const first = open();
    await first.open();
    // A new journal is itself written beside and renamed into place.
    const renamesAtOpen = counts.renames;
    for (const batch of range(BACKLOG / 50)) await first.publishBatch!('backlog', range(50).map((i) => ({ payload: payload(batch * 50 + i) })));
    const during = first.journal()!;
    expect(during.compactions, 'nothing worth rewriting').toBe(0);
    expect(during.deferredCompactions).toBeGreaterThanOrEqual(3);
    expect(counts.renames - renamesAtOpen).toBe(0);
    expect(during.bytes, 'the whole backlog, written once').toBeGreaterThan(16 * 16 * 1024);
    await first.dispose();

    // After a reopen the whole backlog is there; consumed and acknowledged, the journal is mostly
    // garbage, and the next look compacts it.
    const queue = open();
    const consumed: number[] = [];
    await queue.consume('backlog', (m) => void consumed.push(nOf(m)), { group: 'g', concurrency: 16 });
    await eventually(() => expect(consumed).toHaveLength(BACKLOG), WAIT_MS, 20);
    expect([...consumed].sort((a, b) => a - b)).toEqual(range(BACKLOG));
    let extra = 0;
    while (queue.journal()!.compactions === 0 && extra < 40_000) {
      await queue.publishBatch!('backlog', range(50).map((i) => ({ payload: payload(BACKLOG + extra + i) })));
      extra += 50;
      await eventually(() => expect(consumed).toHaveLength(BACKLOG + extra), WAIT_MS, 10);
    }
    expect(queue.journal()!.compactions).toBeGreaterThanOrEqual(1);
    expect(new Set(consumed).size).toBe(BACKLOG + extra);
    expect(errors).toEqual([]);
    await queue.dispose();
    expect((await stat(journalOf(dir))).size, 'the acknowledged backlog left the disk').toBeLessThan(during.bytes / 2);

    const reopened = createFileQueue({ directory: dir });
    expect(await reopened.stats('backlog')).toMatchObject({ depth: 0, inFlight: 0 });
    const { got: redelivered } = await collect(reopened, 'backlog', 'g');
    await sleep(100);
    expect(redelivered, 'acknowledged messages stay acknowledged').toEqual([]);
    await reopened.dispose();
  });
});

describe('file permissions', () => {
  it("the directory and the journal are the owner's only, whatever the umask", async () => {
    const directory = join(await dirs.make(), 'queue');
    const previous = process.umask(0o000);
    try {
      const queue = createFileQueue({ directory });
      await queue.publish('t', { secret: 'payload' });
      expect((await stat(directory)).mode & 0o777).toBe(0o700);
      for (const name of await readdir(directory)) expect({ name, mode: (await stat(join(directory, name))).mode & 0o777 }).toEqual({ name, mode: 0o600 });
      await queue.dispose();
    } finally {
      process.umask(previous);
    }
  });
});
