// Gathers the claims and the records asked for in one turn of the event loop into one request to
// the server: under load a turn brings both (new deliveries to claim, accepted ones to remember), and
// a round trip each cost more than the keys they carry.

/** One key to write: a claim to try or a record to keep. */
export interface TurnEntry {
  redisKey: string;
  /** The claim's or the record's JSON. */
  value: string;
  ttlMs: number;
}

/**
 * Sends one turn's records (written first) and claims (tried after them); answers, for each claim
 * in order, null when it was taken or what its key held instead.
 */
export type SendTurn = (records: TurnEntry[], claims: TurnEntry[]) => Promise<(string | null)[]>;

/** The batched operations of a store. */
export interface TurnBatch {
  /** Tries a claim with this turn's others: null when taken, else what the key held. */
  claim(entry: TurnEntry): Promise<string | null>;
  /** Writes a record with this turn's others. */
  remember(entry: TurnEntry): Promise<void>;
  /** Sends what is waiting now, and resolves once every call sent so far has settled (before a shutdown). */
  drain(): Promise<void>;
}

interface Waiting<O> {
  entry: TurnEntry;
  resolve: (output: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Batches claims and records: those asked for before the next turn of the event loop go out
 * together, at most `maxBatch` of each kind per `send`. When a send fails, every call it carried
 * fails with its error.
 */
export function turnBatch(send: SendTurn, maxBatch: number): TurnBatch {
  let claims: Waiting<string | null>[] = [];
  let records: Waiting<void>[] = [];
  let scheduled = false;
  const inFlight = new Set<Promise<void>>();

  const sendChunk = async (recordsOut: Waiting<void>[], claimsOut: Waiting<string | null>[]) => {
    try {
      const outcomes = await send(
        recordsOut.map((w) => w.entry),
        claimsOut.map((w) => w.entry),
      );
      for (const w of recordsOut) w.resolve();
      for (let i = 0; i < claimsOut.length; i++) claimsOut[i]!.resolve(outcomes[i] ?? null);
    } catch (error) {
      for (const w of recordsOut) w.reject(error);
      for (const w of claimsOut) w.reject(error);
    }
  };

  const flush = () => {
    scheduled = false;
    const recordsNow = records;
    const claimsNow = claims;
    records = [];
    claims = [];
    const longest = Math.max(recordsNow.length, claimsNow.length);
    for (let at = 0; at < longest; at += maxBatch) {
      const sent = sendChunk(recordsNow.slice(at, at + maxBatch), claimsNow.slice(at, at + maxBatch));
      inFlight.add(sent);
      void sent.finally(() => inFlight.delete(sent));
    }
  };

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    // A turn of the event loop, not a timer: requests whose data already arrived join this batch.
    setImmediate(flush);
  };

  return {
    claim: (entry) =>
      new Promise<string | null>((resolve, reject) => {
        claims.push({ entry, resolve, reject });
        schedule();
      }),
    remember: (entry) =>
      new Promise<void>((resolve, reject) => {
        records.push({ entry, resolve, reject });
        schedule();
      }),
    async drain() {
      if (records.length > 0 || claims.length > 0) flush();
      await Promise.all([...inFlight]);
    },
  };
}
