import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineConnector } from '@tributary/core/connector';
import { draftFromValueRecord, type ValueRecordInput } from '@tributary/core/record';
import { createPipeline, type Pipeline } from '@tributary/core/pipeline';
import { createMemoryQueue } from '@tributary/core/queue/memory';
import { createMemoryStorage } from '@tributary/core/storage/memory';
import { defineTarget, type OutboundMessage } from '@tributary/core/target';
import { thresholdAlertReporter, valueNotificationReporter, type RecordAlert, type RecordNotification } from '@tributary/core/notifications';

const records = defineConnector({
  name: 'records',
  version: '1.0.0',
  configSchema: z.object({}),
  parse: (item) => [draftFromValueRecord(item.payload as ValueRecordInput)],
});

const pipelines: Pipeline[] = [];
afterEach(async () => {
  for (const p of pipelines.splice(0)) {
    await p.stop();
    await p.queue.dispose();
  }
});

async function setup(thresholds: Record<string, string> = { EUR: '100' }) {
  const received: OutboundMessage[] = [];
  const pipeline = createPipeline({
    storage: createMemoryStorage(),
    queue: createMemoryQueue(),
    connectors: [records],
    targets: [defineTarget({ name: 'capture', version: '1.0.0', configSchema: z.object({}), send: async (m) => (received.push(m), { ok: true, status: 200 }) })],
    reporters: [valueNotificationReporter(), thresholdAlertReporter(thresholds)],
  });
  pipelines.push(pipeline);
  const source = await pipeline.sources.create('ws', { name: 'records', connector: 'records' });
  await pipeline.storage.putDocument('destinations', 'ws', 'd', { id: 'd', workspaceId: 'ws', target: 'capture', config: {}, filter: null, rateLimit: null, enabled: true, createdAt: '2026-01-01T00:00:00Z' });
  await pipeline.start();
  const send = async (inputs: ValueRecordInput[]) => {
    await pipeline.ingest('ws', source.id, inputs.map((r) => ({ externalId: r.recordId, itemType: 'value.record', payload: r })));
    await pipeline.drain();
  };
  return { pipeline, received, send };
}

const rec = (id: string, time: string, value: string, extra: Partial<ValueRecordInput> = {}): ValueRecordInput => ({ recordId: id, time, sourceId: 'meter', destinationId: 'acct-1', type: 'positive', value, unit: 'EUR', reference: 'ref-1', ...extra });

describe('seed 003 notifications and alerts', () => {
  it('sends one notification per record with an exact summary of the earlier ones', async () => {
    const { received, send } = await setup();
    await send([rec('a', '2026-01-01T00:00:00Z', '0.1')]);
    await send([rec('b', '2026-01-02T00:00:00Z', '0.2')]);
    await send([rec('c', '2026-01-03T00:00:00Z', '5', { type: 'negative' })]);
    await send([rec('other', '2026-01-04T00:00:00Z', '1', { reference: 'ref-2' })]);
    await send([rec('d', '2026-01-05T00:00:00Z', '1')]);
    const notes = received.filter((m) => m.type === 'record.notification').map((m) => m.payload as RecordNotification);
    expect(notes.map((n) => n.record.recordId)).toEqual(['a', 'b', 'c', 'other', 'd']);
    expect(notes[0]!.summary).toEqual({ destinationId: 'acct-1', reference: 'ref-1', count: 0, totals: { positive: '0', negative: '0' }, firstTime: null, lastTime: null });
    expect(notes[4]!.summary).toEqual({ destinationId: 'acct-1', reference: 'ref-1', count: 3, totals: { positive: '0.3', negative: '5' }, firstTime: '2026-01-01T00:00:00Z', lastTime: '2026-01-03T00:00:00Z' });
    expect(notes[3]!.summary.count).toBe(0);
  });

  it('alerts only above the threshold of the unit, with the exact excess', async () => {
    const { received, send } = await setup({ EUR: '100', kWh: '5' });
    await send([rec('low', '2026-01-01T00:00:00Z', '100'), rec('high', '2026-01-01T01:00:00Z', '100.01'), rec('kwh', '2026-01-01T02:00:00Z', '6', { unit: 'kWh' }), rec('usd', '2026-01-01T03:00:00Z', '1000000', { unit: 'USD' })]);
    const alerts = received.filter((m) => m.type === 'record.alert').map((m) => m.payload as RecordAlert);
    expect(alerts.map((a) => [a.record.recordId, a.threshold, a.exceededBy]).sort()).toEqual([
      ['high', '100', '0.01'],
      ['kwh', '5', '1'],
    ]);
  });

  it('does not notify twice for a duplicate record', async () => {
    const { received, send } = await setup();
    await send([rec('a', '2026-01-01T00:00:00Z', '1')]);
    await send([rec('a', '2026-01-01T00:00:00Z', '1')]);
    expect(received.filter((m) => m.type === 'record.notification')).toHaveLength(1);
  });
});
