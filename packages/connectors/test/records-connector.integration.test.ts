// The records connector pulling from the Redis on this machine: the connector contract in list and
// stream mode, at-least-once hand-over in list mode, stream checkpoints, and a pipeline run. Outside
// CI an unreachable Redis skips this file with the reason; in CI it fails (service-check.ts). Every
// key of a run lives under its own prefix, deleted at the end.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createRecordsConnector, defaultProcessingKey, RecordsConfigSchema, type RecordsCheckpoint, type RecordsConfigInput } from '@tributary/connectors/records';
import { systemClock } from '@tributary/core/clock';
import type { FetchPage } from '@tributary/core/connector';
import { isTributaryError } from '@tributary/core/errors';
import { createPipeline } from '@tributary/core/pipeline';
import { createMemoryQueue } from '@tributary/core/queue/memory';
import { recordId } from '@tributary/core/record';
import { createMemoryStorage } from '@tributary/core/storage/memory';
import { testConnector } from '@tributary/core/testing';
import { requireService } from '../../adapters/test/service-check.js';
import { valueRecord } from './fixtures/records/factories.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const service = await requireService('Redis', REDIS_URL);
const prefix = `tribtest-records-${randomUUID().slice(0, 8)}:`;
const connector = createRecordsConnector();
const KIT = { workspaceId: 'ws_kit', sourceId: 'src_kit' };

