/**
 * @module cli/commands/keys
 * `tributary keys rotate`: re-encrypts every stored secret with the primary encryption key, on the
 * configured engines, with progress on stderr. Resumable: an interrupted run continues after the
 * last workspace it finished.
 */
import { reencryptSecrets, type ReencryptionProgress } from '../../key-rotation.js';
import { EXIT, parseCommand } from '../args.js';
import { openServer } from '../context.js';
import { say } from '../output.js';
import { createProgress } from '../progress.js';
import { keysRotateSpec } from '../specs.js';

const summary = (p: ReencryptionProgress, dryRun: boolean) => {
  const verb = dryRun ? 'to re-encrypt' : 're-encrypted';
  return `${p.workspacesDone}/${p.workspacesTotal} workspaces; sources: ${p.sources.reencrypted} ${verb} of ${p.sources.scanned}${p.sources.failed ? `, ${p.sources.failed} failed` : ''}; destinations: ${p.destinations.reencrypted} ${verb} of ${p.destinations.scanned}${p.destinations.failed ? `, ${p.destinations.failed} failed` : ''}`;
};

export async function keysRotate(argv: string[]): Promise<number> {
  const { values } = parseCommand(keysRotateSpec, argv);
  const dryRun = values['dry-run'] === true;
  const server = await openServer();
  const abort = new AbortController();
  // Ctrl-C finishes the workspace in progress and saves the checkpoint; the next run resumes.
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  try {
    const bar = createProgress({ label: dryRun ? 'checking' : 're-encrypting', unit: 'workspaces', quiet: values.quiet === true });
    const progress = await reencryptSecrets({
      pipeline: server.pipeline,
      secretBox: server.secretBox,
      dryRun,
      signal: abort.signal,
      onProgress: (p) => bar.update(p.workspacesDone, p.workspacesTotal),
    });
    bar.done(`key ${progress.keyId}${progress.resumed ? ' (resumed)' : ''}: ${summary(progress, dryRun)}`);
    for (const f of progress.failures) say(`failed: ${f.kind} ${f.id} of workspace ${f.workspaceId}: ${f.error}`);
    if (!progress.done) say('stopped before the end: run the command again to continue');
    return progress.failures.length > 0 || !progress.done ? EXIT.failure : EXIT.ok;
  } finally {
    process.off('SIGINT', stop);
    await server.stop();
  }
}
