// The embedded engine's queue: the file queue for new data directories, and the PGlite queue kept for a
// directory an earlier version left messages in, until they are gone; never a message stranded.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPgliteQueue } from '@tributary/adapters/pglite';
import { createMemoryQueue } from '@tributary/core/queue/memory';
import { loadConfig } from '../src/config.js';
import { chooseEmbeddedQueue, fileQueueDirectory } from '../src/embedded-queue.js';
import { createEngines } from '../src/engines.js';

const dirs: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-embedded-queue-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A stand-in for a directory's PGlite queue, holding `messages` waiting messages. */
async function queueHolding(messages: number) {
  const queue = createMemoryQueue();
  for (let i = 0; i < messages; i++) await queue.publish('tributary.parse', { i });
  let disposed = false;
  const dispose = queue.dispose.bind(queue);
  queue.dispose = async () => {
    disposed = true;
    await dispose();
  };
  return { queue, disposed: () => disposed };
}

describe('chooseEmbeddedQueue', () => {
  it('a new data directory gets the file queue, without opening PGlite', async () => {
    const opened: string[] = [];
    const choice = await chooseEmbeddedQueue({ dataDir: freshDir(), openPgliteQueue: () => (opened.push('pglite'), createMemoryQueue()) });
    expect(choice.kind).toBe('file');
    expect(opened).toEqual([]);
  });

  it('a directory with a file queue keeps it', async () => {
    const dir = freshDir();
    mkdirSync(fileQueueDirectory(dir));
    mkdirSync(join(dir, 'pglite'));
    expect((await chooseEmbeddedQueue({ dataDir: dir, openPgliteQueue: () => createMemoryQueue() })).kind).toBe('file');
  });

  it('a directory of an earlier version keeps its PGlite queue while it holds messages, then moves', async () => {
    const dir = freshDir();
    mkdirSync(join(dir, 'pglite'));
    const holding = await queueHolding(3);
    const kept = await chooseEmbeddedQueue({ dataDir: dir, openPgliteQueue: () => holding.queue });
    expect(kept).toMatchObject({ kind: 'pglite', pgliteQueue: holding.queue });
    expect(kept.reason).toContain('3 message');
    expect(holding.disposed()).toBe(false);

    const empty = await queueHolding(0);
    expect((await chooseEmbeddedQueue({ dataDir: dir, openPgliteQueue: () => empty.queue })).kind).toBe('file');
    // The PGlite queue opened only to look is closed again.
    expect(empty.disposed()).toBe(true);
  });

  it('TRIBUTARY_EMBEDDED_QUEUE wins', async () => {
    const dir = freshDir();
    expect((await chooseEmbeddedQueue({ dataDir: dir, forced: 'pglite', openPgliteQueue: () => createMemoryQueue() })).kind).toBe('pglite');
    mkdirSync(join(dir, 'pglite'));
    const holding = await queueHolding(1);
    expect((await chooseEmbeddedQueue({ dataDir: dir, forced: 'file', openPgliteQueue: () => holding.queue })).kind).toBe('file');
  });
});

describe('createEngines on the embedded default', () => {
  it('uses the file queue in a new directory, and PGlite for one whose PGlite queue holds a message', { timeout: 120_000 }, async () => {
    const fresh = freshDir();
    const engines = await createEngines(loadConfig({ TRIBUTARY_DATA_DIR: fresh }));
    try {
      expect(engines.describe.queue).toBe(`file ${fileQueueDirectory(fresh)}`);
      expect(engines.queue.capabilities.durable).toBe(true);
      await engines.queue.publish('tributary.parse', { hello: 1 });
    } finally {
      await engines.dispose();
    }

    // A directory as an earlier version left it: a message waiting in its PGlite queue.
    const older = freshDir();
    const old = createPgliteQueue({ dataDir: join(older, 'pglite') });
    await old.publish('tributary.parse', { left: 'behind' });
    await old.dispose();
    const notices: string[] = [];
    const again = await createEngines(loadConfig({ TRIBUTARY_DATA_DIR: older }), { onNotice: (m) => notices.push(m) });
    try {
      expect(again.describe.queue).toBe(`pglite ${join(older, 'pglite')}`);
      expect(notices.join('\n')).toContain('still holds 1 message');
      expect(await again.queue.stats('tributary.parse')).toMatchObject({ depth: 1 });
    } finally {
      await again.dispose();
    }
  });
});
