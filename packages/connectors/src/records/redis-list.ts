import type { FetchPage, RawItem } from '@tributary/core/connector';
import { valueRecordItem } from './entries.js';
import { redisCall, type RecordsRedisClient } from './redis-client.js';
import type { RecordsCheckpoint, RecordsConfig, RecordsRedis } from './schemas.js';

/** Moves up to ARGV[1] entries from KEYS[1] to the head of KEYS[2] in one atomic step, returning them. */
const MOVE_SCRIPT = `
local moved = {}
for i = 1, tonumber(ARGV[1]) do
  local value = redis.call('LMOVE', KEYS[1], KEYS[2], ARGV[2], 'LEFT')
  if not value then break end
  moved[#moved + 1] = value
end
return moved`;

/** Removes one occurrence of each ARGV entry from KEYS[1], oldest first (they sit at the tail). */
const ACK_SCRIPT = `
for i = 1, #ARGV do
  redis.call('LREM', KEYS[1], -1, ARGV[i])
end
return #ARGV`;

/**
 * The default processing list of a source. Its hash tag is the key's own slot (`{records}` hashes as
 * `records` does), so LMOVE between the two works on Redis Cluster; a key that already has a hash tag
 * keeps it by prefix.
 */
export function defaultProcessingKey(key: string, workspaceId: string, sourceId: string): string {
  const tagged = /\{[^}]+\}/.test(key) ? key : `{${key}}`;
  return `${tagged}:tributary:processing:${workspaceId}:${sourceId}`;
}

/** What a list walk needs. */
export interface ListWalk {
  client: RecordsRedisClient;
  redis: RecordsRedis;
  config: Pick<RecordsConfig, 'pageSize' | 'maxPages'>;
  processingKey: string;
  /** Entries handed over by earlier runs (the checkpoint's counter). */
  handedOver: number;
  signal: AbortSignal;
}

/**
 * Pulls a list at least once. Each page is first moved atomically into the processing list and
 * yielded; it is removed from there only when the generator is resumed, which the runtime does after
 * it enqueued the page and saved its checkpoint. A run that dies in between leaves the page in the
 * processing list, and the next run hands those entries over first. Duplicates this may cause collapse
 * into one record by `recordId`.
 */
export async function* walkList(walk: ListWalk): AsyncGenerator<FetchPage<RecordsCheckpoint>> {
  const { client, redis, config, processingKey, signal } = walk;
  let handedOver = walk.handedOver;
  const from = redis.popFrom === 'left' ? 'LEFT' : 'RIGHT';
  // Leftovers of a run that died before its hand-over go first.
  let leftovers = true;
  for (let page = 0; page < config.maxPages; page++) {
    signal.throwIfAborted();
    let entries: string[] = [];
    if (leftovers) {
      // The oldest sit at the tail.
      entries = (await redisCall('LRANGE', () => client.lrange(processingKey, -config.pageSize, -1))).reverse();
      leftovers = entries.length > 0;
    }
    if (!leftovers) {
      const moved = await redisCall('LMOVE', () => client.eval(MOVE_SCRIPT, 2, redis.key, processingKey, config.pageSize, from));
      entries = Array.isArray(moved) ? moved.map(String) : [];
    }
    if (entries.length === 0 && page > 0) return;
    handedOver += entries.length;
    const items: RawItem[] = entries.map((entry) => valueRecordItem(parseEntry(entry)));
    yield { items, checkpoint: { mode: 'list', key: redis.key, handedOver } };
    // Resumed: the runtime has the page. Only now may it leave Redis.
    if (entries.length > 0) await redisCall('LREM', () => client.eval(ACK_SCRIPT, 1, processingKey, ...entries));
    if (!leftovers && entries.length < config.pageSize) return;
  }
}

/** A list entry: JSON text, kept as the text itself when it is not JSON (its parse then rejects it). */
export function parseEntry(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
