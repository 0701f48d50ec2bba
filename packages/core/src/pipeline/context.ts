import type { Analyzer } from '../analysis/index.js';
import type { DestinationRegistry } from '../destinations/registry.js';
import type { Clock } from '../clock/index.js';
import type { Dispatcher } from '../dispatcher/dispatcher.js';
import type { FetchFunction, RateBudget } from '../connector/index.js';
import type { EventBus, StageName, TributaryEvents } from '../events/index.js';
import type { QueueAdapter } from '../queue/index.js';
import type { StorageAdapter } from '../storage/index.js';
import type { AnyTarget } from '../target/index.js';
import type { Reporter } from './reporters.js';
import type { Redaction } from './redaction.js';
import type { RunIndex } from './run-index.js';
import type { SourceRegistry } from './sources.js';
import type { ConnectorRegistry } from './types.js';

/** Per-stage consumer settings. */
export interface StageSettings {
  /** Messages handled at once by one worker. */
  concurrency?: number;
  /** Deliveries before a message is dead-lettered. */
  maxAttempts?: number;
  /** How long a message may be in progress before another worker takes it over. */
  visibilityTimeoutMs?: number;
  /**
   * How long a message may wait, without spending attempts, for the pipeline's storage or queue to
   * come back when it cannot be reached; after that, ordinary retries resume.
   * @default 24 hours
   */
  maxEngineWaitMs?: number;
  /**
   * Longest pause between two tries of a message waiting for an engine (the pauses double from 1 s).
   * @default 30 s
   */
  engineWaitCapMs?: number;
}

/** Everything the stages share. Built once by `createPipeline`. */
export interface StageContext {
  storage: StorageAdapter;
  queue: QueueAdapter;
  bus: EventBus<TributaryEvents>;
  clock: Clock;
  /** Fetch for non-connector calls (targets, checks). */
  fetch: FetchFunction;
  /** The fetch a connector gets for one source: throttled to its budget, with timeouts and retries. */
  connectorFetch: (sourceKey: string, budget: RateBudget | undefined) => FetchFunction;
  connectors: ConnectorRegistry;
  analyzers: readonly Analyzer[];
  targets: ReadonlyMap<string, AnyTarget>;
  reporters: readonly Reporter[];
  sources: SourceRegistry;
  /** Runs of each source, newest first. */
  runs: RunIndex;
  /** Opens destination configs (decrypts their secrets) for the deliver stage. */
  destinations: DestinationRegistry;
  topics: Record<StageName, string>;
  /** Largest message the stages publish, in bytes; bigger batches are split. */
  maxMessageBytes: number;
  /** How long a fetch run holds its lock before renewing it. */
  lockTtlMs: number;
  /** Rewrites records and raw payloads before storage (e.g. personal-data redaction), if set. */
  redaction?: Redaction;
  /** Paces and sends deliveries. */
  dispatcher: Dispatcher;
  /** Attempts of the deliver stage (the dispatcher dead-letters on the last one). */
  deliverMaxAttempts: number;
}
