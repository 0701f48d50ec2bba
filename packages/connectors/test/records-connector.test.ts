// The records connector (seed 003 value records): push shapes, per-entry rejection naming the
// field, idempotency on recordId, stream entry decoding and configuration errors. Pulling from a real
// Redis is in records-connector.integration.test.ts.
import { afterEach, describe, expect, it } from 'vitest';
import { recordsConnector, RecordsConfigSchema, splitValueRecords, type RecordsConfigInput } from '@tributary/connectors/records';
import { generateKey } from '@tributary/core/crypto';
import type { RawItem } from '@tributary/core/connector';
import { isTributaryError, type TributaryError } from '@tributary/core/errors';
import { createPipeline, type Pipeline } from '@tributary/core/pipeline';
import { createMemoryQueue } from '@tributary/core/queue/memory';
import { recordId } from '@tributary/core/record';
import { createMemoryStorage } from '@tributary/core/storage/memory';
import { testConnector } from '@tributary/core/testing';
import { createWebhookHandler } from '@tributary/core/webhooks';
import { systemClock } from '@tributary/core/clock';
import { streamItem } from '../src/records/redis-stream.js';
import { valueRecord, valueRecords } from './fixtures/records/factories.js';
import { webhookRequest } from './fixtures/webhook/requests.js';

const ctx = { workspaceId: 'ws', sourceId: 'src', config: RecordsConfigSchema.parse({}) };

testConnector('records (push)', {
  connector: recordsConnector,
  config: RecordsConfigSchema.parse({}),
  samples: valueRecords.map((payload): RawItem => ({ externalId: payload.recordId as string, itemType: 'value.record', payload })),
  webhook: {
    requests: () => [webhookRequest(valueRecords[0]), webhookRequest(valueRecords), webhookRequest({ records: [valueRecord(1), valueRecord(2)] })],
    expectItems: 5,
  },
});

