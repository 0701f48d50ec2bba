import type { FetchPage, RawItem } from '@tributary/core/connector';
import { valueRecordItem } from './entries.js';
import { redisCall, type RecordsRedisClient } from './redis-client.js';
import { parseEntry } from './redis-list.js';
import type { RecordsCheckpoint, RecordsConfig, RecordsRedis } from './schemas.js';

/** What a stream walk needs. */
export interface StreamWalk {
  client: RecordsRedisClient;
  redis: RecordsRedis;
  config: Pick<RecordsConfig, 'pageSize' | 'maxPages'>;
  /** The id of the last entry handed over, or null on a first run. */
  lastId: string | null;
  signal: AbortSignal;
}

/**
 * Reads a stream after the last id handed over, page by page with `XRANGE (<id> + COUNT n`. Each
 * page's checkpoint is its last entry's id, saved by the runtime only after the page is enqueued, so
 * a run that dies resumes after the last page it handed over. The stream is never modified.
 */
export async function* walkStream(walk: StreamWalk): AsyncGenerator<FetchPage<RecordsCheckpoint>> {
  const { client, redis, config, signal } = walk;
  let lastId = walk.lastId;
  if (lastId === null && redis.startId === '$') {
    // "From now on": start after the newest entry there is.
    const newest = await redisCall('XREVRANGE', () => client.xrevrange(redis.key, '+', '-', 'COUNT', 1));
    lastId = newest[0]?.[0] ?? '0-0';
  }
  for (let page = 0; page < config.maxPages; page++) {
    signal.throwIfAborted();
    const start = lastId === null ? redis.startId : `(${lastId}`;
    const entries = await redisCall('XRANGE', () => client.xrange(redis.key, start, '+', 'COUNT', config.pageSize));
    if (entries.length === 0 && page > 0) return;
    const items: RawItem[] = entries.map(([id, fields]) => streamItem(id, fields, redis.field));
    lastId = entries.at(-1)?.[0] ?? lastId;
    yield { items, checkpoint: { mode: 'stream', key: redis.key, lastId: lastId ?? '0-0' } };
    if (entries.length < config.pageSize) return;
  }
}

/** A stream entry as an item: its record from `field`, a lone JSON field, or the fields themselves. */
export function streamItem(id: string, fields: string[], field: string | undefined): RawItem {
  const pairs: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) pairs[fields[i]!] = fields[i + 1]!;
  const names = Object.keys(pairs);
  let record: unknown;
  // Without the configured field, the fields themselves are kept, so the rejection shows what was there.
  if (field !== undefined) record = pairs[field] === undefined ? pairs : parseEntry(pairs[field]);
  else if (names.length === 1 && /^\s*\{/.test(pairs[names[0]!]!)) record = parseEntry(pairs[names[0]!]!);
  else record = pairs;
  const item = valueRecordItem(record);
  // Entries without a usable recordId are named by their stream id, which is unique.
  return item.externalId.startsWith('invalid:') ? { ...item, externalId: `invalid:${id}` } : item;
}
