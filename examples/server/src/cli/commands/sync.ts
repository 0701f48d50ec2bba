/**
 * @module cli/commands/sync
 * `tributary sync <connector> --config <file>`: a one-off pull printing each record as a JSON line on
 * stdout, like a Singer tap. The connector's fetch, parse and the analyzers run here, on in-memory
 * engines: no server, no database, nothing kept (but the checkpoint, with `--state`). Outbound
 * requests obey the same private-network guard as the server.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createPipeline } from '@tributary/core/pipeline';
import { createSecretBox, generateKey } from '@tributary/core/crypto';
import { createMemoryQueue } from '@tributary/core/queue/memory';
import { createMemoryStorage } from '@tributary/core/storage/memory';
import type { StageName } from '@tributary/core/events';
import { createNetPolicy } from '../../net.js';
import { loadRegistry } from '../../registry.js';
import { EXIT, UsageError, parseCommand, stringOption } from '../args.js';
import { cliConfig, waitIdle } from '../context.js';
import { createLineWriter, say } from '../output.js';
import { createProgress } from '../progress.js';
import { syncSpec } from '../specs.js';


/** Reads a JSON file an option names. @throws UsageError */
function readJsonFile(file: string, option: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--${option}: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, 'sync');
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--${option}: ${file} is not JSON: ${(error as Error).message}`, 'sync');
  }
}

const WORKSPACE = 'local';
const SOURCE = 'sync';
const STAGES: readonly StageName[] = ['fetch', 'parse', 'analyze', 'report'];

export async function syncCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(syncSpec, argv);
  const connectorName = positionals[0]!;
  const configFile = stringOption(values, 'config');
  if (!configFile) throw new UsageError('--config <file.json> is required', 'sync');
  const connectorConfig = readJsonFile(configFile, 'config');
  const credentialsFile = stringOption(values, 'credentials');
  const credentials = credentialsFile ? readJsonFile(credentialsFile, 'credentials') : undefined;
  const stateFile = stringOption(values, 'state');
  const state = stateFile && existsSync(stateFile) ? readJsonFile(stateFile, 'state') : undefined;
  const config = cliConfig();
  const quiet = values.quiet === true;

  const secretBox = createSecretBox({ keys: { k1: generateKey() } });
  const registry = await loadRegistry({ fileRoot: process.cwd() });
  const connector = registry.connectors.find((c) => c.name === connectorName);
  const pullable = registry.connectors.filter((c) => c.fetch).map((c) => c.name);
  if (!connector) throw new UsageError(`no connector ${JSON.stringify(connectorName)}: available are ${pullable.join(', ')}`, 'sync');
  if (!connector.fetch) throw new UsageError(`connector ${connectorName} cannot pull (it only takes pushes): use one of ${pullable.join(', ')}`, 'sync');

  const net = createNetPolicy({ allowPrivateNetwork: values['allow-private-network'] === true || config.TRIBUTARY_ALLOW_PRIVATE_NETWORK, allowHosts: config.TRIBUTARY_ALLOWED_HOSTS });
  const storage = createMemoryStorage();
  const queue = createMemoryQueue();
  const pipeline = createPipeline({
    storage,
    queue,
    connectors: registry.connectors,
    analyzers: registry.analyzers,
    // Nothing is delivered: report jobs are consumed and dropped.
    reporters: [],
    secretKey: secretBox,
    fetch: net.fetch,
    stages: { fetch: { maxAttempts: 3 } },
  });

  try {
    try {
      await pipeline.sources.create(WORKSPACE, { id: SOURCE, name: `sync ${connectorName}`, connector: connectorName, config: connectorConfig, ...(credentials !== undefined ? { credentials } : {}), check: false });
    } catch (error) {
      const e = error as { code?: string; issues?: { path: string; message: string }[]; message: string };
      if (e.code === 'validation' || e.code === 'config') {
        const issues = (e.issues ?? []).map((i) => `  ${i.path || '(root)'}: ${i.message}`);
        throw new UsageError(`invalid ${connectorName} settings:\n${issues.join('\n') || e.message}`, 'sync');
      }
      throw error;
    }
    if (state !== undefined && state !== null) await storage.setCheckpoint(WORKSPACE, SOURCE, state);

    const out = createLineWriter(process.stdout);
    const progress = createProgress({ label: `sync ${connectorName}`, unit: 'records', quiet });
    const printed = new Set<string>();
    let fetched = 0;
    let rejected = 0;
    let writing: Promise<void> = Promise.resolve();
    const { bus } = pipeline;
    // Records are printed as they are stored, in order, each once (a lookback can fetch one twice).
    bus.on('record.stored', (e) => {
      if (printed.has(e.recordId)) return;
      printed.add(e.recordId);
      writing = writing.then(async () => {
        const record = await storage.getRecord(WORKSPACE, e.recordId);
        if (record) await out.line(JSON.stringify(record));
        progress.update(printed.size, undefined, `${fetched.toLocaleString('en-US')} items fetched`);
      });
    });
    bus.on('fetch.page', (e) => {
      fetched += e.items;
      progress.update(printed.size, undefined, `${fetched.toLocaleString('en-US')} items fetched, page ${e.page}`);
    });
    bus.on('record.rejected', (e) => {
      rejected++;
      progress.clear();
      say(`item ${e.externalId ?? '(no id)'} rejected by the parser: ${e.error.message}`);
    });
    bus.on('stage.failed', (e) => {
      if (e.stage !== 'fetch') return;
      progress.clear();
      say(`pull failed (attempt ${e.attempt}${e.willRetry ? ', retrying' : ''}): ${e.error.message}`);
    });

    await pipeline.start({ stages: STAGES });
    const { runId } = await pipeline.trigger(WORKSPACE, SOURCE, { trigger: 'manual' });
    await waitIdle({ pipeline }, STAGES.map((s) => pipeline.topics[s]));
    await writing;
    await out.flush();
    const run = await pipeline.getRun(WORKSPACE, runId);
    const summary = `${printed.size.toLocaleString('en-US')} records from ${run?.pages ?? 0} page${run?.pages === 1 ? '' : 's'}${rejected ? `, ${rejected} items rejected` : ''}`;
    if (run?.status !== 'succeeded') {
      progress.done(`sync ${connectorName}: failed${run?.error ? `: ${run.error}` : ''} (${summary})`);
      return EXIT.failure;
    }
    if (stateFile) writeFileSync(stateFile, `${JSON.stringify(await storage.getCheckpoint(WORKSPACE, SOURCE))}\n`);
    if (quiet) progress.clear();
    else progress.done(`sync ${connectorName}: ${summary}`);
    return EXIT.ok;
  } finally {
    await pipeline.stop();
    await queue.dispose();
    await storage.dispose();
  }
}
