/**
 * @module registry
 * Everything the server plugs into the pipeline, in one place: connectors, downstream targets,
 * analyzers and reporters. Adding a connector is one line in {@link CONNECTORS}. Entries are loaded
 * from their package subpaths at start; a subpath that does not exist (yet) is skipped, so the
 * server runs with whatever the installed packages offer.
 */
import type { Analyzer } from '@tributary/core/analysis';
import type { AnyConnector } from '@tributary/core/connector';
import { storedThresholds, thresholdAlertReporter, valueNotificationReporter } from '@tributary/core/notifications';
import { recordProcessedReporter, type Reporter } from '@tributary/core/pipeline';
import type { AnyTarget } from '@tributary/core/target';
import { apiRecordsConnector } from './api-records.js';

/** A module export to load: `[subpath, export name]`. The export may also be a factory taking no arguments. */
type Entry = readonly [specifier: string, exportName: string];

/** The file connector's factory: sources may only read inside the import directory. */
const FILE_CONNECTOR: Entry = ['@tributary/connectors/file', 'createFileConnector'];

/** Connectors offered to sources, by subpath. */
export const CONNECTORS: readonly Entry[] = [
  ['@tributary/connectors/discourse', 'discourseConnector'],
  ['@tributary/connectors/github', 'githubConnector'],
  ['@tributary/connectors/http', 'httpConnector'],
  ['@tributary/connectors/webhook', 'webhookConnector'],
  ['@tributary/connectors/records', 'recordsConnector'],
  FILE_CONNECTOR,
];

/** Downstream targets of destinations, by subpath. */
export const TARGETS: readonly Entry[] = [
  ['@tributary/connectors/targets/http', 'httpTarget'],
  ['@tributary/connectors/targets/webhook', 'webhookTarget'],
  ['@tributary/connectors/targets/slack', 'slackTarget'],
  ['@tributary/connectors/targets/email', 'emailTarget'],
  ['@tributary/connectors/targets/shopify', 'shopifyTarget'],
];

/** The default analyzer set, when core has one; otherwise the individual analyzers below, in order. */
export const DEFAULT_ANALYZERS: Entry = ['@tributary/core/analyzers/defaults', 'defaultAnalyzers'];
export const ANALYZERS: readonly Entry[] = [
  ['@tributary/core/analyzers/language', 'languageAnalyzer'],
  ['@tributary/core/analyzers/sentiment', 'sentimentAnalyzer'],
];

/** Turns stored changes into downstream messages: every processed record, seed 003's notifications and threshold alerts. */
export function reporters(): Reporter[] {
  return [recordProcessedReporter, valueNotificationReporter(), thresholdAlertReporter(storedThresholds)];
}

/** What the server registers in the pipeline. */
export interface Registry {
  connectors: AnyConnector[];
  targets: AnyTarget[];
  analyzers: Analyzer[];
  reporters: Reporter[];
  /** Subpaths that were not found, for the startup log. */
  missing: string[];
}

const MISSING_CODES = new Set(['ERR_MODULE_NOT_FOUND', 'ERR_PACKAGE_PATH_NOT_EXPORTED', 'MODULE_NOT_FOUND']);
const MISSING_MESSAGE = /Missing ".*" specifier|Cannot find (module|package)|Failed to load url|is not exported|Package subpath/;

/** True when an import failed because the module does not exist (as opposed to failing while loading). */
function isMissingModule(error: unknown, specifier: string): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  const message = typeof e?.message === 'string' ? e.message : '';
  // A module that exists but imports something missing must fail loudly, not be skipped.
  const aboutIt = message.includes(specifier) || message.includes(specifier.split('/').slice(2).join('/'));
  return (MISSING_CODES.has(e?.code as string) || MISSING_MESSAGE.test(message)) && aboutIt;
}

/** Loads one export; undefined when the module or the export does not exist. */
async function load<T>(entry: Entry, missing: string[]): Promise<T | undefined> {
  const [specifier, exportName] = entry;
  let module: Record<string, unknown>;
  try {
    // A variable specifier on purpose: the subpath may not exist in this checkout.
    module = (await import(/* @vite-ignore */ specifier)) as Record<string, unknown>;
  } catch (error) {
    if (isMissingModule(error, specifier)) {
      missing.push(specifier);
      return undefined;
    }
    throw error;
  }
  if (!(exportName in module)) {
    missing.push(`${specifier}#${exportName}`);
    return undefined;
  }
  return module[exportName] as T;
}

const isConnector = (v: unknown): v is AnyConnector =>
  typeof v === 'object' && v !== null && typeof (v as AnyConnector).name === 'string' && typeof (v as AnyConnector).configSchema?.safeParse === 'function';
const isTarget = (v: unknown): v is AnyTarget => isConnector(v) && typeof (v as unknown as AnyTarget).send === 'function';
const isAnalyzer = (v: unknown): v is Analyzer => typeof v === 'object' && v !== null && typeof (v as Analyzer).analyze === 'function';
/** An export may be the thing itself or a factory with no required argument. */
const resolveExport = (v: unknown): unknown => (typeof v === 'function' ? (v as () => unknown)() : v);

/**
 * Loads the registry. Targets are registered as they are: the pipeline's destination registry
 * (`@tributary/core/destinations`) encrypts their secret config fields and decrypts them only when a
 * message is sent.
 */
export async function loadRegistry(options: { /** The directory `file` sources are confined to. */ fileRoot: string }): Promise<Registry> {
  const missing: string[] = [];
  const connectors: AnyConnector[] = [apiRecordsConnector];
  for (const entry of CONNECTORS) {
    // The file connector is built confined to one directory, never the unconfined default export.
    const value = entry === FILE_CONNECTOR
      ? (await load<(o: { root: string }) => AnyConnector>(entry, missing))?.({ root: options.fileRoot })
      : resolveExport(await load(entry, missing));
    if (value === undefined) continue;
    if (!isConnector(value)) throw new Error(`${entry[0]}#${entry[1]} is not a connector`);
    if (connectors.some((c) => c.name === value.name)) continue;
    connectors.push(value);
  }

  const targets: AnyTarget[] = [];
  for (const entry of TARGETS) {
    const value = resolveExport(await load(entry, missing));
    if (value === undefined) continue;
    if (!isTarget(value)) throw new Error(`${entry[0]}#${entry[1]} is not a target`);
    targets.push(value);
  }

  let analyzers: Analyzer[] = [];
  const defaults = await load<unknown>(DEFAULT_ANALYZERS, missing);
  if (defaults !== undefined) {
    const value = resolveExport(defaults);
    if (!Array.isArray(value) || !value.every(isAnalyzer)) throw new Error(`${DEFAULT_ANALYZERS.join('#')} did not give a list of analyzers`);
    analyzers = value;
  } else {
    for (const entry of ANALYZERS) {
      const value = await load<unknown>(entry, missing);
      if (value === undefined) continue;
      if (!isAnalyzer(value)) throw new Error(`${entry[0]}#${entry[1]} is not an analyzer`);
      analyzers.push(value);
    }
  }

  return { connectors, targets, analyzers, reporters: reporters(), missing };
}
