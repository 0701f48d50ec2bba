// Group commit of the SQL storage's document writes (putDocument, insertDocument, deleteDocument) on
// PGlite, with commits counted (and held, or failed) at the executor; then the webhook dedup on
// that storage, exact under concurrent copies of one delivery.
import type { PGlite } from '@electric-sql/pglite';
import { generateKey } from '@tributary/core/crypto';
import { createPipeline } from '@tributary/core/pipeline';
import { createMemoryQueue } from '@tributary/core/queue/memory';
import { createGate, uniqueId } from '@tributary/core/testing';
import { createWebhookHandler, type WebhookPipeline } from '@tributary/core/webhooks';
import { afterAll, describe, expect, it } from 'vitest';
import { lazyHandle, type SqlExecutor } from '../src/_sql/executor.js';
import { createSqlStorage, type SqlStorageAdapter } from '../src/_sql/storage.js';
import { pgliteExecutor } from '../src/pglite/index.js';
// The connector and signature the core webhook tests use: the same GitHub-signed `hooks` deliveries.
import { githubHooks as hooks, githubSignature } from '../../core/test/webhook-fixtures.js';

let shared: Promise<PGlite> | undefined;
const instance = () => (shared ??= import('@electric-sql/pglite').then(({ PGlite }) => PGlite.create()));
afterAll(async () => (await shared)?.close());

interface Counter {
  /** Commits of document writes: a transaction, or a write statement run alone (atomic by itself). */
  commits: number;
  /** Of those, the ones that returned (committed). */
  committed: number;
  transactions: number;
  statements: number;
  failNext: number;
  /** When set, commits wait for it before they start. */
  hold?: Promise<void>;
}

/** A document write run as a statement of its own (outside a transaction). */
const isDocumentWrite = (text: string) => /^WITH (gone|stored|replaced) AS/.test(text);

/** A storage whose commits are counted, and can be held or made to fail as a lost connection would. */
async function countedStorage(groupCommit: false | undefined = undefined) {
  const db = await instance();
  const counter: Counter = { commits: 0, committed: 0, transactions: 0, statements: 0, failNext: 0 };
  const commit = async <T>(run: () => Promise<T>): Promise<T> => {
    counter.commits++;
    if (counter.hold) await counter.hold;
    if (counter.failNext > 0) {
      counter.failNext--;
      throw Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
    }
    const value = await run();
    counter.committed++;
    return value;
  };
  const wrap = (inner: SqlExecutor): SqlExecutor => ({
    ...inner,
    query(text, params, options) {
      counter.statements++;
      return isDocumentWrite(text) ? commit(() => inner.query(text, params, options)) : inner.query(text, params, options);
    },
    transaction(fn) {
      counter.transactions++;
      return commit(() => inner.transaction(fn));
    },
  });
  const storage: SqlStorageAdapter = createSqlStorage({
    name: 'pglite',
    handle: lazyHandle(async () => wrap(pgliteExecutor(db, async () => undefined))),
    schema: `docs_${uniqueId('s').replace(/-/g, '_')}`,
    migrate: true,
    durable: false,
    layout: { partitioning: false, timescale: false },
    partitionsAhead: 1,
    chunkSize: 1000,
    ...(groupCommit === false ? { groupCommit } : {}),
  });
  await storage.connect();
  return { storage, counter };
}

