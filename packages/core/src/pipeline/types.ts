import type { AnyConnector, RawItem, SignatureSchemeName } from '../connector/index.js';
import type { ComponentVersion, TributaryRecord } from '../record/schema.js';
import type { OutboundMessage } from '../target/index.js';
import type { UpsertOutcome } from '../storage/index.js';

/** How often a source is pulled. */
export interface SourceSchedule {
  /** Interval in milliseconds. */
  everyMs?: number;
  /** Five-field cron expression (UTC). */
  cron?: string;
}

/** A configured connection of a workspace to a connector, as stored. Secrets are ciphertexts. */
export interface SourceDefinition {
  id: string;
  workspaceId: string;
  name: string;
  /** Name of the connector. */
  connector: string;
  config: unknown;
  /** Encrypted credentials (see `@tributary/core/crypto`), or null. */
  credentials: string | null;
  /** Raised on every change of the credentials, so a rotation never overwrites a newer reconnect. */
  credentialsVersion?: number;
  schedule: SourceSchedule | null;
  webhook: { scheme: SignatureSchemeName; /** Encrypted secret, or null for unsigned hooks. */ secret: string | null } | null;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

/** Ask the fetch stage to pull a source. */
export interface FetchJob {
  workspaceId: string;
  sourceId: string;
  runId: string;
  trigger: 'manual' | 'schedule' | 'webhook' | 'backfill';
  requestedAt: string;
}

/** Raw items for the parse stage, from a pull or a push. */
export interface ParseJob {
  workspaceId: string;
  sourceId: string;
  connector: ComponentVersion;
  items: RawItem[];
  receivedAt: string;
  runId?: string;
  /**
   * The trace contexts (W3C `traceparent`) of other ingest calls whose items were merged into this
   * job (see `ingest-coalescer.ts`); the message's own `traceparent` header names the first. A
   * tracer links its span of the job to each.
   */
  traceLinks?: string[];
  /** When each item arrived, where merged calls' times differ; `receivedAt` otherwise. */
  itemsReceivedAt?: string[];
}

/** Parsed records for the analyze stage. */
export interface AnalyzeJob {
  workspaceId: string;
  sourceId: string;
  records: TributaryRecord[];
}

/** Stored changes for the report stage. */
export interface ReportJob {
  workspaceId: string;
  sourceId: string;
  changes: UpsertOutcome[];
}

/** One message for one destination, for the deliver stage. */
export interface DeliverJob {
  workspaceId: string;
  destinationId: string;
  message: OutboundMessage;
}

/** A downstream destination of a workspace, as stored. */
export interface DestinationDefinition {
  id: string;
  workspaceId: string;
  /** Name of the target, e.g. `http`, `webhook`, `slack`, `email`. */
  target: string;
  config: unknown;
  /** Message types it receives; all when absent. */
  filter: { types?: string[]; sourceIds?: string[] } | null;
  /** Requests per second and burst the receiver accepts. */
  rateLimit: { perSecond: number; burst: number } | null;
  enabled: boolean;
  createdAt: string;
}

/** The status of one pull of a source. */
export interface RunRecord {
  id: string;
  workspaceId: string;
  sourceId: string;
  trigger: FetchJob['trigger'];
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'skipped';
  requestedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  pages: number;
  items: number;
  error: string | null;
}

/** Registry of connectors by name. */
export type ConnectorRegistry = ReadonlyMap<string, AnyConnector>;
