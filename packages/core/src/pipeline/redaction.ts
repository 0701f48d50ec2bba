import type { TributaryRecord } from '../record/schema.js';

/**
 * Rewrites what is stored, e.g. personal data redacted before it reaches storage. Pass
 * `{ record: redactRecord, raw: redactJson }` from `@tributary/core/analyzers/moderation`.
 *
 * The content hash is left as computed from the original item, so a redelivery of the same item is
 * still recognised as unchanged. Records stored before redaction was switched on keep their content:
 * it applies to items received after.
 */
export interface Redaction {
  /** Applied to each record after analysis, before it is stored. */
  record(record: TributaryRecord): TributaryRecord;
  /** Applied to each raw payload before it is stored. @default unchanged */
  raw?(payload: unknown): unknown;
  /** Whether a workspace's source is redacted. @default every source */
  applies?(workspaceId: string, sourceId: string): boolean;
}

/** The redaction for one source, or null when none applies. */
export function redactionFor(redaction: Redaction | undefined, workspaceId: string, sourceId: string): Redaction | null {
  if (!redaction) return null;
  return redaction.applies && !redaction.applies(workspaceId, sourceId) ? null : redaction;
}