describe('SQL storage: group commit of document writes (PGlite)', () => {
  it('50 concurrent writes share one or two commits; each is readable once its caller resolved', async () => {
    const { storage, counter } = await countedStorage();
    const before = counter.commits;
    await Promise.all(Array.from({ length: 50 }, (_, n) => storage.putDocument('runs', 'ws', `doc-${n}`, { n })));
    expect(counter.commits - before).toBeGreaterThanOrEqual(1);
    expect(counter.commits - before).toBeLessThanOrEqual(2);
    for (let n = 0; n < 50; n++) expect(await storage.getDocument('runs', 'ws', `doc-${n}`)).toEqual({ n });
    await storage.dispose();
  });

  it('a caller is resolved only after the commit holding its write', async () => {
    const { storage, counter } = await countedStorage();
    const gate = createGate();
    counter.hold = gate.promise;
    const resolvedAfter: number[] = [];
    const writes = Array.from({ length: 10 }, (_, n) =>
      (n % 2 === 0 ? storage.putDocument('runs', 'ws', `held-${n}`, { n }) : storage.insertDocument('runs', 'ws', `held-${n}`, { n })).then(() => void resolvedAfter.push(counter.committed)),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(resolvedAfter, 'nobody answered while the commit is held').toEqual([]);
    counter.hold = undefined;
    const committedBefore = counter.committed;
    gate.release();
    await Promise.all(writes);
    expect(resolvedAfter).toHaveLength(10);
    expect(Math.min(...resolvedAfter)).toBeGreaterThan(committedBefore);
    await storage.dispose();
  });

  it('a lost connection rejects every caller of the failed commit, writes nothing, and later writes go through', async () => {
    const { storage, counter } = await countedStorage();
    counter.failNext = 3; // every attempt of the retry
    const failed = await Promise.allSettled([
      storage.putDocument('runs', 'ws', 'down-1', { n: 1 }),
      storage.insertDocument('runs', 'ws', 'down-2', { n: 2 }),
      storage.deleteDocument('runs', 'ws', 'down-3'),
      storage.putDocument('runs', 'ws', 'down-4', { n: 4 }),
    ]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected']);
    for (const r of failed) expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'unavailable' });
    expect(await storage.getDocument('runs', 'ws', 'down-1')).toBeNull();
    expect(await storage.getDocument('runs', 'ws', 'down-2')).toBeNull();
    await Promise.all([storage.putDocument('runs', 'ws', 'down-1', { n: 1 }), storage.insertDocument('runs', 'ws', 'down-2', { n: 2 })]);
    expect(await storage.getDocument('runs', 'ws', 'down-2')).toEqual({ n: 2 });
    await storage.dispose();
  });

  it('a document the database refuses fails its own caller only; the writes beside it commit', async () => {
    const { storage } = await countedStorage();
    // jsonb refuses \u0000: a failure only this caller's document causes, inside the shared commit.
    const results = await Promise.allSettled(Array.from({ length: 9 }, (_, n) => storage.putDocument('runs', 'ws', `bad-${n}`, n === 4 ? { n, bad: '\u0000' } : { n })));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(await storage.getDocument('runs', 'ws', 'bad-3')).toEqual({ n: 3 });
    expect(await storage.getDocument('runs', 'ws', 'bad-4')).toBeNull();
    await storage.dispose();
  });

  it("writes to one document within one commit apply in the callers' order", async () => {
    const { storage, counter } = await countedStorage();
    await storage.putDocument('runs', 'ws', 'other', { other: true });
    const before = { commits: counter.commits, transactions: counter.transactions };
    const results = await Promise.all([
      storage.putDocument('runs', 'ws', 'ordered', { v: 'a' }),
      storage.insertDocument('runs', 'ws', 'ordered', { v: 'refused' }),
      storage.deleteDocument('runs', 'ws', 'ordered'),
      storage.deleteDocument('runs', 'ws', 'missing'),
      storage.insertDocument('runs', 'ws', 'ordered', { v: 'b' }),
      storage.insertDocument('runs', 'ws', 'ordered', { v: 'c' }),
      storage.deleteDocument('runs', 'ws', 'other'),
      storage.putDocument('runs', 'ws', 'ordered', { v: 'd' }),
    ]);
    expect(results).toEqual([undefined, false, true, false, true, false, true, undefined]);
    // Several writes to one document: rounds, in one transaction.
    expect(counter.commits - before.commits).toBe(1);
    expect(counter.transactions - before.transactions).toBe(1);
    expect(await storage.getDocument('runs', 'ws', 'ordered')).toEqual({ v: 'd' });
    expect(await storage.getDocument('runs', 'ws', 'other')).toBeNull();
    await storage.dispose();
  });

  it('writes to distinct documents in one commit are one statement, without BEGIN and COMMIT', async () => {
    const { storage, counter } = await countedStorage();
    await storage.putDocument('runs', 'ws', 'mixed-gone', { n: 0 });
    const before = { commits: counter.commits, transactions: counter.transactions, statements: counter.statements };
    const results = await Promise.all([
      storage.putDocument('runs', 'ws', 'mixed-put', { n: 1 }),
      storage.insertDocument('runs', 'ws', 'mixed-insert', { n: 2 }),
      storage.deleteDocument('runs', 'ws', 'mixed-gone'),
    ]);
    expect(results).toEqual([undefined, true, true]);
    expect(counter.commits - before.commits).toBe(1);
    expect(counter.transactions - before.transactions).toBe(0);
    expect(counter.statements - before.statements).toBe(1);
    expect(await storage.getDocument('runs', 'ws', 'mixed-insert')).toEqual({ n: 2 });
    expect(await storage.getDocument('runs', 'ws', 'mixed-gone')).toBeNull();
    await storage.dispose();
  });

  it('concurrent reads share one statement, each caller getting its own document', async () => {
    const { storage, counter } = await countedStorage();
    await Promise.all(Array.from({ length: 5 }, (_, n) => storage.putDocument('runs', 'ws', `read-${n}`, { n })));
    const before = counter.statements;
    const found = await Promise.all(['read-3', 'missing', 'read-0', 'read-3', 'read-4'].map((id) => storage.getDocument('runs', 'ws', id)));
    expect(found).toEqual([{ n: 3 }, null, { n: 0 }, { n: 3 }, { n: 4 }]);
    // The first read runs at once; the others, made meanwhile, go together.
    expect(counter.statements - before).toBeLessThanOrEqual(2);
    await storage.dispose();
  });

  it('without group commit each write is one statement of its own (the comparison)', async () => {
    const { storage, counter } = await countedStorage(false);
    const before = { commits: counter.commits, statements: counter.statements };
    const results = await Promise.all(Array.from({ length: 20 }, (_, n) => storage.insertDocument('runs', 'ws', `solo-${n % 10}`, { n })));
    expect(results.filter(Boolean)).toHaveLength(10);
    expect(counter.commits - before.commits).toBe(20);
    expect(counter.statements - before.statements).toBe(20);
    await storage.dispose();
  });

  it('dispose waits for writes already submitted', async () => {
    const { storage } = await countedStorage();
    const writes = Array.from({ length: 5 }, (_, n) => storage.putDocument('runs', 'ws', `late-${n}`, { n }));
    await storage.dispose();
    await expect(Promise.all(writes)).resolves.toBeDefined();
  });
});

