// Group commit of the SQL queues' publishes: the committer alone (fake commits, manual clock), then
// the PGlite queue with its transactions counted at the executor.
import type { PGlite } from '@electric-sql/pglite';
import { createManualClock, systemClock } from '@tributary/core/clock';
import { createError } from '@tributary/core/errors';
import type { QueueMessage } from '@tributary/core/queue';
import { createGate, eventually, uniqueId } from '@tributary/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { lazyHandle, type SqlExecutor } from '../src/_sql/executor.js';
import { createGroupCommitter, type PublishRequest } from '../src/_sql/group-commit.js';
import { createSqlQueue, type SqlQueueAdapter } from '../src/_sql/queue.js';
import { pgliteExecutor } from '../src/pglite/index.js';

const request = (topic: string, ids: string[], bytes = 10): PublishRequest<string> => ({ topic, messages: ids, bytes });

describe('group committer', () => {
  it('commits a lone publish at once, and coalesces those arriving during a commit into the next one', async () => {
    const gate = createGate();
    const commits: string[][] = [];
    const committer = createGroupCommitter<string>({
      clock: systemClock,
      sharedFailure: () => false,
      commit: async (requests) => {
        commits.push(requests.flatMap((r) => r.messages));
        if (commits.length === 1) await gate.promise;
      },
    });
    const first = committer.submit(request('t', ['a']));
    await eventually(() => expect(commits).toHaveLength(1), 2000);
    const later = ['b', 'c', 'd'].map((id) => committer.submit(request('t', [id])));
    gate.release();
    await Promise.all([first, ...later]);
    expect(commits).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('keeps each commit within the message and byte bounds, never splitting one request', async () => {
    const commits: string[][] = [];
    const committer = createGroupCommitter<string>({
      clock: systemClock,
      sharedFailure: () => false,
      options: { maxMessages: 3, maxBytes: 100 },
      commit: async (requests) => void commits.push(requests.flatMap((r) => r.messages)),
    });
    await Promise.all([
      committer.submit(request('t', ['a', 'b'])),
      committer.submit(request('t', ['c', 'd'])), // would make 4 messages: next commit
      committer.submit(request('t', ['e', 'f', 'g', 'h'])), // over the bound alone: its own commit, whole
      committer.submit(request('t', ['i'], 95)),
      committer.submit(request('t', ['j'], 10)), // 105 bytes with the previous one: next commit
    ]);
    expect(commits).toEqual([['a', 'b'], ['c', 'd'], ['e', 'f', 'g', 'h'], ['i'], ['j']]);
  });

  it('waits lingerMs on the clock before the first commit of an idle period', async () => {
    const clock = createManualClock();
    const commits: string[][] = [];
    const committer = createGroupCommitter<string>({ clock, sharedFailure: () => false, options: { lingerMs: 5 }, commit: async (r) => void commits.push(r.flatMap((x) => x.messages)) });
    const first = committer.submit(request('t', ['a']));
    await clock.advance(4);
    const second = committer.submit(request('t', ['b']));
    expect(commits).toEqual([]);
    await clock.advance(1);
    await Promise.all([first, second]);
    expect(commits).toEqual([['a', 'b']]);
  });

  it('a request the shared commit fails on is retried alone: only its caller gets the error', async () => {
    const attempts: string[][] = [];
    const committer = createGroupCommitter<string>({
      clock: systemClock,
      sharedFailure: () => false,
      commit: async (requests) => {
        const ids = requests.flatMap((r) => r.messages);
        attempts.push(ids);
        if (ids.includes('bad')) throw createError('test', 'adapter', 'refused');
      },
    });
    const results = await Promise.allSettled(['a', 'bad', 'c'].map((id) => committer.submit(request('t', [id]))));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(attempts).toEqual([['a', 'bad', 'c'], ['a'], ['bad'], ['c']]);
  });

  it('a shared failure (database unreachable) rejects every caller of that commit and no other', async () => {
    const gate = createGate();
    let calls = 0;
    const committer = createGroupCommitter<string>({
      clock: systemClock,
      sharedFailure: () => true,
      commit: async () => {
        calls++;
        if (calls === 1) await gate.promise;
        if (calls === 2) throw createError('test', 'unavailable', 'down');
      },
    });
    const first = committer.submit(request('t', ['a']));
    await eventually(() => expect(calls).toBe(1), 2000);
    const failing = [committer.submit(request('t', ['b'])), committer.submit(request('t', ['c']))];
    gate.release();
    await first;
    const settled = await Promise.allSettled(failing);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect(calls).toBe(2);
    await committer.submit(request('t', ['d']));
    expect(calls).toBe(3);
  });
});

describe('SQL queue group commit (PGlite)', () => {
  let shared: Promise<PGlite> | undefined;
  const instance = () => (shared ??= import('@electric-sql/pglite').then(({ PGlite }) => PGlite.create()));
  afterAll(async () => (await shared)?.close());

  /** A queue whose transactions are counted, and can be made to fail as a lost connection would. */
  const countedQueue = async (groupCommit: false | undefined = undefined) => {
    const db = await instance();
    const counter = { transactions: 0, failNext: 0 };
    const wrap = (inner: SqlExecutor): SqlExecutor => ({
      ...inner,
      query: inner.query.bind(inner),
      transaction(fn) {
        counter.transactions++;
        if (counter.failNext > 0) {
          counter.failNext--;
          return Promise.reject(Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' }));
        }
        return inner.transaction(fn);
      },
    });
    const queue: SqlQueueAdapter = createSqlQueue({
      name: 'pglite',
      handle: lazyHandle(async () => wrap(pgliteExecutor(db, async () => undefined))),
      schema: `gc_${uniqueId('s').replace(/-/g, '_')}`,
      migrate: true,
      durable: false,
      pollIntervalMs: 50,
      maxPayloadBytes: 1024 * 1024,
      notify: true,
      ...(groupCommit === false ? { groupCommit } : {}),
    });
    await queue.connect();
    return { queue, counter };
  };

  const collect = async (queue: SqlQueueAdapter, topic: string, concurrency = 4) => {
    const got: QueueMessage<{ p: number; n: number }>[] = [];
    const sub = await queue.consume<{ p: number; n: number }>(topic, (m) => void got.push(m), { group: 'g', concurrency });
    return { got, sub };
  };

  it('50 concurrent publishes take far fewer transactions, and each message is delivered exactly once', async () => {
    const { queue, counter } = await countedQueue();
    const topic = uniqueId('gc');
    const { got, sub } = await collect(queue, topic);
    const before = counter.transactions;
    const ids = await Promise.all(Array.from({ length: 50 }, (_, n) => queue.publish(topic, { p: n, n })));
    const used = counter.transactions - before;
    expect(used).toBeGreaterThanOrEqual(1);
    expect(used).toBeLessThanOrEqual(2);
    await eventually(() => expect(got).toHaveLength(50), 5000);
    expect(new Set(got.map((m) => m.id))).toEqual(new Set(ids));
    await sub.close();
    expect(got).toHaveLength(50);
    await queue.dispose();
  });

  it('without group commit each publish is its own transaction (the comparison)', async () => {
    const { queue, counter } = await countedQueue(false);
    const before = counter.transactions;
    await Promise.all(Array.from({ length: 20 }, (_, n) => queue.publish(uniqueId('solo'), { n })));
    expect(counter.transactions - before).toBe(20);
    await queue.dispose();
  });

  it('a payload the database refuses fails its own publish only; the messages beside it are delivered once', async () => {
    const { queue } = await countedQueue();
    const topic = uniqueId('gc-bad');
    const { got, sub } = await collect(queue, topic);
    // jsonb refuses \u0000: a failure only this caller's message causes, inside the shared commit.
    const results = await Promise.allSettled(Array.from({ length: 21 }, (_, n) => queue.publish(topic, n === 10 ? { p: n, n, bad: '\u0000' } : { p: n, n })));
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    expect(results[10]).toMatchObject({ status: 'rejected', reason: { code: 'adapter' } });
    await eventually(() => expect(got).toHaveLength(20), 5000);
    expect(got.map((m) => m.payload.n).sort((a, b) => a - b)).toEqual(Array.from({ length: 21 }, (_, n) => n).filter((n) => n !== 10));
    await sub.close();
    await queue.dispose();
  });

  it('a lost connection rejects the callers of the failed commit; later publishes go through', async () => {
    const { queue, counter } = await countedQueue();
    const topic = uniqueId('gc-down');
    counter.failNext = 3; // every attempt of the retry
    const failed = await Promise.allSettled(Array.from({ length: 5 }, (_, n) => queue.publish(topic, { p: 0, n })));
    expect(failed.every((r) => r.status === 'rejected' && (r.reason as { code?: string }).code === 'unavailable')).toBe(true);
    await Promise.all(Array.from({ length: 5 }, (_, n) => queue.publish(topic, { p: 1, n })));
    expect((await queue.stats(topic)).depth).toBe(5);
    await queue.dispose();
  });

  it("keeps each publisher's order when its publishes share commits with others'", async () => {
    const { queue } = await countedQueue();
    const topic = uniqueId('gc-order');
    // Three publishers each fire 10 publishes without waiting, interleaved.
    const pending: Promise<string>[] = [];
    for (let n = 0; n < 10; n++) for (let p = 0; p < 3; p++) pending.push(queue.publish(topic, { p, n }));
    await Promise.all(pending);
    const { got, sub } = await collect(queue, topic, 1);
    await eventually(() => expect(got).toHaveLength(30), 5000);
    await sub.close();
    for (let p = 0; p < 3; p++) expect(got.filter((m) => m.payload.p === p).map((m) => m.payload.n)).toEqual([...Array(10).keys()]);
    await queue.dispose();
  });

  it('dispose waits for publishes already accepted to commit', async () => {
    const { queue } = await countedQueue();
    const topic = uniqueId('gc-dispose');
    const publishes = Array.from({ length: 10 }, (_, n) => queue.publish(topic, { p: 0, n }));
    await queue.dispose();
    expect((await Promise.allSettled(publishes)).every((r) => r.status === 'fulfilled')).toBe(true);
  });
});
