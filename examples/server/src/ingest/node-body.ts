/**
 * @module ingest/node-body
 * Reads a node:http request body into one Buffer, capped: the fast path's counterpart of reading a
 * web stream, without the stream. Past the cap it stops reading (pauses the request) and reports it,
 * keeping the first `maxBytes + 1` bytes, so the caller answers exactly what its slow path answers.
 */
import type { IncomingMessage } from 'node:http';

/** A body read with a cap. */
export interface CappedBody {
  bytes: Buffer;
  /** The body was longer than the cap: `bytes` holds its first `maxBytes + 1` bytes only. */
  over: boolean;
}

/** A read in progress, kept on the request itself so the listeners below can be shared by every request. */
interface BodyRead {
  chunks: Buffer[];
  total: number;
  maxBytes: number;
  resolve: (body: CappedBody) => void;
  reject: (error: Error) => void;
}

const READ = Symbol('tributary.bodyRead');
type Reading = IncomingMessage & { [READ]?: BodyRead };

// The listeners are module-level functions (`this` is the request, as an emitter calls them): a
// request then allocates no closures, which under load (and with tsx, which names every closure it
// creates through a property definition) cost more than reading the body.
function onData(this: Reading, chunk: Buffer) {
  const read = this[READ];
  if (!read) return;
  read.total += chunk.length;
  read.chunks.push(chunk);
  if (read.total > read.maxBytes) {
    // Nothing past the cap is read: the answer closes the connection instead (see fast-path.ts).
    this.pause();
    finish(this, true);
  }
}

function onEnd(this: Reading) {
  finish(this, false);
}

function onError(this: Reading, error: Error) {
  const read = stop(this);
  read?.reject(error);
}

function onClose(this: Reading) {
  if (!this.complete) onError.call(this, new Error('the client closed the request before its end'));
}

/** Detaches the listeners and returns the read, or undefined when it had settled already. */
function stop(req: Reading): BodyRead | undefined {
  const read = req[READ];
  if (!read) return undefined;
  req[READ] = undefined;
  req.off('data', onData);
  req.off('end', onEnd);
  req.off('error', onError);
  req.off('close', onClose);
  return read;
}

function finish(req: Reading, over: boolean) {
  const read = stop(req);
  if (!read) return;
  const { chunks, total, maxBytes } = read;
  const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, Math.min(total, maxBytes + 1));
  read.resolve({ bytes: over ? bytes.subarray(0, maxBytes + 1) : bytes, over });
}

/**
 * Reads the body of `req`, at most `maxBytes + 1` bytes of it.
 * @throws Error when the client aborts the request before its end
 */
export function readNodeBodyCapped(req: IncomingMessage, maxBytes: number): Promise<CappedBody> {
  return new Promise((resolve, reject) => {
    const reading = req as Reading;
    reading[READ] = { chunks: [], total: 0, maxBytes, resolve, reject };
    reading.on('data', onData);
    reading.on('end', onEnd);
    reading.on('error', onError);
    reading.on('close', onClose);
  });
}
