import { randomUUID } from 'node:crypto';
import { buildRecord } from '../record/build.js';
import type { Analysis, MeasurementType, RecordDraft, TributaryRecord } from '../record/schema.js';

/** Fields {@link makeRecord} accepts: any draft field, plus where the record lives and its analysis. */
export type RecordFixture = Partial<RecordDraft> & {
  /** @default 'ws_test' */
  workspaceId?: string;
  /** @default 'src_test' */
  sourceId?: string;
  /** Set as-is on the record, as an analyzer would have. */
  analysis?: Analysis;
  /** @default '2026-01-15T12:05:00.000Z' */
  receivedAt?: string;
  /** Normally set by storage; only for cases that check storage ignores it. */
  revision?: number;
};

/** The connector every fixture claims to come from. */
export const FIXTURE_CONNECTOR = { name: 'kit', version: '1.0.0' } as const;

/**
 * Builds a valid record for adapter tests through the real `buildRecord`, so ids and content
 * hashes are what the pipeline would produce. A measurement makes the kind `measurement` unless told.
 * @example makeRecord({ workspaceId, content: { text: 'Slow checkout' }, analysis: { sentiment: { label: 'negative', score: -0.6 } } })
 */
export function makeRecord(fixture: RecordFixture = {}): TributaryRecord {
  const { workspaceId = 'ws_test', sourceId = 'src_test', analysis, receivedAt = '2026-01-15T12:05:00.000Z', revision, ...draft } = fixture;
  const kind = draft.kind ?? (draft.measurement ? 'measurement' : 'feedback');
  const record = buildRecord(
    {
      externalId: `item-${randomUUID()}`,
      itemType: 'test.item',
      occurredAt: '2026-01-15T12:00:00.000Z',
      ...(kind === 'feedback' && !draft.content ? { content: { text: 'A test item' } } : {}),
      ...draft,
      kind,
    },
    { workspaceId, sourceId, connector: { ...FIXTURE_CONNECTOR }, receivedAt, parsedAt: receivedAt },
  );
  return { ...record, ...(analysis ? { analysis: structuredClone(analysis) } : {}), ...(revision !== undefined ? { revision } : {}) };
}

/** Fields of a measurement fixture; all optional. */
export interface MeasurementFixture {
  recordId?: string;
  time?: string;
  sourceId?: string;
  destinationId?: string;
  type?: MeasurementType;
  value?: string;
  unit?: string;
  reference?: string;
}

/** A complete measurement (seed 003 value record) for `makeRecord({ measurement })`. */
export function makeMeasurement(fixture: MeasurementFixture = {}): NonNullable<RecordDraft['measurement']> {
  return {
    recordId: `m-${randomUUID()}`,
    time: '2026-01-15T12:00:00.000Z',
    sourceId: 'acct_source',
    destinationId: 'acct_destination',
    type: 'positive',
    value: '1',
    unit: 'EUR',
    reference: 'ref-1',
    ...fixture,
  };
}
