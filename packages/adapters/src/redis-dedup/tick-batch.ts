// Gathers the calls made in one turn of the event loop into one request to the server.

interface Waiting<I, O> {
  input: I;
  resolve: (output: O) => void;
  reject: (error: unknown) => void;
}

/** A batched function: call it like `send` for one input. */
export interface TickBatch<I, O> {
  (input: I): Promise<O>;
  /** Sends what is waiting now, and resolves once every batch sent so far has settled (before a shutdown). */
  drain(): Promise<void>;
}

/**
 * A function whose calls made before the next turn of the event loop (at most `maxBatch` of them
 * together) are sent as one call of `send`, which answers each input in order. When `send` fails,
 * every call of that batch fails with its error.
 */
export function tickBatch<I, O>(send: (inputs: I[]) => Promise<O[]>, maxBatch: number): TickBatch<I, O> {
  let pending: Waiting<I, O>[] = [];
  let scheduled = false;
  const inFlight = new Set<Promise<void>>();

  const sendBatch = async (batch: Waiting<I, O>[]) => {
    try {
      const outputs = await send(batch.map((w) => w.input));
      for (let i = 0; i < batch.length; i++) batch[i]!.resolve(outputs[i]!);
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  };

  const flush = () => {
    scheduled = false;
    const all = pending;
    pending = [];
    for (let at = 0; at < all.length; at += maxBatch) {
      const sent = sendBatch(all.slice(at, at + maxBatch));
      inFlight.add(sent);
      void sent.finally(() => inFlight.delete(sent));
    }
  };

  const call = ((input: I) =>
    new Promise<O>((resolve, reject) => {
      pending.push({ input, resolve, reject });
      if (!scheduled) {
        scheduled = true;
        // A turn of the event loop, not a timer: requests whose data already arrived join this batch.
        setImmediate(flush);
      }
    })) as TickBatch<I, O>;
  call.drain = async () => {
    if (pending.length > 0) flush();
    await Promise.all([...inFlight]);
  };
  return call;
}
