/**
 * @module cli/commands/import
 * `tributary import <file>`: a CSV or NDJSON backfill through the file connector into the configured
 * engines. The file becomes a `file` source of the workspace (the same one on every import of that
 * path, so an interrupted import resumes at its checkpoint and records are upserted, never
 * duplicated); its rows are fetched, parsed, analyzed and reported here, and deliveries are left on
 * the queue for the server's dispatcher.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { SourceView } from '@tributary/core/pipeline';
import type { StageName } from '@tributary/core/events';
import { EXIT, UsageError, choiceOption, parseCommand, stringOption } from '../args.js';
import { openServer, resolveWorkspace, waitIdle } from '../context.js';
import { say } from '../output.js';
import { createProgress } from '../progress.js';
import { importSpec } from '../specs.js';


const PROCESSING: readonly StageName[] = ['fetch', 'parse', 'analyze', 'report'];

/** `--mapping`: inline JSON or a JSON file. @throws UsageError */
function readMapping(raw: string | undefined): Record<string, unknown> | undefined {
  if (raw === undefined) return undefined;
  let text = raw;
  if (!raw.trim().startsWith('{')) {
    try {
      text = readFileSync(raw, 'utf8');
    } catch (error) {
      throw new UsageError(`--mapping: cannot read ${raw}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, 'import');
    }
  }
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`--mapping must be a JSON object: ${(error as Error).message}`, 'import');
  }
}

export async function importCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(importSpec, argv);
  const path = resolve(positionals[0]!);
  let size: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new UsageError(`${positionals[0]} is not a file`, 'import');
    size = stat.size;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read ${positionals[0]}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, 'import');
  }
  const format = choiceOption(values, 'format', 'import', ['csv', 'ndjson'] as const);
  const mapping = readMapping(stringOption(values, 'mapping'));
  const delimiter = stringOption(values, 'delimiter');
  const config: Record<string, unknown> = {
    path,
    ...(format ? { format } : {}),
    ...(mapping ? { mapping } : {}),
    ...(stringOption(values, 'id') ? { idPath: stringOption(values, 'id') } : {}),
    ...(stringOption(values, 'item-type') ? { itemType: stringOption(values, 'item-type') } : {}),
    ...(delimiter !== undefined ? { csv: { delimiter: delimiter === '\\t' ? '\t' : delimiter } } : {}),
  };

  // The operator at the command line names the file: the connector is confined to its folder only.
  const server = await openServer(process.env, { fileRoot: dirname(resolve(path)) });
  try {
    if (!server.pipeline.connectors.has('file')) {
      say('tributary import: the file connector is not installed');
      return EXIT.failure;
    }
    const workspace = await resolveWorkspace(server, stringOption(values, 'workspace'), 'import');
    const { pipeline, engines } = server;
    const existing = (await pipeline.sources.list(workspace.id)).find((s: SourceView) => s.connector === 'file' && (s.config as { path?: unknown }).path === path);
    let source: SourceView;
    try {
      source = existing
        ? await pipeline.sources.update(workspace.id, existing.id, { config })
        : await pipeline.sources.create(workspace.id, { name: stringOption(values, 'name') ?? `Import ${basename(path)}`, connector: 'file', config, check: false });
    } catch (error) {
      const e = error as { code?: string; issues?: { path: string; message: string }[]; message: string };
      if (e.code === 'validation' || e.code === 'config') {
        throw new UsageError(`invalid import settings: ${(e.issues ?? []).map((i) => `${i.path.replace(/^config\./, '')}: ${i.message}`).join('; ') || e.message}`, 'import');
      }
      throw error;
    }
    if (values['from-start'] === true) await engines.storage.setCheckpoint(workspace.id, source.id, null);
    const checkpoint = (await engines.storage.getCheckpoint<{ path?: string; offset?: number; line?: number }>(workspace.id, source.id)) ?? null;
    const resumeAt = checkpoint?.path === path && (checkpoint.offset ?? 0) <= size ? (checkpoint.offset ?? 0) : 0;

    const progress = createProgress({ label: `import ${basename(path)}`, unit: 'bytes', total: size, quiet: values.quiet === true });
    let rows = 0;
    let stored = 0;
    let rejected = 0;
    let offset = resumeAt;
    let runError: string | undefined;
    const bus = pipeline.bus;
    const note = () => `${rows.toLocaleString('en-US')} rows · ${stored.toLocaleString('en-US')} stored${rejected ? ` · ${rejected} rejected` : ''}`;
    const mine = (e: { workspaceId?: string; sourceId?: string }) => e.workspaceId === workspace.id && e.sourceId === source.id;
    const offs = [
      bus.on('fetch.page', (e) => {
        if (!mine(e)) return;
        rows += e.items;
        void engines.storage.getCheckpoint<{ offset?: number }>(workspace.id, source.id).then((c) => {
          offset = Math.max(offset, c?.offset ?? 0);
          progress.update(offset, undefined, note());
        });
      }),
      bus.on('record.stored', (e) => {
        if (mine(e)) stored++;
      }),
      bus.on('record.rejected', (e) => {
        if (mine(e)) rejected++;
      }),
      bus.on('fetch.run.failed', (e) => {
        if (mine(e)) runError = e.error.message;
      }),
      bus.on('fetch.run.completed', (e) => {
        if (mine(e)) runError = undefined;
      }),
    ];
    progress.update(offset, size, resumeAt > 0 ? `resuming at line ${checkpoint?.line ?? 0}` : '');

    await pipeline.start({ stages: PROCESSING });
    const { runId } = await server.pipeline.trigger(workspace.id, source.id, { trigger: 'manual' });
    await waitIdle(server, PROCESSING.map((s) => pipeline.topics[s]), { onPoll: () => progress.update(offset, undefined, note()) });
    for (const off of offs) off();
    const run = await pipeline.getRun(workspace.id, runId);
    if (run?.status !== 'succeeded') {
      progress.done(`import ${basename(path)}: failed${runError || run?.error ? `: ${runError ?? run?.error}` : ''} (${note()}; run ${runId}, source ${source.id})`);
      return EXIT.failure;
    }
    const upToDate = rows === 0 && resumeAt > 0 && resumeAt >= size ? ' (already imported up to its end; --from-start reads it again)' : '';
    progress.done(`import ${basename(path)}: ${note()} into workspace ${workspace.id}, source ${source.id} (run ${runId})${upToDate}`);
    return EXIT.ok;
  } finally {
    await server.stop();
  }
}
