import type { RawItem } from '@tributary/core/connector';
import type { Pipeline } from '@tributary/core/pipeline';
import { recordId } from '@tributary/core/record';
import type { RawPayload } from '@tributary/core/storage';

/** What {@link reparseSource} did. */
export interface ReparseResult {
  /** Items sent through parse again. */
  reparsed: number;
  /** Stored payloads left alone: their record was parsed by the current major.minor already, or an older copy of an item. */
  skipped: number;
}

/**
 * Whether records parsed by `stored` must be parsed again under `current`: a new major or minor
 * changes what `parse` makes of the same payload; a patch does not.
 */
export function needsReparse(stored: string, current: string): boolean {
  const [storedMajor, storedMinor] = stored.split('.');
  const [major, minor] = current.split('.');
  return storedMajor !== major || storedMinor !== minor;
}

/**
 * Parses a source's stored raw payloads again with the connector now registered, by ingesting them
 * anew: they go through parse → analyze → store like fresh items, records whose content changed get a
 * new revision (the old one stays in the history), and the rest come out `unchanged`. An item is
 * re-parsed when its record's provenance names an older major.minor (or it has no record: a newer
 * parse may accept what an older one rejected). Only the newest payload of each item is used, so an
 * old copy never overwrites a later edit. Assumes one record per item, with the item's external id.
 */
export async function reparseSource(
  pipeline: Pick<Pipeline, 'storage' | 'ingest' | 'connectors'>,
  workspaceId: string,
  sourceId: string,
  connectorName: string,
): Promise<ReparseResult> {
  const connector = pipeline.connectors.get(connectorName);
  if (!connector) throw new Error(`connector ${connectorName} is not registered`);
  const newest = new Map<string, RawPayload>();
  let seen = 0;
  let cursor: string | undefined;
  do {
    const page = await pipeline.storage.listRawPayloads(workspaceId, sourceId, { limit: 500, ...(cursor ? { cursor } : {}) });
    for (const raw of page.items) {
      seen++;
      const kept = newest.get(raw.externalId);
      if (!kept || raw.receivedAt > kept.receivedAt) newest.set(raw.externalId, raw);
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);

  const items: RawItem[] = [];
  for (const { externalId, itemType, payload } of newest.values()) {
    const parsedBy = (await pipeline.storage.getRecord(workspaceId, recordId(workspaceId, sourceId, externalId)))?.provenance.connector;
    if (!parsedBy || parsedBy.name !== connector.name || needsReparse(parsedBy.version, connector.version)) items.push({ externalId, itemType, payload });
  }
  if (items.length > 0) await pipeline.ingest(workspaceId, sourceId, items);
  return { reparsed: items.length, skipped: seen - items.length };
}
