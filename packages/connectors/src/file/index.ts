/**
 * @module @tributary/connectors/file
 * CSV and NDJSON imports for backfills, streamed in bounded memory: only the current 64 KiB chunk,
 * the unfinished line and one page of rows are held, whatever the file's size. Rows become records
 * through the same field mapping as the `http` and `webhook` connectors. The checkpoint is the byte
 * offset and line number after the last row handed over, so an import killed midway resumes there.
 * Unreadable lines (bad JSON, CSV syntax, wrong field count, invalid UTF-8) are reported with their
 * line numbers and skipped; the good rows around them go on.
 *
 * The readers are exported too, for files and streams outside a pipeline: {@link readCsv},
 * {@link readNdjson}, {@link readLines} take a path, a web `ReadableStream` or an async iterable.
 * @example
 * ```ts
 * import { fileConnector } from '@tributary/connectors/file';
 * await pipeline.sources.create('ws1', {
 *   name: '2023 survey', connector: 'file',
 *   config: { path: '/imports/survey-2023.csv', idPath: 'response_id', mapping: { text: 'comment', occurredAt: 'submitted_at' } },
 * });
 * ```
 */
import { resolve } from 'node:path';
import { defineConnector, type Connector } from '@tributary/core/connector';
import { createFileFetch } from './fetch.js';
import { parseFileItem } from './parse.js';
import { confinedTo } from './root.js';
import { FileCheckpointSchema, FileConfigSchema, type FileCheckpoint, type FileConfig } from './schemas.js';

export { FILE_REJECTED_ITEM_TYPE, FileCheckpointSchema, FileConfigSchema, type FileCheckpoint, type FileConfig, type FileConfigInput } from './schemas.js';
export { FieldMappingSchema, FieldSourceSchema, type FieldMapping, type FieldMappingInput, type FieldSource } from '../_mapping/index.js';
export type { ByteSource } from './bytes.js';
export { readLines, type Line, type ReadLinesOptions } from './lines.js';
export { readCsv, type CsvEntry, type ReadCsvOptions } from './csv.js';
export { CsvRecordParser, CsvSyntaxError } from './csv-record.js';
export { readNdjson, type NdjsonEntry } from './ndjson.js';
export { parseFileItem } from './parse.js';

/** The connector's version; records remember it, and a new minor means records may be re-parsed. */
export const FILE_CONNECTOR_VERSION = '0.1.0';

/** Options of {@link createFileConnector}. */
export interface FileConnectorOptions {
  /**
   * The directory configured paths resolve against and may not leave. Set it whenever people other
   * than the host's operators can create sources: the files are read with the process's rights.
   * @default none: paths resolve against the working directory, anywhere
   */
  root?: string;
}

/** Creates the file connector, optionally confined to a directory. */
export function createFileConnector(options: FileConnectorOptions = {}): Connector<FileConfig, undefined, FileCheckpoint> {
  return defineConnector<FileConfig, undefined, FileCheckpoint>({
    name: 'file',
    version: FILE_CONNECTOR_VERSION,
    displayName: 'File import (CSV, NDJSON)',
    description: 'Backfills from CSV or NDJSON files, streamed in bounded memory and resumable by byte offset.',
    configSchema: FileConfigSchema,
    checkpointSchema: FileCheckpointSchema,
    fetch: createFileFetch(options.root === undefined ? (path) => resolve(path) : confinedTo(options.root)),
    parse: parseFileItem,
  });
}

/** The file connector, reading paths relative to the working directory. */
export const fileConnector = createFileConnector();
