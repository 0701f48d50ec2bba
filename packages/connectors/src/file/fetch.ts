import { stat } from 'node:fs/promises';
import type { FetchContext, FetchPage, RawItem } from '@tributary/core/connector';
import { createError } from '@tributary/core/errors';
import { readCsv } from './csv.js';
import { COMPONENT } from './errors.js';
import { readNdjson } from './ndjson.js';
import { rejectedItem, rowItem } from './rows.js';
import type { FileCheckpoint, FileConfig } from './schemas.js';

/** Maps a configured path to the file to open (and refuses paths outside an allowed root). */
export type PathResolver = (path: string) => string;

/**
 * Imports a file page by page in bounded memory. Each page's checkpoint is the byte offset and line
 * number just past its last row, so a run killed midway resumes at the next row; a file that shrank
 * below the offset (replaced) or another path starts over. Unreadable lines become rejected items.
 */
export function createFileFetch(resolvePath: PathResolver) {
  return async function* fetchFile(ctx: FetchContext<FileConfig, undefined, FileCheckpoint>): AsyncGenerator<FetchPage<FileCheckpoint>> {
    const { config, signal } = ctx;
    signal.throwIfAborted();
    const file = resolvePath(config.path);
    const size = await sizeOf(file);
    const previous = ctx.checkpoint?.path === config.path && ctx.checkpoint.offset <= size ? ctx.checkpoint : null;
    let columns = previous?.columns ?? config.csv.columns;
    let position = { offset: previous?.offset ?? 0, line: previous?.line ?? 0 };
    const read = { startOffset: position.offset, startLine: position.line, maxLineBytes: config.maxLineBytes, signal };
    const checkpoint = (): FileCheckpoint => ({ path: config.path, ...position, ...(columns ? { columns } : {}) });

    const entries =
      config.format === 'csv'
        ? readCsv(file, { ...read, header: columns ?? true, delimiter: config.csv.delimiter, maxRecordBytes: config.maxLineBytes })
        : readNdjson(file, read);
    let items: RawItem[] = [];
    for await (const entry of entries) {
      position = { offset: entry.end, line: entry.nextLine };
      if (entry.kind === 'header') {
        columns = entry.columns;
        continue;
      }
      items.push(entry.kind === 'error' ? rejectedItem(entry.line, entry.message) : rowItem('row' in entry ? entry.row : entry.value, entry.line, config));
      if (items.length >= config.pageSize) {
        yield { items, checkpoint: checkpoint() };
        items = [];
        signal.throwIfAborted();
      }
    }
    yield { items, checkpoint: checkpoint() };
  };
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw createError(COMPONENT, code === 'ENOENT' ? 'not_found' : 'unavailable', `cannot read ${file}: ${code ?? (cause as Error).message}`, { cause });
  }
}
