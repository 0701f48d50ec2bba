import { createReadStream } from 'node:fs';

/** Where bytes come from: a file path, a web stream (`response.body`), or any async iterable of chunks. */
export type ByteSource = string | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/** Read size of files: large enough to keep syscalls few, small enough to keep memory flat. */
const CHUNK_BYTES = 64 * 1024;

/**
 * The chunks of a source from byte `start` on. A file is opened at `start` (nothing before it is
 * read); a stream or iterable is read from its beginning and its first `start` bytes are dropped.
 */
export async function* byteChunks(source: ByteSource, start: number, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  if (typeof source === 'string') {
    const stream = createReadStream(source, { start, highWaterMark: CHUNK_BYTES });
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        signal?.throwIfAborted();
        yield chunk;
      }
    } finally {
      stream.destroy();
    }
    return;
  }
  let skip = start;
  for await (const chunk of iterate(source)) {
    signal?.throwIfAborted();
    if (skip >= chunk.byteLength) {
      skip -= chunk.byteLength;
      continue;
    }
    yield skip > 0 ? chunk.subarray(skip) : chunk;
    skip = 0;
  }
}

async function* iterate(source: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  if (!('getReader' in source)) {
    yield* source;
    return;
  }
  const reader = source.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    // Stopping early (an abort, a consumer that breaks) must not leave the stream locked and flowing.
    await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
