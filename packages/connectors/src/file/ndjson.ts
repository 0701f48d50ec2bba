import type { ByteSource } from './bytes.js';
import { readLines, type ReadLinesOptions } from './lines.js';

/** What {@link readNdjson} yields: a value, or a bad line (reported and skipped). `end`/`nextLine` resume after it. */
export type NdjsonEntry =
  | { kind: 'row'; line: number; end: number; nextLine: number; value: unknown }
  | { kind: 'error'; line: number; end: number; nextLine: number; message: string };

/**
 * Streams NDJSON / JSON Lines, one JSON value a line, in bounded memory. Blank lines are skipped; a
 * line that is not JSON (or not UTF-8, or too long) is yielded as an error with its line number and
 * reading goes on.
 * @example
 * ```ts
 * for await (const entry of readNdjson(response.body!)) if (entry.kind === 'error') console.warn(`line ${entry.line}: ${entry.message}`);
 * ```
 */
export async function* readNdjson(source: ByteSource, options: ReadLinesOptions = {}): AsyncGenerator<NdjsonEntry> {
  for await (const line of readLines(source, options)) {
    const at = { line: line.line, end: line.end, nextLine: line.line };
    if (line.error !== undefined) {
      yield { kind: 'error', ...at, message: line.error };
      continue;
    }
    if (line.text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line.text);
    } catch (error) {
      yield { kind: 'error', ...at, message: `invalid JSON: ${(error as Error).message}` };
      continue;
    }
    yield { kind: 'row', ...at, value };
  }
}
