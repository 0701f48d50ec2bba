/**
 * @module @tributary/core/pipeline
 * The pipeline: fetch → parse → analyze → report → deliver. Each stage is a worker consuming its own
 * queue topic, so it scales and fails on its own; every stage reports on the event bus.
 */
export { createPipeline, STAGES, type IngestOptions, type Pipeline, type PipelineOptions, type StartOptions } from './pipeline.js';
export type { IngestCoalescerOptions } from './ingest-coalescer.js';
export type { StageSettings } from './context.js';
export { createSourceRegistry, toSourceView, type SourceChange, type CreateSourceInput, type UpdateSourceInput, type ResolvedSource, type SourceRegistry, type SourceView } from './sources.js';
export { recordProcessedReporter, messageKey, type Reporter, type ReporterContext } from './reporters.js';
export { listDestinations } from './report-stage.js';
export { redactionFor, type Redaction } from './redaction.js';
export { fetchLockKey } from './fetch-stage.js';
export { chunkByBytes } from './chunk.js';
export { newId, newTraceparent, childTraceparent, traceIdOf } from './ids.js';
export { createRunIndex, type RunIndex } from './run-index.js';
export type { SourceCacheOptions } from './source-cache.js';
export type { AnalyzeJob, ConnectorRegistry, DeliverJob, DestinationDefinition, FetchJob, ParseJob, ReportJob, RunRecord, SourceDefinition, SourceSchedule } from './types.js';
