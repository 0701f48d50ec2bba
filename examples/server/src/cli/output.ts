/**
 * @module cli/output
 * NDJSON on stdout with back-pressure: lines are gathered into chunks and a write that fills the
 * stream's buffer waits for `drain`, so a slow reader bounds the command's memory.
 */
import type { Writable } from 'node:stream';

/** A line writer. */
export interface LineWriter {
  /** Queues a line; resolves at once unless the stream asked to slow down. */
  line(text: string): Promise<void> | void;
  /** Writes what is gathered and waits for it to be flushed. */
  flush(): Promise<void>;
}

/** Writes lines to `stream` in chunks of about `chunkBytes`. */
export function createLineWriter(stream: Writable = process.stdout, chunkBytes = 64 * 1024): LineWriter {
  let pending: string[] = [];
  let pendingBytes = 0;
  let broken = false;
  // A closed pipe (`tributary analyze | head`) is not an error worth a stack trace.
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') broken = true;
  });

  const write = (): Promise<void> | void => {
    if (pending.length === 0 || broken) return;
    const chunk = pending.join('');
    pending = [];
    pendingBytes = 0;
    if (!stream.write(chunk)) return new Promise<void>((resolve) => stream.once('drain', resolve));
  };

  return {
    line(text) {
      pending.push(`${text}\n`);
      pendingBytes += text.length + 1;
      if (pendingBytes >= chunkBytes) return write();
    },
    async flush() {
      await write();
      if (broken) return;
      await new Promise<void>((resolve) => stream.write('', () => resolve()));
    },
  };
}

/** Prints a message on stderr. */
export function say(message: string): void {
  process.stderr.write(`${message}\n`);
}
