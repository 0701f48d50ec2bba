/**
 * @module @tributary/core/reanalysis
 * Background re-analysis: when an analyzer version changes, walk the stored records in batches and
 * bring their analysis to the current versions, with progress, pacing and a saved position, without
 * blocking ingestion. Hosts forward the progress (callback or async iterator) to logs and metrics.
 */
export { startReanalysis } from './job.js';
export { reanalysisJobId } from './job-id.js';
export { REANALYSIS_COLLECTION } from './walk.js';
export type { ReanalysisJob, ReanalysisOptions, ReanalysisProgress, ReanalysisStatus, SavedReanalysis } from './types.js';
