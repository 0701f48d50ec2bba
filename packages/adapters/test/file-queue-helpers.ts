// Shared by the file queue's test files: temp directories, a file system wrapper that counts the
// journal's calls, a child process of file-queue-child.ts, and a collecting consumer.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { QueueAdapter, QueueMessage } from '@tributary/core/queue';
import { nodeJournalIo, type JournalIo } from '../src/_journal/journal-io.js';

/** Temp directories removed by `cleanup()`. */
export function tempDirs() {
  const dirs: string[] = [];
  return {
    async make(): Promise<string> {
      const dir = await mkdtemp(join(tmpdir(), 'tributary-file-queue-'));
      dirs.push(dir);
      return dir;
    },
    async cleanup() {
      for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Calls made through a {@link countingIo}. */
export interface IoCounts {
  appends: number;
  bytesAppended: number;
  datasyncsStarted: number;
  datasyncsDone: number;
  renames: number;
}

/** The real file system, counting appends, fdatasyncs and renames. */
export function countingIo(): { io: JournalIo; counts: IoCounts } {
  const counts: IoCounts = { appends: 0, bytesAppended: 0, datasyncsStarted: 0, datasyncsDone: 0, renames: 0 };
  const io: JournalIo = {
    ...nodeJournalIo,
    async open(path, mode) {
      const file = await nodeJournalIo.open(path, mode);
      return {
        ...file,
        async append(bytes) {
          counts.appends++;
          counts.bytesAppended += bytes.length;
          await file.append(bytes);
        },
        async datasync() {
          counts.datasyncsStarted++;
          await file.datasync();
          counts.datasyncsDone++;
        },
      };
    },
    async rename(from, to) {
      counts.renames++;
      await nodeJournalIo.rename(from, to);
    },
  };
  return { io, counts };
}

/** A child process running file-queue-child.ts, with its stdout as lines. */
export function startChild(mode: 'publish-stream' | 'hold', directory: string) {
  const child: ChildProcess = spawn(process.execPath, ['--conditions=@tributary/source', '--import', 'tsx', join(import.meta.dirname, 'file-queue-child.ts'), mode, directory], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  let rest = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop()!;
    lines.push(...parts);
  });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  return {
    child,
    lines,
    exited,
    /** SIGKILL: no handler, no flush, no exit hook runs. */
    async kill() {
      child.kill('SIGKILL');
      const how = await exited;
      // Lines written before the kill may still be in the pipe.
      await new Promise((resolve) => (child.stdout!.readableEnded ? resolve(undefined) : child.stdout!.once('end', resolve)));
      return how;
    },
  };
}

/** Consumes into an array; acknowledges unless `behaviour` says otherwise. */
export async function collect(queue: QueueAdapter, topic: string, group: string, behaviour?: (m: QueueMessage) => unknown, options: { maxAttempts?: number; concurrency?: number } = {}) {
  const got: QueueMessage[] = [];
  const sub = await queue.consume(
    topic,
    async (m) => {
      got.push(m);
      return (await behaviour?.(m)) as undefined;
    },
    { group, retryDelayMs: () => 0, visibilityTimeoutMs: 30_000, ...options },
  );
  return { got, sub };
}
