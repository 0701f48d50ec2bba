// The file dedup store: the dedup contract kit, then what only a journal shows — records surviving a
// reopen and a real crash (SIGKILL), torn and corrupt journals, expiry across recovery, compaction
// under concurrent writes, the directory lock, group commit, the maxRecords bound and a failing disk.
// Expiry and leases run on a manual clock here, except in the kit (which runs on real time).
import { spawn } from 'node:child_process';
import { appendFile, access, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createManualClock } from '@tributary/core/clock';
import { isTributaryError } from '@tributary/core/errors';
import { eventually, testDedupStore } from '@tributary/core/testing';
import type { DeliveryRecord } from '@tributary/core/webhooks';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeJournalIo, type JournalIo } from '../src/_journal/journal-io.js';
import { createFileDedupStoreOn } from '../src/file-dedup/store.js';
import { CORRUPT_JOURNAL, createFileDedupStore, DIRECTORY_LOCKED, type FileDedupStore } from '../src/file-dedup/index.js';
import { encodeRemember } from '../src/file-dedup/records.js';
import { createFileQueue } from '../src/file-queue/index.js';
import { countingIo, tempDirs } from './file-queue-helpers.js';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());
const journalOf = (dir: string) => join(dir, 'journal.log');
const range = (count: number) => Array.from({ length: count }, (_, n) => n);
/** Generous: the machine is shared and loaded. */
const WAIT_MS = 15_000;
const HOUR = 3_600_000;

const recordOf = (deliveryId: string, expiresAt: number, ids = [`rec-${deliveryId}`]): DeliveryRecord => ({
  sourceId: 'src',
  deliveryId,
  acceptedAt: new Date(expiresAt - HOUR).toISOString(),
  expiresAt,
  accepted: ids.length,
  ids,
});

/** Runs `body` with a store, always disposing it. */
async function using<T>(store: FileDedupStore, body: (store: FileDedupStore) => Promise<T>): Promise<T> {
  try {
    return await body(store);
  } finally {
    await store.dispose();
  }
}

testDedupStore('file', async () => {
  const store = createFileDedupStore({ directory: await dirs.make() });
  return { store, dispose: () => store.dispose() };
});

