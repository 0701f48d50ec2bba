import type { Clock } from '../clock/index.js';
import type { TributaryRecord } from '../record/schema.js';
import type { StorageAdapter, UpsertOutcome } from '../storage/index.js';
import type { OutboundMessage } from '../target/index.js';

/** What a reporter sees for one stored change. */
export interface ReporterContext {
  workspaceId: string;
  record: TributaryRecord;
  change: UpsertOutcome;
  storage: StorageAdapter;
  clock: Clock;
}

/**
 * Turns a stored change into downstream messages (notifications, alerts…). The report stage hands
 * each message to every destination of the workspace whose filter accepts it.
 */
export interface Reporter {
  readonly name: string;
  report(context: ReporterContext): OutboundMessage[] | Promise<OutboundMessage[]>;
}

/** The idempotency key of a message about one revision of a record. */
export function messageKey(record: TributaryRecord, type: string): string {
  return `${record.id}:r${record.revision}:${type}`;
}

/** Emits `record.processed` with the record for every created or edited record. */
export const recordProcessedReporter: Reporter = {
  name: 'record-processed',
  report({ workspaceId, record, change, clock }) {
    const idempotencyKey = messageKey(record, 'record.processed');
    return [
      {
        id: idempotencyKey,
        idempotencyKey,
        type: 'record.processed',
        workspaceId,
        payload: { status: change.status, record },
        createdAt: new Date(clock.now()).toISOString(),
      },
    ];
  },
};