describe('records connector: pushed bodies', () => {
  it('takes one record, an array, or { records: [...] }', () => {
    expect(splitValueRecords(valueRecords[0]).accepted.map((i) => i.externalId)).toEqual(['rec-20240603-0001']);
    expect(splitValueRecords(valueRecords).accepted).toHaveLength(3);
    expect(splitValueRecords({ records: valueRecords }).accepted).toHaveLength(3);
  });

  it('rejects invalid entries one by one, naming their fields, and keeps the valid ones', () => {
    const body = { records: [valueRecord(1), valueRecord(2, { value: '12,50', type: 'credit' }), { note: 'no record at all' }, valueRecord(3)] };
    const { accepted, rejected } = splitValueRecords(body);
    expect(accepted.map((i) => i.externalId)).toEqual(['rec-000001', 'rec-000003']);
    expect(rejected.map((r) => [r.path, r.recordId, r.issues.map((i) => i.path)])).toEqual([
      ['records.1', 'rec-000002', ['records.1.type', 'records.1.value']],
      ['records.2', undefined, ['records.2.recordId', 'records.2.time', 'records.2.sourceId', 'records.2.destinationId', 'records.2.type', 'records.2.value', 'records.2.unit', 'records.2.reference']],
    ]);
    expect(rejected[0]!.issues.find((i) => i.path === 'records.1.value')!.message).toContain('decimal');
  });

  it('refuses a body with no valid record (400), naming every field', async () => {
    const body = [valueRecord(1, { time: 'yesterday' }), valueRecord(2, { destinationId: '' })];
    const error = await Promise.resolve()
      .then(() => recordsConnector.webhook!.parse(webhookRequest(body), body, ctx))
      .then(() => undefined, (e: unknown) => e);
    expect(isTributaryError(error, 'validation')).toBe(true);
    expect((error as TributaryError).issues.map((i) => i.path)).toEqual(['0.time', '1.destinationId']);
  });

  it('refuses a body of another shape', () => {
    expect(() => splitValueRecords('12.50')).toThrow(/expected a value record, an array of them/);
  });

  it('parses a record into a measurement draft whose id is the recordId', async () => {
    const [draft] = await recordsConnector.parse!({ externalId: 'rec-20240603-0002', itemType: 'value.record', payload: valueRecords[1] }, ctx);
    expect(draft).toEqual({
      externalId: 'rec-20240603-0002',
      kind: 'measurement',
      itemType: 'value.record',
      occurredAt: '2024-06-03T09:00:05.250+02:00',
      measurement: { recordId: 'rec-20240603-0002', time: '2024-06-03T09:00:05.250+02:00', sourceId: 'acct-17', destinationId: 'merchant-42', type: 'negative', value: '2.5', unit: 'EUR', reference: 'refund-9911' },
    });
  });

  it('rejects an entry that is not JSON, or not a value record, naming the connector', () => {
    expect(() => recordsConnector.parse!({ externalId: 'invalid:x', itemType: 'value.record', payload: 'not json' }, ctx)).toThrow(/\[records-connector\].*not a JSON object/);
    expect(() => recordsConnector.parse!({ externalId: 'r1', itemType: 'value.record', payload: valueRecord(1, { unit: '' }) }, ctx)).toThrow(/\[records-connector\] invalid value record r1 \(unit:/);
  });
});

describe('records connector: push through the webhook handler', () => {
  const pipelines: Pipeline[] = [];
  afterEach(async () => {
    for (const p of pipelines.splice(0)) await p.stop();
  });

  async function setup() {
    const pipeline = createPipeline({ storage: createMemoryStorage(), queue: createMemoryQueue(), connectors: [recordsConnector], secretKey: generateKey() });
    pipelines.push(pipeline);
    await pipeline.sources.create('ws1', { id: 'payments', name: 'payments API', connector: 'records', webhook: { secret: null } });
    const rejected: { externalId?: string; message: string }[] = [];
    pipeline.bus.on('record.rejected', (e) => rejected.push({ externalId: e.externalId, message: e.error.message }));
    await pipeline.start();
    const handler = createWebhookHandler({ pipeline, dedup: false });
    const post = (body: unknown) =>
      handler.handle(new Request('https://tributary.example.com/webhooks/ws1/payments', { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }), {
        workspaceId: 'ws1',
        sourceId: 'payments',
      });
    return { pipeline, post, rejected };
  }

  it('stores valid records, rejects the invalid one with the field named, and is idempotent on recordId', async () => {
    const { pipeline, post, rejected } = await setup();
    const response = await post({ records: [valueRecord(1), valueRecord(2, { value: 'abc' }), valueRecord(3)] });
    expect(response.status).toBe(202);
    // The same record again (a producer retrying without a delivery id): still one record.
    expect((await post(valueRecord(1))).status).toBe(202);
    await pipeline.drain();

    const stored = await pipeline.storage.queryRecords({ workspaceId: 'ws1' });
    expect(stored.items.map((r) => r.externalId).sort()).toEqual(['rec-000001', 'rec-000003']);
    const one = await pipeline.storage.getRecord('ws1', recordId('ws1', 'payments', 'rec-000001'));
    expect(one).toMatchObject({ kind: 'measurement', revision: 1, measurement: { value: '1.01', unit: 'EUR' } });
    expect(rejected).toEqual([{ externalId: 'rec-000002', message: expect.stringMatching(/value: must be a decimal number/) }]);
  });

  it('answers 400 with the fields when no record is valid', async () => {
    const { post } = await setup();
    const response = await post([valueRecord(1, { type: 'sideways' })]);
    expect(response.status).toBe(400);
    const answer = (await response.json()) as { error: { issues: { path: string; message: string }[] } };
    expect(answer.error.issues).toEqual([{ path: '0.type', message: expect.stringContaining('positive') }]);
  });
});

describe('records connector: Redis stream entries', () => {
  it('reads a record from a lone JSON field, from flat fields, or from the configured field', () => {
    const json = JSON.stringify(valueRecord(1));
    expect(streamItem('1-0', ['record', json], undefined)).toMatchObject({ externalId: 'rec-000001', payload: valueRecord(1) });
    const flat = Object.entries(valueRecord(2)).flat().map(String);
    expect(streamItem('2-0', flat, undefined)).toMatchObject({ externalId: 'rec-000002', payload: { value: '2.02' } });
    expect(streamItem('3-0', ['meta', '{"x":1}', 'body', JSON.stringify(valueRecord(3))], 'body')).toMatchObject({ externalId: 'rec-000003' });
  });

  it('names an entry without a usable recordId by its stream id', () => {
    expect(streamItem('17-3', ['record', 'garbage'], undefined).externalId).toBe('invalid:17-3');
    expect(streamItem('17-4', ['text', 'hello'], undefined)).toMatchObject({ externalId: 'invalid:17-4', payload: { text: 'hello' } });
  });
});

describe('records connector: configuration', () => {
  const issues = (input: RecordsConfigInput) => {
    const result = RecordsConfigSchema.safeParse(input);
    return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('refuses a Redis password in the URL, options of the other mode, and other URLs', () => {
    expect(issues({ redis: { url: 'redis://:hunter2@127.0.0.1:6379', key: 'k', mode: 'list' } })).toEqual([expect.stringMatching(/^redis\.url: .*credentials\.redisPassword/)]);
    expect(issues({ redis: { url: 'redis://127.0.0.1', key: 'k', mode: 'stream', processingKey: 'p' } })).toEqual(['redis.processingKey: only applies to mode "list"']);
    expect(issues({ redis: { url: 'redis://127.0.0.1', key: 'k', mode: 'list', field: 'record' } })).toEqual(['redis.field: only applies to mode "stream"']);
    expect(issues({ redis: { url: 'http://127.0.0.1', key: 'k', mode: 'list' } })[0]).toMatch(/^redis\.url: must be a redis:\/\//);
    expect(issues({ redis: { url: 'redis://127.0.0.1', key: 'k', mode: 'queue' as 'list' } })[0]).toMatch(/^redis\.mode/);
  });

  it('has nothing to pull without redis, and says so', async () => {
    const pages = recordsConnector.fetch!({ ...ctx, credentials: undefined, checkpoint: null, fetch, signal: new AbortController().signal, clock: systemClock });
    const error = await pages[Symbol.asyncIterator]().next().then(() => undefined, (e: unknown) => e);
    expect(isTributaryError(error, 'config')).toBe(true);
    expect((error as TributaryError).message).toContain('only takes pushes');
  });
});