describe('file dedup store: lifecycle and claims', () => {
  it('does no I/O before the first call, validates its options, and is unavailable once disposed', async () => {
    const dir = join(await dirs.make(), 'not-yet');
    const store = createFileDedupStore({ directory: dir });
    await expect(access(dir)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(store.journal()).toBeUndefined();
    expect(() => createFileDedupStore({ directory: '' })).toThrow(expect.objectContaining({ code: 'validation' }));
    expect(() => createFileDedupStore({ directory: 'd', maxRecords: 0 })).toThrow(/maxRecords/);
    expect(() => createFileDedupStore({ directory: 'd', fsync: 'sometimes' as 'always' })).toThrow(/fsync/);
    expect(await store.get('ws', 'k')).toBeNull();
    await access(journalOf(dir));
    await store.dispose();
    await expect(access(join(dir, 'lock'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(store.get('ws', 'k')).rejects.toMatchObject({ code: 'unavailable' });
    await expect(store.remember('ws', 'k', recordOf('d', Date.now() + HOUR))).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('claims lapse by the injected clock, and a stale release leaves the new claim and the record in place', async () => {
    const clock = createManualClock();
    await using(createFileDedupStore({ directory: await dirs.make(), clock }), async (store) => {
      const stale = await store.claimOrGet!('ws', 'k', 1000);
      expect(stale).toHaveProperty('release');
      clock.set(clock.now() + 999);
      expect(await store.claimOrGet!('ws', 'k', 1000)).toEqual({ busy: true });
      expect(await store.claim('ws', 'k', 1000)).toBeNull();
      clock.set(clock.now() + 1);
      const current = await store.claimOrGet!('ws', 'k', 60_000);
      expect(current).toHaveProperty('release');
      await (stale as { release: () => Promise<void> }).release();
      expect(await store.claimOrGet!('ws', 'k', 60_000)).toEqual({ busy: true });
      const record = recordOf('d', clock.now() + HOUR);
      await store.remember('ws', 'k', record);
      await (stale as { release: () => Promise<void> }).release();
      await (current as { release: () => Promise<void> }).release();
      expect(await store.claimOrGet!('ws', 'k', 60_000)).toEqual({ record });
      expect(store.journal()).toMatchObject({ claims: 0, records: 1 });
    });
  });

  it('a record reads as absent from its expiresAt on (by the injected clock); the delivery is new again', async () => {
    const clock = createManualClock();
    await using(createFileDedupStore({ directory: await dirs.make(), clock }), async (store) => {
      const record = recordOf('d', clock.now() + 5000);
      await store.remember('ws', 'k', record);
      clock.set(record.expiresAt - 1);
      expect(await store.get('ws', 'k')).toEqual(record);
      clock.set(record.expiresAt);
      expect(await store.get('ws', 'k')).toBeNull();
      expect(await store.claimOrGet!('ws', 'k', 1000)).toHaveProperty('release');
      // A record already expired when remembered is not kept at all.
      await store.remember('ws', 'old', recordOf('o', clock.now() - 1));
      expect(await store.get('ws', 'old')).toBeNull();
    });
  });
});

describe('file dedup store: durability', () => {
  it('remembered records survive dispose and reopen, each in its own workspace', async () => {
    const dir = await dirs.make();
    const clock = createManualClock();
    const a = recordOf('a', clock.now() + HOUR, ['r1', 'r2']);
    const b = recordOf('b', clock.now() + HOUR);
    await using(createFileDedupStore({ directory: dir, clock }), async (store) => {
      await store.remember('ws-1', 'k', a);
      await store.remember('ws-2', 'k', b);
      // Remembered again: the later record wins, after a reopen too.
      await store.remember('ws-1', 'k2', recordOf('x', clock.now() + HOUR));
      await store.remember('ws-1', 'k2', b);
    });
    await using(createFileDedupStore({ directory: dir, clock }), async (store) => {
      expect(await store.get('ws-1', 'k')).toEqual(a);
      expect(await store.get('ws-2', 'k')).toEqual(b);
      expect(await store.get('ws-1', 'k2')).toEqual(b);
      expect(await store.get('ws-3', 'k')).toBeNull();
      expect(store.journal()).toMatchObject({ recoveredRecords: 4, records: 3, tornBytesCut: 0 });
    });
  });

  it('every remember() that resolved before a SIGKILL is found after reopening', async () => {
    const dir = await dirs.make();
    const child = spawn(process.execPath, ['--conditions=@tributary/source', '--import', 'tsx', join(import.meta.dirname, 'file-dedup-child.ts'), dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
    const ended = new Promise((resolve) => child.stdout.once('end', resolve));
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (out += chunk));
    const acknowledged = () => out.split('\n').filter((l) => l.startsWith('ok ')).map((l) => l.slice(3));
    try {
      await eventually(() => expect(acknowledged().length).toBeGreaterThanOrEqual(300), WAIT_MS, 20);
    } finally {
      // SIGKILL: no handler, no flush, no exit hook runs.
      child.kill('SIGKILL');
    }
    expect(await exited).toBe('SIGKILL');
    // Lines written before the kill may still be in the pipe.
    await ended;
    const keys = acknowledged();

    // The child's lock names a dead pid: taken over.
    await using(createFileDedupStore({ directory: dir }), async (store) => {
      const missing: string[] = [];
      for (const key of keys) if ((await store.get('ws-crash', key))?.ids[0] !== `rec-${key}`) missing.push(key);
      expect(missing, 'remembered deliveries missing after the crash').toEqual([]);
      // Remembers in flight at the kill may be there too (durable, not yet acknowledged).
      expect(store.journal()!.records).toBeGreaterThanOrEqual(keys.length);
    });
  });

  it('a torn tail is cut off: the records before it stay, and the journal takes appends again', async () => {
    const dir = await dirs.make();
    const clock = createManualClock();
    await using(createFileDedupStore({ directory: dir, clock }), async (store) => {
      for (const n of range(3)) await store.remember('ws', `k${n}`, recordOf(`d${n}`, clock.now() + HOUR));
    });
    // The start of a frame whose write was torn by the crash: a length, then nothing valid.
    const whole = await readFile(journalOf(dir));
    await appendFile(journalOf(dir), whole.subarray(8, 8 + 20));
    await using(createFileDedupStore({ directory: dir, clock }), async (store) => {
      expect(store.journal()).toBeUndefined();
      for (const n of range(3)) expect(await store.get('ws', `k${n}`)).not.toBeNull();
      expect(store.journal()).toMatchObject({ tornBytesCut: 20, recoveredRecords: 3 });
      expect((await stat(journalOf(dir))).size).toBe(whole.length);
      await store.remember('ws', 'k3', recordOf('d3', clock.now() + HOUR));
    });
    await using(createFileDedupStore({ directory: dir, clock }), async (store) => {
      expect(await store.get('ws', 'k3')).not.toBeNull();
      expect(store.journal()).toMatchObject({ tornBytesCut: 0, recoveredRecords: 4 });
    });
  });

  it('damage before the end of the journal is reported as corrupt_journal, never dropped silently', async () => {
    const dir = await dirs.make();
    await using(createFileDedupStore({ directory: dir }), async (store) => {
      await store.remember('ws', 'k1', recordOf('d1', Date.now() + HOUR));
      await store.remember('ws', 'k2', recordOf('d2', Date.now() + HOUR));
    });
    const bytes = await readFile(journalOf(dir));
    // A byte of the first frame's body: its CRC no longer matches, and a valid frame follows.
    bytes[8 + 12 + 4]! ^= 0xff;
    await writeFile(journalOf(dir), bytes);
    const store = createFileDedupStore({ directory: dir });
    const error = await store.open().catch((e: unknown) => e);
    expect(isTributaryError(error, 'adapter'), String(error)).toBe(true);
    expect((error as { context: Record<string, unknown> }).context).toMatchObject({ reason: CORRUPT_JOURNAL, offset: 8 });
    // The failed open released the lock, and a file queue's journal is not taken for a dedup store's.
    await writeFile(journalOf(dir), Buffer.from('TRBQJNL1', 'latin1'));
    await expect(store.open()).rejects.toThrow(/not a file dedup store journal/);
    await store.dispose();
  });

  it('expired records are not resurrected by recovery', async () => {
    const dir = await dirs.make();
    const clock = createManualClock();
    const start = clock.now();
    await using(createFileDedupStore({ directory: dir, clock }), async (store) => {
      await store.remember('ws', 'short', recordOf('s', start + 1000));
      await store.remember('ws', 'long', recordOf('l', start + HOUR));
      // A delivery whose newer record expires before its older one: the newer one decides.
      await store.remember('ws', 'shortened', recordOf('x', start + HOUR));
      await store.remember('ws', 'shortened', recordOf('y', start + 1000));
    });
    clock.set(start + 1000);
    await using(createFileDedupStore({ directory: dir, clock }), async (store) => {
      expect(await store.get('ws', 'short')).toBeNull();
      expect(await store.get('ws', 'shortened')).toBeNull();
      expect(await store.get('ws', 'long')).not.toBeNull();
      expect(store.journal()).toMatchObject({ recoveredRecords: 4, expiredSkipped: 2, records: 1 });
      expect(await store.claimOrGet!('ws', 'short', 1000)).toHaveProperty('release');
    });
  });
});

describe('file dedup store: compaction, lock, group commit, bounds, failures', () => {
  it('compaction under concurrent remembers loses nothing, drops expired records and shrinks the journal', async () => {
    const dir = await dirs.make();
    const clock = createManualClock();
    const start = clock.now();
    const { io, counts } = countingIo();
    const errors: Error[] = [];
    const store = createFileDedupStoreOn({ directory: dir, clock, compactAfterBytes: 16 * 1024, onError: (e) => errors.push(e) }, io);
    const expected = new Map<string, DeliveryRecord>();
    let written = 0;
    let uncompactedBytes = 0;
    const remember = (key: string, record: DeliveryRecord) => {
      if (record.expiresAt > clock.now()) {
        // What a journal that is never compacted would hold, frame headers aside.
        written++;
        uncompactedBytes += encodeRemember('ws', key, JSON.stringify(record)).length;
      }
      if (record.expiresAt > start + 1000) expected.set(key, record);
      else expected.delete(key);
      return store.remember('ws', key, record);
    };
    await store.open();
    const renamesAtOpen = counts.renames;
    let compactionsBeforeExpiry = 0;
    // Waves of concurrent remembers: 40 hot keys remembered again and again (what compaction
    // reclaims), new deliveries, and deliveries that will have expired by the end (the compactions
    // after that must drop them).
    for (const wave of range(40)) {
      const expiresAt = wave % 4 === 0 ? start + 1000 : start + HOUR;
      await Promise.all([
        ...range(5).map((n) => remember(`new-${wave}-${n}`, recordOf(`new-${wave}-${n}`, expiresAt))),
        ...range(40).map((n) => remember(`hot-${n}`, recordOf(`hot-${n}-${wave}`, start + HOUR, [`rec-${wave}`]))),
      ]);
      if (wave === 20) {
        clock.set(start + 1000);
        compactionsBeforeExpiry = store.journal()!.compactions;
      }
    }
    const stats = store.journal()!;
    await store.dispose();
    expect(errors).toEqual([]);
    expect(compactionsBeforeExpiry).toBeGreaterThanOrEqual(1);
    expect(stats.compactions).toBeGreaterThan(compactionsBeforeExpiry);
    expect(counts.renames - renamesAtOpen).toBe(stats.compactions);
    const size = (await stat(journalOf(dir))).size;
    expect(size).toBe(stats.bytes);
    expect(size).toBeLessThan(uncompactedBytes / 2);

    await using(createFileDedupStore({ directory: dir, clock }), async (reopened) => {
      const wrong: string[] = [];
      for (const [key, record] of expected) if (JSON.stringify(await reopened.get('ws', key)) !== JSON.stringify(record)) wrong.push(key);
      expect(wrong, 'records lost or stale after compaction').toEqual([]);
      expect(await reopened.get('ws', 'new-0-0')).toBeNull();
      expect(reopened.journal()!.records).toBe(expected.size);
      expect(reopened.journal()!.recoveredRecords).toBeLessThan(written / 2);
      // Every record that had expired by the last compaction was left out of it.
      expect(reopened.journal()!.expiredSkipped).toBe(0);
    });
  });

  it('records kept as text: colons in workspaces and keys keep them apart through compactions and a reopen', async () => {
    const dir = await dirs.make();
    const clock = createManualClock();
    // Pairs that spell the same text when joined by a colon: compaction reads the workspace and the
    // key back out of the table key, which must keep them apart.
    const pairs: [string, string][] = [
      ['a:b', 'c'],
      ['a', 'b:c'],
      ['ws:1', 'src:delivery:1'],
      ['9:x', '1:y'],
    ];
    const records = pairs.map(([w, k], n) => recordOf(`${w}|${k}`, clock.now() + HOUR, [`rec-${n}`, `rec-${n}-b`]));
    // A tiny compaction threshold, and two keys remembered again and again (what compaction
    // reclaims): every few remembers rewrite the journal from the table.
    const errors: Error[] = [];
    await using(createFileDedupStore({ directory: dir, clock, compactAfterBytes: 512, onError: (e) => errors.push(e) }), async (store) => {
      for (const [n, [w, k]] of pairs.entries()) {
        await store.remember(w, k, records[n]!);
        for (const filler of range(12)) await store.remember('filler', `f-${filler % 2}`, recordOf(`f-${n}-${filler}`, clock.now() + HOUR));
      }
      expect(store.journal()!.compactions).toBeGreaterThanOrEqual(2);
      for (const [n, [w, k]] of pairs.entries()) expect(await store.get(w, k), `${w} / ${k}`).toEqual(records[n]);
    });
    expect(errors).toEqual([]);
    await using(createFileDedupStore({ directory: dir, clock }), async (store) => {
      for (const [n, [w, k]] of pairs.entries()) expect(await store.get(w, k), `${w} / ${k}`).toEqual(records[n]);
      expect(await store.get('a:b:c', '')).toBeNull();
      expect(await store.get('a', 'b')).toBeNull();
    });
    // The journal's record is the text JSON.stringify would make of it.
    const record = records[2]!;
    expect(encodeRemember('ws:1', 'src:delivery:1', JSON.stringify(record)).meta).toBe(JSON.stringify({ t: 'R', w: 'ws:1', k: 'src:delivery:1', r: record }));
  });

  it('a journal of live records only is not rewritten; once most of it has expired, it is', async () => {
    const dir = await dirs.make();
    const clock = createManualClock();
    const start = clock.now();
    let later = 0;
    await using(createFileDedupStore({ directory: dir, clock, compactAfterBytes: 4096 }), async (store) => {
      // Distinct deliveries, all live: a compaction would rewrite every one of them.
      for (const n of range(400)) await store.remember('ws', `live-${n}`, recordOf(`live-${n}`, start + (n < 360 ? 1000 : HOUR)));
      const live = store.journal()!;
      expect(live).toMatchObject({ compactions: 0, records: 400 });
      expect(live.deferredCompactions).toBeGreaterThanOrEqual(2);
      // Nine in ten expire: the next look finds the journal mostly reclaimable.
      clock.set(start + 1000);
      while (store.journal()!.compactions === 0 && later < 2000) await store.remember('ws', `later-${later}`, recordOf(`later-${later++}`, start + HOUR));
      expect(store.journal()!.compactions).toBe(1);
      expect(store.journal()!.bytes).toBeLessThan(live.bytes);
    });
    await using(createFileDedupStore({ directory: dir, clock }), async (store) => {
      expect(await store.get('ws', 'live-0')).toBeNull();
      expect(await store.get('ws', 'live-399')).toEqual(recordOf('live-399', start + HOUR));
      expect(await store.get('ws', `later-${later - 1}`)).toEqual(recordOf(`later-${later - 1}`, start + HOUR));
      // The 40 long-lived records and every later one; the expired were left out of the compaction.
      expect(store.journal()!.records).toBe(40 + later);
    });
  });

  it('one store per directory: a second store (or a file queue) is refused until the first is disposed', async () => {
    const dir = await dirs.make();
    const first = createFileDedupStore({ directory: dir });
    await first.open();
    const second = createFileDedupStore({ directory: dir });
    const error = await second.open().catch((e: unknown) => e);
    expect(isTributaryError(error, 'conflict'), String(error)).toBe(true);
    expect((error as { context: Record<string, unknown> }).context.reason).toBe(DIRECTORY_LOCKED);
    const queue = createFileQueue({ directory: dir });
    await expect(queue.open()).rejects.toMatchObject({ code: 'conflict' });
    await queue.dispose();
    await first.remember('ws', 'k', recordOf('d', Date.now() + HOUR));
    await first.dispose();
    // The refused store tries again at its next call, and finds what the first remembered.
    await using(second, async (store) => expect(await store.get('ws', 'k')).not.toBeNull());
  });

  it('group commit: 200 concurrent remembers share a few fdatasyncs, and each resolves only after one', async () => {
    const { io, counts } = countingIo();
    await using(createFileDedupStoreOn({ directory: await dirs.make() }, io), async (store) => {
      await store.open();
      const before = { ...counts };
      const seenAtResolve: number[] = [];
      await Promise.all(
        range(200).map(async (n) => {
          await store.remember('ws', `k${n}`, recordOf(`d${n}`, Date.now() + HOUR));
          seenAtResolve.push(counts.datasyncsDone - before.datasyncsDone);
        }),
      );
      const datasyncs = counts.datasyncsDone - before.datasyncsDone;
      expect(datasyncs).toBeGreaterThanOrEqual(1);
      expect(datasyncs).toBeLessThanOrEqual(10);
      expect(counts.appends - before.appends).toBe(datasyncs);
      expect(Math.min(...seenAtResolve)).toBeGreaterThanOrEqual(1);
      for (const n of range(200)) expect(await store.get('ws', `k${n}`)).not.toBeNull();
    });
  });

  it('lazyRecords: remember() resolves before any write, the records follow within the linger, and a reopen finds them', async () => {
    const dir = await dirs.make();
    const { io, counts } = countingIo();
    await using(createFileDedupStoreOn({ directory: dir, lazyRecords: true }, io), async (store) => {
      await store.open();
      const before = counts.appends;
      const syncsBefore = counts.datasyncsDone;
      await Promise.all(range(50).map((n) => store.remember('ws', `k${n}`, recordOf(`d${n}`, Date.now() + HOUR))));
      // Resolved with nothing written yet, and already answering from memory.
      expect(counts.appends).toBe(before);
      expect(await store.get('ws', 'k7')).not.toBeNull();
      // Then one write (and its fdatasync) carries them all, without any further call.
      await eventually(() => expect(counts.datasyncsDone).toBeGreaterThan(syncsBefore), WAIT_MS);
      expect(counts.appends - before).toBe(1);
    });
    await using(createFileDedupStore({ directory: dir }), async (store) => {
      for (const n of range(50)) expect(await store.get('ws', `k${n}`)).not.toBeNull();
    });
  });

  it("fsync 'never' writes without fdatasync", async () => {
    const { io, counts } = countingIo();
    await using(createFileDedupStoreOn({ directory: await dirs.make(), fsync: 'never' }, io), async (store) => {
      await Promise.all(range(20).map((n) => store.remember('ws', `k${n}`, recordOf(`d${n}`, Date.now() + HOUR))));
      expect(counts.appends).toBeGreaterThanOrEqual(2);
      expect(counts.datasyncsStarted).toBe(0);
    });
  });

  it('maxRecords: the oldest records are forgotten early and counted; expired ones go first, uncounted; a reopen keeps the same set', async () => {
    const dir = await dirs.make();
    const clock = createManualClock();
    const start = clock.now();
    const live = start + HOUR;
    await using(createFileDedupStore({ directory: dir, clock, maxRecords: 5 }), async (store) => {
      await store.remember('ws', 'short-1', recordOf('s1', start + 1000));
      await store.remember('ws', 'short-2', recordOf('s2', start + 1000));
      clock.set(start + 1000);
      for (const n of range(5)) await store.remember('ws', `k${n}`, recordOf(`d${n}`, live));
      expect(store.journal()).toMatchObject({ records: 5, evictions: 0 });
      // Remembered again: k0 becomes the newest, so k1 and k2 are the oldest now.
      await store.remember('ws', 'k0', recordOf('d0-again', live));
      await store.remember('ws', 'k5', recordOf('d5', live));
      await store.remember('ws', 'k6', recordOf('d6', live));
      expect(store.journal()).toMatchObject({ records: 5, evictions: 2 });
      expect(await store.get('ws', 'k1')).toBeNull();
      expect(await store.get('ws', 'k2')).toBeNull();
      for (const k of ['k0', 'k3', 'k4', 'k5', 'k6']) expect(await store.get('ws', k)).not.toBeNull();
    });
    await using(createFileDedupStore({ directory: dir, clock, maxRecords: 5 }), async (store) => {
      expect(await store.get('ws', 'k1')).toBeNull();
      expect(await store.get('ws', 'k2')).toBeNull();
      expect((await store.get('ws', 'k0'))?.deliveryId).toBe('d0-again');
      for (const k of ['k3', 'k4', 'k5', 'k6']) expect(await store.get('ws', k)).not.toBeNull();
      expect(store.journal()).toMatchObject({ records: 5, expiredSkipped: 2 });
    });
  });

  it('a journal that cannot be written is `unavailable` (the handler answers 503) until the store is reopened', async () => {
    const dir = await dirs.make();
    let failing = false;
    const io: JournalIo = {
      ...nodeJournalIo,
      async open(path, mode) {
        const file = await nodeJournalIo.open(path, mode);
        return {
          ...file,
          async append(bytes) {
            if (failing) throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
            await file.append(bytes);
          },
        };
      },
    };
    const errors: Error[] = [];
    const store = createFileDedupStoreOn({ directory: dir, onError: (e) => errors.push(e) }, io);
    await store.remember('ws', 'kept', recordOf('k', Date.now() + HOUR));
    failing = true;
    await expect(store.remember('ws', 'lost', recordOf('l', Date.now() + HOUR))).rejects.toMatchObject({ code: 'unavailable' });
    await expect(store.claimOrGet!('ws', 'new', 1000)).rejects.toMatchObject({ code: 'unavailable' });
    await expect(store.get('ws', 'kept')).rejects.toMatchObject({ code: 'unavailable' });
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain('EIO');
    await store.dispose();
    await using(createFileDedupStore({ directory: dir }), async (reopened) => {
      expect(await reopened.get('ws', 'kept')).not.toBeNull();
      expect(await reopened.get('ws', 'lost')).toBeNull();
    });
  });
});