describe('webhook dedup on the SQL storage (PGlite)', () => {
  it('N concurrent copies of one delivery: one enqueue, the others 409 or a 200 duplicate; their claims share commits', async () => {
    const { storage, counter } = await countedStorage();
    const pipeline = createPipeline({ storage, queue: createMemoryQueue(), connectors: [hooks], secretKey: generateKey() });
    await pipeline.sources.create('ws', { id: 'gh', name: 'signed', connector: 'hooks', webhook: { scheme: 'github', secret: 'secret' } });
    let ingests = 0;
    const counting: WebhookPipeline = { storage, trigger: pipeline.trigger, sources: pipeline.sources, ingest: (...args) => (ingests++, pipeline.ingest(...args)) };
    const handler = createWebhookHandler({ pipeline: counting });
    const request = (id: string, delivery: string) => {
      const body = JSON.stringify({ id });
      return {
        url: 'http://localhost/hooks/ws/gh',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': githubSignature(body, 'secret'), 'x-github-delivery': delivery },
        body: Buffer.from(body),
      };
    };
    const params = { workspaceId: 'ws', sourceId: 'gh' };
    // Distinct deliveries, concurrently: their claims and records share commits.
    const distinct = await Promise.all(Array.from({ length: 20 }, (_, n) => handler.handleRaw(request(`e${n}`, `d${n}`), params)));
    expect(distinct.map((r) => r.status)).toEqual(Array.from({ length: 20 }, () => 202));

    const before = counter.commits;
    const copies = await Promise.all(Array.from({ length: 20 }, () => handler.handleRaw(request('same', 'one-delivery'), params)));
    const accepted = copies.filter((r) => r.status === 202);
    expect(accepted).toHaveLength(1);
    for (const other of copies.filter((r) => r.status !== 202)) {
      expect([200, 409]).toContain(other.status);
      if (other.status === 200) expect(JSON.parse(other.body)).toMatchObject({ duplicate: true, ids: JSON.parse(accepted[0]!.body).ids });
    }
    expect(ingests).toBe(21);
    // All copies' claims went into shared commits: far fewer commits than copies.
    expect(counter.commits - before).toBeLessThanOrEqual(6);
    const again = await handler.handleRaw(request('same', 'one-delivery'), params);
    expect(again.status).toBe(200);
    expect(ingests).toBe(21);
    await pipeline.stop();
    await storage.dispose();
  });
});