describe.skipIf(!service.available)('records connector on Redis', () => {
  const admin = new Redis(REDIS_URL, { lazyConnect: true });
  afterAll(async () => {
    let cursor = '0';
    do {
      const [next, keys] = await admin.scan(cursor, 'MATCH', `*${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await admin.del(...keys);
    } while (cursor !== '0');
    await admin.quit();
  });

  const config = (redis: Partial<NonNullable<RecordsConfigInput['redis']>> & { key: string; mode: 'list' | 'stream' }, rest: Partial<RecordsConfigInput> = {}) =>
    RecordsConfigSchema.parse({ redis: { url: REDIS_URL, ...redis }, ...rest });

  function run(cfg: ReturnType<typeof config>, checkpoint: RecordsCheckpoint | null = null, signal = new AbortController().signal) {
    return connector.fetch!({ ...KIT, config: cfg, credentials: undefined, checkpoint, fetch, signal, clock: systemClock });
  }

  async function all(pages: AsyncIterable<FetchPage<RecordsCheckpoint>>): Promise<FetchPage<RecordsCheckpoint>[]> {
    const out: FetchPage<RecordsCheckpoint>[] = [];
    for await (const page of pages) out.push(page);
    return out;
  }

  const listKey = `${prefix}list`;
  const listProcessing = defaultProcessingKey(listKey, KIT.workspaceId, KIT.sourceId);
  /** A producer that LPUSHes records one by one (oldest first out of the right end). */
  async function fillList(key: string, records: unknown[]): Promise<void> {
    for (const record of records) await admin.lpush(key, typeof record === 'string' ? record : JSON.stringify(record));
  }

  testConnector('records (Redis list)', {
    connector,
    config: config({ key: listKey, mode: 'list' }, { pageSize: 4 }),
    fetch: {
      setup: async () => {
        await admin.del(listKey, listProcessing);
        await fillList(listKey, Array.from({ length: 10 }, (_, i) => valueRecord(i + 1)));
      },
      expectItems: 10,
    },
  });

  const streamKey = `${prefix}stream`;
  testConnector('records (Redis stream)', {
    connector,
    config: config({ key: streamKey, mode: 'stream' }, { pageSize: 4 }),
    fetch: {
      setup: async () => {
        await admin.del(streamKey);
        for (let i = 1; i <= 10; i++) await admin.xadd(streamKey, '*', 'record', JSON.stringify(valueRecord(i)));
      },
      expectItems: 10,
    },
  });

  it('list mode: entries leave the processing list only after their page was handed over', async () => {
    const key = `${prefix}alo`;
    const processing = defaultProcessingKey(key, KIT.workspaceId, KIT.sourceId);
    await fillList(key, Array.from({ length: 6 }, (_, i) => valueRecord(i + 1)));
    const cfg = config({ key, mode: 'list' }, { pageSize: 4 });

    // A run that dies after receiving its first page but before handing it over (the enqueue failed).
    const dying = run(cfg)[Symbol.asyncIterator]();
    const first = await dying.next();
    expect((first.value as FetchPage<RecordsCheckpoint>).items.map((i) => i.externalId)).toEqual(['rec-000001', 'rec-000002', 'rec-000003', 'rec-000004']);
    await dying.return?.(undefined);
    expect(await admin.llen(processing)).toBe(4);
    expect(await admin.llen(key)).toBe(2);

    // The next run hands those over first, then the rest, and leaves both lists empty.
    const pages = await all(run(cfg));
    expect(pages.flatMap((p) => p.items.map((i) => i.externalId))).toEqual(['rec-000001', 'rec-000002', 'rec-000003', 'rec-000004', 'rec-000005', 'rec-000006']);
    expect(pages.at(-1)!.checkpoint).toEqual({ mode: 'list', key, handedOver: 6 });
    expect(await admin.llen(processing)).toBe(0);
    expect(await admin.llen(key)).toBe(0);
  });

  it('list mode: pops from the left for RPUSH producers, and keeps bad entries as items to reject', async () => {
    const key = `${prefix}left`;
    await admin.rpush(key, JSON.stringify(valueRecord(1)), 'not json', JSON.stringify(valueRecord(2, { value: 'x' })), JSON.stringify(valueRecord(3)));
    const pages = await all(run(config({ key, mode: 'list', popFrom: 'left' })));
    const items = pages.flatMap((p) => p.items);
    expect(items.map((i) => i.externalId)).toEqual(['rec-000001', expect.stringMatching(/^invalid:sha256:/), 'rec-000002', 'rec-000003']);
    const ctx = { ...KIT, config: config({ key, mode: 'list' }) };
    expect(() => connector.parse!(items[1]!, ctx)).toThrow(/not a JSON object/);
    expect(() => connector.parse!(items[2]!, ctx)).toThrow(/value: must be a decimal/);
    expect(connector.parse!(items[3]!, ctx)).toHaveLength(1);
  });

  it('stream mode: the checkpoint is the last stream id; a resumed run reads after it', async () => {
    const key = `${prefix}resume`;
    const ids: string[] = [];
    for (let i = 1; i <= 7; i++) ids.push((await admin.xadd(key, '*', ...Object.entries(valueRecord(i)).flat().map(String)))!);
    const cfg = config({ key, mode: 'stream' }, { pageSize: 3, maxPages: 1 });
    const first = await all(run(cfg));
    expect(first.flatMap((p) => p.items.map((i) => i.externalId))).toEqual(['rec-000001', 'rec-000002', 'rec-000003']);
    expect(first.at(-1)!.checkpoint).toEqual({ mode: 'stream', key, lastId: ids[2] });

    const rest = await all(run(config({ key, mode: 'stream' }, { pageSize: 3 }), JSON.parse(JSON.stringify(first.at(-1)!.checkpoint)) as RecordsCheckpoint));
    expect(rest.flatMap((p) => p.items.map((i) => i.externalId))).toEqual(['rec-000004', 'rec-000005', 'rec-000006', 'rec-000007']);
    expect(rest.at(-1)!.checkpoint).toEqual({ mode: 'stream', key, lastId: ids[6] });
    // Nothing new: one empty page that keeps the position.
    const idle = await all(run(cfg, rest.at(-1)!.checkpoint));
    expect(idle).toEqual([{ items: [], checkpoint: { mode: 'stream', key, lastId: ids[6] } }]);
    // The stream itself is left as it was.
    expect(await admin.xlen(key)).toBe(7);
  });

  it('stream mode: startId "$" reads only entries added after the first run', async () => {
    const key = `${prefix}tail`;
    await admin.xadd(key, '*', 'record', JSON.stringify(valueRecord(1)));
    const cfg = config({ key, mode: 'stream', startId: '$' });
    const first = await all(run(cfg));
    expect(first.flatMap((p) => p.items)).toEqual([]);
    await admin.xadd(key, '*', 'record', JSON.stringify(valueRecord(2)));
    const next = await all(run(cfg, first.at(-1)!.checkpoint));
    expect(next.flatMap((p) => p.items.map((i) => i.externalId))).toEqual(['rec-000002']);
  });

  it('a pipeline pulls a list into stored measurement records', async () => {
    const key = `${prefix}pipeline`;
    await fillList(key, [valueRecord(1), valueRecord(2), valueRecord(1)]);
    const pipeline = createPipeline({ storage: createMemoryStorage(), queue: createMemoryQueue(), connectors: [connector] });
    const source = await pipeline.sources.create('ws1', { name: 'payments queue', connector: 'records', config: { redis: { url: REDIS_URL, key, mode: 'list' } } });
    await pipeline.start();
    try {
      const { runId } = await pipeline.trigger('ws1', source.id);
      await pipeline.drain({ timeoutMs: 20_000 });
      expect(await pipeline.getRun('ws1', runId)).toMatchObject({ status: 'succeeded', items: 3 });
      const stored = await pipeline.storage.queryRecords({ workspaceId: 'ws1' });
      // The duplicate of record 1 collapsed into its record.
      expect(stored.items.map((r) => r.externalId).sort()).toEqual(['rec-000001', 'rec-000002']);
      expect(await pipeline.storage.getRecord('ws1', recordId('ws1', source.id, 'rec-000002'))).toMatchObject({ kind: 'measurement', measurement: { value: '2.02' } });
      expect(await admin.llen(key)).toBe(0);
    } finally {
      await pipeline.stop();
    }
  });

  it('check() refuses a key of another type and passes for a missing one', async () => {
    const key = `${prefix}typed`;
    await admin.set(key, 'a string');
    const check = (mode: 'list' | 'stream', k: string) => connector.check!({ config: config({ key: k, mode }), credentials: undefined, fetch, signal: new AbortController().signal });
    const error = await check('list', key).then(() => undefined, (e: unknown) => e);
    expect(isTributaryError(error, 'config')).toBe(true);
    expect((error as Error).message).toContain('is a string, not a list');
    await expect(check('stream', `${prefix}absent`)).resolves.toBeUndefined();
  });

  it('fails a run with unavailable (retried later) when Redis cannot be reached', async () => {
    const cfg = RecordsConfigSchema.parse({ redis: { url: 'redis://127.0.0.1:1', key: 'k', mode: 'stream' } });
    const error = await all(run(cfg)).then(() => undefined, (e: unknown) => e);
    expect(isTributaryError(error, 'unavailable')).toBe(true);
    expect((error as Error).message).toContain('127.0.0.1:1');
  });
});
