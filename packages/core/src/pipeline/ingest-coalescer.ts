import { AsyncResource } from 'node:async_hooks';
import type { Clock } from '../clock/index.js';
import type { RawItem } from '../connector/index.js';
import { isoString } from '../cache/iso-string.js';
import { isTributaryError } from '../errors/index.js';
import { findJsonDepthExcess, MAX_ITEM_JSON_DEPTH } from '../json/index.js';
import { publishBatch, type PublishOptions, type QueueAdapter } from '../queue/index.js';
import type { ComponentVersion } from '../record/schema.js';
import { chunkByBytes, itemTooDeep } from './chunk.js';
import { newTraceparent } from './ids.js';
import type { ParseJob } from './types.js';

/**
 * Coalesces concurrent `pipeline.ingest` calls. Under load every HTTP ingest request or webhook
 * delivery brings one item; as a parse message of its own, each paid for its own serialization,
 * message id, stored entry and broker fields, which cost more than the item itself (bench/README.md,
 * "Ingest"). So the calls made before the next turn of the event loop share one `publishBatch`, and
 * single-item calls for the same source share one parse message: a burst of requests read from
 * their sockets together costs one message per source and one queue round trip. Alone, a call waits
 * only that one turn.
 *
 * Each call still settles with its own outcome, and only once its items are published. Merging
 * changes nothing downstream: the parse stage parses and fails items one by one (a bad item never
 * holds back the others of its message), and record ids come from each item's own `externalId`.
 * When a shared publish fails for a reason that may be one call's (a payload the queue refuses),
 * every call is published again on its own, unmerged, so only that call fails; when the queue is
 * unreachable (`unavailable`), every call of the batch gets the error at once.
 */
export interface IngestCoalescer {
  /** Enqueues one call's items (with others'); resolves once they are published. */
  ingest(call: IngestCall): Promise<void>;
}

/** One `pipeline.ingest` call, its source resolved. */
export interface IngestCall {
  workspaceId: string;
  sourceId: string;
  connector: ComponentVersion;
  items: readonly RawItem[];
  /** When the items arrived. @default the time of the call */
  receivedAt?: string;
  /** The caller's trace context, when it has one (a message names the first; the rest become its `traceLinks`). */
  traceparent?: string;
  /**
   * The items' JSON size when the caller knows it (e.g. the request body's length): lets the call
   * share a message without being serialized first to measure it.
   */
  payloadBytes?: number;
}

/** Options of {@link createIngestCoalescer} (and of the pipeline's `coalescePublishes`). */
export interface IngestCoalescerOptions {
  /** Most messages in one shared `publishBatch`; a larger single call still goes whole. @default 500 */
  maxMessages?: number;
  /** Most single-item calls merged into one parse message; 1 merges none. @default 100 */
  maxItemsPerMessage?: number;
}

/** What the coalescer needs from its pipeline. */
export interface IngestCoalescerContext {
  queue: QueueAdapter;
  /** The parse topic. */
  topic: string;
  /** Largest message the pipeline publishes, in bytes. */
  maxMessageBytes: number;
  clock: Clock;
}

type Message = { payload: ParseJob; options: PublishOptions };

