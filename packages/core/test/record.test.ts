import { describe, expect, it } from 'vitest';
import { buildRecord, contentHashOf, draftFromValueRecord, parseRecord, recordId, rawPayloadId, int64Identifier, TributaryRecordSchema } from '@tributary/core/record';
import { isTributaryError } from '@tributary/core/errors';

const origin = { workspaceId: 'ws1', sourceId: 'src1', connector: { name: 'test', version: '1.0.0' }, receivedAt: '2026-01-01T00:00:00.000Z', parsedAt: '2026-01-01T00:00:01.000Z' };
const draft = {
  externalId: '872227',
  itemType: 'discourse.post',
  occurredAt: '2021-01-11T03:24:05.977Z',
  author: { platformUserId: 79907, username: 'taher1', email: null },
  content: { text: 'Do i need to create a sns webhook?', html: '<p>Do i need to create a sns webhook?</p>' },
  attributes: { conversation: { topic_id: 45343 }, metadata: { reads: 37 } },
};

describe('record ids', () => {
  it('derive deterministically from workspace, source and item id', () => {
    expect(recordId('ws1', 'src1', '1')).toBe(recordId('ws1', 'src1', '1'));
    expect(recordId('ws1', 'src1', '1')).not.toBe(recordId('ws2', 'src1', '1'));
    expect(recordId('ws1', 'src1', '1')).not.toBe(recordId('ws1', 'src2', '1'));
    // separators keep the parts apart
    expect(recordId('a:b', 'c', 'd')).not.toBe(recordId('a', 'b:c', 'd'));
    expect(recordId('ws1', 'src1', '1')).toMatch(/^rec_[0-9a-f]{32}$/);
  });

  it('raw ids change with the payload', () => {
    expect(rawPayloadId('w', 's', '1', { a: 1, b: 2 })).toBe(rawPayloadId('w', 's', '1', { b: 2, a: 1 }));
    expect(rawPayloadId('w', 's', '1', { a: 1 })).not.toBe(rawPayloadId('w', 's', '1', { a: 2 }));
  });

  it('int64 identifiers are signed 64-bit decimal strings', () => {
    const id = int64Identifier(recordId('ws1', 'src1', '1'));
    expect(id).toMatch(/^-?\d+$/);
    const n = BigInt(id);
    expect(n >= -(2n ** 63n) && n < 2n ** 63n).toBe(true);
  });
});

describe('buildRecord', () => {
  it('holds a seed 001 feedback item without loss', () => {
    const r = buildRecord(draft, origin);
    expect(r.id).toBe(recordId('ws1', 'src1', '872227'));
    expect(r.schemaVersion).toBe(1);
    expect(r.kind).toBe('feedback');
    expect(r.revision).toBe(1);
    expect(r.author).toEqual(draft.author);
    expect(r.content).toEqual(draft.content);
    expect(r.attributes).toEqual({ review: {}, conversation: { topic_id: 45343 }, metadata: { reads: 37 } });
    expect(r.provenance).toEqual({ connector: { name: 'test', version: '1.0.0' }, analyzers: [], parsedAt: origin.parsedAt });
    expect(parseRecord(JSON.parse(JSON.stringify(r)))).toEqual(r);
  });

  it('gives the same hash to the same content and a new one to an edit', () => {
    const a = buildRecord(draft, origin);
    const b = buildRecord({ ...draft }, { ...origin, receivedAt: '2026-02-01T00:00:00.000Z' });
    expect(b.contentHash).toBe(a.contentHash);
    const volatile = buildRecord({ ...draft, attributes: { ...draft.attributes, metadata: { reads: 99 } } }, origin);
    expect(volatile.contentHash).toBe(a.contentHash);
    const edited = buildRecord({ ...draft, content: { ...draft.content, text: 'edited' } }, origin);
    expect(edited.contentHash).not.toBe(a.contentHash);
    expect(contentHashOf(a)).toBe(a.contentHash);
  });

  it('names the bad field in its validation error', () => {
    try {
      buildRecord({ ...draft, occurredAt: 'yesterday' }, origin);
      throw new Error('accepted');
    } catch (e) {
      expect(isTributaryError(e, 'validation')).toBe(true);
      if (isTributaryError(e)) expect(e.issues[0]?.path).toBe('occurredAt');
    }
  });
});

describe('seed 003 value records', () => {
  const input = { recordId: 'r-1', time: '2026-03-01T10:00:00Z', sourceId: 'meter-7', destinationId: 'acct-1', type: 'positive' as const, value: '12.50', unit: 'EUR', reference: 'inv-9' };

  it('become measurement records keyed by recordId, value exact', () => {
    const r = buildRecord(draftFromValueRecord(input), origin);
    expect(r.kind).toBe('measurement');
    expect(r.externalId).toBe('r-1');
    expect(r.occurredAt).toBe('2026-03-01T10:00:00.000Z'); // canonical UTC form of input.time
    expect(r.measurement).toEqual({ ...input, value: '12.5' });
    expect(TributaryRecordSchema.parse(r)).toEqual(r);
  });

  it('accept numeric values without float error', () => {
    const r = buildRecord(draftFromValueRecord({ ...input, value: 0.1 }), origin);
    expect(r.measurement?.value).toBe('0.1');
  });

  it('reject a bad type or value naming the field', () => {
    for (const [field, bad] of [['type', 'sideways'], ['value', 'ten'], ['time', 'now']] as const) {
      try {
        draftFromValueRecord({ ...input, [field]: bad } as never);
        throw new Error('accepted');
      } catch (e) {
        expect(isTributaryError(e, 'validation')).toBe(true);
        if (isTributaryError(e)) expect(e.issues[0]?.path).toBe(field);
      }
    }
  });
});
