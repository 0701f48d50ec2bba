/**
 * @module dashboard/activity
 * Recent problems per workspace, heard on the pipeline's bus: failed pulls, items a parser rejected,
 * refused deliveries, dead letters. Kept in memory, bounded, by the process that saw them (with roles
 * split, the API process hears only its own bus: runs and dead letters, which are stored, remain the
 * source of truth; this adds the detail between them).
 */
import type { EventBus, TributaryEvents } from '@tributary/core/events';

export type ActivityKind = 'run_failed' | 'record_rejected' | 'delivery_failed' | 'dead_lettered';

export interface ActivityEntry {
  at: string;
  kind: ActivityKind;
  sourceId?: string;
  destinationId?: string;
  message: string;
}

export interface ActivityLog {
  /** Newest first; of one source when given. */
  recent(workspaceId: string, filter?: { sourceId?: string; limit?: number }): ActivityEntry[];
  stop(): void;
}

/** Entries kept per workspace, and workspaces remembered (the least recently active are forgotten). */
const PER_WORKSPACE = 200;
const WORKSPACES = 1000;
/** Messages are cut: a provider's error page should not fill the dashboard. */
const MESSAGE_CHARS = 300;

export function createActivityLog(bus: EventBus<TributaryEvents>, now: () => number = Date.now): ActivityLog {
  const byWorkspace = new Map<string, ActivityEntry[]>();
  const add = (workspaceId: string | undefined, entry: Omit<ActivityEntry, 'at'>) => {
    if (!workspaceId) return;
    let list = byWorkspace.get(workspaceId);
    if (list) byWorkspace.delete(workspaceId);
    else list = [];
    // Re-inserted last: the map's first key is the least recently active workspace.
    byWorkspace.set(workspaceId, list);
    list.unshift({ at: new Date(now()).toISOString(), ...entry, message: entry.message.slice(0, MESSAGE_CHARS) });
    if (list.length > PER_WORKSPACE) list.length = PER_WORKSPACE;
    if (byWorkspace.size > WORKSPACES) byWorkspace.delete(byWorkspace.keys().next().value!);
  };
  const offs = [
    bus.on('fetch.run.failed', (e) => add(e.workspaceId, { kind: 'run_failed', sourceId: e.sourceId, message: e.error.message })),
    bus.on('record.rejected', (e) => add(e.workspaceId, { kind: 'record_rejected', sourceId: e.sourceId, message: `${e.externalId ? `item ${e.externalId}: ` : ''}${e.error.message}` })),
    bus.on('delivery.failed', (e) => {
      // The dispatcher keys destinations `<workspace>:<destination>`.
      const at = e.target.indexOf(':');
      if (at > 0) add(e.target.slice(0, at), { kind: 'delivery_failed', destinationId: e.target.slice(at + 1), message: `${e.error.message}${e.willRetry ? ' (will retry)' : ''}` });
    }),
    bus.on('message.dead_lettered', (e) => add(e.workspaceId, { kind: 'dead_lettered', message: `${e.topic}: ${e.reason}` })),
  ];
  return {
    recent(workspaceId, filter = {}) {
      const list = byWorkspace.get(workspaceId) ?? [];
      const selected = filter.sourceId ? list.filter((e) => e.sourceId === filter.sourceId) : list;
      return selected.slice(0, filter.limit ?? 20);
    },
    stop() {
      for (const off of offs) off();
    },
  };
}
