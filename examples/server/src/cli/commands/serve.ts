/**
 * @module cli/commands/serve
 * `tributary serve`: the server, exactly as `pnpm start` runs it (`src/main.ts`), with the same flags.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { UsageError, choiceOption, parseCommand } from '../args.js';
import { ROLES, serveSpec } from '../specs.js';


/** Hands over to the server's entry point; it runs until a signal stops it. */
export async function serveCommand(argv: string[]): Promise<number | 'running'> {
  const { values } = parseCommand(serveSpec, argv);
  choiceOption(values, 'role', 'serve', ROLES);
  if (values.demo === true && values['no-demo'] === true) throw new UsageError('--demo and --no-demo contradict each other', 'serve');
  const main = fileURLToPath(new URL('../../main.ts', import.meta.url));
  // main.ts reads its flags from process.argv, as under `pnpm start`.
  process.argv = [process.argv[0]!, main, ...argv];
  await import(pathToFileURL(main).href);
  return 'running';
}
