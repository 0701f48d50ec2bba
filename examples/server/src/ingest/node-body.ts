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

/**
 * Reads the body of `req`, at most `maxBytes + 1` bytes of it.
 * @throws Error when the client aborts the request before its end
 */
export function readNodeBodyCapped(req: IncomingMessage, maxBytes: number): Promise<CappedBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    const finish = (over: boolean) => {
      if (settled) return;
      settled = true;
      cleanup();
      const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, Math.min(total, maxBytes + 1));
      resolve({ bytes: over ? bytes.subarray(0, maxBytes + 1) : bytes, over });
    };
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      chunks.push(chunk);
      if (total > maxBytes) {
        // Nothing past the cap is read: the answer closes the connection instead (see fast-path.ts).
        req.pause();
        finish(true);
      }
    };
    const onEnd = () => finish(false);
    const onError = (error: Error) => {
      if (settled) return;
      settled = true;
      cleanup();
      reject(error);
    };
    const onClose = () => {
      if (!req.complete) onError(new Error('the client closed the request before its end'));
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}