/** A call waiting for the next flush. */
interface Waiting {
  call: IngestCall;
  /** When its items arrived, as its own messages say. */
  receivedAt: string;
  /** Its own messages, as it would publish them alone: made up front when it is not merged, else only when needed. */
  messages?: Message[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Calls sharing one message: single items of one source. */
interface MergeGroup {
  key: string;
  waiting: Waiting[];
  bytes: number;
}

/** Room a message's envelope and an item's wrapping take beyond the items' own JSON. */
const ENVELOPE_BYTES = 1024;
const ITEM_WRAPPING_BYTES = 256;

/** Bytes of a value's JSON; NaN when it has none or cannot be serialized. */
function jsonBytes(value: unknown): number {
  try {
    const json = JSON.stringify(value);
    return json === undefined ? Number.NaN : Buffer.byteLength(json);
  } catch {
    return Number.NaN;
  }
}

const headersOf = (workspaceId: string, traceparent: string | undefined) => ({ traceparent: traceparent ?? newTraceparent(), 'x-workspace-id': workspaceId });

/** Creates the ingest coalescer of a pipeline. */
export function createIngestCoalescer(ctx: IngestCoalescerContext, options: IngestCoalescerOptions = {}): IngestCoalescer {
  const maxMessages = Math.max(1, options.maxMessages ?? 500);
  const maxItems = Math.max(1, options.maxItemsPerMessage ?? 100);
  const { queue, topic, maxMessageBytes, clock } = ctx;
  // A burst of calls arrives within the same millisecond: its ISO string is made once.
  const now = () => isoString(clock.now());
  /** Calls of this turn, in arrival order, each either in a merge group or on its own. */
  let pending: (Waiting | MergeGroup)[] = [];
  let scheduled = false;
  /** The open merge group of each source this turn. */
  const open = new Map<string, MergeGroup>();

  /** A call's own messages, as it would publish them alone. */
  const ownMessages = (call: IngestCall, receivedAt: string): Message[] =>
    chunkByBytes(call.items, maxMessageBytes).map((batch) => ({
      payload: { workspaceId: call.workspaceId, sourceId: call.sourceId, connector: call.connector, items: batch, receivedAt },
      options: { headers: headersOf(call.workspaceId, call.traceparent) },
    }));
  const messagesOf = (w: Waiting) => (w.messages ??= ownMessages(w.call, w.receivedAt));

  /** The one message of a merge group: the items in arrival order, the later calls' traces as links. */
  const mergedMessage = (group: MergeGroup): Message => {
    const first = group.waiting[0]!.call;
    const traces = group.waiting.map((w) => w.call.traceparent).filter((t): t is string => t !== undefined);
    const links = traces.filter((t) => t !== traces[0]);
    const times = group.waiting.map((w) => w.receivedAt);
    return {
      payload: {
        workspaceId: first.workspaceId,
        sourceId: first.sourceId,
        connector: first.connector,
        items: group.waiting.map((w) => w.call.items[0]!),
        receivedAt: times[0]!,
        ...(times.some((t) => t !== times[0]) ? { itemsReceivedAt: times } : {}),
        ...(links.length > 0 ? { traceLinks: [...new Set(links)] } : {}),
      },
      options: { headers: headersOf(first.workspaceId, traces[0]) },
    };
  };

  /** Publishes calls on their own, each settling with its own outcome. */
  const publishAlone = async (waiting: Waiting[]) => {
    await Promise.all(
      waiting.map(async (w) => {
        try {
          await publishBatch(queue, topic, messagesOf(w));
          w.resolve();
        } catch (error) {
          w.reject(error);
        }
      }),
    );
  };

  /** Publishes one shared batch: its messages and the calls each of them settles. */
  const publishShared = async (messages: Message[], settles: Waiting[]) => {
    try {
      await publishBatch(queue, topic, messages);
    } catch (error) {
      if (isTributaryError(error, 'unavailable')) {
        for (const w of settles) w.reject(error);
        return;
      }
      // Message ids are not chosen here, so a batch the queue took in part may leave duplicates:
      // harmless downstream, where raw payloads and records are upserted by id.
      await publishAlone(settles);
      return;
    }
    for (const w of settles) w.resolve();
  };

  const flush = () => {
    scheduled = false;
    const entries = pending;
    pending = [];
    open.clear();
    let messages: Message[] = [];
    let settles: Waiting[] = [];
    const send = () => {
      if (messages.length > 0) void publishShared(messages, settles);
      messages = [];
      settles = [];
    };
    for (const entry of entries) {
      const merged = 'key' in entry;
      const own = merged ? (entry.waiting.length === 1 ? messagesOf(entry.waiting[0]!) : [mergedMessage(entry)]) : messagesOf(entry);
      if (messages.length > 0 && messages.length + own.length > maxMessages) send();
      messages.push(...own);
      if (merged) settles.push(...entry.waiting);
      else settles.push(entry);
    }
    send();
  };
  // The flush runs outside any caller's async context: a tracer's active span (the first request's)
  // must not be stamped on the messages of every other call.
  const scheduleFlush = AsyncResource.bind(() => setImmediate(flush));

  return {
    ingest(call) {
      if (call.items.length === 0) return Promise.resolve();
      let bytes = 0;
      let mergeable = maxItems > 1 && call.items.length === 1;
      if (mergeable) {
        // What chunkByBytes checks, done here: a call too deep fails alone, before anything is shared.
        const excess = findJsonDepthExcess(call.items[0], MAX_ITEM_JSON_DEPTH);
        if (excess) return Promise.reject(itemTooDeep(0, excess.path));
        bytes = (call.payloadBytes ?? jsonBytes(call.items[0])) + ITEM_WRAPPING_BYTES;
        // Not serializable: published alone, so the queue's own error reaches this call only.
        if (Number.isNaN(bytes)) mergeable = false;
      }
      return new Promise<void>((resolve, reject) => {
        if (!scheduled) {
          scheduled = true;
          scheduleFlush();
        }
        const receivedAt = call.receivedAt ?? now();
        if (!mergeable || ENVELOPE_BYTES + bytes > maxMessageBytes) {
          try {
            // Made now: an item nested too deeply fails its call here, before anything is shared.
            pending.push({ call, receivedAt, messages: ownMessages(call, receivedAt), resolve, reject });
          } catch (error) {
            reject(error);
          }
          return;
        }
        const key = `${call.workspaceId}\u0000${call.sourceId}\u0000${call.connector.name}@${call.connector.version}`;
        let group = open.get(key);
        if (group && (group.waiting.length >= maxItems || ENVELOPE_BYTES + group.bytes + bytes > maxMessageBytes)) group = undefined;
        if (!group) {
          group = { key, waiting: [], bytes: 0 };
          open.set(key, group);
          pending.push(group);
        }
        group.waiting.push({ call, receivedAt, resolve, reject });
        group.bytes += bytes;
      });
    },
  };
}
