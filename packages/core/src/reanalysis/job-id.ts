import type { Analyzer } from '../analysis/index.js';
import { sha256Hex } from '../record/ids.js';

/**
 * The id of the job that brings records to these analyzer versions. Stable across restarts (so a
 * restarted job finds its saved position) and different for any other set of versions or sources
 * (so a newer version starts its own walk instead of resuming a finished one).
 */
export function reanalysisJobId(analyzers: readonly Analyzer[], sourceIds?: readonly string[]): string {
  const versions = analyzers.map((a) => `${a.name}@${a.version}`).sort();
  const sources = sourceIds && sourceIds.length > 0 ? [...new Set(sourceIds)].sort() : null;
  return `ra_${sha256Hex(JSON.stringify([versions, sources])).slice(0, 24)}`;
}
